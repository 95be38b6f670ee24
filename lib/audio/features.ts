/**
 * Floating-point audio features: STFT magnitude, (log-)mel spectrogram, MFCC.
 *
 * These are the "textbook" counterparts of the integer microfrontend: good for exploring data
 * and training, configurable, and easy to compare with librosa / tf.signal.
 */

/** Raised when feature options are inconsistent; the message says which option to change. */
export class FeatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FeatureError";
  }
}

/** A time × frequency matrix, row-major (`data[frame * bins + bin]`). */
export interface Spectrogram {
  frames: number;
  bins: number;
  data: Float32Array;
}

/** Window shapes for framing. */
export type WindowKind = "hann" | "hamming" | "rectangular";

/**
 * A periodic window of `length` samples (periodic = suited to STFT, as tf.signal / librosa use).
 * @example
 * makeWindow("hann", 480)
 */
export function makeWindow(kind: WindowKind, length: number): Float32Array {
  const w = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const c = Math.cos((2 * Math.PI * i) / length);
    w[i] = kind === "hann" ? 0.5 - 0.5 * c : kind === "hamming" ? 0.54 - 0.46 * c : 1;
  }
  return w;
}

/**
 * In-place iterative radix-2 complex FFT (forward, unnormalised). Length must be a power of 2.
 */
