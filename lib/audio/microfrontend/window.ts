/**
 * Stage 1 — windowing (C: window.c / window_util.c).
 *
 * Samples are buffered until a full window is present; the window is multiplied by a
 * Hann window stored as Q12 integers, then the buffer slides by one hop.
 */
import { toInt16 } from "./bits.ts";
import type { FrontendVariant } from "./config.ts";

/** Fractional bits of the window coefficients (`kFrontendWindowBits`). */
export const WINDOW_BITS = 12;

/** Buffered samples and the windowed output of the latest full window. */
export interface WindowState {
  /** Window length in samples. */
  size: number;
  /** Hop in samples. */
  step: number;
  /** Hann window in Q12. */
  coefficients: Int16Array;
  /** Sample buffer (`size` long) and how much of it is filled. */
  input: Int16Array;
  inputUsed: number;
  /** Windowed samples of the latest full window. */
  output: Int16Array;
  /** max |output|, used to scale the FFT input up. */
  maxAbsOutput: number;
}

const f32 = Math.fround;

/** Round half to even, as numpy's `np.round`. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The Q12 Hann window `0.5 − 0.5·cos(2π(i + 0.5)/N)` exactly as TFLM builds it.
 * `"microfrontend"`: single precision, scaled by 4096, rounded half up (window_util.c).
 * `"signal"`: double precision, rounded half to even (window_op.py).
 */
export function hannWindowQ12(size: number, variant: FrontendVariant = "microfrontend"): Int16Array {
  const coefficients = new Int16Array(size);
  if (variant === "signal") {
    const arg = (Math.PI * 2) / size;
    for (let i = 0; i < size; i++) {
      coefficients[i] = roundHalfEven((0.5 - 0.5 * Math.cos(arg * (i + 0.5))) * (1 << WINDOW_BITS));
    }
    return coefficients;
  }
  const arg = f32(f32(f32(Math.PI) * 2) / size);
  for (let i = 0; i < size; i++) {
    const c = f32(Math.cos(f32(arg * (i + 0.5))));
    const value = f32(0.5 - f32(0.5 * c));
    coefficients[i] = Math.floor(f32(value * (1 << WINDOW_BITS) + 0.5));
  }
  return coefficients;
}

/** A fresh window stage for `sizeMs`/`stepMs` at `sampleRate` (sizes truncate like C ints). */
export function createWindowState(
  sizeMs: number,
  stepMs: number,
  sampleRate: number,
  variant: FrontendVariant = "microfrontend",
): WindowState {
  const size = Math.trunc((sizeMs * sampleRate) / 1000);
  const step = Math.trunc((stepMs * sampleRate) / 1000);
  return {
    size,
    step,
    coefficients: hannWindowQ12(size, variant),
    input: new Int16Array(size),
    inputUsed: 0,
    output: new Int16Array(size),
    maxAbsOutput: 0,
  };
}

/**
 * Feed samples from `samples[offset..]`. Copies at most what fits in the buffer.
 * Returns how many samples were read and whether a full window was produced (then
 * `state.output` holds it and the buffer has slid by one hop).
 */
export function windowProcessSamples(
  state: WindowState,
  samples: Int16Array,
  offset = 0,
): { read: number; ready: boolean } {
  const read = Math.max(0, Math.min(state.size - state.inputUsed, samples.length - offset));
  state.input.set(samples.subarray(offset, offset + read), state.inputUsed);
  state.inputUsed += read;
  if (state.inputUsed < state.size) return { read, ready: false };

  let maxAbs = 0;
  for (let i = 0; i < state.size; i++) {
    // (int32 sample * Q12 coefficient) >> 12, kept as int16.
    const v = toInt16((state.input[i] * state.coefficients[i]) >> WINDOW_BITS);
    state.output[i] = v;
    const a = v < 0 ? toInt16(-v) : v; // -(-32768) wraps to -32768 in int16, as in C
    if (a > maxAbs) maxAbs = a;
  }
  state.input.copyWithin(0, state.step, state.size);
  state.inputUsed -= state.step;
  state.maxAbsOutput = maxAbs;
  return { read, ready: true };
}

/** Clear the buffers (`WindowReset`). */
export function resetWindow(state: WindowState): void {
  state.input.fill(0);
  state.output.fill(0);
  state.inputUsed = 0;
  state.maxAbsOutput = 0;
}
