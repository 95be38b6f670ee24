/**
 * SOFTMAX: TFLite's int8 fixed-point algorithm (reference_ops::Softmax for int8 in/out) and the float one.
 *
 * @module
 */
import {
  expOnNegativeValues,
  getReciprocal,
  multiplyByQuantizedMultiplierGreaterThanOne,
  rescale,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from "../quant/fixed_point.ts";
import type { SoftmaxParams } from "./params.ts";

/** Integer bits of the scaled input differences (TFLite's kScaledDiffIntegerBits). */
export const SOFTMAX_SCALED_DIFF_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;

/**
 * int8 SOFTMAX along the last axis. Differences to the row maximum are scaled into Q5.26, exponentiated
 * with gemmlowp's exp_on_negative_values, summed in Q12.19 and normalised with a fixed-point reciprocal.
 * Output quantization is fixed at scale 1/256, zero point −128.
 */
export function softmaxInt8(p: SoftmaxParams, input: Int8Array, output: Int8Array): void {
  const { outerSize, depth, inputMultiplier, inputLeftShift, diffMin } = p;
  for (let i = 0; i < outerSize; i++) {
    const row = i * depth;
    let maxInRow = -128;
    for (let c = 0; c < depth; c++) maxInRow = Math.max(maxInRow, input[row + c]);
    let sumOfExps = 0; // FixedPoint<int32, 12>
    for (let c = 0; c < depth; c++) {
      const diff = input[row + c] - maxInRow;
      if (diff >= diffMin) {
        const scaled = multiplyByQuantizedMultiplierGreaterThanOne(diff, inputMultiplier, inputLeftShift);
        const e = expOnNegativeValues(scaled, SOFTMAX_SCALED_DIFF_INTEGER_BITS);
        sumOfExps = (sumOfExps + rescale(e, 0, ACCUMULATION_INTEGER_BITS)) | 0;
      }
    }
    const { reciprocal, numBitsOverUnit } = getReciprocal(sumOfExps, ACCUMULATION_INTEGER_BITS);
    for (let c = 0; c < depth; c++) {
      const diff = input[row + c] - maxInRow;
      if (diff >= diffMin) {
        const scaled = multiplyByQuantizedMultiplierGreaterThanOne(diff, inputMultiplier, inputLeftShift);
        const e = expOnNegativeValues(scaled, SOFTMAX_SCALED_DIFF_INTEGER_BITS);
        const unsat = roundingDivideByPOT(saturatingRoundingDoublingHighMul(reciprocal, e), numBitsOverUnit + 31 - 8);
        const shifted = unsat - 128;
        output[row + c] = Math.max(Math.min(shifted, 127), -128);
      } else {
        output[row + c] = -128;
      }
    }
  }
}

/** float32 SOFTMAX along the last axis. */
export function softmaxFloat(p: SoftmaxParams, input: Float32Array, output: Float32Array): void {
  const f = Math.fround;
  for (let i = 0; i < p.outerSize; i++) {
    const row = i * p.depth;
    let max = -Infinity;
    for (let c = 0; c < p.depth; c++) max = Math.max(max, input[row + c]);
    let sum = 0;
    for (let c = 0; c < p.depth; c++) {
      const e = f(Math.exp(f(f(input[row + c] - max) * f(p.beta))));
      output[row + c] = e;
      sum = f(sum + e);
    }
    for (let c = 0; c < p.depth; c++) output[row + c] = f(output[row + c] / sum);
  }
}
