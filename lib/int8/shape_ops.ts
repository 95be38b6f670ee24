/**
 * Data-movement kernels: RESHAPE, CONCATENATION, PAD. They work on any element type.
 *
 * @module
 */
import type { TensorData } from "../graph/types.ts";
import type { ConcatParams, PadParams, ReshapeParams } from "./params.ts";

type Numeric = Exclude<TensorData, BigInt64Array>;

/** RESHAPE: the data is unchanged; copy it into the output buffer. */
export function reshape(p: ReshapeParams, input: Numeric, output: Numeric): void {
  if (input !== output) output.set(input.subarray(0, p.size) as never);
}

/** CONCATENATION along one axis, then the fused activation clamp. */
export function concatenation(p: ConcatParams, inputs: Numeric[], output: Numeric): void {
  let o = 0;
  for (let outer = 0; outer < p.outerSize; outer++) {
    for (let k = 0; k < inputs.length; k++) {
      const n = p.copySizes[k];
      const src = inputs[k];
      for (let i = 0; i < n; i++) output[o++] = Math.min(Math.max(src[outer * n + i], p.actMin), p.actMax);
    }
  }
}

/** PAD with a constant (`padValue`). */
export function pad(p: PadParams, input: Numeric, output: Numeric): void {
  output.fill(p.padValue);
  const rank = p.inputShape.length;
  const outStrides = new Array<number>(rank);
  let acc = 1;
  for (let d = rank - 1; d >= 0; d--) {
    outStrides[d] = acc;
    acc *= p.outputShape[d];
  }
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < input.length; i++) {
    let o = 0;
    for (let d = 0; d < rank; d++) o += (idx[d] + p.before[d]) * outStrides[d];
    output[o] = input[i];
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < p.inputShape[d]) break;
      idx[d] = 0;
    }
  }
}
