/** Bit helpers shared by the microfrontend stages (C's `bits.h`). */

/** Position of the highest set bit, 1-based (0 for 0): `MostSignificantBit32`. */
export function msb32(n: number): number {
  return 32 - Math.clz32(n);
}

/** `MostSignificantBit64` for a non-negative integer below 2^53. */
export function msb64(n: number): number {
  if (n < 4294967296) return msb32(n);
  return 32 + msb32(Math.floor(n / 4294967296));
}

/** Wrap to a signed 16-bit integer, like a C cast to int16_t. */
export function toInt16(x: number): number {
  return (x << 16) >> 16;
}

/** Wrap to an unsigned 32-bit integer, like a C cast to uint32_t (x an integer below 2^53). */
export function toUint32(x: number): number {
  return x >>> 0;
}

/** Unsigned right shift for a non-negative integer below 2^53 (no 32-bit truncation first). */
export function shr(x: number, bits: number): number {
  return Math.floor(x / 2 ** bits);
}
