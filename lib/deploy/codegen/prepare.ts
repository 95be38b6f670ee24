/**
 * TFLite Micro's "Prepare" arithmetic, done at code-generation time: turning float scales into integer
 * multipliers and shifts, fused activations into clamps, and padding schemes into pad amounts.
 *
 * Every function matches the C++ in TFLite (quantization_util.cc, kernel_util.cc, padding.h) including its
 * float/double subtleties, because one LSB of difference in a multiplier changes outputs.
 *
 * @module
 */
import type { FusedActivation, Padding } from "../../graph/types.ts";

/** A real multiplier as `multiplier * 2^(shift - 31)`, multiplier in [2^30, 2^31). */
export interface QuantizedMultiplier {
  multiplier: number;
  shift: number;
}

/** C's frexp: `x = q * 2^e` with 0.5 <= |q| < 1 (exactly, by reading the IEEE-754 bits). */
export function frexp(x: number): { q: number; e: number } {
  if (x === 0 || !Number.isFinite(x)) return { q: x, e: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  let bits = view.getUint16(0);
  let exp = (bits >> 4) & 0x7ff;
  let extra = 0;
  if (exp === 0) {
    // Subnormal: scale up first so the exponent field is meaningful.
    view.setFloat64(0, x * 2 ** 64);
    bits = view.getUint16(0);
    exp = (bits >> 4) & 0x7ff;
    extra = -64;
  }
  const e = exp - 1022 + extra;
  return { q: x / 2 ** e, e };
}

/** TFLite's QuantizeMultiplier (double-rounding build). */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (real === 0) return { multiplier: 0, shift: 0 };
  const { q, e } = frexp(real);
  let shift = e;
  let qFixed = Math.sign(q) * Math.round(Math.abs(q) * 2 ** 31); // TfLiteRound: half away from zero
  if (qFixed === 2 ** 31) {
    qFixed /= 2;
    shift += 1;
  }
  if (shift < -31) {
    shift = 0;
    qFixed = 0;
  }
  return { multiplier: qFixed, shift };
}

/** Round half away from zero, as std::round / TfLiteRound. */
export function roundAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/**
 * CalculateActivationRangeQuantized for int8: the fused activation as a clamp in the quantized domain.
 * `f / scale` is evaluated in float32, as TFLite does.
 */
export function activationRange(act: FusedActivation, scale: number, zeroPoint: number): { min: number; max: number } {
  const qmin = -128, qmax = 127;
  const s = Math.fround(scale);
  const quantize = (f: number) => zeroPoint + roundAway(Math.fround(Math.fround(f) / s));
  switch (act) {
    case "NONE":
      return { min: qmin, max: qmax };
    case "RELU":
      return { min: Math.max(qmin, quantize(0)), max: qmax };
    case "RELU6":
      return { min: Math.max(qmin, quantize(0)), max: Math.min(qmax, quantize(6)) };
    case "RELU_N1_TO_1":
      return { min: Math.max(qmin, quantize(-1)), max: Math.min(qmax, quantize(1)) };
    default:
      throw new Error(`fused activation ${act} has no int8 clamp form; TFLite Micro does not support it either`);
  }
}

/** Output size along one axis for a padding scheme (TFLite's ComputeOutSize). */
export function outSize(padding: Padding, inSize: number, filter: number, stride: number, dilation = 1): number {
  const effective = (filter - 1) * dilation + 1;
  return padding === "SAME" ? Math.floor((inSize + stride - 1) / stride) : Math.floor((inSize - effective + stride) / stride);
}

/** Padding before the first element along one axis (TFLite's ComputePaddingWithOffset, offset dropped). */
export function padBefore(stride: number, dilation: number, inSize: number, filter: number, outSz: number): number {
  const effective = (filter - 1) * dilation + 1;
  const total = (outSz - 1) * stride + effective - inSize;
  return Math.max(Math.floor(total / 2), 0);
}

/** Softmax input scaling for int8 (PreprocessSoftmaxScaling + CalculateInputRadius, 5 integer bits). */
export function softmaxParams(beta: number, inputScale: number): { inputMultiplier: number; inputLeftShift: number; diffMin: number } {
  const integerBits = 5;
  const real = Math.min(beta * inputScale * 2 ** (31 - integerBits), 2 ** 31 - 1);
  const { multiplier, shift } = quantizeMultiplier(real);
  if (shift < 0) throw new Error(`softmax input multiplier ${real} is below one; beta * scale is too small`);
  return { inputMultiplier: multiplier, inputLeftShift: shift, diffMin: -inputRadius(integerBits, shift) };
}

/** CalculateInputRadius: the largest |x - zp| the fixed-point activations accept. */
export function inputRadius(integerBits: number, leftShift: number, totalSignedBits = 31): number {
  const maxRescaled = ((2 ** integerBits - 1) * 2 ** (totalSignedBits - integerBits)) / 2 ** leftShift;
  return Math.floor(maxRescaled);
}

/** LOGISTIC / TANH input scaling for int8 (4 integer bits; frexp, not QuantizeMultiplier, as TFLM does). */
export function sigmoidLikeParams(inputScale: number): { multiplier: number; leftShift: number; radius: number } {
  const integerBits = 4;
  const { q, e } = frexp(inputScale * 2 ** (31 - integerBits));
  return { multiplier: roundAway(q * 2 ** 31), leftShift: e, radius: inputRadius(integerBits, e) };
}
