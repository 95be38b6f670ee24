import { describe, expect, test } from "vitest";
import { findDigitVoices } from "../../../lib/data/digits_real.ts";
import {
  accentGroup, accuracyOf, centreByEnergy, countBy, DataLessonError, digitFeatureFrames, digitFeatures, loadRealDigits, predictClasses,
  trainClassifier, underRepresent,
} from "../../../lib/apps/data/mod.ts";
import { useBackend } from "../../../lib/train/mod.ts";

describe("digit features", () => {
  const burst = (at: number, gain = 0.5) => Float32Array.from({ length: 16000 }, (_, i) => (i >= at && i < at + 3000 ? gain * Math.sin(i * 0.2) * Math.sin(i * 0.013) : 0));

  test("centreByEnergy moves a word to the middle", () => {
    const c = centreByEnergy(burst(1000));
    let num = 0, den = 0;
    c.forEach((v, i) => { num += v * v * i; den += v * v; });
    expect(Math.abs(num / den - 8000)).toBeLessThan(200);
    expect(centreByEnergy(new Float32Array(100))).toEqual(new Float32Array(100));
  });

  test("features: 25 × 16 values in [0, 1], independent of where and how loud the word is", () => {
    const a = digitFeatures(burst(1000)), b = digitFeatures(burst(9000, 0.05));
    expect(a.length).toBe(digitFeatureFrames() * 16);
    expect(digitFeatureFrames()).toBe(25);
    expect(Math.max(...a)).toBeCloseTo(1, 6);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    let diff = 0;
    a.forEach((v, i) => (diff += Math.abs(v - b[i]) / a.length));
    expect(diff).toBeLessThan(0.02); // mean difference: frame edges fall differently
    const silence = digitFeatures(new Float32Array(16000));
    expect(silence.every((v) => v === 1)).toBe(true); // nothing below the loudest value: flat
  });
});

describe("sampling helpers", () => {
  test("underRepresent drops whole speakers of one group only", () => {
    const speakers = ["a", "a", "b", "b", "c", "d", "e", "f"];
    const groups = ["x", "x", "y", "y", "y", "y", "y", "x"];
    const idx = underRepresent(speakers, groups, "y", 0.5, 1);
    const kept = new Set(idx.map((i) => speakers[i]));
    expect(kept.has("a") && kept.has("f")).toBe(true);
    expect([...kept].filter((s) => "bcde".includes(s)).length).toBe(2);
    for (const s of kept) expect(idx.filter((i) => speakers[i] === s).length).toBe(speakers.filter((t) => t === s).length);
    expect(underRepresent(speakers, groups, "y", 0.5, 1)).toEqual(idx);
    expect(() => underRepresent(speakers, groups, "z", 0.5)).toThrow(DataLessonError);
    expect(() => underRepresent(speakers, groups.slice(1), "y", 0.5)).toThrow(/groups/);
  });

  test("countBy and accentGroup", () => {
    expect(countBy(["b", "a", "b"])).toEqual({ a: 1, b: 2 });
    expect(accentGroup("en-gb-scotland")).toBe("English accent");
    expect(accentGroup("de")).toBe("foreign accent");
  });
});

describe("trainClassifier", () => {
  test("learns a separable toy problem, deterministically", { timeout: 30_000 }, async () => {
    await useBackend("cpu");
    const x = Array.from({ length: 60 }, (_, i) => Float32Array.from([i % 3 === 0 ? 1 : 0, i % 3 === 1 ? 1 : 0, i % 3 === 2 ? 1 : 0, (i % 7) / 7]));
    const y = x.map((_, i) => i % 3);
    const m1 = await trainClassifier(x, y, { epochs: 40, batchSize: 16, learningRate: 0.05, seed: 1 });
    const m2 = await trainClassifier(x, y, { epochs: 40, batchSize: 16, learningRate: 0.05, seed: 1 });
    const p = predictClasses(m1, x);
    expect(accuracyOf(p, y)).toBe(1);
    expect(predictClasses(m2, x)).toEqual(p);
    expect(accuracyOf([1, 0, 1], [1, 1, 1], [0, 2])).toBe(1);
    expect(Number.isNaN(accuracyOf([1], [1], []))).toBe(true);
    await expect(trainClassifier(x, y.slice(1))).rejects.toThrow(DataLessonError);
  });
});

const voices = findDigitVoices();
if (voices.length === 0) console.warn("Asterisk digit prompts not installed: skipping loadRealDigits (apt-get install asterisk-core-sounds-en-wav …)");
describe.skipIf(voices.length === 0)("loadRealDigits", () => {
  test("10 clips per installed voice, 1 s at 16 kHz, labelled 0..9", { timeout: 60_000 }, async () => {
    const real = await loadRealDigits();
    expect(real.length).toBe(10 * voices.length);
    for (const c of real) {
      expect(c.samples.length).toBe(16000);
      expect(c.digit).toBeGreaterThanOrEqual(0);
      expect(c.digit).toBeLessThanOrEqual(9);
    }
    expect(new Set(real.map((c) => c.voice)).size).toBe(voices.length);
  });
});
