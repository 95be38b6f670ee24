/**
 * Adversarial examples against a keyword spotter, and a defence.
 *
 * The attack works on the model's input features (the micro_speech frontend output, scaled to [0, 1]):
 * targeted projected gradient descent (PGD, Madry et al. 2018) on the float model nudges every feature by at
 * most `epsilon` so that the model says "yes". What the device would answer is then checked on the int8 model
 * (lib/int8 Interpreter, bit-exact with the generated C). A black-box variant (random search) needs only the
 * int8 model's scores. The defence is adversarial training: train on PGD examples made on the fly.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Graph } from "../graph/types.ts";
import { Interpreter } from "../int8/interpreter.ts";
import { quantize } from "../quant/mod.ts";
import { mulberry32, shuffle } from "../util/random.ts";
import { SecurityError } from "./errors.ts";

/** Bad options for an attack or for adversarial training. */
export class AttackOptionsError extends SecurityError {
  override name = "AttackOptionsError";
  constructor(what: string) {
    super("attack-options", what);
  }
}

/** Options of {@link pgdAttack}. */
export interface PgdOptions {
  /** L-infinity budget: each feature moves by at most this much (inputs in [0, 1]; 4/255 ~ 4 int8 steps). */
  epsilon: number;
  /** Gradient steps (default 20). */
  steps?: number;
  /** Step size (default epsilon / 4). */
  stepSize?: number;
  /** Targeted: the class the model should output (e.g. 2 = "yes"). */
  target?: number;
  /** Untargeted: the true labels, to push away from. Give `target` or `labels`. */
  labels?: readonly number[];
  /** Valid input range (default [0, 1]). */
  range?: [number, number];
  /** Start from a random point in the epsilon ball, seeded (default: no random start). */
  randomStartSeed?: number;
  /** Examples per gradient batch (default 64). */
  batchSize?: number;
}

/** Input shape of a tfjs model without the batch axis, e.g. [49, 40, 1]. */
function inputShape(model: tf.LayersModel): number[] {
  return (model.inputs[0].shape.slice(1) as number[]);
}

function batchTensor(model: tf.LayersModel, x: readonly Float32Array[]): tf.Tensor {
  const shape = inputShape(model);
  const size = shape.reduce((a, b) => a * b, 1);
  const flat = new Float32Array(x.length * size);
  x.forEach((v, i) => {
    if (v.length !== size) throw new AttackOptionsError(`example ${i} has ${v.length} values; the model takes ${size} (${shape.join("x")})`);
    flat.set(v, i * size);
  });
  return tf.tensor(flat, [x.length, ...shape]);
}

/**
 * The model's logits: a classifier ending in a softmax Dense layer is run up to that layer's pre-activation, so
 * the loss stays informative where the softmax saturates (a probability of 0 has no gradient). Other models'
 * outputs are taken as logits.
 */
export function modelLogits(model: tf.LayersModel, x: tf.Tensor, training = false): tf.Tensor {
  const layers = model.layers;
  const last = layers[layers.length - 1];
  const config = last.getConfig() as { activation?: string };
  if (last.getClassName() !== "Dense" || config.activation !== "softmax") return model.apply(x, { training }) as tf.Tensor;
  let h = x;
  for (const layer of layers.slice(0, -1)) h = layer.apply(h, { training }) as tf.Tensor;
  const [kernel, bias] = last.getWeights();
  const flat = h.reshape([h.shape[0], -1]);
  return bias ? tf.add(tf.matMul(flat, kernel), bias) : tf.matMul(flat, kernel);
}

/** Mean cross-entropy of logits against integer labels. */
function crossEntropy(logits: tf.Tensor, labels: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(labels, classes)), -1)));
}

/**
 * Projected gradient descent in the L-infinity ball: returns adversarial copies of `x` (same order).
 * Targeted (minimise the loss of `target`) or untargeted (maximise the loss of the true `labels`).
 * @example
 * const adv = pgdAttack(model, xTest, { epsilon: 8 / 255, target: 2 }); // make it say "yes"
 */
