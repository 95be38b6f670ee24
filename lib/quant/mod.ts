/**
 * Quantization: parameters, multipliers and TFLite/gemmlowp fixed-point arithmetic, bit-exact with
 * TensorFlow Lite Micro's reference kernels.
 *
 * @module
 */
export * from "./fixed_point.ts";
export * from "./multiplier.ts";
export * from "./params.ts";
export * from "./activation.ts";
