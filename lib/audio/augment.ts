/**
 * Data augmentation for audio clips: noise at a chosen SNR, time shift, gain, background mix.
 *
 * All functions return new arrays of the input's type. Int16Array input is processed in floating
 * point and rounded and clipped back to int16; Float32Array output is clipped to [-1, 1] where a
 * function says it clips. Randomness comes from a seeded generator, so results are repeatable.
 */
import { mulberry32, randn, type Rng } from "../util/random.ts";

/** Audio as int16 PCM or float in [-1, 1]. */
export type AudioSamples = Float32Array | Int16Array;

/** Raised for inconsistent augmentation arguments. */
export class AugmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AugmentError";
  }
}

function like<T extends AudioSamples>(input: T, values: Float64Array, clip: boolean): T {
  if (input instanceof Int16Array) {
    const out = new Int16Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = Math.round(values[i]);
      out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    return out as T;
  }
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = clip ? Math.max(-1, Math.min(1, values[i])) : values[i];
  return out as T;
}

function energy(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}

/**
 * SNR in dB of `noisy` against the `clean` reference: 10·log10(Σclean² / Σ(noisy − clean)²).
 * @example
 * measureSnrDb(clean, addNoise(clean, 10, { seed: 1 })) // ≈ 10
 */
export function measureSnrDb(clean: ArrayLike<number>, noisy: ArrayLike<number>): number {
  if (clean.length !== noisy.length) throw new AugmentError(`lengths differ: ${clean.length} vs ${noisy.length}`);
  let n = 0;
  for (let i = 0; i < clean.length; i++) n += (noisy[i] - clean[i]) ** 2;
  return 10 * Math.log10(energy(clean) / n);
}

/** Options for `addNoise`. */
export interface AddNoiseOptions {
  /** Noise to add (looped if shorter); default white Gaussian noise. */
  noise?: AudioSamples;
  /** Seed for the noise / the start offset inside `noise` (default 0). */
  seed?: number;
  /** Or a generator to draw from (takes precedence over seed). */
  rng?: Rng;
}

/**
 * Add noise scaled so the signal-to-noise ratio is exactly `snrDb` (measured on these samples,
 * before the final rounding/clipping to the output type; float output is not clipped here).
 * @example
 * const noisy = addNoise(clip, 20, { seed: 42 });           // white noise, 20 dB SNR
 * const cafe = addNoise(clip, 5, { noise: cafeNoise, seed: 1 });
 */
export function addNoise<T extends AudioSamples>(signal: T, snrDb: number, options: AddNoiseOptions = {}): T {
  const rng = options.rng ?? mulberry32(options.seed ?? 0);
  const n = signal.length;
  const noise = new Float64Array(n);
  if (options.noise) {
    const src = options.noise;
    if (src.length === 0) throw new AugmentError("noise is empty; pass at least one sample");
    const start = Math.floor(rng() * src.length);
    for (let i = 0; i < n; i++) noise[i] = src[(start + i) % src.length];
  } else {
    for (let i = 0; i < n; i++) noise[i] = randn(rng);
  }
  const ps = energy(signal);
  const pn = energy(noise);
  if (ps === 0) return like(signal, Float64Array.from(signal), false); // silence has no SNR; leave it
  if (pn === 0) throw new AugmentError("noise is all zeros, so no SNR can be reached; pass real noise");
  const scale = Math.sqrt(ps / (pn * 10 ** (snrDb / 10)));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = signal[i] + scale * noise[i];
  return like(signal, out, false);
}

/**
 * Shift in time by `shift` samples, filling with zeros: positive delays (silence first), negative
 * advances. Length is kept.
 * @example
 * timeShift(clip, 1600) // 100 ms later at 16 kHz
 */
export function timeShift<T extends AudioSamples>(signal: T, shift: number): T {
  const s = Math.trunc(shift);
  const out = new Float64Array(signal.length);
  for (let i = 0; i < signal.length; i++) {
    const j = i - s;
    if (j >= 0 && j < signal.length) out[i] = signal[j];
  }
  return like(signal, out, false);
}

/**
 * Random shift uniformly in [−maxShift, maxShift] samples (Speech Commands style).
 * @example
 * randomTimeShift(clip, 1600, mulberry32(3))
 */
export function randomTimeShift<T extends AudioSamples>(signal: T, maxShift: number, rng: Rng): T {
  const m = Math.trunc(maxShift);
  return timeShift(signal, Math.floor(rng() * (2 * m + 1)) - m);
}

/**
 * Change the level by `gainDb` decibels, clipping to the valid range ([-1, 1] or int16).
 * @example
 * applyGain(clip, -6) // half the amplitude
 */
export function applyGain<T extends AudioSamples>(signal: T, gainDb: number): T {
  const g = 10 ** (gainDb / 20);
  const out = new Float64Array(signal.length);
  for (let i = 0; i < signal.length; i++) out[i] = signal[i] * g;
  return like(signal, out, true);
}

/** Options for `mixBackground`. */
export interface MixOptions {
  /** Linear volume of the background (Speech Commands uses up to 0.1). Default 0.1. */
  volume?: number;
  /** Where in the background to start; default random (needs seed/rng). */
  offset?: number;
  seed?: number;
  rng?: Rng;
}

/**
 * Add a segment of a (longer) background recording, scaled by `volume`, clipping the result.
 * The background is looped if shorter than the signal.
 * @example
 * mixBackground(clip, runningTap, { volume: 0.1, seed: 7 })
 */
export function mixBackground<T extends AudioSamples>(signal: T, background: AudioSamples, options: MixOptions = {}): T {
  if (background.length === 0) throw new AugmentError("background is empty; pass at least one sample");
  if (signal instanceof Int16Array !== background instanceof Int16Array) {
    throw new AugmentError("signal and background must both be Int16Array or both Float32Array; convert with int16ToFloat/floatToInt16");
  }
  const rng = options.rng ?? mulberry32(options.seed ?? 0);
  const volume = options.volume ?? 0.1;
  const start = options.offset ?? Math.floor(rng() * background.length);
  const out = new Float64Array(signal.length);
  for (let i = 0; i < signal.length; i++) out[i] = signal[i] + volume * background[(start + i) % background.length];
  return like(signal, out, true);
}