export function pgdAttack(model: tf.LayersModel, x: readonly Float32Array[], opts: PgdOptions): Float32Array[] {
  if (!(opts.epsilon >= 0)) throw new AttackOptionsError(`epsilon must be >= 0, got ${opts.epsilon}`);
  if (opts.target === undefined && !opts.labels) throw new AttackOptionsError("give a target class (targeted attack) or the true labels (untargeted)");
  if (opts.labels && opts.labels.length !== x.length) throw new AttackOptionsError(`${opts.labels.length} labels for ${x.length} examples`);
  const steps = opts.steps ?? 20;
  const alpha = opts.stepSize ?? opts.epsilon / 4;
  const [lo, hi] = opts.range ?? [0, 1];
  const classes = (model.outputs[0].shape[1] as number);
  const batch = opts.batchSize ?? 64;
  const rng = opts.randomStartSeed === undefined ? null : mulberry32(opts.randomStartSeed);
  const out: Float32Array[] = [];
  for (let start = 0; start < x.length; start += batch) {
    const part = x.slice(start, start + batch);
    const targeted = opts.target !== undefined;
    const labelValues = targeted ? part.map(() => opts.target!) : opts.labels!.slice(start, start + batch);
    const result = tf.tidy(() => {
      const x0 = batchTensor(model, part);
      const labels = tf.tensor1d(labelValues, "int32");
      const lower = tf.maximum(tf.sub(x0, opts.epsilon), lo);
      const upper = tf.minimum(tf.add(x0, opts.epsilon), hi);
      let adv: tf.Tensor = x0;
      if (rng) {
        const noise = tf.tensor(Float32Array.from({ length: x0.size }, () => (2 * rng() - 1) * opts.epsilon), x0.shape);
        adv = tf.minimum(tf.maximum(tf.add(x0, noise), lower), upper);
      }
      const loss = (input: tf.Tensor) => crossEntropy(modelLogits(model, input), labels, classes);
      const gradOf = tf.grad(loss);
      for (let s = 0; s < steps; s++) {
        const g = tf.sign(gradOf(adv));
        // Targeted: descend the target's loss; untargeted: ascend the true label's loss.
        const next: tf.Tensor = targeted ? tf.sub(adv, tf.mul(g, alpha)) : tf.add(adv, tf.mul(g, alpha));
        adv = tf.minimum(tf.maximum(next, lower), upper);
      }
      return adv;
    });
    const data = result.dataSync() as Float32Array;
    result.dispose();
    const size = data.length / part.length;
    for (let i = 0; i < part.length; i++) out.push(data.slice(i * size, (i + 1) * size));
  }
  return out;
}

/** Class predictions of the float model (argmax), batched. */
export function predictFloat(model: tf.LayersModel, x: readonly Float32Array[], batchSize = 128): number[] {
  const out: number[] = [];
  for (let s = 0; s < x.length; s += batchSize) {
    const p = tf.tidy(() => tf.argMax(model.predict(batchTensor(model, x.slice(s, s + batchSize))) as tf.Tensor, -1));
    out.push(...Array.from(p.dataSync()));
    p.dispose();
  }
  return out;
}

/** Float examples -> the int8 inputs the device's model takes (the graph's input quantization). */
export function deviceInputs(graph: Graph, x: readonly Float32Array[]): Int8Array[] {
  const q = graph.tensors[graph.inputs[0]].quant;
  if (!q) throw new AttackOptionsError("the graph's input is not quantized: pass the int8 graph (quantizeModel(...).graph)");
  return x.map((v) => quantize(v, { scale: q.scale[0], zeroPoint: q.zeroPoint[0] }) as Int8Array);
}

/** What the device would answer: argmax of the int8 model's outputs for float examples (quantized first). */
export function predictInt8(graph: Graph, x: readonly Float32Array[]): number[] {
  const interp = new Interpreter(graph, { kernels: "fast" });
  return deviceInputs(graph, x).map((input) => argmaxOf(interp.invoke([input])[0] as Int8Array));
}

function argmaxOf(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** Fraction of `predictions` equal to `target`. */
export function hitRate(predictions: readonly number[], target: number): number {
  return predictions.length ? predictions.filter((p) => p === target).length / predictions.length : 0;
}

/** Fraction of predictions equal to the labels. */
export function accuracyOf(predictions: readonly number[], labels: readonly number[]): number {
  return predictions.length ? predictions.filter((p, i) => p === labels[i]).length / predictions.length : 0;
}

/** The largest change of any feature between clean and adversarial examples (L-infinity), and the mean one. */
export function perturbationSize(clean: readonly Float32Array[], adv: readonly Float32Array[]): { max: number; mean: number } {
  let max = 0, sum = 0, n = 0;
  clean.forEach((c, i) => c.forEach((v, k) => {
    const d = Math.abs(adv[i][k] - v);
    if (d > max) max = d;
    sum += d;
    n++;
  }));
  return { max, mean: n ? sum / n : 0 };
}

/** Options of {@link adversarialTrain}. */
export interface AdversarialTrainOptions {
  epochs: number;
  /** Budget of the training-time PGD (untargeted). */
  epsilon: number;
  /** PGD steps per batch (default 5: cheaper than the evaluation attack, as usual). */
  steps?: number;
  batchSize?: number;
  /** Fraction of each batch replaced by its adversarial version (default 0.5; 1 = Madry's pure adversarial training). */
  adversarialShare?: number;
  /** Learning rate of Adam (default 0.003). */
  learningRate?: number;
  /** Seed of shuffling and PGD random starts (default 0). */
  seed?: number;
  /** Called after each epoch with the mean loss. */
  onEpochEnd?: (epoch: number, loss: number) => void;
}

/**
 * Adversarial training: each mini-batch, untargeted PGD examples are made against the current weights and
 * replace part of the batch. Trains `model` in place (it must be compiled or not: an Adam optimizer is used
 * directly); returns the mean loss per epoch.
 * @example
 * await adversarialTrain(model, data.train.x, data.train.y, { epochs: 10, epsilon: 8 / 255 });
 */
export async function adversarialTrain(model: tf.LayersModel, x: readonly Float32Array[], y: readonly number[], opts: AdversarialTrainOptions): Promise<number[]> {
  if (x.length !== y.length) throw new AttackOptionsError(`${x.length} examples but ${y.length} labels`);
  const rng = mulberry32(opts.seed ?? 0);
  const batchSize = opts.batchSize ?? 32;
  const share = opts.adversarialShare ?? 0.5;
  const classes = (model.outputs[0].shape[1] as number);
  const optimizer = tf.train.adam(opts.learningRate ?? 0.003);
  const losses: number[] = [];
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const order = shuffle(Array.from({ length: x.length }, (_, i) => i), rng);
    let sum = 0, batches = 0;
    for (let s = 0; s < order.length; s += batchSize) {
      const idx = order.slice(s, s + batchSize);
      const nAdv = Math.round(idx.length * share);
      const advIdx = idx.slice(0, nAdv);
      const adv = nAdv > 0
        ? pgdAttack(model, advIdx.map((i) => x[i]), { epsilon: opts.epsilon, steps: opts.steps ?? 5, stepSize: opts.epsilon / 2, labels: advIdx.map((i) => y[i]), randomStartSeed: Math.floor(rng() * 2 ** 31) })
        : [];
      const inputs = [...adv, ...idx.slice(nAdv).map((i) => x[i])];
      const loss = tf.tidy(() => {
        const xb = batchTensor(model, inputs);
        const yb = tf.tensor1d(idx.map((i) => y[i]), "int32");
        return optimizer.minimize(() => crossEntropy(modelLogits(model, xb, true), yb, classes), true) as tf.Scalar;
      });
      sum += (await loss.data())[0];
      loss.dispose();
      batches++;
    }
    losses.push(sum / Math.max(1, batches));
    opts.onEpochEnd?.(epoch, losses[losses.length - 1]);
  }
  optimizer.dispose();
  return losses;
}

