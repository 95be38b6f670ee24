/**
 * Magnitude pruning of synapses: the smallest |w| of each kernel are set to zero and kept at zero during
 * fine-tuning by masks re-applied after every batch; targets follow a {@link PruningSchedule}; optionally the
 * n:m pattern (e.g. 2:4: two non-zeros in every four consecutive weights along the input dimension).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type EpochLogs, fit, type History } from "../../train/fit.ts";
import { CompressError } from "../errors.ts";
import { kernelOf } from "../layers.ts";
import { constantSparsity, type PruningSchedule } from "./schedule.ts";

/** n non-zeros kept in every group of m consecutive weights. */
export interface NmPattern {
  n: number;
  m: number;
}

/**
 * Mask keeping the largest-magnitude weights: exactly `round(sparsity·N)` zeros (ties broken by index).
 *
 * @example magnitudeMask(Float32Array.of(0.1, -3, 2, 0.5), 0.5) // [0, 1, 1, 0]
 */
export function magnitudeMask(w: ArrayLike<number>, sparsity: number): Float32Array {
  if (!(sparsity >= 0 && sparsity <= 1)) throw new CompressError(`sparsity ${sparsity} must be in [0, 1]`);
  const order = Array.from({ length: w.length }, (_, i) => i).sort((a, b) => Math.abs(w[a]) - Math.abs(w[b]) || a - b);
  const mask = new Float32Array(w.length).fill(1);
  const zeros = Math.round(sparsity * w.length);
  for (let k = 0; k < zeros; k++) mask[order[k]] = 0;
  return mask;
}

/**
 * n:m mask of a tfjs kernel whose last axis is the output axis (Dense [in, out], Conv2D [h, w, in, out]):
 * for every output, groups of `m` consecutive weights along the flattened input axes keep their `n` largest.
 *
 * @example nmMask(kernel, [64, 32], { n: 2, m: 4 }) // 50 % zeros, 2 of every 4 inputs kept
 */
export function nmMask(w: ArrayLike<number>, shape: number[], p: NmPattern): Float32Array {
  if (!(p.n > 0 && p.n <= p.m)) throw new CompressError(`pattern ${p.n}:${p.m} needs 0 < n ≤ m`);
  const outs = shape[shape.length - 1];
  const rows = w.length / outs;
  const mask = new Float32Array(w.length);
  for (let o = 0; o < outs; o++) {
    for (let g = 0; g < rows; g += p.m) {
      const idx: number[] = [];
      for (let r = g; r < Math.min(g + p.m, rows); r++) idx.push(r * outs + o);
      idx.sort((a, b) => Math.abs(w[b]) - Math.abs(w[a]) || a - b);
      idx.slice(0, p.n).forEach((i) => (mask[i] = 1));
    }
  }
  return mask;
}

/** Options of {@link PruningMasks}. */
export interface MagnitudePruneOptions {
  /** A schedule, or a constant target sparsity applied from step 0. */
  schedule: PruningSchedule | number;
  /** n:m structured sparsity instead of a free magnitude threshold (sparsity is then 1 − n/m). */
  pattern?: NmPattern;
  /** Names of the layers to prune (default: every Dense, Conv2D and DepthwiseConv2D kernel). */
  layers?: string[];
}

/** One pruned kernel and its mask. */
export interface MaskEntry {
  layer: string;
  variable: tf.LayerVariable;
  shape: number[];
  mask: Float32Array;
}

/**
 * Masks over a model's kernels. Call {@link PruningMasks.step} once per training step (it recomputes the masks
 * when the schedule says so and applies them), or {@link PruningMasks.apply} after an epoch.
 *
 * @example
 * const masks = new PruningMasks(model, { schedule: polynomialDecay({ initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: 300, frequency: 10 }) });
 * await pruneFit(model, x, y, masks, { epochs: 10 });
 */
export class PruningMasks {
  readonly entries: MaskEntry[];
  readonly schedule: PruningSchedule;
  readonly pattern?: NmPattern;
  /** Training steps seen so far. */
  steps = 0;

  constructor(model: tf.LayersModel, opts: MagnitudePruneOptions) {
    this.schedule = typeof opts.schedule === "number" ? constantSparsity(opts.schedule) : opts.schedule;
    this.pattern = opts.pattern;
    const wanted = opts.layers ? new Set(opts.layers) : undefined;
    this.entries = model.layers
      .filter((l) => !wanted || wanted.has(l.name))
      .flatMap((l) => {
        const v = kernelOf(l);
        return v ? [{ layer: l.name, variable: v, shape: v.shape.map(Number), mask: new Float32Array(v.shape.reduce((a: number, b) => a * (b ?? 1), 1)).fill(1) }] : [];
      });
    if (wanted && this.entries.length !== wanted.size) {
      const found = new Set(this.entries.map((e) => e.layer));
      throw new CompressError(`no prunable kernel in layer(s) ${[...wanted].filter((n) => !found.has(n)).join(", ")}; pass Dense/Conv2D/DepthwiseConv2D layer names`);
    }
  }

  /** Recompute every mask from the current weights for a target sparsity (or the n:m pattern), then apply. */
  update(sparsity: number): void {
    for (const e of this.entries) {
      const w = e.variable.read().dataSync();
      e.mask = this.pattern ? nmMask(w, e.shape, this.pattern) : magnitudeMask(w, sparsity);
    }
    this.apply();
  }

  /** Multiply every kernel by its mask (pruned weights back to exactly zero). */
  apply(): void {
    for (const e of this.entries) {
      const masked = tf.tidy(() => tf.mul(e.variable.read(), tf.tensor(e.mask, e.shape)));
      e.variable.write(masked);
      masked.dispose();
    }
  }

  /** One training step: update the masks if the schedule asks for it at this step, then apply them. */
  step(): void {
    const s = this.schedule.sparsityAt(this.steps++);
    if (s !== undefined) this.update(s);
    else this.apply();
  }

  /** Measured sparsity (fraction of exact zeros) of every masked kernel. */
  sparsity(): { layer: string; sparsity: number }[] {
    return this.entries.map((e) => {
      const w = e.variable.read().dataSync();
      let z = 0;
      for (let i = 0; i < w.length; i++) if (w[i] === 0) z++;
      return { layer: e.layer, sparsity: z / w.length };
    });
  }

  /** An `onEpochEnd` for lib/train's `fit` that re-applies the masks (for per-epoch rather than per-batch masking). */
  epochHook(): (epoch: number, logs: EpochLogs) => void {
    return () => this.apply();
  }
}

/** Options of {@link pruneFit}. */
export interface PruneFitOptions {
  epochs: number;
  batchSize?: number;
  seed?: number;
  validation?: { x: tf.Tensor; y: tf.Tensor };
}

/**
 * Fine-tunes a compiled model while pruning: lib/train's seeded `fit`, with the masks updated
 * by the schedule before each batch and re-applied after it, so pruned weights stay exactly zero.
 */
export async function pruneFit(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, masks: PruningMasks, opts: PruneFitOptions): Promise<History> {
  const history = await fit(model, x, y, {
    ...opts,
    progress: false,
    onBatchBegin: () => masks.step(),
    onBatchEnd: () => masks.apply(),
  });
  masks.apply();
  return history;
}

/** One-shot pruning without fine-tuning: prune every kernel (or the named layers) to `sparsity` now. */
export function pruneNow(model: tf.LayersModel, sparsity: number, opts: Omit<MagnitudePruneOptions, "schedule"> = {}): PruningMasks {
  const masks = new PruningMasks(model, { ...opts, schedule: sparsity });
  masks.update(sparsity);
  return masks;
}
