/**
 * CONV_2D and DEPTHWISE_CONV_2D reference kernels (TFLite reference_integer_ops::ConvPerChannel and
 * DepthwiseConvPerChannel, and their float versions). NHWC activations; filters OHWI (conv) and 1HWO
 * (depthwise).
 *
 * @module
 */
import { multiplyByQuantizedMultiplier } from "../quant/fixed_point.ts";
import type { ConvParams } from "./params.ts";

/** int8 CONV_2D with per-channel requantization; points outside the image are skipped (zero-point padding). */
export function convInt8(
  p: ConvParams,
  input: Int8Array,
  filter: Int8Array,
  bias: Int32Array | null,
  output: Int8Array,
): void {
  const [batches, inH, inW, inDepth] = p.inputShape;
  const [outDepth, fH, fW, filterInDepth] = p.filterShape;
  const [, outH, outW] = p.outputShape;
  const groups = inDepth / filterInDepth;
  const filtersPerGroup = outDepth / groups;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const inYOrigin = oy * p.strideH - p.padH;
      for (let ox = 0; ox < outW; ox++) {
        const inXOrigin = ox * p.strideW - p.padW;
        for (let oc = 0; oc < outDepth; oc++) {
          const group = Math.floor(oc / filtersPerGroup);
          let acc = 0;
          for (let fy = 0; fy < fH; fy++) {
            const iy = inYOrigin + p.dilationH * fy;
            for (let fx = 0; fx < fW; fx++) {
              const ix = inXOrigin + p.dilationW * fx;
              if (ix < 0 || ix >= inW || iy < 0 || iy >= inH) continue;
              for (let ic = 0; ic < filterInDepth; ic++) {
                const x = input[((b * inH + iy) * inW + ix) * inDepth + ic + group * filterInDepth];
                const w = filter[((oc * fH + fy) * fW + fx) * filterInDepth + ic];
                acc = (acc + w * (x + p.inputOffset)) | 0;
              }
            }
          }
          if (bias) acc = (acc + bias[oc]) | 0;
          let v = multiplyByQuantizedMultiplier(acc, p.outputMultiplier[oc], p.outputShift[oc]) + p.outputOffset;
          v = Math.min(Math.max(v, p.actMin), p.actMax);
          output[((b * outH + oy) * outW + ox) * outDepth + oc] = v;
        }
      }
    }
  }
}

/** int8 DEPTHWISE_CONV_2D with per-channel requantization: output channel `ic·m + k` reads input channel `ic`. */
export function depthwiseConvInt8(
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
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let ic = 0; ic < inDepth; ic++) {
          for (let k = 0; k < m; k++) {
            const oc = k + ic * m;
            const inXOrigin = ox * p.strideW - p.padW;
            const inYOrigin = oy * p.strideH - p.padH;
            let acc = 0;
            for (let fy = 0; fy < fH; fy++) {
              const iy = inYOrigin + p.dilationH * fy;
              for (let fx = 0; fx < fW; fx++) {
                const ix = inXOrigin + p.dilationW * fx;
                if (ix < 0 || ix >= inW || iy < 0 || iy >= inH) continue;
                const x = input[((b * inH + iy) * inW + ix) * inDepth + ic];
                const w = filter[(fy * fW + fx) * outDepth + oc];
                acc = (acc + w * (x + p.inputOffset)) | 0;
              }
            }
            if (bias) acc = (acc + bias[oc]) | 0;
            let v = multiplyByQuantizedMultiplier(acc, p.outputMultiplier[oc], p.outputShift[oc]) + p.outputOffset;
            v = Math.min(Math.max(v, p.actMin), p.actMax);
            output[((b * outH + oy) * outW + ox) * outDepth + oc] = v;
          }
        }
      }
    }
  }
}

/** float32 CONV_2D (float32 accumulation, then bias and activation clamp). */
export function convFloat(
  p: ConvParams,
  input: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  output: Float32Array,
): void {
  const [batches, inH, inW, inDepth] = p.inputShape;
  const [outDepth, fH, fW, filterInDepth] = p.filterShape;
  const [, outH, outW] = p.outputShape;
  const filtersPerGroup = outDepth / (inDepth / filterInDepth);
  const f = Math.fround;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let oc = 0; oc < outDepth; oc++) {
          const group = Math.floor(oc / filtersPerGroup);
          let total = 0;
          for (let fy = 0; fy < fH; fy++) {
            const iy = oy * p.strideH - p.padH + p.dilationH * fy;
            for (let fx = 0; fx < fW; fx++) {
              const ix = ox * p.strideW - p.padW + p.dilationW * fx;
              if (ix < 0 || ix >= inW || iy < 0 || iy >= inH) continue;
              for (let ic = 0; ic < filterInDepth; ic++) {
                const x = input[((b * inH + iy) * inW + ix) * inDepth + ic + group * filterInDepth];
                total = f(total + f(x * filter[((oc * fH + fy) * fW + fx) * filterInDepth + ic]));
              }
            }
          }
          const v = f(total + (bias ? bias[oc] : 0));
          output[((b * outH + oy) * outW + ox) * outDepth + oc] = Math.min(Math.max(v, p.actMin), p.actMax);
        }
      }
    }
  }
}

/** float32 DEPTHWISE_CONV_2D. */
export function depthwiseConvFloat(
  p: ConvParams,
  input: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  output: Float32Array,
): void {
  const [batches, inH, inW, inDepth] = p.inputShape;
  const [, fH, fW, outDepth] = p.filterShape;
  const [, outH, outW] = p.outputShape;
  const m = p.depthMultiplier;
  const f = Math.fround;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let ic = 0; ic < inDepth; ic++) {
          for (let k = 0; k < m; k++) {
            const oc = k + ic * m;
            let total = 0;
            for (let fy = 0; fy < fH; fy++) {
              const iy = oy * p.strideH - p.padH + p.dilationH * fy;
              for (let fx = 0; fx < fW; fx++) {
                const ix = ox * p.strideW - p.padW + p.dilationW * fx;
                if (ix < 0 || ix >= inW || iy < 0 || iy >= inH) continue;
                const x = input[((b * inH + iy) * inW + ix) * inDepth + ic];
                total = f(total + f(x * filter[(fy * fW + fx) * outDepth + oc]));
              }
            }
            const v = f(total + (bias ? bias[oc] : 0));
            output[((b * outH + oy) * outW + ox) * outDepth + oc] = Math.min(Math.max(v, p.actMin), p.actMax);
          }
        }
      }
    }
  }
}
