/**
 * Stage 4 — noise reduction (C: noise_reduction.c / noise_reduction_util.c).
 *
 * Each channel keeps a slowly moving estimate of its noise floor (an exponential moving
 * average with a different rate for even and odd channels) and subtracts it from the signal,
 * never going below `minSignalRemaining` of the signal.
 */
import { shr, toUint32 } from "./bits.ts";

/** Fractional bits of the smoothing coefficients (`kNoiseReductionBits`). */
export const NOISE_REDUCTION_BITS = 14;

/** Coefficients (Q14) and the per-channel noise estimate. */
export interface NoiseReductionState {
  smoothingBits: number;
  evenSmoothing: number;
  oddSmoothing: number;
  minSignalRemaining: number;
  /** Noise estimate per channel, scaled up by 2^smoothingBits (uint32). */
  estimate: Uint32Array;
}

/** Build the stage; float coefficients are truncated to Q14 as the C code's uint16 fields are. */
export function createNoiseReduction(
  numChannels: number,
  smoothingBits: number,
  evenSmoothing: number,
  oddSmoothing: number,
  minSignalRemaining: number,
): NoiseReductionState {
  const q14 = (x: number) => Math.trunc(Math.fround(Math.fround(x) * (1 << NOISE_REDUCTION_BITS)));
  return {
    smoothingBits,
    evenSmoothing: q14(evenSmoothing),
    oddSmoothing: q14(oddSmoothing),
    minSignalRemaining: q14(minSignalRemaining),
    estimate: new Uint32Array(numChannels),
  };
}

/** Update the noise estimate and subtract it from `signal`, in place (`NoiseReductionApply`). */
export function noiseReductionApply(state: NoiseReductionState, signal: Uint32Array): void {
  const one = 1 << NOISE_REDUCTION_BITS;
  for (let i = 0; i < signal.length; i++) {
    const smoothing = (i & 1) === 0 ? state.evenSmoothing : state.oddSmoothing;
    const scaledUp = toUint32(signal[i] * 2 ** state.smoothingBits);
    let estimate = toUint32(
      shr(scaledUp * smoothing + state.estimate[i] * (one - smoothing), NOISE_REDUCTION_BITS),
    );
    state.estimate[i] = estimate;
    if (estimate > scaledUp) estimate = scaledUp; // keep signal − estimate non-negative
    const floor = toUint32(shr(signal[i] * state.minSignalRemaining, NOISE_REDUCTION_BITS));
    const subtracted = (scaledUp - estimate) >>> state.smoothingBits;
    signal[i] = subtracted > floor ? subtracted : floor;
  }
}

/** Forget the noise estimate (`NoiseReductionReset`). */
export function resetNoiseReduction(state: NoiseReductionState): void {
  state.estimate.fill(0);
}
