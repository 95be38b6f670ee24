/**
 * Post-training int8 quantization of a trained tfjs Sequential model into the engine's {@link Graph} and
 * .tflite bytes.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { Graph } from "../../graph/types.ts";
import { writeTflite } from "../../tflite/write.ts";
import { type ActivationRanges, buildGraph, type BuildGraphOptions } from "./build.ts";
import { calibrate, type CalibrationOptions } from "./calibrate.ts";
import { toSamples } from "./evaluate.ts";
import { type LoweredModel, lowerSequential } from "./lower.ts";

/** Options of {@link quantizeModel}. */
export interface QuantizeOptions extends CalibrationOptions, BuildGraphOptions {
  /** Use at most this many representative examples (default 200, taken from the start). */
  samples?: number;
  /**
   * Ranges to use instead of calibrated ones, by op name (the tfjs layer an op comes from), e.g. the ranges
   * `qatFit` learned.
   */
  fixedRanges?: ReadonlyMap<string, [number, number]>;
}

/** A quantized model: the int8 graph, its float32 twin, the lowered ops and the calibrated ranges. */
export interface QuantizedModel {
  graph: Graph;
  floatGraph: Graph;
  lowered: LoweredModel;
  ranges: ActivationRanges;
  /** .tflite bytes of the int8 graph. */
  tflite(): Uint8Array;
  /** .tflite bytes of the float32 graph (the float baseline's size). */
  floatTflite(): Uint8Array;
}

/**
 * Quantize a trained Sequential model to int8 with a representative dataset.
 *
 * @example
 * const q = quantizeModel(model, xTrain, { method: "percentile", percentile: 99.99 });
 * const bytes = q.tflite();                     // int8 .tflite
 * const acc = graphAccuracy(q.graph, toSamples(xTest), labels);
 */
export function quantizeModel(model: tf.LayersModel, representative: tf.Tensor | ArrayLike<number>[], opts: QuantizeOptions = {}): QuantizedModel {
  const lowered = lowerSequential(model);
  const floatGraph = buildGraph(lowered);
  const samples = toSamples(representative).slice(0, opts.samples ?? 200);
  const ranges = calibrate(floatGraph, samples, opts);
  lowered.ops.forEach((op, i) => {
    const r = opts.fixedRanges?.get(op.name);
    if (r) ranges.ops[i] = [r[0], r[1]];
  });
  const graph = buildGraph(lowered, ranges, opts);
  return {
    graph,
    floatGraph,
    lowered,
    ranges,
    tflite: () => writeTflite(graph),
    floatTflite: () => writeTflite(floatGraph),
  };
}
