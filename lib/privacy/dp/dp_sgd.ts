/**
 * Differentially private SGD (Abadi et al. 2016): each step takes a Poisson-sampled batch, clips every example's
 * gradient to L2 norm ≤ C, sums them, adds Gaussian noise N(0, σ²C²) to each coordinate of the sum, divides by the
 * expected batch size and takes an optimizer step. The accountant (`accountant.ts`) turns (q, σ, T) into (ε, δ).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { mulberry32, randn, type Rng, shuffle } from "../../util/random.ts";
import { progress } from "../../viz/progress.ts";
import { require } from "../errors.ts";
import { accuracy, type ExampleLoss } from "../metrics.ts";
import { perExampleGradients, type PerExampleMethod } from "./per_example.ts";
import { type PrivacySpent, privacySpent } from "./accountant.ts";

/** The clipped sum of one batch's per-example gradients, and the norms before clipping. */
export interface ClippedSum {
  /** Σ_i g_i · min(1, C/‖g_i‖), one tensor per weight (shape of the weight). */
  sum: tf.Tensor[];
  /** ‖g_i‖ over all weights together, per example, before clipping. */
  norms: Float32Array;
}

/** Per example: ‖g_i‖ over all weights together, and the factor min(1, C/‖g_i‖) that clips it to norm ≤ C. */
function clipScales(perExample: tf.Tensor[], clipNorm: number): { norms: tf.Tensor1D; scale: tf.Tensor1D } {
  require(clipNorm > 0, `clipping norm C must be > 0, got ${clipNorm}`);
  require(perExample.length > 0, "no gradients to clip");
  const b = perExample[0].shape[0];
  const norms = tf.sqrt(tf.addN(perExample.map((g) => tf.sum(tf.square(g.reshape([b, -1])), 1)))) as tf.Tensor1D;
  // 1e-12 keeps an all-zero gradient finite; its scale does not matter.
  const scale = Number.isFinite(clipNorm) ? tf.minimum(1, tf.div(clipNorm, tf.add(norms, 1e-12))) : tf.onesLike(norms);
  return { norms, scale: scale as tf.Tensor1D };
}

/**
 * Each example's gradient (all weights together) scaled to L2 norm ≤ `clipNorm`, kept per example
 * (for inspection; DP-SGD itself only needs {@link clipAndSum}). Does not dispose `perExample`.
 */
export function clipPerExample(perExample: tf.Tensor[], clipNorm: number): tf.Tensor[] {
  return tf.tidy(() => {
    const { scale } = clipScales(perExample, clipNorm);
    return perExample.map((g) => tf.mul(g, scale.reshape([-1, ...g.shape.slice(1).map(() => 1)])));
  });
}

/**
 * Clips each example's whole gradient (all weights together) to L2 norm ≤ `clipNorm` and sums over the batch,
 * so one example moves the sum by at most C. `clipNorm` = Infinity leaves the gradients as they are (plain SGD).
 * Does not dispose `perExample`.
 */
export function clipAndSum(perExample: tf.Tensor[], clipNorm: number): ClippedSum {
  return tf.tidy(() => {
    const b = perExample[0]?.shape[0] ?? 0;
    const { norms, scale } = clipScales(perExample, clipNorm);
    // Σ_i s_i·g_i as one matrix product per weight: [1, B] × [B, size].
    const sum = perExample.map((g) =>
      tf.keep(tf.matMul(scale.reshape([1, b]), g.reshape([b, -1])).reshape(g.shape.slice(1)))
    );
    return { sum, norms: norms.dataSync() as Float32Array };
  });
}

/** Gaussian noise of standard deviation `std`, seeded by `rng` (identical on every runtime). */
export function gaussianNoise(shape: number[], std: number, rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  if (std > 0) { for (let i = 0; i < n; i++) values[i] = std * randn(rng); }
  return tf.tensor(values, shape);
}

