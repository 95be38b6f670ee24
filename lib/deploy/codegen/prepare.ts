/**
 * TFLite Micro's "Prepare" arithmetic, done at code-generation time: float scales become integer multipliers
 * and shifts, fused activations become clamps, padding schemes become pad amounts.
 *
 * The arithmetic itself lives in `lib/quant` and `lib/int8/padding.ts`, shared with the TS engine, so the
 * generated C gets exactly the parameters the notebook's interpreter uses; this file only shapes it for the
 * code generator.
 *
 * @module
 */
import type { FusedActivation, Padding } from "../../graph/types.ts";
import { computeOutSize, computePadding } from "../../int8/padding.ts";
import {
  calculateActivationRangeQuantized,
  calculateInputRadius,
  frexp as frexpQuant,
  preprocessSoftmaxScaling,
  quantizeMultiplier,
  type QuantizedMultiplier,
  roundHalfAwayFromZero,
} from "../../quant/mod.ts";

export { quantizeMultiplier };
export type { QuantizedMultiplier };

/** C's frexp: `x = q * 2^e` with 0.5 <= |q| < 1. */
export function frexp(x: number): { q: number; e: number } {
  const { fraction, exponent } = frexpQuant(x);
  return { q: fraction, e: exponent };
}

/** Round half away from zero, as std::round / TfLiteRound. */
export const roundAway: (x: number) => number = roundHalfAwayFromZero;

const CLAMPED_ACTIVATIONS: ReadonlySet<FusedActivation> = new Set(["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]);

/**
 * CalculateActivationRangeQuantized for int8: the fused activation as a clamp in the quantized domain.
 * Activations with no clamp form (TANH, SIGN_BIT) are refused, as TFLite Micro refuses them.
 */
export function activationRange(act: FusedActivation, scale: number, zeroPoint: number): { min: number; max: number } {
  if (!CLAMPED_ACTIVATIONS.has(act)) {
    throw new Error(`fused activation ${act} has no int8 clamp form; TFLite Micro does not support it either`);
  }
  return calculateActivationRangeQuantized(act, scale, zeroPoint, "int8");
}

/** Output size along one axis for a padding scheme (TFLite's ComputeOutSize). */
export function outSize(padding: Padding, inSize: number, filter: number, stride: number, dilation = 1): number {
  return computeOutSize(padding, inSize, filter, stride, dilation);
}

/** Padding before the first element along one axis (TFLite's ComputePaddingWithOffset, offset dropped). */
export function padBefore(stride: number, dilation: number, inSize: number, filter: number, outSz: number): number {
  return computePadding(stride, dilation, inSize, filter, outSz);
}

/** Softmax input scaling for int8 (PreprocessSoftmaxScaling + CalculateInputRadius, 5 integer bits). */
export function softmaxParams(beta: number, inputScale: number): { inputMultiplier: number; inputLeftShift: number; diffMin: number } {
  const integerBits = 5;
  const { multiplier, leftShift } = preprocessSoftmaxScaling(beta, inputScale, integerBits);
  return { inputMultiplier: multiplier, inputLeftShift: leftShift, diffMin: -calculateInputRadius(integerBits, leftShift) };
}

/** CalculateInputRadius: the largest |x - zp| the fixed-point activations accept. */
export function inputRadius(integerBits: number, leftShift: number, totalSignedBits = 31): number {
  return calculateInputRadius(integerBits, leftShift, totalSignedBits);
}

/** LOGISTIC / TANH input scaling for int8 (4 integer bits; frexp, not QuantizeMultiplier, as TFLM does). */
export function sigmoidLikeParams(inputScale: number): { multiplier: number; leftShift: number; radius: number } {
  const integerBits = 4;
  const { fraction, exponent } = frexpQuant(inputScale * 2 ** (31 - integerBits));
  return { multiplier: roundHalfAwayFromZero(fraction * 2 ** 31), leftShift: exponent, radius: calculateInputRadius(integerBits, exponent) };
}
