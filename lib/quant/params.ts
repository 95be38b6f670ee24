/**
 * Affine quantization parameters: `real = scale · (q − zeroPoint)`, per tensor or per channel, and the
 * usual ways of choosing them (asymmetric int8 activations, symmetric int8 weights, int32 biases).
 *
 * @module
 */
import type { QuantParams } from "../graph/types.ts";
import { QuantizationError, roundHalfAwayFromZero } from "./multiplier.ts";

/** Integer ranges of the quantized element types. */
export const QRANGE = {
  int8: { min: -128, max: 127 },
  uint8: { min: 0, max: 255 },
  int16: { min: -32768, max: 32767 },
  int32: { min: -2147483648, max: 2147483647 },
} as const;

/** A quantized integer element type. */
export type QType = keyof typeof QRANGE;

/** One scale and zero point. */
export interface AffineParams {
  scale: number;
  zeroPoint: number;
}

/** Per-tensor {@link QuantParams} from one scale and zero point. */
export function perTensor(scale: number, zeroPoint: number): QuantParams {
  return { scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 };
}

/** Per-channel {@link QuantParams} (zero points all 0, as TFLite requires for weights). */
export function perChannel(scales: number[], quantizedDimension: number): QuantParams {
  return { scale: scales.slice(), zeroPoint: scales.map(() => 0), quantizedDimension };
}

/** True when the params carry more than one scale. */
export function isPerChannel(q: QuantParams): boolean {
  return q.scale.length > 1;
}

/**
 * Quantize one real value the way TFLite's AffineQuantize does: float32 division, round half away from
 * zero, add the zero point, saturate.
 *
 * @example quantizeValue(0.5, { scale: 1 / 256, zeroPoint: -128 }) // 0
 */
export function quantizeValue(x: number, p: AffineParams, type: QType = "int8"): number {
  const q = roundHalfAwayFromZero(Math.fround(Math.fround(x) / Math.fround(p.scale))) + p.zeroPoint;
  const r = QRANGE[type];
  return q < r.min ? r.min : q > r.max ? r.max : q;
}

/** Dequantize one value as TFLite's Dequantize does: `float(scale · (q − zp))`. */
export function dequantizeValue(q: number, p: AffineParams): number {
  return Math.fround(p.scale * (q - p.zeroPoint));
}

/** Quantize a float array to int8 (per-tensor). */
export function quantize(x: ArrayLike<number>, p: AffineParams): Int8Array {
  const out = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = quantizeValue(x[i], p, "int8");
  return out;
}

/** Dequantize an integer array to float32 (per-tensor). */
export function dequantize(q: ArrayLike<number>, p: AffineParams): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = dequantizeValue(q[i], p);
  return out;
}

/**
 * Asymmetric parameters for a float range, as TFLite's ChooseQuantizationParams: the range is widened to
 * include 0, and the zero point is nudged to an integer so that 0.0 is exact.
 *
 * @example chooseQuantParams(-1, 1) // { scale: 2/255, zeroPoint: 0 } (approximately)
 */
export function chooseQuantParams(rmin: number, rmax: number, type: QType = "int8"): AffineParams {
  if (!(rmin <= rmax)) throw new QuantizationError(`range [${rmin}, ${rmax}] is empty; pass min ≤ max`);
  const { min: qmin, max: qmax } = QRANGE[type];
  const lo = Math.min(rmin, 0);
  const hi = Math.max(rmax, 0);
  if (lo === hi) return { scale: 1, zeroPoint: 0 };
  const scale = (hi - lo) / (qmax - qmin);
  const zpFromMin = qmin - lo / scale;
  const zpFromMax = qmax - hi / scale;
  const errFromMin = Math.abs(qmin) + Math.abs(lo / scale);
  const errFromMax = Math.abs(qmax) + Math.abs(hi / scale);
  const zp = errFromMin < errFromMax ? zpFromMin : zpFromMax;
  const zeroPoint = zp < qmin ? qmin : zp > qmax ? qmax : roundHalfAwayFromZero(zp);
  return { scale: Math.fround(scale), zeroPoint };
}

/** Weights quantized symmetrically per output channel, in [−127, 127]. */
export interface SymmetricWeights {
  data: Int8Array;
  scales: number[];
  quantizedDimension: number;
}

/**
 * Symmetric int8 weights per channel along `axis` (TFLite: output channels, axis 0 for FC/CONV, 3 for
 * DEPTHWISE): `scale[c] = max|w[c]| / 127`, values in [−127, 127], zero point 0.
 */
export function quantizeWeightsPerChannel(w: ArrayLike<number>, shape: number[], axis = 0): SymmetricWeights {
  const channels = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const maxAbs = new Array<number>(channels).fill(0);
  for (let i = 0; i < w.length; i++) {
    const c = Math.floor(i / inner) % channels;
    maxAbs[c] = Math.max(maxAbs[c], Math.abs(w[i]));
  }
  const scales = maxAbs.map((m) => Math.fround(m > 0 ? m / 127 : 1));
  const data = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const c = Math.floor(i / inner) % channels;
    const q = roundHalfAwayFromZero(w[i] / scales[c]);
    data[i] = q < -127 ? -127 : q > 127 ? 127 : q;
  }
  return { data, scales, quantizedDimension: axis };
}

/** int32 bias for output channel c with scale `inputScale · weightScale[c]`, zero point 0. */
export function quantizeBias(b: ArrayLike<number>, inputScale: number, weightScales: number[]): Int32Array {
  const out = new Int32Array(b.length);
  for (let c = 0; c < b.length; c++) {
    const s = inputScale * weightScales[weightScales.length === 1 ? 0 : c];
    out[c] = Math.max(-2147483648, Math.min(2147483647, roundHalfAwayFromZero(b[c] / s)));
  }
  return out;
}
