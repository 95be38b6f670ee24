/**
 * Running int8 graphs on datasets with our engine: quantize inputs, dequantize outputs, accuracy.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Graph } from "../../graph/types.ts";
import type { KernelSet } from "../../int8/eval.ts";
import { Interpreter } from "../../int8/interpreter.ts";
import { dequantize, quantize } from "../../quant/params.ts";

/** Examples as flat float arrays, one per example (from a [n, …] tensor or an array of arrays). */
export function toSamples(x: tf.Tensor | ArrayLike<number>[]): Float32Array[] {
  if (!(x instanceof tf.Tensor)) return x.map((v) => Float32Array.from(v));
  const n = x.shape[0];
  const size = x.size / n;
  const data = x.dataSync() as Float32Array;
  return Array.from({ length: n }, (_, i) => data.slice(i * size, (i + 1) * size));
}

/** Index of the largest value. */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/**
 * Run a graph (int8 or float32) on every example; returns the (dequantized) float outputs.
 *
 * @example const scores = predictGraph(int8Graph, toSamples(xTest));
 */
export function predictGraph(graph: Graph, samples: ArrayLike<number>[], kernels: KernelSet = "fast"): Float32Array[] {
  const interp = new Interpreter(graph, { kernels });
  const inT = graph.tensors[graph.inputs[0]];
  const outT = graph.tensors[graph.outputs[0]];
  return samples.map((x) => {
    const input = inT.dtype === "int8" ? quantize(x, { scale: inT.quant!.scale[0], zeroPoint: inT.quant!.zeroPoint[0] }) : Float32Array.from(x);
    const y = interp.invoke([input])[0];
    return outT.dtype === "int8" ? dequantize(y as Int8Array, { scale: outT.quant!.scale[0], zeroPoint: outT.quant!.zeroPoint[0] }) : (y as Float32Array);
  });
}

/** Raw int8 outputs of an int8 graph for int8 inputs (for bit-exact comparisons). */
export function invokeInt8(graph: Graph, inputs: Int8Array[], kernels: KernelSet = "fast"): Int8Array[] {
  const interp = new Interpreter(graph, { kernels });
  return inputs.map((x) => interp.invoke([x])[0] as Int8Array);
}

/** Quantize float examples with the graph's input parameters. */
export function quantizeInputs(graph: Graph, samples: ArrayLike<number>[]): Int8Array[] {
  const q = graph.tensors[graph.inputs[0]].quant!;
  return samples.map((x) => quantize(x, { scale: q.scale[0], zeroPoint: q.zeroPoint[0] }));
}

/** Labels from a one-hot [n, classes] tensor or an integer array. */
export function toLabels(y: tf.Tensor | ArrayLike<number>): number[] {
  if (!(y instanceof tf.Tensor)) return Array.from(y);
  if (y.rank === 1) return Array.from(y.dataSync());
  return Array.from(tf.tidy(() => tf.argMax(y, -1)).dataSync());
}

/** Top-1 accuracy of a graph (int8 or float32) in our engine. */
export function graphAccuracy(graph: Graph, samples: ArrayLike<number>[], labels: ArrayLike<number>, kernels: KernelSet = "fast"): number {
  const out = predictGraph(graph, samples, kernels);
  let ok = 0;
  out.forEach((y, i) => (ok += argmax(y) === labels[i] ? 1 : 0));
  return ok / out.length;
}

/** Top-1 accuracy of a tfjs model. */
export function modelAccuracy(model: tf.LayersModel, x: tf.Tensor, labels: ArrayLike<number>): number {
  const pred = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, -1).dataSync());
  let ok = 0;
  pred.forEach((p, i) => (ok += p === labels[i] ? 1 : 0));
  return ok / pred.length;
}
