/**
 * AVERAGE_POOL_2D and MAX_POOL_2D reference kernels (TFLite reference_integer_ops pooling and float
 * pooling). Windows are clipped to the image; the average divides by the clipped count.
 *
 * @module
 */
import type { PoolParams } from "./params.ts";

type Reduce = "avg" | "max";

function pool(p: PoolParams, input: ArrayLike<number>, output: { [i: number]: number }, mode: Reduce, isInt: boolean) {
  const [batches, inH, inW, depth] = p.inputShape;
  const [, outH, outW] = p.outputShape;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let c = 0; c < depth; c++) {
          const inXOrigin = ox * p.strideW - p.padW;
          const inYOrigin = oy * p.strideH - p.padH;
          const fxStart = Math.max(0, -inXOrigin);
          const fxEnd = Math.min(p.filterW, inW - inXOrigin);
          const fyStart = Math.max(0, -inYOrigin);
          const fyEnd = Math.min(p.filterH, inH - inYOrigin);
          let acc = mode === "max" ? -Infinity : 0;
          let count = 0;
          for (let fy = fyStart; fy < fyEnd; fy++) {
            for (let fx = fxStart; fx < fxEnd; fx++) {
              const v = input[((b * inH + inYOrigin + fy) * inW + inXOrigin + fx) * depth + c];
              if (mode === "max") acc = Math.max(acc, v);
              else acc = isInt ? acc + v : Math.fround(acc + v);
              count++;
            }
          }
          let out: number;
          if (mode === "max") out = isInt && count === 0 ? -128 : acc;
          else if (count === 0) out = 0;
          else if (isInt) {
            // Round to nearest, ties away from zero, with C's truncating division.
            const half = Math.trunc(count / 2);
            out = acc > 0 ? Math.trunc((acc + half) / count) : Math.trunc((acc - half) / count);
          } else out = Math.fround(acc / count);
          out = Math.min(Math.max(out, p.actMin), p.actMax);
          output[((b * outH + oy) * outW + ox) * depth + c] = out;
        }
      }
    }
  }
}

/** int8 AVERAGE_POOL_2D (no rescaling: input and output share scale and zero point). */
export function averagePoolInt8(p: PoolParams, input: Int8Array, output: Int8Array): void {
  pool(p, input, output, "avg", true);
}

/** int8 MAX_POOL_2D. */
export function maxPoolInt8(p: PoolParams, input: Int8Array, output: Int8Array): void {
  pool(p, input, output, "max", true);
}

/** float32 AVERAGE_POOL_2D. */
export function averagePoolFloat(p: PoolParams, input: Float32Array, output: Float32Array): void {
  pool(p, input, output, "avg", false);
}

/** float32 MAX_POOL_2D. */
export function maxPoolFloat(p: PoolParams, input: Float32Array, output: Float32Array): void {
  pool(p, input, output, "max", false);
}
