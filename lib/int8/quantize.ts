/**
 * QUANTIZE and DEQUANTIZE kernels (TFLite AffineQuantize, Requantize and Dequantize).
 *
 * @module
 */
import { multiplyByQuantizedMultiplier } from "../quant/fixed_point.ts";
import { roundHalfAwayFromZero } from "../quant/multiplier.ts";
import type { DequantizeParams, QuantizeParams } from "./params.ts";

/** QUANTIZE float32 → int8: `clamp(round(x / scale) + zp)` with float32 division. */
export function quantizeFloatToInt8(p: QuantizeParams, input: Float32Array, output: Int8Array): void {
  const s = Math.fround(p.scale);
  for (let i = 0; i < p.size; i++) {
    const v = roundHalfAwayFromZero(Math.fround(input[i] / s)) + p.zeroPoint;
    output[i] = Math.min(Math.max(v, -128), 127);
  }
}

/** QUANTIZE int8 → int8 (requantize): `clamp(MBQM(x − zp_in) + zp_out)`. */
export function requantizeInt8(p: QuantizeParams, input: Int8Array, output: Int8Array): void {
  for (let i = 0; i < p.size; i++) {
    const v = multiplyByQuantizedMultiplier(input[i] - p.inputZeroPoint, p.multiplier, p.shift) + p.zeroPoint;
    output[i] = Math.min(Math.max(v, -128), 127);
  }
}

/** DEQUANTIZE int8 → float32: `float(scale · (q − zp))` with the scale as a double. */
export function dequantizeInt8(p: DequantizeParams, input: Int8Array, output: Float32Array): void {
  for (let i = 0; i < p.size; i++) output[i] = p.scale * (input[i] - p.zeroPoint);
}
