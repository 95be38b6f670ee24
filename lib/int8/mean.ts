/**
 * MEAN over a set of axes (TFLite reference_integer_ops::Mean for the 4-D spatial case,
 * reference_ops::QuantizedMeanOrSum otherwise, and the float mean).
 *
 * @module
 */
import { multiplyByQuantizedMultiplier } from "../quant/fixed_point.ts";
import type { MeanParams } from "./params.ts";

/** Sum the input into `sums` (one per output element), returning the count per output element. */
function reduceSum(p: MeanParams, input: ArrayLike<number>, sums: Float64Array, offset: number): number {
  const rank = p.inputShape.length;
  const reduced = new Set(p.axes);
  // Output strides over the kept axes (reduced axes contribute nothing).
  const outStrides = new Array<number>(rank).fill(0);
  let acc = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (reduced.has(d)) continue;
    outStrides[d] = acc;
    acc *= p.inputShape[d];
  }
  const size = p.inputShape.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < size; i++) {
    let o = 0;
    for (let d = 0; d < rank; d++) o += idx[d] * outStrides[d];
    sums[o] += input[i] - offset;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < p.inputShape[d]) break;
      idx[d] = 0;
    }
  }
  return p.axes.reduce((n, a) => n * p.inputShape[a], 1);
}

/** int8 MEAN, requantized by `s_in / s_out`. */
export function meanInt8(p: MeanParams, input: Int8Array, output: Int8Array): void {
  const outSize = output.length;
  const spatial4d = p.inputShape.length === 4 && p.axes.length === 2 && p.axes[0] === 1 && p.axes[1] === 2;
  const sums = new Float64Array(outSize);
  if (spatial4d) {
    // reference_integer_ops::Mean: sum (x − zp_in), requantize, then divide with rounding.
    const n = reduceSum(p, input, sums, p.inputZeroPoint);
    const half = Math.trunc(n / 2);
    for (let o = 0; o < outSize; o++) {
      let acc = multiplyByQuantizedMultiplier(sums[o] | 0, p.multiplier, p.shift);
      acc = acc > 0 ? Math.trunc((acc + half) / n) : Math.trunc((acc - half) / n);
      acc += p.outputZeroPoint;
      output[o] = Math.min(Math.max(acc, -128), 127);
    }
    return;
  }
  // reference_ops::QuantizedMeanOrSum: fold 1/n into the multiplier.
  const n = reduceSum(p, input, sums, p.inputZeroPoint);
  if (n === 0) return;
  // 63 − CountLeadingZeros(uint64 n) = floor(log2 n), clamped as TFLite does.
  const shift = Math.min(31 - Math.clz32(n), 32, 31 + p.shift);
  const multiplier = Number((BigInt(p.multiplier) << BigInt(shift)) / BigInt(n));
  const outShift = p.shift - shift;
  for (let o = 0; o < outSize; o++) {
    const v = multiplyByQuantizedMultiplier(sums[o] | 0, multiplier, outShift) + p.outputZeroPoint;
    output[o] = Math.min(Math.max(v, -128), 127);
  }
}

/** float32 MEAN. */
export function meanFloat(p: MeanParams, input: Float32Array, output: Float32Array): void {
  const sums = new Float64Array(output.length);
  const n = reduceSum(p, input, sums, 0);
  for (let o = 0; o < output.length; o++) output[o] = Math.fround(sums[o] / n);
}