/** Options of {@link dpSgdStep}. */
export interface DpStepOptions {
  clipNorm: number;
  noiseMultiplier: number;
  /** What the noisy sum is divided by: the expected batch size q·N (not the sampled one, which would leak). */
  expectedBatchSize: number;
  optimizer: tf.Optimizer;
  rng: Rng;
  loss?: ExampleLoss;
  method?: PerExampleMethod;
}

/** What one step measured. */
export interface DpStepStats {
  batchSize: number;
  /** Mean loss of the batch's examples (NaN for an empty batch). */
  loss: number;
  /** Fraction of the batch whose gradient norm exceeded C. */
  clippedFraction: number;
}

/**
 * One DP-SGD step on a batch (may be empty: then only noise is added, as Poisson sampling requires).
 * Updates the model's trainable weights.
 */
export function dpSgdStep(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, opts: DpStepOptions): DpStepStats {
  const weights = model.trainableWeights;
  const b = x.shape[0];
  let sum: tf.Tensor[];
  let stats: DpStepStats = { batchSize: b, loss: NaN, clippedFraction: 0 };
  if (b > 0) {
    const { grads, losses } = perExampleGradients(model, x, y, { loss: opts.loss, method: opts.method });
    const clipped = clipAndSum(grads, opts.clipNorm);
    const lossValues = losses.dataSync() as Float32Array;
    stats = {
      batchSize: b,
      loss: lossValues.reduce((a, v) => a + v, 0) / b,
      clippedFraction: clipped.norms.filter((n) => n > opts.clipNorm).length / b,
    };
    tf.dispose([...grads, losses]);
    sum = clipped.sum;
  } else {
    sum = weights.map((w) => tf.zeros(w.shape as number[]));
  }
  const std = opts.noiseMultiplier > 0 ? opts.noiseMultiplier * opts.clipNorm : 0;
  require(Number.isFinite(std), "noise needs a finite clipping norm C (σ·C is the noise std)");
  const named = tf.tidy(() =>
    weights.map((w, k) => ({
      name: (w.read() as tf.Variable).name,
      tensor: tf.div(tf.add(sum[k], gaussianNoise(w.shape as number[], std, opts.rng)), opts.expectedBatchSize),
    }))
  );
  opts.optimizer.applyGradients(named);
  tf.dispose([...sum, ...named.map((n) => n.tensor)]);
  return stats;
}

/** Options of {@link dpFit}. */
export interface DpFitOptions {
  epochs: number;
  /** Expected batch size L; the sampling rate is q = L / N. */
  batchSize: number;
  /** C: each example's gradient is clipped to this L2 norm (Infinity with σ = 0: ordinary SGD). */
  clipNorm: number;
  /** σ: noise std divided by C (0: no noise, ε = ∞). */
  noiseMultiplier: number;
  /** Learning rate of the default SGD optimizer (default 0.1). */
  learningRate?: number;
  /** Any tfjs optimizer instead (DP is kept: it only post-processes the noisy gradient). */
  optimizer?: tf.Optimizer;
  loss?: ExampleLoss;
  /**
   * "poisson" (default): each example joins each batch with probability q, as the accountant assumes.
   * "shuffle": fixed-size batches of a seeded permutation (common in practice; the accountant is then approximate).
   */
  sampling?: "poisson" | "shuffle";
  /** Seed of the sampling and of the noise (default 0). */
  seed?: number;
  /** δ of the reported (ε, δ) (default 1e-5). */
  delta?: number;
  /** Labelled data whose accuracy is measured after each epoch. */
  validation?: { x: tf.Tensor; y: tf.Tensor | ArrayLike<number> };
  method?: PerExampleMethod;
  /** Label of the progress display (default "DP-SGD"); `false` hides it. */
  progress?: string | false;
}

