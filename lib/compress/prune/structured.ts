/**
 * Structured pruning: remove whole units (Dense neurons, Conv2D filters) with the lowest saliency and rewire
 * the layers after them (the next Dense's input rows, the next Conv2D's input channels, the rows behind a
 * Flatten, a BatchNormalization's or DepthwiseConv2D's channels), giving a new, smaller tfjs model with the
 * surviving weights copied — tensors, arena, flash and MACs really shrink.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { CompressError } from "../errors.ts";
import { type AnyConfig, layerClass, layerConfig, WEIGHT_LAYERS } from "../layers.ts";
import { textTable } from "../table.ts";

/** How a unit's importance is measured. */
export type Saliency = "l1" | "l2" | "activation";

/** Options of {@link pruneUnits}. */
export interface StructuredPruneOptions {
  /** Fraction of units removed from every pruned layer (e.g. 0.5), or per layer name. */
  fraction: number | Record<string, number>;
  /** "l1"/"l2": norm of the unit's incoming weights; "activation": mean |output| on `sample` (default "l1"). */
  criterion?: Saliency;
  /** Inputs for the "activation" criterion. */
  sample?: tf.Tensor;
  /** Layers whose units are pruned (default: every Dense and Conv2D except the last weight layer). */
  layers?: string[];
}

/** What {@link pruneUnits} did to one layer. */
export interface UnitPruning {
  layer: string;
  before: number;
  after: number;
  /** Indices of the units kept, ascending. */
  kept: number[];
}

/** {@link pruneUnits}'s result. */
export interface StructuredPruneResult {
  /** The new, smaller model (not compiled). */
  model: tf.Sequential;
  layers: UnitPruning[];
  paramsBefore: number;
  paramsAfter: number;
  table: string;
}

/** Slice `axis` of a row-major array of `shape` to the given indices. */
export function sliceAxis(data: Float32Array, shape: number[], axis: number, keep: number[]): { data: Float32Array; shape: number[] } {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const n = shape[axis];
  const out = new Float32Array(outer * keep.length * inner);
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (const j of keep) {
      const base = (o * n + j) * inner;
      for (let i = 0; i < inner; i++) out[k++] = data[base + i];
    }
  }
  const s = shape.slice();
  s[axis] = keep.length;
  return { data: out, shape: s };
}

/** Saliency of every unit along the last axis: L1 or L2 norm of its weights. */
export function unitNorms(kernel: Float32Array, shape: number[], p: 1 | 2): number[] {
  const units = shape[shape.length - 1];
  const s = new Array<number>(units).fill(0);
  for (let i = 0; i < kernel.length; i++) s[i % units] += p === 1 ? Math.abs(kernel[i]) : kernel[i] * kernel[i];
  return p === 1 ? s : s.map(Math.sqrt);
}

