/**
 * Federated averaging (McMahan et al. 2017), simulated: each round the server sends the global weights to the
 * devices, each device trains a few local epochs of SGD on its own examples, sends back its weights, and the
 * server averages them weighted by how many examples each device has. Raw data never leaves a device; the
 * weights do (see `payload.ts` for what that costs).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { mulberry32, type Rng, shuffle } from "../../util/random.ts";
import { progress } from "../../viz/progress.ts";
import { require } from "../errors.ts";
import { accuracy, type ExampleLoss, lossPerExample } from "../metrics.ts";
import type { ClientSplit } from "./splits.ts";

/** One device's result: its weights after local training and how many examples it trained on. */
export interface ClientUpdate {
  weights: Float32Array[];
  n: number;
}

/**
 * The server's aggregation: Σ_k n_k·w_k / Σ_k n_k, weight tensor by weight tensor.
 * @example weightedAverage([{ weights: [a], n: 1 }, { weights: [b], n: 3 }]); // (a + 3b) / 4
 */
export function weightedAverage(updates: readonly ClientUpdate[]): Float32Array[] {
  require(updates.length > 0, "weightedAverage needs at least one client update");
  const total = updates.reduce((a, u) => a + u.n, 0);
  require(total > 0, "the clients hold no examples (all n = 0)");
  const shapes = updates[0].weights.map((w) => w.length);
  return shapes.map((len, k) => {
    const out = new Float32Array(len);
    for (const u of updates) {
      require(
        u.weights.length === shapes.length && u.weights[k].length === len,
        "client updates have different weight shapes",
      );
      const f = u.n / total;
      const w = u.weights[k];
      for (let i = 0; i < len; i++) out[i] += f * w[i];
    }
    return out;
  });
}

/** Copies of all the model's weights (trainable or not) as flat arrays. */
export function getFlatWeights(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((w) => (w.read().dataSync() as Float32Array).slice());
}

/** Sets all the model's weights from flat arrays (as {@link getFlatWeights} returns them). */
export function setFlatWeights(model: tf.LayersModel, weights: readonly Float32Array[]): void {
  require(weights.length === model.weights.length, `model has ${model.weights.length} weights, got ${weights.length}`);
  const tensors = model.weights.map((w, k) => tf.tensor(weights[k], w.shape as number[]));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** Options of {@link localTrain}. */
export interface LocalTrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  loss?: ExampleLoss;
  rng: Rng;
}

/** Plain mini-batch SGD on one device's examples (in place), batches from a seeded shuffle each epoch. */
export function localTrain(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, opts: LocalTrainOptions): void {
  const n = x.shape[0];
  if (n === 0) return;
  const optimizer = tf.train.sgd(opts.learningRate);
  const loss = opts.loss ?? "sparseCategoricalCrossentropy";
  for (let e = 0; e < opts.epochs; e++) {
    const order = shuffle(Array.from({ length: n }, (_, i) => i), opts.rng);
    for (let s = 0; s < n; s += opts.batchSize) {
      tf.tidy(() => {
        const idx = tf.tensor1d(order.slice(s, s + opts.batchSize), "int32");
        const [xb, yb] = [tf.gather(x, idx), tf.gather(y, idx)];
        optimizer.minimize(() =>
          tf.mean(lossPerExample(model.apply(xb, { training: true }) as tf.Tensor, yb, loss)) as tf.Scalar
        );
      });
    }
  }
  optimizer.dispose();
}

/** Options of {@link fedAvg}. */
export interface FedAvgOptions {
  /** Example indices of each client (from `iidSplit`, `labelSkewSplit`, `dirichletSplit`). */
  clients: ClientSplit;
  rounds: number;
  /** Local epochs per round (E in McMahan et al.). */
  localEpochs: number;
  /** Local mini-batch size (B). */
  batchSize: number;
  learningRate: number;
  /** Clients taking part in each round, drawn at random (default all). */
  clientsPerRound?: number;
  loss?: ExampleLoss;
  seed?: number;
  /** Held-out data for the global model's accuracy after every round. */
  test?: { x: tf.Tensor; y: tf.Tensor | ArrayLike<number> };
  /** Bytes per uploaded weight value (default 4: float32). */
  bytesPerValue?: number;
  /** Label of the progress display (default "FedAvg"); `false` hides it. */
  progress?: string | false;
}

/** What {@link fedAvg} measured. */
export interface FedAvgResult {
  /** Global test accuracy after each round (when `test` was given). */
  accuracy: number[];
  /** Bytes all devices uploaded in each round (their weights). */
  uploadedBytes: number[];
  /** Weight values in one update. */
  parameters: number;
}

/**
 * Federated averaging. `model` holds the global weights: it starts from its current weights and ends with the
 * final global model.
 *
 * @example
 * const r = await fedAvg(model, xTrain, yTrain, { clients: iidSplit(labels, 10), rounds: 10, localEpochs: 1,
 *   batchSize: 16, learningRate: 0.1, test: { x: xTest, y: test.labels } });
 */
export async function fedAvg(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  opts: FedAvgOptions,
): Promise<FedAvgResult> {
  require(opts.clients.length > 0, "fedAvg needs at least one client");
  require(Number.isInteger(opts.rounds) && opts.rounds >= 1, `rounds must be a whole number ≥ 1, got ${opts.rounds}`);
  const perRound = opts.clientsPerRound ?? opts.clients.length;
  require(
    perRound >= 1 && perRound <= opts.clients.length,
    `clientsPerRound must be in 1..${opts.clients.length}, got ${perRound}`,
  );
  const rng = mulberry32(opts.seed ?? 0);
  const clientData = opts.clients.map((idx) => {
    const t = tf.tensor1d(idx, "int32");
    const data = { x: tf.gather(x, t), y: tf.gather(y, t), n: idx.length };
    t.dispose();
    return data;
  });
  const parameters = model.weights.reduce((a, w) => a + w.shape.reduce((p: number, d) => p * (d ?? 1), 1), 0);
  const result: FedAvgResult = { accuracy: [], uploadedBytes: [], parameters };
  const bar = opts.progress === false ? undefined : progress(opts.rounds, { label: opts.progress ?? "FedAvg" });
  let global = getFlatWeights(model);
  for (let round = 0; round < opts.rounds; round++) {
    const chosen = shuffle(opts.clients.map((_, c) => c), rng).slice(0, perRound).sort((a, b) => a - b);
    const updates: ClientUpdate[] = [];
    for (const c of chosen) {
      setFlatWeights(model, global);
      localTrain(model, clientData[c].x, clientData[c].y, {
        epochs: opts.localEpochs,
        batchSize: opts.batchSize,
        learningRate: opts.learningRate,
        loss: opts.loss,
        rng,
      });
      updates.push({ weights: getFlatWeights(model), n: clientData[c].n });
    }
    global = weightedAverage(updates);
    setFlatWeights(model, global);
    result.uploadedBytes.push(updates.length * parameters * (opts.bytesPerValue ?? 4));
    if (opts.test) result.accuracy.push(accuracy(model, opts.test.x, opts.test.y));
    bar?.tick(1, opts.test ? `accuracy ${(100 * result.accuracy[round]).toFixed(1)}%` : undefined);
    await new Promise((r) => setTimeout(r, 0));
  }
  await bar?.done();
  tf.dispose(clientData.flatMap((d) => [d.x, d.y]));
  return result;
}