/** What {@link dpFit} did. */
export interface DpFitResult {
  /** Per epoch: mean training loss, fraction of clipped gradients, validation accuracy (when asked). */
  history: { loss: number[]; clippedFraction: number[]; valAcc: number[] };
  steps: number;
  samplingRate: number;
  /** (ε, δ) spent by the whole run. */
  privacy: PrivacySpent;
}

/**
 * Trains a model with DP-SGD and reports the privacy spent. Seeded: the same seed gives the same weights.
 *
 * @example
 * const r = await dpFit(model, xTrain, yTrain, { epochs: 10, batchSize: 64, clipNorm: 1, noiseMultiplier: 1.1 });
 * console.log(`ε = ${r.privacy.epsilon.toFixed(2)} at δ = ${r.privacy.delta}`);
 */
export async function dpFit(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  opts: DpFitOptions,
): Promise<DpFitResult> {
  const n = x.shape[0];
  require(y.shape[0] === n, `x has ${n} examples but y has ${y.shape[0]}`);
  require(opts.batchSize >= 1 && opts.batchSize <= n, `batchSize must be in 1..${n}, got ${opts.batchSize}`);
  require(Number.isInteger(opts.epochs) && opts.epochs >= 1, `epochs must be a whole number ≥ 1, got ${opts.epochs}`);
  const q = opts.batchSize / n;
  const stepsPerEpoch = Math.max(1, Math.round(n / opts.batchSize));
  const rng = mulberry32(opts.seed ?? 0);
  const noiseRng = mulberry32(((opts.seed ?? 0) ^ 0x9e3779b9) >>> 0);
  const optimizer = opts.optimizer ?? tf.train.sgd(opts.learningRate ?? 0.1);
  const history: DpFitResult["history"] = { loss: [], clippedFraction: [], valAcc: [] };
  const bar = opts.progress === false ? undefined : progress(opts.epochs, { label: opts.progress ?? "DP-SGD" });
  const all = Array.from({ length: n }, (_, i) => i);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const order = opts.sampling === "shuffle" ? shuffle([...all], rng) : all;
    let lossSum = 0, clippedSum = 0, seen = 0;
    for (let s = 0; s < stepsPerEpoch; s++) {
      const batch = opts.sampling === "shuffle"
        ? order.slice(s * opts.batchSize, (s + 1) * opts.batchSize)
        : all.filter(() => rng() < q);
      const idx = tf.tensor1d(batch, "int32");
      const [xb, yb] = [tf.gather(x, idx), tf.gather(y, idx)];
      const stats = dpSgdStep(model, xb, yb, {
        clipNorm: opts.clipNorm,
        noiseMultiplier: opts.noiseMultiplier,
        expectedBatchSize: opts.sampling === "shuffle" ? Math.max(1, batch.length) : opts.batchSize,
        optimizer,
        rng: noiseRng,
        loss: opts.loss,
        method: opts.method,
      });
      tf.dispose([idx, xb, yb]);
      if (stats.batchSize > 0) {
        lossSum += stats.loss * stats.batchSize;
        clippedSum += stats.clippedFraction * stats.batchSize;
        seen += stats.batchSize;
      }
    }
    history.loss.push(lossSum / Math.max(1, seen));
    history.clippedFraction.push(clippedSum / Math.max(1, seen));
    if (opts.validation) history.valAcc.push(accuracy(model, opts.validation.x, opts.validation.y));
    const val = opts.validation ? `, val acc ${(100 * history.valAcc[epoch]).toFixed(1)}%` : "";
    bar?.tick(1, `loss ${history.loss[epoch].toFixed(4)}${val}`);
    // Yield to the event loop so progress displays update in notebooks.
    await new Promise((r) => setTimeout(r, 0));
  }
  await bar?.done();
  const steps = stepsPerEpoch * opts.epochs;
  const privacy = privacySpent({ samplingRate: q, noiseMultiplier: opts.noiseMultiplier, steps, delta: opts.delta });
  return { history, steps, samplingRate: q, privacy };
}
