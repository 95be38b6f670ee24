/**
 * Calibration: run the float graph on a representative dataset, keep every activation's values, and choose
 * each tensor's range by min/max, a percentile, or the range that minimises the int8 quantization error.
 * @module
 */
import type { Graph } from "../../graph/types.ts";
import { Interpreter } from "../../int8/interpreter.ts";
import { chooseQuantParams, dequantizeValue, quantizeValue } from "../../quant/params.ts";
import { CompressError } from "../errors.ts";
import type { ActivationRanges } from "./build.ts";

/** How ranges are chosen from the observed values. */
export type CalibrationMethod = "minmax" | "percentile" | "mse";

/** Options of {@link calibrationRange} and {@link calibrate}. */
export interface CalibrationOptions {
  method?: CalibrationMethod;
  /** Percentile kept by "percentile" (default 99.99: the top and bottom 0.01 % are clipped). */
  percentile?: number;
  /** Values kept per tensor for percentile/MSE (default 200 000; min and max are always exact). */
  maxValues?: number;
}

/** Values seen for one tensor: a (possibly strided) sample plus the exact extremes. */
export interface Observed {
  values: Float32Array;
  min: number;
  max: number;
}

/** Mean squared error of int8 quantize→dequantize of `values` with the asymmetric params for [lo, hi]. */
export function quantizationMse(values: ArrayLike<number>, lo: number, hi: number): number {
  const p = chooseQuantParams(Math.min(lo, 0), Math.max(hi, 0));
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - dequantizeValue(quantizeValue(values[i], p), p);
    s += d * d;
  }
  return values.length ? s / values.length : 0;
}

function quantile(sorted: Float32Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = Math.min(sorted.length - 1, Math.max(0, q * (sorted.length - 1)));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * The range [lo, hi] one method chooses for a tensor.
 * - "minmax": the extremes seen;
 * - "percentile": the `p` and `100 − p` percentiles (outliers clipped);
 * - "mse": the range [α·min, α·max] (α from 1 down to 0.2) with the least quantization MSE — never worse
 *   than min/max on these values, since α = 1 is a candidate.
 *
 * @example calibrationRange({ values, min, max }, { method: "percentile", percentile: 99.9 })
 */
export function calibrationRange(obs: Observed, opts: CalibrationOptions = {}): [number, number] {
  const method = opts.method ?? "minmax";
  if (method === "minmax") return [obs.min, obs.max];
  if (method === "percentile") {
    const p = opts.percentile ?? 99.99;
    if (!(p > 50 && p <= 100)) throw new CompressError(`percentile ${p} must be in (50, 100]`);
    const sorted = obs.values.slice().sort();
    return [Math.max(obs.min, quantile(sorted, 1 - p / 100)), Math.min(obs.max, quantile(sorted, p / 100))];
  }
  if (method === "mse") {
    let best: [number, number] = [obs.min, obs.max];
    let bestErr = quantizationMse(obs.values, obs.min, obs.max);
    for (let k = 1; k <= 80; k++) {
      const a = 1 - k * 0.01;
      const err = quantizationMse(obs.values, a * obs.min, a * obs.max);
      if (err < bestErr) [best, bestErr] = [[a * obs.min, a * obs.max], err];
    }
    return best;
  }
  throw new CompressError(`unknown calibration method "${method}"; use "minmax", "percentile" or "mse"`);
}

/**
 * Run a float32 graph on the samples and collect the graph input's and every operator output's values.
 * `samples` are flat inputs, one per example.
 */
export function observeActivations(floatGraph: Graph, samples: ArrayLike<number>[], maxValues = 200_000): { input: Observed; ops: Observed[] } {
  if (samples.length === 0) throw new CompressError("the representative dataset is empty; pass at least one sample");
  if (floatGraph.tensors[floatGraph.inputs[0]].dtype !== "float32") throw new CompressError("calibrate a float32 graph (buildGraph without ranges)");
  const interp = new Interpreter(floatGraph, { kernels: "fast" });
  const opOut = floatGraph.operators.map((op) => op.outputs[0]);
  const watched = [floatGraph.inputs[0], ...opOut];
  const sizes = watched.map((t) => floatGraph.tensors[t].shape.reduce((a, b) => a * b, 1));
  const strides = sizes.map((s) => Math.max(1, Math.ceil((s * samples.length) / maxValues)));
  const acc = watched.map(() => ({ values: [] as number[], min: Infinity, max: -Infinity, k: 0 }));
  for (const x of samples) {
    interp.invoke([Float32Array.from(x)]);
    watched.forEach((t, w) => {
      const data = interp.tensorData(t) as Float32Array;
      const a = acc[w];
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (v < a.min) a.min = v;
        if (v > a.max) a.max = v;
        if (a.k++ % strides[w] === 0) a.values.push(v);
      }
    });
  }
  const obs = acc.map((a) => ({ values: Float32Array.from(a.values), min: a.min, max: a.max }));
  return { input: obs[0], ops: obs.slice(1) };
}

/** Ranges of the graph input and of every op output, chosen by `opts.method` over the samples. */
export function calibrate(floatGraph: Graph, samples: ArrayLike<number>[], opts: CalibrationOptions = {}): ActivationRanges {
  const obs = observeActivations(floatGraph, samples, opts.maxValues);
  return { input: calibrationRange(obs.input, opts), ops: obs.ops.map((o) => calibrationRange(o, opts)) };
}
