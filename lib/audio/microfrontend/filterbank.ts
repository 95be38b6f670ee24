/**
 * Stage 3 — power spectrum, mel filterbank, square root (C: filterbank.c / filterbank_util.c).
 *
 * Triangular mel filters are stored as Q12 integer weights. Each FFT bin between two channel
 * centres contributes `weight` to the upper channel and `unweight` (= 1 − weight) to the lower
 * one, accumulated in 64-bit integers; the filterbank output is the (rounded) square root of
 * each channel's energy, shifted back down by the FFT input scaling.
 */
import type { ComplexInt16 } from "./kiss_fft_int16.ts";
import type { FrontendVariant } from "./config.ts";

/** Fractional bits of the filterbank weights (`kFilterbankBits`). */
export const FILTERBANK_BITS = 12;

/** Precomputed filterbank (weights and where each channel starts) plus its work buffer. */
export interface FilterbankState {
  numChannels: number;
  /** First FFT bin used (DC is always excluded). */
  startIndex: number;
  /** One past the last FFT bin used. */
  endIndex: number;
  /** For channel c (0..numChannels, the extra one is the top edge): first bin of its band. */
  channelStarts: Int16Array;
  /** Number of bins in each band. */
  channelWidths: Int16Array;
  /** Q12 weight of bin `channelStarts[c] + j` for channel c, at `weightStarts[c] + j`. */
  weightStarts: Int16Array;
  weights: Int16Array;
  unweights: Int16Array;
  /** Channel energies of the latest frame (index 0 is the band below channel 0, dropped). */
  work: Float64Array;
}

const f32 = Math.fround;

/** Hz → mel (1127·ln(1 + f/700)), rounded to single precision as the C code stores it. */
export function freqToMel(freq: number): number {
  return f32(1127.0 * Math.log1p(freq / 700.0));
}

/**
 * Build the filterbank for `numChannels` channels over [lower, upper] Hz, for an FFT with
 * `spectrumSize` bins (fftSize/2 + 1). Floating-point steps follow the C code's float/double
 * mix so the integer weights come out identical. Weights are rounded to nearest
 * (`"microfrontend"`) or truncated (`"signal"`, as filter_bank_ops.py does).
 */
export function createFilterbank(
  numChannels: number,
  lowerBandLimit: number,
  upperBandLimit: number,
  sampleRate: number,
  spectrumSize: number,
  variant: FrontendVariant = "microfrontend",
): FilterbankState {
  const n1 = numChannels + 1;
  const lower = f32(lowerBandLimit);
  const upper = f32(upperBandLimit);
  // Mel-spaced centres of the n1 band edges above the lowest limit.
  const melLow = freqToMel(lower);
  const melHi = freqToMel(upper);
  const melSpacing = f32(f32(melHi - melLow) / n1);
  const centers = new Float32Array(n1);
  for (let i = 0; i < n1; i++) centers[i] = f32(melLow + f32(melSpacing * (i + 1)));

  const hzPerBin = f32((0.5 * sampleRate) / (spectrumSize - 1));
  const startIndex = Math.trunc(1.5 + f32(lower / hzPerBin));

  const starts = new Int16Array(n1);
  const widths = new Int16Array(n1);
  let bin = startIndex;
  for (let c = 0; c < n1; c++) {
    const first = bin;
    while (freqToMel(f32(bin * hzPerBin)) <= centers[c]) bin++;
    starts[c] = first;
    widths[c] = bin - first;
  }

  // Weights are laid out back to back; the C library pads each band to blocks of 4 for speed,
  // which changes nothing numerically, so here every band simply gets `width` slots.
  const weightStarts = new Int16Array(n1);
  let total = 0;
  for (let c = 0; c < n1; c++) {
    weightStarts[c] = total;
    total += widths[c];
  }
  const weights = new Int16Array(total);
  const unweights = new Int16Array(total);
  let endIndex = 0;
  for (let c = 0; c < n1; c++) {
    const lowerEdge = c === 0 ? melLow : centers[c - 1];
    for (let j = 0; j < widths[c]; j++) {
      const f = starts[c] + j;
      const w = f32(f32(centers[c] - freqToMel(f32(f * hzPerBin))) / f32(centers[c] - lowerEdge));
      const k = weightStarts[c] + j;
      if (variant === "signal") {
        weights[k] = Math.trunc(w * (1 << FILTERBANK_BITS));
        unweights[k] = Math.trunc(f32(1 - w) * (1 << FILTERBANK_BITS));
      } else {
        weights[k] = Math.floor(w * (1 << FILTERBANK_BITS) + 0.5);
        unweights[k] = Math.floor((1.0 - w) * (1 << FILTERBANK_BITS) + 0.5);
      }
    }
    endIndex = Math.max(endIndex, starts[c] + widths[c]);
  }
  if (endIndex >= spectrumSize) {
    throw new RangeError(
      `filterbank upper limit ${upperBandLimit} Hz needs bin ${endIndex}, but the FFT has only ` +
        `${spectrumSize} bins; lower upperBandLimit below sampleRate/2`,
    );
  }
  return {
    numChannels,
    startIndex,
    endIndex,
    channelStarts: starts,
    channelWidths: widths,
    weightStarts,
    weights,
    unweights,
    work: new Float64Array(n1),
  };
}

