/**
 * C code generation: an int8 graph becomes a self-contained Arduino library (portable C99 kernels mirroring
 * TFLite Micro's reference int8 kernels, weights in flash, a static arena, no interpreter, no heap), plus a
 * sketch that runs it, plus the plain C-array export for TFLite Micro users.
 *
 * @module
 */
export { CodegenGraphError, CodegenUnsupportedError } from "./errors.ts";
export { cHex, cRows } from "./c_source.ts";
export { checkCName, CODEGEN_OPS, emitModelC, fusableConvFc } from "./model.ts";
export type { ModelC, ModelCOptions } from "./model.ts";
export { generateArduinoLibrary, generateSketch } from "./library.ts";
export type { ArduinoLibrary, ArduinoLibraryOptions, SketchOptions } from "./library.ts";
export { emitTfliteCArray, writeTfliteCArray } from "./tflite_array.ts";
export { AVR_CONV_MAX_TAPS, avrConvBias, avrConvFilter, avrConvKernel, avrConvLowSums, planAvrConv } from "./avr_conv.ts";
export type { AvrConvChunk, AvrConvPlan, AvrConvRefusal, AvrConvShape } from "./avr_conv.ts";
export type { TfliteCArray } from "./tflite_array.ts";
export { isActivation, planArena, tensorBytes } from "./plan.ts";
export type { ArenaPlan } from "./plan.ts";
export { kernelDir, kernelSources } from "./kernels.ts";
export { writeFileAtomic } from "./write.ts";
export {
  activationRange,
  frexp,
  inputRadius,
  outSize,
  padBefore,
  quantizeMultiplier,
  roundAway,
  sigmoidLikeParams,
  softmaxParams,
} from "./prepare.ts";
export type { QuantizedMultiplier } from "./prepare.ts";
