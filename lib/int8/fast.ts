/**
 * Fast int8 kernels for the heavy ops (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED): same arithmetic as
 * the reference kernels, reorganised for speed — input offsets added once per call into an Int32Array,
 * hoisted index maths, per-pixel Int32Array accumulators, Number-only exact requantization. The int32
 * accumulator wraps exactly as the reference (and C) does, since wrapping addition is associative mod 2^32.
 *
 * @module
 */
import { multiplyByQuantizedMultiplier } from "../quant/fixed_point.ts";
import type { ConvParams, FullyConnectedParams } from "./params.ts";
import { convInt8, depthwiseConvInt8 } from "./conv.ts";
import { fullyConnectedInt8 } from "./fully_connected.ts";

function offsetInput(input: Int8Array, offset: number): Int32Array {
  const xs = new Int32Array(input.length);
  for (let i = 0; i < input.length; i++) xs[i] = input[i] + offset;
  return xs;
}

function requantizeRow(
  acc: Int32Array,
  bias: Int32Array | null,
  p: ConvParams | FullyConnectedParams,
  output: Int8Array,
  outBase: number,
): void {
  const n = acc.length;
  const { outputMultiplier, outputShift, outputOffset, actMin, actMax } = p;
  for (let c = 0; c < n; c++) {
    const a = bias ? (acc[c] + bias[c]) | 0 : acc[c];
    let v = multiplyByQuantizedMultiplier(a, outputMultiplier[c], outputShift[c]) + outputOffset;
    v = v < actMin ? actMin : v > actMax ? actMax : v;
    output[outBase + c] = v;
  }
}

/** Fast int8 CONV_2D; bit-identical to {@link convInt8} (falls back to it for grouped convolutions). */
export function convInt8Fast(
  p: ConvParams,
  input: Int8Array,
  filter: Int8Array,
  bias: Int32Array | null,
  output: Int8Array,
): void {
  const [batches, inH, inW, inDepth] = p.inputShape;
  const [outDepth, fH, fW, filterInDepth] = p.filterShape;
  if (filterInDepth !== inDepth) return convInt8(p, input, filter, bias, output);
  const [, outH, outW] = p.outputShape;
  const xs = offsetInput(input, p.inputOffset);
  const acc = new Int32Array(outDepth);
  const { strideH, strideW, dilationH, dilationW, padH, padW } = p;
  const filterOcStride = fH * fW * inDepth;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const inYOrigin = oy * strideH - padH;
      for (let ox = 0; ox < outW; ox++) {
        const inXOrigin = ox * strideW - padW;
        acc.fill(0);
        for (let fy = 0; fy < fH; fy++) {
          const iy = inYOrigin + dilationH * fy;
          if (iy < 0 || iy >= inH) continue;
          for (let fx = 0; fx < fW; fx++) {
            const ix = inXOrigin + dilationW * fx;
            if (ix < 0 || ix >= inW) continue;
            const inBase = ((b * inH + iy) * inW + ix) * inDepth;
            let fBase = (fy * fW + fx) * inDepth;
            for (let oc = 0; oc < outDepth; oc++, fBase += filterOcStride) {
              let s = 0;
              for (let ic = 0; ic < inDepth; ic++) s += filter[fBase + ic] * xs[inBase + ic];
              acc[oc] += s;
            }
          }
        }
        requantizeRow(acc, bias, p, output, ((b * outH + oy) * outW + ox) * outDepth);
      }
    }
  }
}

/** Fast int8 DEPTHWISE_CONV_2D; bit-identical to {@link depthwiseConvInt8}. */
export function depthwiseConvInt8Fast(
  p: ConvParams,
  input: Int8Array,
  filter: Int8Array,
  bias: Int32Array | null,
  output: Int8Array,
): void {
  const [batches, inH, inW, inDepth] = p.inputShape;
  const [, fH, fW, outDepth] = p.filterShape;
  const [, outH, outW] = p.outputShape;
  const m = p.depthMultiplier;
  const xs = offsetInput(input, p.inputOffset);
  const acc = new Int32Array(outDepth);
  const { strideH, strideW, dilationH, dilationW, padH, padW } = p;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const inYOrigin = oy * strideH - padH;
      for (let ox = 0; ox < outW; ox++) {
        const inXOrigin = ox * strideW - padW;
        acc.fill(0);
        for (let fy = 0; fy < fH; fy++) {
          const iy = inYOrigin + dilationH * fy;
          if (iy < 0 || iy >= inH) continue;
          for (let fx = 0; fx < fW; fx++) {
            const ix = inXOrigin + dilationW * fx;
            if (ix < 0 || ix >= inW) continue;
            const inBase = ((b * inH + iy) * inW + ix) * inDepth;
            const fBase = (fy * fW + fx) * outDepth;
            if (m === 1) {
              for (let c = 0; c < outDepth; c++) acc[c] += filter[fBase + c] * xs[inBase + c];
            } else {
              for (let ic = 0, oc = 0; ic < inDepth; ic++) {
                const x = xs[inBase + ic];
                for (let k = 0; k < m; k++, oc++) acc[oc] += filter[fBase + oc] * x;
              }
            }
          }
        }
        requantizeRow(acc, bias, p, output, ((b * outH + oy) * outW + ox) * outDepth);
      }
    }
  }
}

/** Fast int8 FULLY_CONNECTED; bit-identical to {@link fullyConnectedInt8}. Allocation-free. */
export function fullyConnectedInt8Fast(
  p: FullyConnectedParams,
  input: Int8Array,
  filter: Int8Array,
  bias: Int32Array | null,
  output: Int8Array,
): void {
  if (p.filterOffset !== 0) return fullyConnectedInt8(p, input, filter, bias, output);
  const { batches, accumDepth, outputDepth, inputOffset, outputOffset, outputMultiplier, outputShift, actMin, actMax } = p;
  for (let b = 0; b < batches; b++) {
    const inBase = b * accumDepth;
    for (let o = 0, fBase = 0; o < outputDepth; o++, fBase += accumDepth) {
      // Σ w·(x + off) = Σ w·x + off·Σ w, accumulated exactly in a double (|sum| ≪ 2^53), wrapped once.
      let s = 0;
      let sw = 0;
      for (let d = 0; d < accumDepth; d++) {
        const w = filter[fBase + d];
        s += w * input[inBase + d];
        sw += w;
      }
      let acc = (s + inputOffset * sw) | 0;
      if (bias) acc = (acc + bias[o]) | 0;
      let v = multiplyByQuantizedMultiplier(acc, outputMultiplier[o], outputShift[o]) + outputOffset;
      v = v < actMin ? actMin : v > actMax ? actMax : v;
      output[b * outputDepth + o] = v;
    }
  }
}

// Re-exported so callers can pick either set by name.
export { convInt8, depthwiseConvInt8, fullyConnectedInt8 };
