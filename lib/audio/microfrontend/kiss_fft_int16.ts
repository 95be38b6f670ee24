/**
 * Stage 2 — the FFT, as KISS FFT v1.3.0 computes it with 16-bit fixed point (FIXED_POINT=16),
 * which is what TFLM's microfrontend links (kiss_fft_int16.cc).
 *
 * Why reproduce it instead of using a float FFT: the fixed-point KISS FFT divides by the radix
 * at every butterfly stage (multiply by 32767/radix with rounding) and works in int16 with
 * wrap-around, so its output is a specific integer approximation of X[k]/N. Bit-exact features
 * need exactly those integers.
 *
 * Only power-of-two sizes are supported (radix 4 stages, then one radix 2 stage if needed),
 * which covers every size the microfrontend makes (it rounds the window up to a power of 2).
 */
import { toInt16 } from "./bits.ts";

const SAMP_MAX = 32767;

/** Complex int16 vectors stored as separate real and imaginary arrays. */
export interface ComplexInt16 {
  re: Int16Array;
  im: Int16Array;
}

/** Precomputed tables for a real-input FFT of `nfft` points (`kiss_fftr_alloc`). */
export interface KissFftrState {
  /** Real FFT length. */
  nfft: number;
  /** Complex FFT length used inside (nfft / 2). */
  ncfft: number;
  /** Radix factors of ncfft, e.g. [4, 4, 4, 4] for 256. */
  factors: number[];
  /** Twiddles of the inner complex FFT, Q15. */
  twiddles: ComplexInt16;
  /** Twiddles of the real-FFT post-processing step, Q15. */
  superTwiddles: ComplexInt16;
  /** Scratch for the inner complex FFT output. */
  tmp: ComplexInt16;
}

/** (x + 2^14) >> 15, then stored as int16: KISS's `sround`. `x` is wrapped to int32 first. */
function sround(x: number): number {
  return toInt16(((x | 0) + (1 << 14)) >> 15);
}

/** KISS's `DIVSCALAR`: x * (32767 / k) in Q15 — slightly less than x / k. */
function divScalar(x: number, k: number): number {
  return sround(x * Math.trunc(SAMP_MAX / k));
}

/** Q15 cos/sin of `phase`, rounded half up (`kf_cexp` in fixed point). */
function cexpQ15(phase: number): [number, number] {
  return [Math.floor(0.5 + SAMP_MAX * Math.cos(phase)), Math.floor(0.5 + SAMP_MAX * Math.sin(phase))];
}

/** Radix factors the way kf_factor picks them for a power of two: 4s first, then a 2. */
function factorPow2(n: number): number[] {
  const factors: number[] = [];
  while (n % 4 === 0 && n > 1) {
    factors.push(4);
    n /= 4;
  }
  if (n === 2) {
    factors.push(2);
    n = 1;
  }
  if (n !== 1) throw new RangeError(`FFT size must be a power of two, got a factor ${n}`);
  return factors;
}

/**
 * Build a forward real FFT of `nfft` points (a power of two, at least 4).
 * @example
 * const fft = createKissFftr(512);
 */
export function createKissFftr(nfft: number): KissFftrState {
  if (nfft < 4 || (nfft & (nfft - 1)) !== 0) {
    throw new RangeError(`createKissFftr: nfft must be a power of two >= 4, got ${nfft}`);
  }
  const ncfft = nfft / 2;
  const twiddles = { re: new Int16Array(ncfft), im: new Int16Array(ncfft) };
  for (let i = 0; i < ncfft; i++) {
    const phase = (-2 * Math.PI * i) / ncfft;
    [twiddles.re[i], twiddles.im[i]] = cexpQ15(phase);
  }
  const half = ncfft / 2;
  const superTwiddles = { re: new Int16Array(half), im: new Int16Array(half) };
  for (let i = 0; i < half; i++) {
    const phase = -Math.PI * ((i + 1) / ncfft + 0.5);
    [superTwiddles.re[i], superTwiddles.im[i]] = cexpQ15(phase);
  }
  return {
    nfft,
    ncfft,
    factors: factorPow2(ncfft),
    twiddles,
    superTwiddles,
    tmp: { re: new Int16Array(ncfft), im: new Int16Array(ncfft) },
  };
}

/** Radix-2 butterfly over `m` pairs starting at `o` (kf_bfly2). */
function butterfly2(st: KissFftrState, out: ComplexInt16, o: number, fstride: number, m: number): void {
  const { re, im } = out;
  const tw = st.twiddles;
  for (let k = 0; k < m; k++) {
    const a = o + k, b = o + k + m;
    re[a] = divScalar(re[a], 2); im[a] = divScalar(im[a], 2);
    re[b] = divScalar(re[b], 2); im[b] = divScalar(im[b], 2);
    const w = k * fstride;
    const tr = sround(re[b] * tw.re[w] - im[b] * tw.im[w]);
    const ti = sround(re[b] * tw.im[w] + im[b] * tw.re[w]);
    re[b] = toInt16(re[a] - tr); im[b] = toInt16(im[a] - ti);
    re[a] = toInt16(re[a] + tr); im[a] = toInt16(im[a] + ti);
  }
}

