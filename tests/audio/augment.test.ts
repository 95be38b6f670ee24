import { describe, expect, test } from "vitest";
import { addNoise, applyGain, AugmentError, measureSnrDb, mixBackground, randomTimeShift, timeShift } from "../../lib/audio/augment.ts";
import { loadClip16k } from "../../lib/audio/wav.ts";
import { mulberry32, randn, shuffle } from "../../lib/util/random.ts";
import { HAVE_SHARED, sharedBytes } from "./helpers.ts";

function tone(n: number, amp = 0.3): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * 440 * i) / 16000));
}

describe("addNoise hits the requested SNR (measured)", () => {
  for (const snr of [-5, 0, 10, 20, 40]) {
    test(`float tone, white noise, ${snr} dB`, () => {
      const clean = tone(16000);
      const noisy = addNoise(clean, snr, { seed: 7 });
      expect(noisy).toBeInstanceOf(Float32Array);
      expect(Math.abs(measureSnrDb(clean, noisy) - snr)).toBeLessThan(0.1);
    });
  }

  test.skipIf(!HAVE_SHARED)("int16 speech clip (yes_1000ms) with white noise and with the noise clip", () => {
    const clean = loadClip16k(sharedBytes("yes_1000ms.wav"));
    const background = loadClip16k(sharedBytes("noise_1000ms.wav"));
    for (const snr of [0, 10, 20]) {
      const white = addNoise(clean, snr, { seed: snr });
      expect(white).toBeInstanceOf(Int16Array);
      expect(Math.abs(measureSnrDb(clean, white) - snr)).toBeLessThan(0.1);
      const real = addNoise(clean, snr, { noise: background, seed: 3 });
      expect(Math.abs(measureSnrDb(clean, real) - snr)).toBeLessThan(0.1);
    }
  });

  test("seeded: same seed same noise, other seed other noise", () => {
    const clean = tone(1000);
    expect(addNoise(clean, 10, { seed: 1 })).toEqual(addNoise(clean, 10, { seed: 1 }));
    expect(addNoise(clean, 10, { seed: 1 })).not.toEqual(addNoise(clean, 10, { seed: 2 }));
    expect(addNoise(clean, 10, { rng: mulberry32(9) })).toEqual(addNoise(clean, 10, { seed: 9 }));
  });

  test("silence stays silent; zero noise is refused", () => {
    expect(addNoise(new Float32Array(10), 10, { seed: 1 })).toEqual(new Float32Array(10));
    expect(() => addNoise(tone(10), 10, { noise: new Float32Array(5) })).toThrow(AugmentError);
  });
});

describe("time shift, gain, background", () => {
  test("timeShift delays / advances with zero fill, keeping length", () => {
    const x = Int16Array.from([1, 2, 3, 4, 5]);
    expect(Array.from(timeShift(x, 2))).toEqual([0, 0, 1, 2, 3]);
    expect(Array.from(timeShift(x, -2))).toEqual([3, 4, 5, 0, 0]);
    expect(Array.from(timeShift(x, 9))).toEqual([0, 0, 0, 0, 0]);
    expect(timeShift(Float32Array.from([0.5, 0.25]), 1)).toEqual(Float32Array.from([0, 0.5]));
  });

  test("randomTimeShift stays within ±maxShift and is seeded", () => {
    const x = Float32Array.from({ length: 100 }, (_, i) => i + 1);
    for (let s = 0; s < 50; s++) {
      const y = randomTimeShift(x, 10, mulberry32(s));
      const first = y.findIndex((v) => v !== 0);
      const shift = y[first] === 1 ? first : -(y[0] - 1);
      expect(Math.abs(shift)).toBeLessThanOrEqual(10);
      expect(randomTimeShift(x, 10, mulberry32(s))).toEqual(y);
    }
  });

  test("applyGain scales by 10^(dB/20) and clips", () => {
    const x = tone(1000, 0.3);
    const half = applyGain(x, -20 * Math.log10(2));
    for (let i = 0; i < 1000; i++) expect(half[i]).toBeCloseTo(x[i] / 2, 6);
    const loud = applyGain(x, 20);
    expect(Math.max(...loud)).toBe(1);
    expect(Math.min(...loud)).toBe(-1);
    const i16 = applyGain(Int16Array.from([1000, -1000, 20000]), 6.0206);
    expect(Array.from(i16)).toEqual([2000, -2000, 32767]);
  });

  test("mixBackground adds volume × a background segment, looping and clipping", () => {
    const sig = Float32Array.from([0.1, 0.2, 0.3, 0.95]);
    const bg = Float32Array.from([1, -1, 0.5]);
    const y = mixBackground(sig, bg, { volume: 0.1, offset: 1 });
    expect(Array.from(y).map((v) => +v.toFixed(6))).toEqual([0, 0.25, 0.4, 0.85]);
    expect(mixBackground(sig, bg, { volume: 0 })).toEqual(sig);
    expect(Math.max(...mixBackground(sig, Float32Array.from([1]), { volume: 0.5 }))).toBe(1);
    expect(mixBackground(sig, bg, { seed: 4 })).toEqual(mixBackground(sig, bg, { seed: 4 }));
    expect(() => mixBackground(sig, Int16Array.from([1]))).toThrow(/both be Int16Array or both Float32Array/);
  });
});

describe("lib/util/random", () => {
  test("mulberry32 is deterministic and uniform-ish; randn has mean 0, sd 1; shuffle permutes", () => {
    const a = mulberry32(123), b = mulberry32(123);
    const xs = Array.from({ length: 10000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, v) => s + v, 0) / xs.length).toBeCloseTo(0.5, 1);
    const r = mulberry32(5);
    const g = Array.from({ length: 20000 }, () => randn(r));
    const mean = g.reduce((s, v) => s + v, 0) / g.length;
    const sd = Math.sqrt(g.reduce((s, v) => s + (v - mean) ** 2, 0) / g.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
    const arr = Array.from({ length: 20 }, (_, i) => i);
    const sh = shuffle(arr.slice(), mulberry32(1));
    expect(sh).not.toEqual(arr);
    expect(sh.slice().sort((p, q) => p - q)).toEqual(arr);
  });
});
