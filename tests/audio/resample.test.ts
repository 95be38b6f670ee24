import { describe, expect, test } from "vitest";
import { resample, ResampleError } from "../../lib/audio/resample.ts";
import { loadClip16k, readWav, writeWav } from "../../lib/audio/wav.ts";

function tone(freq: number, rate: number, seconds: number, amp = 0.5): Float32Array {
  const n = Math.round(rate * seconds);
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate));
}

/** RMS away from the edges (where the filter sees zeros). */
function rms(x: Float32Array, edge = 256): number {
  let s = 0;
  for (let i = edge; i < x.length - edge; i++) s += x[i] * x[i];
  return Math.sqrt(s / (x.length - 2 * edge));
}

/** Frequency of the strongest DFT component, scanned at 1 Hz steps around a guess (Goertzel-style). */
function dominantFrequency(x: Float32Array, rate: number, lo: number, hi: number): number {
  let best = lo, bestPow = -1;
  for (let f = lo; f <= hi; f += 1) {
    let re = 0, im = 0;
    for (let i = 0; i < x.length; i++) {
      const a = (2 * Math.PI * f * i) / rate;
      re += x[i] * Math.cos(a);
      im -= x[i] * Math.sin(a);
    }
    const p = re * re + im * im;
    if (p > bestPow) [best, bestPow] = [f, p];
  }
  return best;
}

describe("resample", () => {
  test("a 1 kHz tone keeps its frequency and level, 44.1 kHz → 16 kHz", () => {
    const y = resample(tone(1000, 44100, 0.25), 44100, 16000);
    expect(y.length).toBe(4000);
    expect(dominantFrequency(y, 16000, 900, 1100)).toBe(1000);
    expect(20 * Math.log10(rms(y) / (0.5 / Math.SQRT2))).toBeCloseTo(0, 1); // within 0.05 dB
  });

  test("a 3 kHz tone keeps its frequency upsampling 8 kHz → 16 kHz and 22.05 kHz → 16 kHz", () => {
    for (const from of [8000, 22050]) {
      const y = resample(tone(3000, from, 0.25), from, 16000);
      expect(dominantFrequency(y, 16000, 2900, 3100)).toBe(3000);
      expect(Math.abs(20 * Math.log10(rms(y) / (0.5 / Math.SQRT2)))).toBeLessThan(0.1);
    }
  });

  test("a 10 kHz tone (above the 8 kHz output Nyquist) is removed instead of aliasing to 6 kHz", () => {
    const x = tone(10000, 44100, 0.25);
    const y = resample(x, 44100, 16000);
    const attenuationDb = 20 * Math.log10(rms(y) / (0.5 / Math.SQRT2));
    expect(attenuationDb).toBeLessThan(-60);
    // Naive decimation (pick the nearest sample) would alias it at full level — the check can fail.
    const naive = Float32Array.from({ length: 4000 }, (_, n) => x[Math.round((n * 44100) / 16000)] ?? 0);
    expect(20 * Math.log10(rms(naive) / (0.5 / Math.SQRT2))).toBeGreaterThan(-3);
  });

  test("passband is flat up to 0.9 × the new Nyquist, 48 kHz → 16 kHz", () => {
    for (const f of [100, 2000, 5000, 7000]) {
      const y = resample(tone(f, 48000, 0.2), 48000, 16000);
      expect(Math.abs(20 * Math.log10(rms(y) / (0.5 / Math.SQRT2))), `${f} Hz`).toBeLessThan(0.5);
    }
  });

  test("same rate is a copy; bad rates throw", () => {
    const x = tone(440, 16000, 0.01);
    expect(resample(x, 16000, 16000)).toEqual(x);
    expect(() => resample(x, 0, 16000)).toThrow(ResampleError);
  });

  test("loadClip16k resamples and mixes down a 44.1 kHz stereo file", () => {
    const left = tone(1000, 44100, 0.5, 0.4);
    const right = tone(1000, 44100, 0.5, 0.2);
    const pcm = loadClip16k(writeWav([left, right], { sampleRate: 44100, format: "float" }));
    expect(pcm.length).toBe(8000);
    const f = Float32Array.from(pcm, (v) => v / 32768);
    expect(dominantFrequency(f, 16000, 950, 1050)).toBe(1000);
    expect(rms(f)).toBeCloseTo(0.3 / Math.SQRT2, 3);
    expect(readWav(writeWav(pcm, { sampleRate: 16000 })).frames).toBe(8000);
  });
});