/** Radix-4 butterfly over `m` quadruples starting at `o` (kf_bfly4, forward direction). */
function butterfly4(st: KissFftrState, out: ComplexInt16, o: number, fstride: number, m: number): void {
  const { re, im } = out;
  const tw = st.twiddles;
  for (let k = 0; k < m; k++) {
    const i0 = o + k, i1 = i0 + m, i2 = i0 + 2 * m, i3 = i0 + 3 * m;
    re[i0] = divScalar(re[i0], 4); im[i0] = divScalar(im[i0], 4);
    re[i1] = divScalar(re[i1], 4); im[i1] = divScalar(im[i1], 4);
    re[i2] = divScalar(re[i2], 4); im[i2] = divScalar(im[i2], 4);
    re[i3] = divScalar(re[i3], 4); im[i3] = divScalar(im[i3], 4);
    const w1 = k * fstride, w2 = 2 * k * fstride, w3 = 3 * k * fstride;
    // scratch0..2 = the three non-trivial inputs times their twiddles
    const s0r = sround(re[i1] * tw.re[w1] - im[i1] * tw.im[w1]);
    const s0i = sround(re[i1] * tw.im[w1] + im[i1] * tw.re[w1]);
    const s1r = sround(re[i2] * tw.re[w2] - im[i2] * tw.im[w2]);
    const s1i = sround(re[i2] * tw.im[w2] + im[i2] * tw.re[w2]);
    const s2r = sround(re[i3] * tw.re[w3] - im[i3] * tw.im[w3]);
    const s2i = sround(re[i3] * tw.im[w3] + im[i3] * tw.re[w3]);
    const s5r = toInt16(re[i0] - s1r), s5i = toInt16(im[i0] - s1i);
    re[i0] = toInt16(re[i0] + s1r); im[i0] = toInt16(im[i0] + s1i);
    const s3r = toInt16(s0r + s2r), s3i = toInt16(s0i + s2i);
    const s4r = toInt16(s0r - s2r), s4i = toInt16(s0i - s2i);
    re[i2] = toInt16(re[i0] - s3r); im[i2] = toInt16(im[i0] - s3i);
    re[i0] = toInt16(re[i0] + s3r); im[i0] = toInt16(im[i0] + s3i);
    re[i1] = toInt16(s5r + s4i); im[i1] = toInt16(s5i - s4r);
    re[i3] = toInt16(s5r - s4i); im[i3] = toInt16(s5i + s4r);
  }
}

/**
 * Decimation-in-time recursion (kf_work): scatter the input into `out` in digit-reversed
 * order through the recursion, then combine with butterflies on the way back up.
 */
function work(
  st: KissFftrState,
  out: ComplexInt16,
  o: number,
  input: ComplexInt16,
  i: number,
  fstride: number,
  stage: number,
): void {
  const p = st.factors[stage];
  const m = st.ncfft / (fstride * p);
  if (m === 1) {
    for (let q = 0; q < p; q++) {
      out.re[o + q] = input.re[i + q * fstride];
      out.im[o + q] = input.im[i + q * fstride];
    }
  } else {
    for (let q = 0; q < p; q++) work(st, out, o + q * m, input, i + q * fstride, fstride * p, stage + 1);
  }
  if (p === 4) butterfly4(st, out, o, fstride, m);
  else butterfly2(st, out, o, fstride, m);
}

/**
 * Forward real FFT of `timedata` (nfft int16 samples) into `freq` (nfft/2 + 1 bins), exactly as
 * `kiss_fftr` with FIXED_POINT=16. The result approximates X[k] / nfft.
 */
export function kissFftr(st: KissFftrState, timedata: Int16Array, freq: ComplexInt16): void {
  const n = st.ncfft;
  // Pack the real signal as n complex values: even samples real, odd samples imaginary.
  const packed = { re: new Int16Array(n), im: new Int16Array(n) };
  for (let k = 0; k < n; k++) {
    packed.re[k] = timedata[2 * k];
    packed.im[k] = timedata[2 * k + 1];
  }
  const t = st.tmp;
  work(st, t, 0, packed, 0, 1, 0);

  // Split the two interleaved spectra and recombine (the real-FFT "super twiddle" step).
  const dcr = divScalar(t.re[0], 2), dci = divScalar(t.im[0], 2);
  freq.re[0] = toInt16(dcr + dci);
  freq.re[n] = toInt16(dcr - dci);
  freq.im[0] = 0;
  freq.im[n] = 0;
  const sw = st.superTwiddles;
  for (let k = 1; k <= n / 2; k++) {
    const fpkr = divScalar(t.re[k], 2), fpki = divScalar(t.im[k], 2);
    const fpnkr = divScalar(t.re[n - k], 2), fpnki = divScalar(toInt16(-t.im[n - k]), 2);
    const f1r = toInt16(fpkr + fpnkr), f1i = toInt16(fpki + fpnki);
    const f2r = toInt16(fpkr - fpnkr), f2i = toInt16(fpki - fpnki);
    const twr = sround(f2r * sw.re[k - 1] - f2i * sw.im[k - 1]);
    const twi = sround(f2r * sw.im[k - 1] + f2i * sw.re[k - 1]);
    freq.re[k] = toInt16((f1r + twr) >> 1);
    freq.im[k] = toInt16((f1i + twi) >> 1);
    freq.re[n - k] = toInt16((f1r - twr) >> 1);
    freq.im[n - k] = toInt16((twi - f1i) >> 1);
  }
}