export function fftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n === 0 || (n & (n - 1)) !== 0) throw new FeatureError(`FFT length must be a power of two, got ${n}`);
  // Bit-reversal permutation.
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i], ti = im[i];
      re[i] = re[j];
      im[i] = im[j];
      re[j] = tr;
      im[j] = ti;
    }
  }
  // Twiddles e^(−2πik/n) for k < n/2; a stage of size s uses every (n/s)-th one.
  const half = n >> 1;
  const cos = new Float64Array(half), sin = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = -Math.sin((2 * Math.PI * k) / n);
  }
  for (let size = 2; size <= n; size <<= 1) {
    const halfSize = size >> 1;
    const stride = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < halfSize; k++) {
        const wr = cos[k * stride], wi = sin[k * stride];
        const a = start + k, b = a + halfSize;
        const tr = re[b] * wr - im[b] * wi;
        const ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

/** Options for `stft`. */
export interface StftOptions {
  /** Samples per frame (e.g. 480 = 30 ms at 16 kHz). */
  frameLength: number;
  /** Samples between frame starts (e.g. 320 = 20 ms). */
  hopLength: number;
  /** FFT size, a power of two ≥ frameLength (default: the next power of two). */
  fftLength?: number;
  /** Window (default "hann"). */
  window?: WindowKind;
  /** Return |X|² instead of |X| (default false). */
  power?: boolean;
}

/**
 * Short-time Fourier transform magnitude (or power). Frames start at 0, hop by hopLength, and only
 * whole frames are used (like tf.signal.stft without padding): frames = 1 + ⌊(n − frameLength)/hop⌋.
 * @example
 * const spec = stft(x, { frameLength: 480, hopLength: 320 }); // 49 × 257 for 1 s at 16 kHz
 */
export function stft(samples: Float32Array, options: StftOptions): Spectrogram {
  const { frameLength, hopLength } = options;
  if (!(frameLength > 0) || !(hopLength > 0)) {
    throw new FeatureError(`frameLength and hopLength must be positive, got ${frameLength}, ${hopLength}`);
  }
  let fftLength = options.fftLength ?? 1;
  if (options.fftLength === undefined) while (fftLength < frameLength) fftLength <<= 1;
  if (fftLength < frameLength || (fftLength & (fftLength - 1)) !== 0) {
    throw new FeatureError(`fftLength must be a power of two ≥ frameLength (${frameLength}), got ${fftLength}`);
  }
  const win = makeWindow(options.window ?? "hann", frameLength);
  const frames = samples.length < frameLength ? 0 : 1 + Math.floor((samples.length - frameLength) / hopLength);
  const bins = fftLength / 2 + 1;
  const data = new Float32Array(frames * bins);
  const re = new Float64Array(fftLength);
  const im = new Float64Array(fftLength);
  for (let f = 0; f < frames; f++) {
    re.fill(0);
    im.fill(0);
    const start = f * hopLength;
    for (let i = 0; i < frameLength; i++) re[i] = samples[start + i] * win[i];
    fftInPlace(re, im);
    for (let k = 0; k < bins; k++) {
      const p = re[k] * re[k] + im[k] * im[k];
      data[f * bins + k] = options.power ? p : Math.sqrt(p);
    }
  }
  return { frames, bins, data };
}

/** Hz → mel, HTK formula 2595·log10(1 + f/700). */
export function hzToMel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

/** mel → Hz (inverse of hzToMel). */
export function melToHz(mel: number): number {
  return 700 * (10 ** (mel / 2595) - 1);
}

/** Options for `melFilterbank`. */
export interface MelOptions {
  sampleRate: number;
  /** FFT size the spectrogram was made with. */
  fftLength: number;
  /** Number of mel bands (default 40). */
  numMels?: number;
  /** Lowest band edge in Hz (default 20). */
  fMin?: number;
  /** Highest band edge in Hz (default sampleRate / 2). */
  fMax?: number;
}

/**
 * Triangular mel filters (HTK-style, peak 1), as a numMels × (fftLength/2 + 1) matrix.
 * @example
 * const fb = melFilterbank({ sampleRate: 16000, fftLength: 512, numMels: 40, fMin: 125, fMax: 7500 });
 */
export function melFilterbank(options: MelOptions): Spectrogram {
  const numMels = options.numMels ?? 40;
  const fMin = options.fMin ?? 20;
  const fMax = options.fMax ?? options.sampleRate / 2;
  if (!(fMin >= 0 && fMax > fMin && fMax <= options.sampleRate / 2)) {
    throw new FeatureError(`need 0 ≤ fMin < fMax ≤ sampleRate/2, got fMin ${fMin}, fMax ${fMax}, sampleRate ${options.sampleRate}`);
  }
  const bins = options.fftLength / 2 + 1;
  const melLo = hzToMel(fMin), melHi = hzToMel(fMax);
  const edges = Array.from({ length: numMels + 2 }, (_, i) => melToHz(melLo + ((melHi - melLo) * i) / (numMels + 1)));
  const data = new Float32Array(numMels * bins);
  for (let m = 0; m < numMels; m++) {
    const [l, c, r] = [edges[m], edges[m + 1], edges[m + 2]];
    for (let k = 0; k < bins; k++) {
      const hz = (k * options.sampleRate) / options.fftLength;
      const w = hz <= l || hz >= r ? 0 : hz <= c ? (hz - l) / (c - l) : (r - hz) / (r - c);
      data[m * bins + k] = w;
    }
  }
  return { frames: numMels, bins, data };
}

/** Options for `logMelSpectrogram`. */
export interface LogMelOptions extends StftOptions, Omit<MelOptions, "fftLength"> {
  /** Added before the log to avoid log(0) (default 1e-6). */
  epsilon?: number;
}

/**
 * log(mel energies + ε) per frame: frames × numMels. Uses the power spectrum unless
 * `power: false` is given explicitly.
 * @example
 * const lm = logMelSpectrogram(x, { sampleRate: 16000, frameLength: 480, hopLength: 320, numMels: 40 });
 */
export function logMelSpectrogram(samples: Float32Array, options: LogMelOptions): Spectrogram {
  const spec = stft(samples, { ...options, power: options.power ?? true });
  const fftLength = (spec.bins - 1) * 2;
  const fb = melFilterbank({ ...options, fftLength });
  const eps = options.epsilon ?? 1e-6;
  const out = new Float32Array(spec.frames * fb.frames);
  for (let f = 0; f < spec.frames; f++) {
    for (let m = 0; m < fb.frames; m++) {
      let acc = 0;
      for (let k = 0; k < spec.bins; k++) acc += fb.data[m * spec.bins + k] * spec.data[f * spec.bins + k];
      out[f * fb.frames + m] = Math.log(acc + eps);
    }
  }
  return { frames: spec.frames, bins: fb.frames, data: out };
}

/**
 * DCT-II of `input`, first `numOut` coefficients. `ortho` (default true) scales so the full
 * transform is orthonormal (energy preserving), like scipy's `norm="ortho"`.
 */
export function dct2(input: ArrayLike<number>, numOut = input.length, ortho = true): Float64Array {
  const n = input.length;
  const out = new Float64Array(numOut);
  for (let k = 0; k < numOut; k++) {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += input[i] * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * n));
    out[k] = ortho ? acc * Math.sqrt((k === 0 ? 1 : 2) / n) : 2 * acc;
  }
  return out;
}

/** Options for `mfcc`. */
export interface MfccOptions extends LogMelOptions {
  /** Cepstral coefficients kept per frame (default 13). */
  numCoefficients?: number;
}

/**
 * Mel-frequency cepstral coefficients: orthonormal DCT-II of each log-mel frame.
 * @example
 * const c = mfcc(x, { sampleRate: 16000, frameLength: 480, hopLength: 320, numMels: 40, numCoefficients: 13 });
 */
export function mfcc(samples: Float32Array, options: MfccOptions): Spectrogram {
  const lm = logMelSpectrogram(samples, options);
  const nc = options.numCoefficients ?? 13;
  if (nc > lm.bins) throw new FeatureError(`numCoefficients (${nc}) cannot exceed numMels (${lm.bins})`);
  const data = new Float32Array(lm.frames * nc);
  for (let f = 0; f < lm.frames; f++) {
    data.set(dct2(lm.data.subarray(f * lm.bins, (f + 1) * lm.bins), nc), f * nc);
  }
  return { frames: lm.frames, bins: nc, data };
}
