/**
 * Output ranges of fused activations in the quantized domain.
 *
 * @module
 */
import type { FusedActivation } from "../graph/types.ts";
import { roundHalfAwayFromZero } from "./multiplier.ts";
import { QRANGE, type QType } from "./params.ts";

/** Inclusive integer clamp range. */
export interface ActivationRange {
  min: number;
  max: number;
}

/**
 * TFLite's CalculateActivationRangeQuantized: quantize 0, 6, ±1 with the output's float32 scale
 * (`zp + round(f / scale)` in float) and intersect with the type's range.
 *
 * @example calculateActivationRangeQuantized("RELU6", 6 / 255, -128) // { min: -128, max: 127 }
 */
export function calculateActivationRangeQuantized(
  activation: FusedActivation,
  outputScale: number,
  outputZeroPoint: number,
  type: QType = "int8",
): ActivationRange {
  const { min: qmin, max: qmax } = QRANGE[type];
  const s = Math.fround(outputScale);
  const quantize = (f: number): number => outputZeroPoint + roundHalfAwayFromZero(Math.fround(f / s));
  switch (activation) {
    case "RELU":
      return { min: Math.max(qmin, quantize(0)), max: qmax };
    case "RELU6":
      return { min: Math.max(qmin, quantize(0)), max: Math.min(qmax, quantize(6)) };
    case "RELU_N1_TO_1":
      return { min: Math.max(qmin, quantize(-1)), max: Math.min(qmax, quantize(1)) };
    default:
      return { min: qmin, max: qmax };
  }
}

/** Float activation range, as TFLite's CalculateActivationRange<float>. */
export function calculateActivationRangeFloat(activation: FusedActivation): ActivationRange {
  switch (activation) {
    case "RELU":
      return { min: 0, max: Infinity };
    case "RELU6":
      return { min: 0, max: 6 };
    case "RELU_N1_TO_1":
      return { min: -1, max: 1 };
    default:
      return { min: -Infinity, max: Infinity };
  }
}