/**
 * |X[k]|² of the bins the filterbank uses (others stay 0), as uint32
 * (`FilterbankConvertFftComplexToEnergy`). C passes it through an int32, so the one input that
 * overflows (re = im = −32768) would differ there; the FFT's per-stage scaling never produces it.
 */
export function fftEnergy(state: FilterbankState, fft: ComplexInt16, energy: Float64Array): void {
  energy.fill(0);
  for (let i = state.startIndex; i < state.endIndex; i++) {
    const re = fft.re[i], im = fft.im[i];
    energy[i] = (re * re + im * im) >>> 0;
  }
}

/**
 * Accumulate bin energies into the n+1 band accumulators (`FilterbankAccumulateChannels`).
 * Sums stay far below 2^53, so doubles hold the C code's uint64 values exactly.
 */
export function accumulateChannels(state: FilterbankState, energy: Float64Array): void {
  let weighted = 0;
  let unweighted = 0;
  for (let c = 0; c <= state.numChannels; c++) {
    const s = state.channelStarts[c];
    const w0 = state.weightStarts[c];
    for (let j = 0; j < state.channelWidths[c]; j++) {
      const e = energy[s + j];
      weighted += state.weights[w0 + j] * e;
      unweighted += state.unweights[w0 + j] * e;
    }
    state.work[c] = weighted;
    // What a band leaves over (1 − weight) belongs to the next channel.
    weighted = unweighted;
    unweighted = 0;
  }
}

/**
 * Integer square root rounded to nearest, with the C library's caps: values below 2^32 go
 * through its 32-bit routine, whose result saturates at 0xFFFF (`Sqrt32`/`Sqrt64`).
 */
export function roundedSqrt(num: number): number {
  if (num === 0) return 0;
  let r = Math.floor(Math.sqrt(num));
  while (r * r > num) r--;
  while ((r + 1) * (r + 1) <= num) r++;
  const cap = num < 4294967296 ? 0xffff : 0xffffffff;
  if (num - r * r > r && r !== cap) r++;
  return r;
}

/**
 * Square root of each channel's energy, shifted right by the FFT's input up-scaling
 * (`FilterbankSqrt`). Returns uint32 values in a new array.
 */
export function filterbankSqrt(state: FilterbankState, scaleDownShift: number): Uint32Array {
  const out = new Uint32Array(state.numChannels);
  for (let c = 0; c < state.numChannels; c++) {
    out[c] = roundedSqrt(state.work[c + 1]) >>> scaleDownShift;
  }
  return out;
}