/** Options of {@link randomSearchAttack}. */
export interface RandomSearchOptions {
  /** L-infinity budget in int8 steps of the model's input (e.g. 16). */
  epsilon: number;
  /** Model queries allowed per example (default 200). */
  queries?: number;
  /**
   * The input's 2-D layout [rows, cols] (default [49, 40]: frames x channels) and the size of the blocks that
   * are pushed up or down together (default [7, 8]); smooth, block-shaped changes need far fewer queries than
   * single features.
   */
  shape?: [number, number];
  block?: [number, number];
  seed?: number;
}

/** A black-box attack's result for one example. */
export interface BlackBoxResult {
  adversarial: Int8Array;
  success: boolean;
  queries: number;
}

/**
 * Black-box targeted attack on the true int8 pipeline: only the int8 model's output scores are used (no
 * gradients, no float twin). In the spirit of SimBA (Guo et al. 2019) with a block basis: visit blocks of
 * features in random order, try moving a block by +epsilon, then -epsilon (relative to the clean input), and
 * keep a move when the target's score margin over the best other class does not drop; stop as soon as the model
 * says `target`. The int8 softmax outputs are coarse (a class at -128 gives no signal), which is part of why
 * this is much harder than white-box PGD.
 */
export function randomSearchAttack(graph: Graph, input: Int8Array, target: number, opts: RandomSearchOptions): BlackBoxResult {
  const interp = new Interpreter(graph, { kernels: "fast" });
  const rng = mulberry32(opts.seed ?? 0);
  const queries = opts.queries ?? 200;
  const [rows, cols] = opts.shape ?? [49, 40];
  const [bh, bw] = opts.block ?? [7, 8];
  if (rows * cols !== input.length) throw new AttackOptionsError(`shape ${rows}x${cols} does not match the input's ${input.length} values`);
  const eps = Math.round(opts.epsilon);
  const margin = (v: Int8Array) => {
    let other = -Infinity;
    for (let i = 0; i < v.length; i++) if (i !== target && v[i] > other) other = v[i];
    return v[target] - other;
  };
  const clamp = (v: number) => Math.max(-128, Math.min(127, v));
  const blocks: [number, number][] = [];
  for (let r = 0; r < rows; r += bh) for (let c = 0; c < cols; c += bw) blocks.push([r, c]);
  let best = Int8Array.from(input);
  let bestMargin = margin(interp.invoke([best])[0] as Int8Array);
  let used = 1;
  while (bestMargin <= 0 && used < queries) {
    for (const [r0, c0] of shuffle(blocks.slice(), rng)) {
      for (const sign of rng() < 0.5 ? [1, -1] : [-1, 1]) {
        if (bestMargin > 0 || used >= queries) break;
        const cand = Int8Array.from(best);
        for (let r = r0; r < Math.min(rows, r0 + bh); r++) {
          for (let c = c0; c < Math.min(cols, c0 + bw); c++) cand[r * cols + c] = clamp(input[r * cols + c] + sign * eps);
        }
        const m = margin(interp.invoke([cand])[0] as Int8Array);
        used++;
        if (m >= bestMargin) {
          const improved = m > bestMargin;
          best = cand;
          bestMargin = m;
          if (improved) break; // keep this sign, next block
        }
      }
      if (bestMargin > 0 || used >= queries) break;
    }
  }
  return { adversarial: best, success: bestMargin > 0, queries: used };
}
