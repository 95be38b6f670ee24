/**
 * int8 quantization of a keyword-spotting model so that it takes the frontend's int8 features unchanged:
 * the input range is fixed to what `featuresToInput` produces ([0, 255/256] → scale 1/256, zero point −128)
 * instead of being calibrated, every other tensor is calibrated as `quantizeModel` does.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { buildGraph, calibrate, lowerSequential, toSamples } from "../../compress/quantize/mod.ts";
import type { QuantizedModel, QuantizeOptions } from "../../compress/quantize/mod.ts";
import { writeTflite } from "../../tflite/write.ts";
import { KwsAppError } from "./errors.ts";

/**
 * Quantize a trained model (input: features mapped by `featuresToInput`) with the input fixed to the
 * frontend's int8 scale, so the board can feed it `frontendToInt8` output directly.
 * @example
 * const q = quantizeForFrontend(model, train.x, { perChannelDense: false });
 * takesFrontendInt8(q.graph); // true
 */
export function quantizeForFrontend(
  model: tf.LayersModel,
  representative: tf.Tensor | ArrayLike<number>[],
  opts: QuantizeOptions = {},
): QuantizedModel {
  const lowered = lowerSequential(model);
  const floatGraph = buildGraph(lowered);
  const samples = toSamples(representative).slice(0, opts.samples ?? 200);
  if (samples.length === 0) throw new KwsAppError("quantizeForFrontend needs at least one representative example");
  const ranges = calibrate(floatGraph, samples, opts);
  ranges.input = [0, 255 / 256];
  lowered.ops.forEach((op, i) => {
    const r = opts.fixedRanges?.get(op.name);
    if (r) ranges.ops[i] = [r[0], r[1]];
  });
  const graph = buildGraph(lowered, ranges, opts);
  return { graph, floatGraph, lowered, ranges, tflite: () => writeTflite(graph), floatTflite: () => writeTflite(floatGraph) };
}
