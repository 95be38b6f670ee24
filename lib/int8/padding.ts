/**
 * Output sizes and padding of convolutions and pools, as TFLite's padding.h computes them.
 *
 * @module
 */
import type { Padding } from "../graph/types.ts";

/** TFLite's ComputeOutSize. */
export function computeOutSize(
  padding: Padding,
  imageSize: number,
  filterSize: number,
  stride: number,
  dilation = 1,
): number {
  const effectiveFilterSize = (filterSize - 1) * dilation + 1;
  if (stride === 0) return 0;
  return padding === "SAME"
    ? Math.trunc((imageSize + stride - 1) / stride)
    : Math.trunc((imageSize + stride - effectiveFilterSize) / stride);
}

/** TFLite's ComputePadding: the leading (top/left) padding; never negative. */
export function computePadding(
  stride: number,
  dilation: number,
  inSize: number,
  filterSize: number,
  outSize: number,
): number {
  const effectiveFilterSize = (filterSize - 1) * dilation + 1;
  const padding = Math.trunc(((outSize - 1) * stride + effectiveFilterSize - inSize) / 2);
  return padding > 0 ? padding : 0;
}
