/**
 * Band-limited sample-rate conversion with a Kaiser-windowed sinc filter.
 *
 * Each output sample is a weighted sum of the input around its position; the weights are a
 * low-pass sinc whose cutoff sits just below the lower of the two Nyquist frequencies, so
 * downsampling does not fold high frequencies back into the audio band (aliasing).
 */

/** Bad resampling arguments (non-positive rates). */
export class ResampleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResampleError";
  }
}

/** Options for `resample`. */
export interface ResampleOptions {
  /** Zero crossings of the sinc on each side: longer = sharper cutoff, slower (default 24). */
  zeroCrossings?: number;
  /** Cutoff as a fraction of the lower Nyquist frequency (default 0.94). */
  rolloff?: number;
  /** Kaiser window β: larger = deeper stopband, wider transition (default 9, about −90 dB). */
  kaiserBeta?: number;
}

/** Modified Bessel function of the first kind, order 0 (series; converges fast for β ≤ 20). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 60; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

const TABLE_STEPS = 512; // kernel samples per zero crossing; linear interpolation in between

function kernelTable(zeroCrossings: number, beta: number): Float64Array {
  const n = zeroCrossings * TABLE_STEPS;
  const table = new Float64Array(n + 2);
  const i0b = besselI0(beta);
  for (let i = 0; i <= n; i++) {
    const u = i / TABLE_STEPS; // in zero crossings
    const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
    const r = u / zeroCrossings;
    table[i] = sinc * (besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0b);
  }
  return table; // table[n + 1] stays 0 for interpolation past the end
}

/**
 * Convert `samples` from `fromRate` to `toRate` Hz. Output length is round(n · toRate / fromRate).
 * @example
 * const x16k = resample(x44k, 44100, 16000);
 */
export function resample(samples: Float32Array, fromRate: number, toRate: number, options: ResampleOptions = {}): Float32Array {
  if (!(fromRate > 0) || !(toRate > 0)) {
    throw new ResampleError(`resample: rates must be positive, got ${fromRate} → ${toRate}; pass rates in Hz, e.g. 44100, 16000`);
  }
  if (fromRate === toRate) return samples.slice();
  const zeros = options.zeroCrossings ?? 24;
  const rolloff = options.rolloff ?? 0.94;
  const beta = options.kaiserBeta ?? 9;
  const ratio = toRate / fromRate;
  // Cutoff in cycles per input sample ×2 (1 = input Nyquist).
  const fc = Math.min(1, ratio) * rolloff;
  const table = kernelTable(zeros, beta);
  const half = zeros / fc; // kernel half-width in input samples
  const outLen = Math.round(samples.length * ratio);
  const out = new Float32Array(outLen);
  for (let n = 0; n < outLen; n++) {
    const t = n / ratio; // position in input samples
    const lo = Math.max(0, Math.ceil(t - half));
    const hi = Math.min(samples.length - 1, Math.floor(t + half));
    let acc = 0;
    for (let k = lo; k <= hi; k++) {
      const pos = Math.abs(t - k) * fc * TABLE_STEPS;
      const i = Math.floor(pos);
      const frac = pos - i;
      const w = table[i] + (table[i + 1] - table[i]) * frac;
      acc += samples[k] * w;
    }
    out[n] = acc * fc;
  }
  return out;
}
