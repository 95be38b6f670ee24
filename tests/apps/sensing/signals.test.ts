import { describe, expect, test } from "vitest";
import {
  BACKGROUND_KINDS, backgroundSound, bandCentresHz, logBandEnergies, personGestures, scaleToRms, SensingInputError, soundEventDataset, soundFeatures,
  vibrationFeatures, vibrationFleet, wingbeatTone,
} from "../../../lib/apps/sensing/mod.ts";
import { amplitudeAt, GESTURES, randomImuPerson } from "../../../lib/data/mod.ts";
import { mulberry32 } from "../../../lib/util/random.ts";

const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
const argmax = (v: ArrayLike<number>) => Array.from(v).reduce((b, x, i, a) => (x > a[b] ? i : b), 0);

describe("wing-beat and background generator", () => {
  test("a wing-beat tone has its fundamental and harmonics, RMS 1, and is seeded", () => {
    const x = wingbeatTone({ fundamentalHz: 500, sampleRate: 8000, duration: 0.5, drift: 0, seed: 1 });
    expect(x.length).toBe(4000);
    expect(rms(x)).toBeCloseTo(1, 5);
    const at = (f: number) => amplitudeAt(x, 8000, f);
    expect(at(500)).toBeGreaterThan(10 * at(750));
    expect(at(1000)).toBeGreaterThan(10 * at(1250));
    expect(at(500)).toBeGreaterThan(at(1000)); // harmonics default to decreasing strength
    expect(wingbeatTone({ fundamentalHz: 500, seed: 1 })).toEqual(wingbeatTone({ fundamentalHz: 500, seed: 1 }));
    expect(wingbeatTone({ fundamentalHz: 500, seed: 1 })).not.toEqual(wingbeatTone({ fundamentalHz: 500, seed: 2 }));
    expect(() => wingbeatTone({ fundamentalHz: 0 })).toThrow(SensingInputError);
  });

  test("backgrounds put their energy where they should", () => {
    const bands = (kind: (typeof BACKGROUND_KINDS)[number]) => logBandEnergies(backgroundSound({ kind, seed: 4 }), { sampleRate: 8000, bands: 16 }); // 250 Hz bands
    expect(argmax(bands("fly"))).toBeLessThanOrEqual(1); // 150–250 Hz fundamental, 2nd and 3rd harmonics below 750 Hz
    expect(argmax(bands("hum"))).toBe(0); // 50/60 Hz mains
    expect(argmax(bands("birds"))).toBeGreaterThanOrEqual(6); // chirps at 2–3.8 kHz
    const w = bands("white"), p = bands("pink");
    expect(Math.max(...w) - Math.min(...w)).toBeLessThan(1); // flat within a factor of 10
    expect(p[1] - p[15]).toBeGreaterThan(0.5); // pink falls with frequency
    for (const kind of BACKGROUND_KINDS) expect(rms(backgroundSound({ kind, seed: 1 }))).toBeCloseTo(1, 4);
    expect(() => backgroundSound({ kind: "rain" as never })).toThrow(/unknown background/);
  });

  test("scaleToRms scales, and leaves silence alone", () => {
    expect(Array.from(scaleToRms(Float32Array.from([3, -3]), 1))).toEqual([1, -1]);
    expect(Array.from(scaleToRms(new Float32Array(3), 1))).toEqual([0, 0, 0]);
  });

  test("the dataset: balanced, labelled, within its ranges, and the features tell the classes apart", () => {
    const ds = soundEventDataset({ perClass: 40, seed: 3, snrRangeDb: [5, 10] });
    expect(ds.n).toBe(80);
    expect(ds.clips.length).toBe(80 * 4000);
    expect(ds.labels.filter((l) => l === 1).length).toBe(40);
    for (let i = 0; i < ds.n; i++) {
      const clip = ds.clips.subarray(i * ds.length, (i + 1) * ds.length);
      expect(rms(clip)).toBeGreaterThan(0.0099);
      expect(rms(clip)).toBeLessThan(1.0001);
      if (ds.labels[i] === 1) {
        expect(ds.fundamentalHz[i]).toBeGreaterThanOrEqual(400);
        expect(ds.fundamentalHz[i]).toBeLessThanOrEqual(700);
        expect(ds.snrDb[i]).toBeGreaterThanOrEqual(5);
        // At ≥ 5 dB SNR the band holding the fundamental stands out from the clip's mean level.
        const f = soundFeatures(clip, ds.sampleRate);
        expect(f[Math.floor(ds.fundamentalHz[i] / 125)]).toBeGreaterThan(1);
      } else {
        expect(Number.isNaN(ds.fundamentalHz[i])).toBe(true);
      }
    }
    expect(new Set(ds.backgrounds).size).toBeGreaterThanOrEqual(4);
    expect(soundEventDataset({ perClass: 3, seed: 3 }).clips).toEqual(soundEventDataset({ perClass: 3, seed: 3 }).clips);
    expect(() => soundEventDataset({ sampleRate: 1000 })).toThrow(/sample rate/);
  });
});

