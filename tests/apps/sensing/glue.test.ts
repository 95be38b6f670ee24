import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, test } from "vitest";
import {
  dequantizeOutputs, fitStandardizer, gestureCnn, imuWindows, mapRows, reconstructionErrors, scaleMotion, SensingInputError, splitByGroup, standardize,
} from "../../../lib/apps/sensing/mod.ts";
import { predictGraph, quantizeInputs, quantizeModel } from "../../../lib/compress/mod.ts";
import { hostOutputs } from "../../../lib/deploy/pipeline/mod.ts";
import { COURSE2_SENSORS_SOLUTIONS } from "../../../lib/course/solutions/course2_sensors.ts";
import { solutionText } from "../../../lib/course/mod.ts";
import { mulberry32 } from "../../../lib/util/random.ts";

describe("feature glue", () => {
  test("imuWindows averages blocks of samples and divides by full scale", () => {
    // One window of 4 samples: ax = 0, 4g, 8g, 12g …; gyro gz = 100 deg/s constant.
    const x = new Float32Array(4 * 6);
    for (let i = 0; i < 4; i++) {
      x[i * 6] = 4 * 9.81 * i;
      x[i * 6 + 5] = 100;
    }
    const [w] = imuWindows(x, 1, 4, { decimate: 2 });
    expect(w.length).toBe(12);
    expect(w[0]).toBeCloseTo(0.5, 6); // mean of 0 and 4 g, over a 4 g full scale
    expect(w[6]).toBeCloseTo(2.5, 6);
    expect(w[5]).toBeCloseTo(0.2, 6); // 100 / 500
    expect(() => imuWindows(x, 1, 4, { decimate: 3 })).toThrow(SensingInputError);
  });

  test("scaleMotion scales deviations from each channel's mean", () => {
    const w = Float32Array.from([1, 10, 3, 10, 5, 13], (v) => v); // 3 steps × 2 channels
    expect(Array.from(scaleMotion(w, 1, 2))).toEqual(Array.from(w));
    expect(Array.from(scaleMotion(w, 0, 2))).toEqual([3, 11, 3, 11, 3, 11]);
    expect(Array.from(scaleMotion(w, 0.5, 2))).toEqual([2, 10.5, 3, 10.5, 4, 12]);
    expect(() => scaleMotion(w, 1, 4)).toThrow(/whole number/);
  });

  test("standardize gives mean 0 and std 1 on the fitting rows", () => {
    const rng = mulberry32(1);
    const rows = Array.from({ length: 50 }, () => [5 + rng(), -3 + 10 * rng(), 7]);
    const s = fitStandardizer(rows);
    const z = standardize(rows, s);
    for (let j = 0; j < 2; j++) {
      const col = z.map((r) => r[j]);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      expect(mean).toBeCloseTo(0, 5);
      expect(Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length)).toBeCloseTo(1, 4);
    }
    expect(z.every((r) => Number.isFinite(r[2]))).toBe(true); // a constant feature stays finite
    expect(() => standardize([[1, 2]], s)).toThrow(/fitted on 3/);
  });

  test("reconstruction errors, mapRows and splitByGroup", () => {
    expect(Array.from(reconstructionErrors([[1, 2], [0, 0]], [[1, 4], [3, 1]]))).toEqual([2, 5]);
    expect(() => reconstructionErrors([[1]], [])).toThrow(SensingInputError);
    const rows = mapRows(Float32Array.from([1, 2, 3, 4, 5, 6]), 3, 2, (r, i) => Float32Array.of(r[0] + r[1], i));
    expect(rows.map((r) => Array.from(r))).toEqual([[3, 0], [7, 1], [11, 2]]);
    expect(() => mapRows(new Float32Array(5), 3, 2, (r) => r)).toThrow(/not 3 × 2/);
    expect(splitByGroup([0, 1, 2, 1, 0], [1])).toEqual({ train: [0, 2, 4], test: [1, 3] });
    expect(() => splitByGroup([1, 1], [1])).toThrow(/hold out some groups/);
  });
});

describe("gesture CNN", () => {
  test("lowers to int8, and dequantizeOutputs reads the raw output bytes back", { timeout: 60_000 }, async () => {
    await tf.setBackend("cpu");
    const model = gestureCnn({ steps: 20, seed: 3 });
    expect(model.outputs[0].shape).toEqual([null, 4]);
    const rng = mulberry32(4);
    const xs = Array.from({ length: 16 }, () => Float32Array.from({ length: 120 }, () => rng() * 2 - 1));
    const q = quantizeModel(model, tf.tensor4d(xs.flatMap((v) => Array.from(v)), [16, 20, 1, 6]), { perChannelDense: false });
    expect(q.graph.operators.map((o) => o.options.op)).toEqual(expect.arrayContaining(["CONV_2D", "MAX_POOL_2D", "FULLY_CONNECTED"]));
    const bytes = hostOutputs(q.graph, quantizeInputs(q.graph, xs.slice(0, 3)));
    const viaBytes = dequantizeOutputs(q.graph, bytes);
    const direct = predictGraph(q.graph, xs.slice(0, 3), "reference");
    viaBytes.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(direct[i])));
    expect(viaBytes[0].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 1); // softmax
    expect(() => dequantizeOutputs(q.floatGraph, bytes)).toThrow(/not quantized/);
  });
});

describe("exercise solutions", () => {
  test("every solution the notebooks name exists, and every stored one is used", () => {
    const ids = ["06-anomaly-detection", "07-gestures", "08-sound-sensing"].flatMap((nb) => {
      const text = readFileSync(new URL(`../../../notebooks/2-applications/${nb}.ipynb`, import.meta.url), "utf8");
      return [...text.matchAll(/solution\(\\"([^"\\]+)\\"\)/g)].map((m) => m[1]);
    });
    expect(ids.sort()).toEqual(Object.keys(COURSE2_SENSORS_SOLUTIONS).sort());
    for (const id of ids) expect(solutionText(id)).toMatch(/const my\w+ = /);
  });
});
