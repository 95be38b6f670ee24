import { describe, expect, test } from "vitest";
import * as tf from "@tensorflow/tfjs";
import {
  dct2,
  FeatureError,
  fftInPlace,
  hzToMel,
  logMelSpectrogram,
  makeWindow,
  melFilterbank,
  melToHz,
  mfcc,
  stft,
} from "../../lib/audio/features.ts";
import { mulberry32, randn } from "../../lib/util/random.ts";

function noise(n: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => randn(rng) * 0.1);
}

describe("FFT and STFT", () => {
  test("fftInPlace equals a direct DFT", () => {
    const n = 64;
    const x = noise(n, 1);
    const re = Float64Array.from(x), im = new Float64Array(n);
    fftInPlace(re, im);
    for (let k = 0; k < n; k++) {
      let r = 0, i = 0;
      for (let t = 0; t < n; t++) {
        r += x[t] * Math.cos((2 * Math.PI * k * t) / n);
        i -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
      }
      expect(re[k]).toBeCloseTo(r, 9);
      expect(im[k]).toBeCloseTo(i, 9);
    }
    expect(() => fftInPlace(new Float64Array(6), new Float64Array(6))).toThrow(FeatureError);
  });

  test("STFT magnitude matches tf.signal.stft (hann, 480/320, fft 512)", () => {
    const x = noise(16000, 2);
    const ours = stft(x, { frameLength: 480, hopLength: 320 });
    expect([ours.frames, ours.bins]).toEqual([49, 257]);
    const theirs = tf.tidy(() => tf.abs(tf.signal.stft(tf.tensor1d(x), 480, 320, 512)).dataSync());
    expect(theirs.length).toBe(49 * 257);
    let maxErr = 0, maxMag = 0;
    for (let i = 0; i < theirs.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(theirs[i] - ours.data[i]));
      maxMag = Math.max(maxMag, theirs[i]);
    }
    expect(maxErr / maxMag).toBeLessThan(1e-4);
  }, 30_000);

  test("a 1 kHz tone peaks in bin 32 of a 512-point STFT at 16 kHz; power = magnitude²", () => {
    const x = Float32Array.from({ length: 4000 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 16000));
    const mag = stft(x, { frameLength: 512, hopLength: 256 });
    const pow = stft(x, { frameLength: 512, hopLength: 256, power: true });
    const row = Array.from(mag.data.subarray(3 * mag.bins, 4 * mag.bins));
    expect(row.indexOf(Math.max(...row))).toBe(32);
    expect(pow.data[3 * mag.bins + 32]).toBeCloseTo(mag.data[3 * mag.bins + 32] ** 2, 0);
    expect(stft(new Float32Array(100), { frameLength: 480, hopLength: 320 }).frames).toBe(0);
    expect(() => stft(x, { frameLength: 480, hopLength: 320, fftLength: 300 })).toThrow(/power of two/);
  });

  test("windows: periodic hann/hamming, rectangular", () => {
    const h = makeWindow("hann", 8);
    expect(h[0]).toBe(0);
    expect(h[4]).toBeCloseTo(1, 6);
    expect(makeWindow("hamming", 8)[0]).toBeCloseTo(0.08, 6);
    expect(Array.from(makeWindow("rectangular", 3))).toEqual([1, 1, 1]);
  });
});

describe("mel, log-mel, MFCC", () => {
  test("hz↔mel round trip; 1000 Hz ≈ 1000 mel", () => {
    for (const f of [0, 125, 1000, 7500]) expect(melToHz(hzToMel(f))).toBeCloseTo(f, 6);
    expect(hzToMel(1000)).toBeCloseTo(1000, 0);
  });

  test("filterbank: triangles with peaks ≤ 1 at increasing frequencies, covering [fMin, fMax] only", () => {
    const fb = melFilterbank({ sampleRate: 16000, fftLength: 512, numMels: 40, fMin: 125, fMax: 7500 });
    expect([fb.frames, fb.bins]).toEqual([40, 257]);
    let lastPeak = -1;
    for (let m = 0; m < 40; m++) {
      const row = Array.from(fb.data.subarray(m * 257, (m + 1) * 257));
      const peak = row.indexOf(Math.max(...row));
      expect(Math.max(...row)).toBeLessThanOrEqual(1);
      expect(Math.max(...row)).toBeGreaterThan(0.3);
      expect(peak).toBeGreaterThanOrEqual(lastPeak);
      lastPeak = peak;
    }
    for (let k = 0; k < 257; k++) {
      const hz = (k * 16000) / 512;
      if (hz <= 125 || hz >= 7500) for (let m = 0; m < 40; m++) expect(fb.data[m * 257 + k]).toBe(0);
    }
    expect(() => melFilterbank({ sampleRate: 16000, fftLength: 512, fMax: 9000 })).toThrow(FeatureError);
  });

  test("log-mel of a tone is largest in the band around the tone", () => {
    const x = Float32Array.from({ length: 16000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 2000 * i) / 16000));
    const lm = logMelSpectrogram(x, { sampleRate: 16000, frameLength: 480, hopLength: 320, numMels: 40, fMin: 125, fMax: 7500 });
    expect([lm.frames, lm.bins]).toEqual([49, 40]);
    const row = Array.from(lm.data.subarray(10 * 40, 11 * 40));
    const best = row.indexOf(Math.max(...row));
    const fb = melFilterbank({ sampleRate: 16000, fftLength: 512, numMels: 40, fMin: 125, fMax: 7500 });
    expect(fb.data[best * 257 + 64]).toBeGreaterThan(0.5); // bin 64 = 2000 Hz
  });

  test("DCT-II (ortho) is orthonormal and matches the definition", () => {
    const x = Array.from(noise(40, 3));
    const y = dct2(x);
    const e = (v: ArrayLike<number>) => Array.from(v).reduce((s, a) => s + a * a, 0);
    expect(e(y)).toBeCloseTo(e(x), 10);
    expect(y[0]).toBeCloseTo(x.reduce((s, a) => s + a, 0) / Math.sqrt(40), 10);
    const unnorm = dct2(x, 3, false);
    expect(unnorm[2]).toBeCloseTo(2 * x.reduce((s, a, i) => s + a * Math.cos((Math.PI * 2 * (2 * i + 1)) / 80), 0), 10);
  });

  test("MFCC = DCT of log-mel, first numCoefficients", () => {
    const x = noise(8000, 4);
    const opts = { sampleRate: 16000, frameLength: 400, hopLength: 160, numMels: 26, numCoefficients: 13 };
    const c = mfcc(x, opts);
    const lm = logMelSpectrogram(x, opts);
    expect([c.frames, c.bins]).toEqual([lm.frames, 13]);
    const d = dct2(lm.data.subarray(5 * 26, 6 * 26), 13);
    for (let k = 0; k < 13; k++) expect(c.data[5 * 13 + k]).toBeCloseTo(d[k], 4);
    expect(() => mfcc(x, { ...opts, numCoefficients: 30 })).toThrow(/cannot exceed numMels/);
  });
});
