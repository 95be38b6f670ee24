/**
 * Stage 6 — integer natural log (C: log_scale.c / log_lut.c).
 *
 * log2(x) = integer part (position of the leading bit) + fraction; the fraction f of the
 * mantissa is refined with a 128-segment table of the correction log2(1+f) − f, linearly
 * interpolated. log2 is turned into ln by multiplying with ln 2 in Q16, then scaled by
 * 2^scaleShift.
 */
import { msb32, shr, toUint32 } from "./bits.ts";

export const LOG_SEGMENTS_LOG2 = 7;
export const LOG_SCALE_LOG2 = 16;
export const LOG_SCALE = 1 << LOG_SCALE_LOG2;
/** ln 2 in Q16 (45426). */
export const LOG_COEFF = Math.round(LOG_SCALE * Math.LN2);

/**
 * The correction table: round(2^16 · (log2(1 + i/128) − i/128)) for i = 0..128 (129 entries).
 * Computing it gives exactly TFLM's `kLogLut`.
 */
export function makeLogLut(): Uint16Array {
  const n = 1 << LOG_SEGMENTS_LOG2;
  const lut = new Uint16Array(n + 1);
  for (let i = 0; i <= n; i++) lut[i] = Math.round(LOG_SCALE * (Math.log2(1 + i / n) - i / n));
  return lut;
}

/** Settings of the log stage. */
export interface LogScaleState {
  enableLog: boolean;
  scaleShift: number;
  lut: Uint16Array;
}

/** The log stage with its correction table (`LogScalePopulateState`). */
export function createLogScale(enableLog: boolean, scaleShift: number): LogScaleState {
  return { enableLog, scaleShift, lut: makeLogLut() };
}

/** Fraction part of log2(x) in Q16, given its integer part `log2x` (`Log2FractionPart`). */
function log2Fraction(x: number, log2x: number, lut: Uint16Array): number {
  let frac = (x - 2 ** log2x) | 0;
  frac = log2x < LOG_SCALE_LOG2 ? frac << (LOG_SCALE_LOG2 - log2x) : frac >> (log2x - LOG_SCALE_LOG2);
  const seg = frac >> (LOG_SCALE_LOG2 - LOG_SEGMENTS_LOG2);
  const segUnit = LOG_SCALE >> LOG_SEGMENTS_LOG2;
  const c0 = lut[seg];
  const c1 = lut[seg + 1];
  const relPos = Math.imul(c1 - c0, frac - segUnit * seg) >> LOG_SCALE_LOG2;
  return toUint32(frac + c0 + relPos);
}

/** ln(x) · 2^scaleShift, rounded, for x ≥ 1 (`Log`). */
export function integerLog(x: number, scaleShift: number, lut: Uint16Array): number {
  const integer = msb32(x) - 1;
  const fraction = log2Fraction(x, integer, lut);
  const log2 = toUint32(integer * LOG_SCALE + fraction);
  const round = LOG_SCALE / 2;
  const loge = toUint32(shr(LOG_COEFF * log2 + round, LOG_SCALE_LOG2));
  return toUint32(shr(toUint32(loge * 2 ** scaleShift) + round, LOG_SCALE_LOG2));
}

/**
 * Log-compress each channel into uint16 (`LogScaleApply`). `correctionBits` undoes the FFT
 * size's scaling (3 for a 512-point FFT).
 */
export function logScaleApply(state: LogScaleState, signal: Uint32Array, correctionBits: number): Uint16Array {
  const out = new Uint16Array(signal.length);
  for (let i = 0; i < signal.length; i++) {
    let value = signal[i];
    if (state.enableLog) {
      value = correctionBits < 0 ? value >>> -correctionBits : toUint32(value * 2 ** correctionBits);
      value = value > 1 ? integerLog(value, state.scaleShift, state.lut) : 0;
    }
    out[i] = value < 0xffff ? value : 0xffff;
  }
  return out;
}
