/**
 * FULLY_CONNECTED reference kernels (TFLite reference_integer_ops::FullyConnected and the float one).
 *
 * @module
 */
import { multiplyByQuantizedMultiplier } from "../quant/fixed_point.ts";
import type { FullyConnectedParams } from "./params.ts";

/**
 * int8 FULLY_CONNECTED: `out[b,o] = clamp(MBQM(Σ_d (f[o,d] + fOff)(x[b,d] + xOff) + bias[o]) + outZp)`.
 * The int32 accumulator wraps like the C code's.
 */
export function fullyConnectedInt8(
  p: FullyConnectedParams,
  input: Int8Array,
  filter: Int8Array,
  bias: Int32Array | null,
  output: Int8Array,
): void {
  const { batches, accumDepth, outputDepth, inputOffset, filterOffset, outputOffset } = p;
  for (let b = 0; b < batches; b++) {
    for (let o = 0; o < outputDepth; o++) {
      let acc = 0;
      for (let d = 0; d < accumDepth; d++) {
        acc = (acc + (filter[o * accumDepth + d] + filterOffset) * (input[b * accumDepth + d] + inputOffset)) | 0;
      }
      if (bias) acc = (acc + bias[o]) | 0;
      let v = multiplyByQuantizedMultiplier(acc, p.outputMultiplier[o], p.outputShift[o]) + outputOffset;
      v = Math.max(v, p.actMin);
      v = Math.min(v, p.actMax);
      output[o + outputDepth * b] = v;
    }
  }
}

/** float32 FULLY_CONNECTED, accumulating in float32 as the C kernel does. */
export function fullyConnectedFloat(
  p: FullyConnectedParams,
  input: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  output: Float32Array,
): void {
  const { batches, accumDepth, outputDepth } = p;
  const f = Math.fround;
  for (let b = 0; b < batches; b++) {
    for (let o = 0; o < outputDepth; o++) {
      let total = 0;
      for (let d = 0; d < accumDepth; d++) {
        total = f(total + f(input[b * accumDepth + d] * filter[o * accumDepth + d]));
      }
      const v = f(total + (bias ? bias[o] : 0));
      output[o + outputDepth * b] = Math.min(Math.max(v, p.actMin), p.actMax);
    }
  }
}
