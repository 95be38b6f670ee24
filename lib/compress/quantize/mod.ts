/**
 * Post-training int8 quantization of tfjs Sequential models into the engine's Graph and .tflite (TFLite
 * conventions), calibration (min/max, percentile, MSE), quantization-aware training, and a report.
 * @module
 */
export { lowerSequential } from "./lower.ts";
export type { FloatOp, LoweredModel, Window } from "./lower.ts";
export { buildGraph, dropFinalSoftmax } from "./build.ts";
export type { ActivationRanges, BuildGraphOptions } from "./build.ts";
export { calibrate, calibrationRange, observeActivations, quantizationMse } from "./calibrate.ts";
export type { CalibrationMethod, CalibrationOptions, Observed } from "./calibrate.ts";
export { quantizeModel } from "./ptq.ts";
export type { QuantizedModel, QuantizeOptions } from "./ptq.ts";
export { argmax, graphAccuracy, invokeInt8, modelAccuracy, predictGraph, quantizeInputs, toLabels, toSamples } from "./evaluate.ts";
export { fakeQuantize, fakeQuantizeKernel, qatFit } from "./qat.ts";
export type { QatOptions, QatResult } from "./qat.ts";
export { quantizationReport } from "./report.ts";
export type { QuantizationReport } from "./report.ts";
