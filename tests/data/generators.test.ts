import { Buffer } from "node:buffer";
import { describe, expect, test } from "vitest";
import { amplitudeAt, BEARING_6205, bearingFrequencies, envelope, vibrationDataset, vibrationSignal } from "../../lib/data/vibration.ts";
import { GESTURES, imuDataset, imuGesture, randomImuPerson } from "../../lib/data/imu_gestures.ts";
import { mulberry32 } from "../../lib/util/random.ts";

/** Byte-wise equality of two typed arrays (vitest's deep equality is slow on big arrays). */
function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe("vibration", () => {
  const fs = 4000, rpm = 1800;
  const f = bearingFrequencies(BEARING_6205, rpm);

  test("bearing kinematics: BPFO + BPFI = balls × shaft rate, FTF < shaft rate", () => {
    expect(f.shaft).toBe(30);
    expect(f.bpfo + f.bpfi).toBeCloseTo(9 * 30, 9);
    expect(f.ftf).toBeLessThan(f.shaft);
    expect(f.bpfo).toBeCloseTo(107.5, 0); // known value for a 6205 at 1800 rpm
    expect(f.bpfi).toBeCloseTo(162.5, 0);
  });

  test("imbalance raises 1×, misalignment raises 2×", () => {
    const normal = vibrationSignal({ fault: "normal", rpm, seed: 1 });
    const imb = vibrationSignal({ fault: "imbalance", rpm, seed: 1 });
    const mis = vibrationSignal({ fault: "misalignment", rpm, seed: 1 });
    const a1 = (x: Float32Array) => amplitudeAt(x, fs, f.shaft);
    const a2 = (x: Float32Array) => amplitudeAt(x, fs, 2 * f.shaft);
    console.log(`1×: normal ${a1(normal).toFixed(3)} imbalance ${a1(imb).toFixed(3)}; 2×: normal ${a2(normal).toFixed(3)} misalignment ${a2(mis).toFixed(3)}`);
    expect(a1(imb)).toBeGreaterThan(5 * a1(normal));
    expect(a2(mis)).toBeGreaterThan(5 * a2(normal));
    expect(a2(imb)).toBeLessThan(2 * a2(normal) + 0.02);
  });

  test("bearing faults show their defect frequency in the envelope spectrum", () => {
    const cases = [["outer_race", f.bpfo], ["inner_race", f.bpfi], ["ball", 2 * f.bsf], ["cage", f.ftf]] as const;
    for (const [fault, freq] of cases) {
      const x = vibrationSignal({ fault, rpm, duration: 2, seed: 3 });
      const e = envelope(x);
      const en = envelope(vibrationSignal({ fault: "normal", rpm, duration: 2, seed: 3 }));
      const at = amplitudeAt(e, fs, freq);
      // Off-line reference: the mean of a few frequencies between the lines.
      const off = [0.37, 0.61, 0.83].map((k) => amplitudeAt(e, fs, freq * (1 + k * 0.3))).reduce((a, b) => a + b) / 3;
      console.log(`${fault}: envelope at ${freq.toFixed(1)} Hz ${at.toFixed(4)} (off-line ${off.toFixed(4)}, normal ${amplitudeAt(en, fs, freq).toFixed(4)})`);
      expect(at).toBeGreaterThan(4 * off);
      expect(at).toBeGreaterThan(4 * amplitudeAt(en, fs, freq));
    }
  });

  test("dataset: labels, machines and determinism", () => {
    const a = vibrationDataset({ perClass: 4, classes: ["normal", "imbalance", "outer_race"], seed: 9 });
    const b = vibrationDataset({ perClass: 4, classes: ["normal", "imbalance", "outer_race"], seed: 9 });
    expect(a.n).toBe(12);
    expect(a.signals.length).toBe(12 * 4000);
    expect(Array.from(a.labels)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(sameBytes(a.signals, b.signals)).toBe(true);
    expect(Math.min(...a.rpm)).toBeGreaterThan(1000);
  });
});

describe("IMU gestures", () => {
  test("idle reads gravity and little rotation; gestures move", () => {
    const rng = mulberry32(4);
    const person = randomImuPerson(rng);
    const stats = (w: Float32Array) => {
      let g = 0, gyro = 0, accVar = 0;
      const n = w.length / 6;
      for (let i = 0; i < n; i++) {
        g += Math.hypot(w[i * 6], w[i * 6 + 1], w[i * 6 + 2]) / n;
        gyro += Math.hypot(w[i * 6 + 3], w[i * 6 + 4], w[i * 6 + 5]) / n;
      }
      for (let i = 0; i < n; i++) accVar += (Math.hypot(w[i * 6], w[i * 6 + 1], w[i * 6 + 2]) - g) ** 2 / n;
      return { g, gyro, accStd: Math.sqrt(accVar) };
    };
    const idle = stats(imuGesture({ gesture: "idle", person, seed: 1 }));
    expect(idle.g).toBeGreaterThan(9.3);
    expect(idle.g).toBeLessThan(10.3);
    for (const g of ["wing", "ring", "slope"] as const) {
      const s = stats(imuGesture({ gesture: g, person, seed: 1 }));
      console.log(`${g}: mean |a| ${s.g.toFixed(2)} std ${s.accStd.toFixed(2)} mean |ω| ${s.gyro.toFixed(1)} deg/s (idle ${idle.gyro.toFixed(1)})`);
      expect(s.gyro).toBeGreaterThan(2 * idle.gyro);
      expect(s.accStd).toBeGreaterThan(2 * idle.accStd);
    }
  });

  test("gestures differ: a nearest-centroid classifier on new people beats chance by far", () => {
    const ds = imuDataset({ persons: 12, perPerson: 4, seed: 2 });
    expect(ds.n).toBe(12 * GESTURES.length * 4);
    // Features: the gyro traces, time-aligned by their centre of activity, downsampled.
    const feat = (i: number): number[] => {
      const w = ds.x.subarray(i * ds.length * 6, (i + 1) * ds.length * 6);
      const act = Array.from({ length: ds.length }, (_, t) => Math.hypot(w[t * 6 + 3], w[t * 6 + 4], w[t * 6 + 5]));
      const tot = act.reduce((a, b) => a + b, 0);
      const c = Math.round(act.reduce((a, v, t) => a + v * t, 0) / tot);
      const f: number[] = [];
      for (let k = -60; k < 60; k += 6) {
        const t = Math.min(ds.length - 1, Math.max(0, c + k));
        f.push(w[t * 6 + 4], w[t * 6 + 5]);
      }
      return f;
    };
    const train = Array.from({ length: ds.n }, (_, i) => i).filter((i) => ds.persons[i] < 8);
    const test = Array.from({ length: ds.n }, (_, i) => i).filter((i) => ds.persons[i] >= 8);
    const centroids = GESTURES.map((_, g) => {
      const rows = train.filter((i) => ds.labels[i] === g).map(feat);
      return rows[0].map((_, j) => rows.reduce((a, r) => a + r[j], 0) / rows.length);
    });
    const correct = test.filter((i) => {
      const f = feat(i);
      const d = centroids.map((c) => c.reduce((a, v, j) => a + (v - f[j]) ** 2, 0));
      return d.indexOf(Math.min(...d)) === ds.labels[i];
    }).length;
    console.log(`nearest centroid on 4 unseen people: ${correct}/${test.length}`);
    expect(correct / test.length).toBeGreaterThan(0.6); // chance is 0.25
  });

  test("same seed, same data", () => {
    const a = imuDataset({ persons: 2, perPerson: 2, seed: 7 });
    const b = imuDataset({ persons: 2, perPerson: 2, seed: 7 });
    expect(sameBytes(a.x, b.x)).toBe(true);
    expect(sameBytes(a.x, imuDataset({ persons: 2, perPerson: 2, seed: 8 }).x)).toBe(false);
  });
});
