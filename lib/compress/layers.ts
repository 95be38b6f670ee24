/**
 * Small helpers to look at tfjs layers: their class name, config and named weights.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

// deno-lint-ignore no-explicit-any
export type AnyConfig = Record<string, any>;

/** The layer's class name ("Dense", "Conv2D", …). */
export function layerClass(layer: tf.layers.Layer): string {
  return layer.getClassName();
}

/** The layer's config as a plain object. */
export function layerConfig(layer: tf.layers.Layer): AnyConfig {
  return layer.getConfig() as AnyConfig;
}

/** The layer's weights by short name ("kernel", "bias", "gamma", "moving_mean", "depthwise_kernel", …). */
export function namedWeights(layer: tf.layers.Layer): Map<string, { value: Float32Array; shape: number[] }> {
  const out = new Map<string, { value: Float32Array; shape: number[] }>();
  const values = layer.getWeights();
  layer.weights.forEach((w, i) => {
    const short = w.originalName.split("/").pop()!.replace(/_\d+$/, "");
    out.set(short, { value: values[i].dataSync() as Float32Array, shape: values[i].shape.slice() });
  });
  return out;
}

/** Layers that hold a kernel pruning and quantization act on. */
export const WEIGHT_LAYERS: ReadonlySet<string> = new Set(["Dense", "Conv2D", "DepthwiseConv2D"]);

/** The kernel variable of a Dense/Conv2D/DepthwiseConv2D layer (undefined for others). */
export function kernelOf(layer: tf.layers.Layer): tf.LayerVariable | undefined {
  if (!WEIGHT_LAYERS.has(layerClass(layer))) return undefined;
  return layer.trainableWeights.find((w) => /kernel/.test(w.originalName.split("/").pop()!));
}

/** Batch-free shape of a layer's output ([1, …]). */
export function outputShape1(layer: tf.layers.Layer): number[] {
  const s = layer.outputShape as (number | null)[];
  return s.map((d) => d ?? 1);
}
