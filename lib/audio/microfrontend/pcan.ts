/**
 * Stage 5 — PCAN, per-channel automatic gain control (C: pcan_gain_control.c / _util.c).
 *
 * Each channel is divided by (noise estimate + offset)^strength, which flattens loud and quiet
 * recordings. The division is a multiplication by a gain read from a piecewise-quadratic
 * look-up table indexed by the noise estimate's magnitude (one segment per power of two).
 */
import { msb32, shr, toInt16, toUint32 } from "./bits.ts";

export const PCAN_SNR_BITS = 12;
export const PCAN_OUTPUT_BITS = 6;
/** One LUT segment per bit of a uint32 noise estimate. */
export const WIDE_DYNAMIC_FUNCTION_BITS = 32;
export const WIDE_DYNAMIC_FUNCTION_LUT_SIZE = 4 * WIDE_DYNAMIC_FUNCTION_BITS - 3;

/** Gain LUT and the shift that turns signal×gain into a Q12 SNR. */
export interface PcanState {
  /** lut[0], lut[1]: gains for x = 0, 1; then 4 slots (y0, a1, a2, unused) per interval ≥ 2. */
  gainLut: Int16Array;
  snrShift: number;
}

const f32 = Math.fround;

/** The exact gain for noise estimate `x` (a fixed-point value with `inputBits` fraction bits). */
export function pcanGain(strength: number, offset: number, gainBits: number, inputBits: number, x: number): number {
  const xf = f32(f32(x) / 2 ** inputBits);
  const gain = f32(2 ** gainBits * f32(Math.pow(f32(xf + f32(offset)), -f32(strength))));
  if (gain > 0x7fff) return 0x7fff;
  return Math.trunc(f32(gain + 0.5));
}

/**
 * Build the LUT. `inputCorrectionBits` says how far the filterbank output is scaled relative to
 * the noise estimate's fixed point (3 for a 512-point FFT).
 */
export function createPcan(
  strength: number,
  offset: number,
  gainBits: number,
  smoothingBits: number,
  inputCorrectionBits: number,
): PcanState {
  const inputBits = smoothingBits - inputCorrectionBits;
  const lut = new Int16Array(WIDE_DYNAMIC_FUNCTION_LUT_SIZE);
  const g = (x: number) => pcanGain(strength, offset, gainBits, inputBits, x);
  lut[0] = g(0);
  lut[1] = g(1);
  for (let interval = 2; interval <= WIDE_DYNAMIC_FUNCTION_BITS; interval++) {
    // Fit y = y0 + a1·t + a2·t² through t = 0, 1/2, 1 of the interval [2^(k-1), 2^k).
    const x0 = 2 ** (interval - 1);
    const x1 = x0 + x0 / 2;
    const x2 = interval === WIDE_DYNAMIC_FUNCTION_BITS ? x0 + (x0 - 1) : 2 * x0;
    const y0 = g(x0), y1 = g(x1), y2 = g(x2);
    const diff1 = y1 - y0, diff2 = y2 - y0;
    const a1 = 4 * diff1 - diff2;
    const a2 = diff2 - a1;
    const base = 4 * interval - 6;
    lut[base] = y0;
    lut[base + 1] = a1;
    lut[base + 2] = a2;
  }
  return { gainLut: lut, snrShift: gainBits - inputCorrectionBits - PCAN_SNR_BITS };
}

/** Gain for noise estimate `x` from the LUT (`WideDynamicFunction`), an int16. */
export function wideDynamicFunction(x: number, lut: Int16Array): number {
  if (x <= 2) return lut[x];
  const interval = msb32(x);
  const base = 4 * interval - 6;
  // The 10 bits below the leading one give the position inside the interval.
  const frac = (interval < 11 ? (x << (11 - interval)) : (x >>> (interval - 11))) & 0x3ff;
  let result = (lut[base + 2] * frac) >> 5;
  result = (result + (lut[base + 1] << 5)) | 0;
  result = Math.imul(result, frac);
  result = (result + (1 << 14)) >> 15;
  result += lut[base];
  return toInt16(result);
}

/** Compress an SNR (Q12) into the output range: quadratic near 0, linear above (`PcanShrink`). */
export function pcanShrink(x: number): number {
  if (x < 2 << PCAN_SNR_BITS) {
    return toUint32(Math.imul(x, x)) >>> (2 + 2 * PCAN_SNR_BITS - PCAN_OUTPUT_BITS);
  }
  return toUint32((x >>> (PCAN_SNR_BITS - PCAN_OUTPUT_BITS)) - (1 << PCAN_OUTPUT_BITS));
}

/** Apply the gain control in place, given the noise estimate of the noise-reduction stage. */
export function pcanApply(state: PcanState, noiseEstimate: Uint32Array, signal: Uint32Array): void {
  for (let i = 0; i < signal.length; i++) {
    const gain = toUint32(wideDynamicFunction(noiseEstimate[i], state.gainLut));
    const snr = toUint32(shr(signal[i] * gain, state.snrShift));
    signal[i] = pcanShrink(snr);
  }
}
