/**
 * Tensor data ⇄ little-endian bytes, as stored in .tflite buffers.
 *
 * @module
 */
import type { DType, TensorData } from "../graph/types.ts";

/** Bytes per element of each dtype the kit supports. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  float32: 4,
  int8: 1,
  uint8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  bool: 1,
};

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Copies little-endian bytes into a fresh, aligned typed array of `dtype`. */
export function toTypedArray(bytes: Uint8Array, dtype: DType): TensorData {
  const n = bytes.length / DTYPE_BYTES[dtype];
  const copy = new ArrayBuffer(bytes.length);
  if (HOST_IS_LITTLE_ENDIAN || DTYPE_BYTES[dtype] === 1) {
    new Uint8Array(copy).set(bytes);
  } else {
    // Big-endian hosts: swap each element to native order.
    const size = DTYPE_BYTES[dtype];
    const src = new Uint8Array(bytes);
    const dst = new Uint8Array(copy);
    for (let i = 0; i < n; i++) for (let b = 0; b < size; b++) dst[i * size + b] = src[i * size + size - 1 - b];
  }
  switch (dtype) {
    case "float32":
      return new Float32Array(copy);
    case "int8":
      return new Int8Array(copy);
    case "uint8":
    case "bool":
      return new Uint8Array(copy);
    case "int16":
      return new Int16Array(copy);
    case "int32":
      return new Int32Array(copy);
    case "int64":
      return new BigInt64Array(copy);
  }
}

/** Number of elements of a shape (1 for a scalar). */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}


/** The little-endian bytes of a tensor's data (a view when the host is little-endian, else a swapped copy). */
export function toLittleEndianBytes(data: TensorData): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const size = data.BYTES_PER_ELEMENT;
  if (HOST_IS_LITTLE_ENDIAN || size === 1) return view;
  const out = new Uint8Array(view.length);
  for (let i = 0; i < data.length; i++) for (let b = 0; b < size; b++) out[i * size + b] = view[i * size + size - 1 - b];
  return out;
}