describe("vibration fleet and features", () => {
  test("fleet: counts, severities, determinism", () => {
    const f = vibrationFleet({ normal: 6, perFault: 2, faults: ["imbalance", "outer_race"], severityRange: [0.1, 0.5], seed: 1 });
    expect(f.n).toBe(10);
    expect(f.classes).toEqual(["normal", "imbalance", "outer_race"]);
    expect(Array.from(f.labels)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 2, 2]);
    for (let i = 0; i < f.n; i++) {
      if (f.labels[i] === 0) expect(f.severity[i]).toBe(0);
      else {
        expect(f.severity[i]).toBeGreaterThanOrEqual(0.1 - 1e-6);
        expect(f.severity[i]).toBeLessThanOrEqual(0.5 + 1e-6);
      }
    }
    expect(vibrationFleet({ normal: 2, perFault: 1, seed: 4 }).signals).toEqual(vibrationFleet({ normal: 2, perFault: 1, seed: 4 }).signals);
    expect(() => vibrationFleet({ severityRange: [0, 1] })).toThrow(SensingInputError);
  });

  test("features: 48 values; imbalance lifts the lowest band, bearing impacts the resonance band", () => {
    const f = vibrationFleet({ normal: 1, perFault: 1, faults: ["imbalance", "outer_race"], severityRange: [1, 1], machines: 1, seed: 2 });
    const feats = [0, 1, 2].map((i) => vibrationFeatures(f.signals.subarray(i * f.length, (i + 1) * f.length), f.sampleRate));
    expect(feats[0].length).toBe(48);
    expect(feats[1][0] - feats[0][0]).toBeGreaterThan(1); // > 10× the power below 62.5 Hz
    const spectrumSum = (v: Float32Array) => v.subarray(12, 28).reduce((s, x) => s + x, 0); // 750–1750 Hz
    expect(spectrumSum(feats[2]) - spectrumSum(feats[0])).toBeGreaterThan(4);
  });

  test("log band energies: a sine lands in its band; relative features have mean 0", () => {
    const x = Float32Array.from({ length: 8000 }, (_, i) => Math.sin((2 * Math.PI * 1100 * i) / 8000));
    const e = logBandEnergies(x, { sampleRate: 8000, bands: 8 }); // 500 Hz bands
    expect(argmax(e)).toBe(2);
    expect(e[2] - e[6]).toBeGreaterThan(4);
    const r = logBandEnergies(x, { sampleRate: 8000, bands: 8, relative: true });
    expect(r.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 4);
    expect(r[2] - r[6]).toBeCloseTo(e[2] - e[6], 4);
    expect(bandCentresHz({ sampleRate: 8000, bands: 4, maxHz: 4000 })).toEqual([500, 1500, 2500, 3500]);
    expect(bandCentresHz({ sampleRate: 8000, bands: 2, minHz: 1000, maxHz: 2000 })).toEqual([1250, 1750]);
    expect(() => logBandEnergies(x, { sampleRate: 8000, maxHz: 5000 })).toThrow(/Nyquist/);
    expect(() => logBandEnergies(x.subarray(0, 100), { sampleRate: 8000 })).toThrow(/shorter than one frame/);
  });
});

describe("one person's gestures", () => {
  test("interleaved labels, the given id, and motion that grows with the drawn size", () => {
    const base = randomImuPerson(mulberry32(5));
    const small = personGestures({ ...base, size: 0.1 }, { perGesture: 3, seed: 6, id: 42 });
    const big = personGestures({ ...base, size: 0.5 }, { perGesture: 3, seed: 6, id: 42 });
    expect(small.n).toBe(12);
    expect(Array.from(small.labels)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    expect(small.persons.every((p) => p === 42)).toBe(true);
    expect(small.classes).toEqual(GESTURES);
    // Gyro magnitude of a ring (label 1): five times the size, several times the rotation.
    const gyroEnergy = (x: Float32Array, i: number) => {
      let s = 0;
      for (let k = 0; k < 200; k++) for (let c = 3; c < 6; c++) s += x[(i * 200 + k) * 6 + c] ** 2;
      return s;
    };
    expect(gyroEnergy(big.x, 1)).toBeGreaterThan(4 * gyroEnergy(small.x, 1));
    expect(() => personGestures(base, { perGesture: 0 })).toThrow(SensingInputError);
  });
});
