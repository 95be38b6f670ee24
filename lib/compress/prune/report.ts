/**
 * Per-layer sparsity of a model's kernels: a text table and a bar chart.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { barChart } from "../../viz/charts.ts";
import type { Figure } from "../../viz/types.ts";
import { kernelOf, layerClass } from "../layers.ts";
import { textTable } from "../table.ts";

/** Sparsity of one layer's kernel. */
export interface LayerSparsity {
  layer: string;
  kind: string;
  params: number;
  zeros: number;
  sparsity: number;
}

/** {@link sparsityReport}'s result. */
export interface SparsityReport {
  layers: LayerSparsity[];
  /** Zeros over all kernels / kernel weights. */
  overall: number;
  table: string;
  figure: Figure;
}

/**
 * Count exact zeros in every Dense/Conv2D/DepthwiseConv2D kernel.
 *
 * @example
 * const r = sparsityReport(model);
 * console.log(r.table); await show(r.figure);
 */
export function sparsityReport(model: tf.LayersModel, title = "Sparsity per layer"): SparsityReport {
  const layers: LayerSparsity[] = [];
  for (const l of model.layers) {
    const v = kernelOf(l);
    if (!v) continue;
    const w = v.read().dataSync();
    let zeros = 0;
    for (let i = 0; i < w.length; i++) if (w[i] === 0) zeros++;
    layers.push({ layer: l.name, kind: layerClass(l), params: w.length, zeros, sparsity: zeros / w.length });
  }
  const params = layers.reduce((s, r) => s + r.params, 0);
  const zeros = layers.reduce((s, r) => s + r.zeros, 0);
  const overall = params ? zeros / params : 0;
  const rows = layers.map((r) => [r.layer, r.kind, r.params, r.zeros, `${(100 * r.sparsity).toFixed(1)} %`]);
  rows.push(["total", "", params, zeros, `${(100 * overall).toFixed(1)} %`]);
  return {
    layers,
    overall,
    table: textTable(["layer", "kind", "weights", "zeros", "sparsity"], rows),
    figure: barChart({ title, labels: layers.map((r) => r.layer), values: layers.map((r) => 100 * r.sparsity), yLabel: "sparsity (%)", showValues: true }),
  };
}