/** Indices of the `k` largest scores, ascending. */
function topK(scores: number[], k: number): number[] {
  return scores.map((s, i) => [s, i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, k).map((p) => p[1]).sort((a, b) => a - b);
}

function meanAbsActivation(model: tf.LayersModel, layer: tf.layers.Layer, sample: tf.Tensor): number[] {
  return tf.tidy(() => {
    const probe = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
    const a = probe.predict(sample) as tf.Tensor;
    const axes = Array.from({ length: a.rank - 1 }, (_, i) => i);
    return Array.from(tf.mean(tf.abs(a), axes).dataSync());
  });
}

/**
 * Remove the least salient units of Dense/Conv2D layers and rebuild a smaller Sequential model.
 *
 * @example
 * const { model: small, table } = pruneUnits(model, { fraction: 0.5, criterion: "l2" });
 * small.compile({ optimizer: "adam", loss: "categoricalCrossentropy", metrics: ["accuracy"] });
 */
export function pruneUnits(model: tf.LayersModel, opts: StructuredPruneOptions): StructuredPruneResult {
  const criterion = opts.criterion ?? "l1";
  if (criterion === "activation" && !opts.sample) throw new CompressError('criterion "activation" needs `sample` inputs');
  const weightLayers = model.layers.filter((l) => WEIGHT_LAYERS.has(layerClass(l)) && layerClass(l) !== "DepthwiseConv2D");
  const targets = new Set(opts.layers ?? weightLayers.slice(0, -1).map((l) => l.name));
  const fractionOf = (name: string) => (typeof opts.fraction === "number" ? opts.fraction : opts.fraction[name] ?? 0);

  const configs: AnyConfig[] = [];
  const newWeights: { data: Float32Array; shape: number[] }[][] = [];
  const report: UnitPruning[] = [];
  // Kept indices of the current activation's last axis (null: all kept).
  let keep: number[] | null = null;
  for (const layer of model.layers) {
    const cls = layerClass(layer);
    const cfg = { ...layerConfig(layer) };
    const ws = layer.getWeights().map((t) => ({ data: t.dataSync() as Float32Array, shape: t.shape.slice() }));
    const inShape = ((layer.input as tf.SymbolicTensor).shape as (number | null)[]).map((d) => d ?? 1);
    switch (cls) {
      case "Dense":
      case "Conv2D": {
        let [k, b] = ws;
        if (keep) k = sliceAxis(k.data, k.shape, k.shape.length - 2, keep);
        keep = null;
        if (targets.has(layer.name) && fractionOf(layer.name) > 0) {
          const units = k.shape[k.shape.length - 1];
          const n = Math.max(1, Math.round((1 - fractionOf(layer.name)) * units));
          const scores = criterion === "activation" ? meanAbsActivation(model, layer, opts.sample!) : unitNorms(k.data, k.shape, criterion === "l1" ? 1 : 2);
          keep = topK(scores, n);
          k = sliceAxis(k.data, k.shape, k.shape.length - 1, keep);
          if (b) b = sliceAxis(b.data, b.shape, 0, keep);
          cfg[cls === "Dense" ? "units" : "filters"] = n;
          report.push({ layer: layer.name, before: units, after: n, kept: keep });
        }
        newWeights.push(b ? [k, b] : [k]);
        break;
      }
      case "DepthwiseConv2D": {
        const m = cfg.depthMultiplier ?? 1;
        let [k, b] = ws;
        if (keep) {
          const ch: number[] = keep;
          k = sliceAxis(k.data, k.shape, 2, ch);
          if (b) b = sliceAxis(b.data, b.shape, 0, ch.flatMap((c) => Array.from({ length: m }, (_, j) => c * m + j)));
          keep = ch.flatMap((c) => Array.from({ length: m }, (_, j) => c * m + j));
        }
        newWeights.push(b ? [k, b] : [k]);
        break;
      }
      case "BatchNormalization":
        newWeights.push(keep ? ws.map((w) => sliceAxis(w.data, w.shape, 0, keep!)) : ws);
        break;
      case "Flatten": {
        if (keep) {
          const c = inShape[inShape.length - 1];
          const spatial = inShape.slice(1, -1).reduce((a, b) => a * b, 1);
          const ch: number[] = keep;
          keep = Array.from({ length: spatial }, (_, s) => ch.map((j) => s * c + j)).flat();
        }
        newWeights.push(ws);
        break;
      }
      case "Reshape":
        if (keep) throw new CompressError(`layer ${layer.name}: cannot rewire units through a Reshape; use Flatten`);
        newWeights.push(ws);
        break;
      default:
        // Pools, activations, dropout, global pooling keep the channel axis as it is.
        if (ws.length) throw new CompressError(`layer ${layer.name}: ${cls} has weights the pruner does not know how to rewire`);
        newWeights.push(ws);
    }
    configs.push(cfg);
  }
  if (keep) throw new CompressError("the last weight layer was pruned: its outputs are the model's outputs; leave it out of `layers`");

  const ctors = model.layers.map((l) => l.constructor as new (cfg: AnyConfig) => tf.layers.Layer);
  const small = tf.sequential({ name: `${model.name}_pruned`, layers: configs.map((cfg, i) => new ctors[i](cfg)) });
  small.layers.forEach((l, i) => {
    if (newWeights[i].length) {
      const ts = newWeights[i].map((w) => tf.tensor(w.data, w.shape));
      l.setWeights(ts);
      tf.dispose(ts);
    }
  });
  const before = model.countParams();
  const after = small.countParams();
  const table = textTable(
    ["layer", "units before", "units after", "removed"],
    [...report.map((r) => [r.layer, r.before, r.after, `${(100 * (1 - r.after / r.before)).toFixed(0)} %`]), ["parameters", before, after, `${(100 * (1 - after / before)).toFixed(0)} %`]],
  );
  return { model: small, layers: report, paramsBefore: before, paramsAfter: after, table };
}
