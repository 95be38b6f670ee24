import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, test } from "vitest";
import { loadDigits8x8 } from "../../lib/data/mod.ts";
import {
  accuracy,
  clipAndSum,
  clipPerExample,
  dpFit,
  dpSgdStep,
  gaussianNoise,
  perExampleGradients,
  PrivacyInputError,
  privacySpent,
  vectorizedSupport,
} from "../../lib/privacy/mod.ts";
import { denseNet, digitsCnn, useBackend } from "../../lib/train/mod.ts";
import { mulberry32 } from "../../lib/util/random.ts";

const digits = loadDigits8x8({ seed: 3 });
let x: tf.Tensor2D, y: tf.Tensor1D, xTest: tf.Tensor2D;

function l2PerExample(grads: tf.Tensor[]): number[] {
  return tf.tidy(() => {
    const b = grads[0].shape[0];
    return Array.from(tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g.reshape([b, -1])), 1)))).dataSync());
  });
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe("DP-SGD on the wasm backend", () => {
  beforeAll(async () => {
    expect(await useBackend("wasm")).toBe("wasm");
    x = tf.tensor2d(digits.train.images, [digits.train.n, 64]);
    y = tf.tensor1d(Array.from(digits.train.labels), "float32");
    xTest = tf.tensor2d(digits.test.images, [digits.test.n, 64]);
  });

  test("vectorized per-example gradients equal one backward pass per example (dense and CNN)", () => {
    const cases: [tf.Sequential, tf.Tensor][] = [
      [denseNet({ inputs: 64, hidden: [16, 12], outputs: 10, outputActivation: "softmax", seed: 4 }), x.slice(0, 12)],
      [digitsCnn({ size: 8, seed: 4, filters: [4, 8] }), x.slice(0, 12).reshape([12, 8, 8, 1])],
    ];
    for (const [model, xb] of cases) {
      expect(vectorizedSupport(model).ok).toBe(true);
      const yb = y.slice(0, 12);
      const fast = perExampleGradients(model, xb, yb, { method: "vectorized" });
      const slow = perExampleGradients(model, xb, yb, { method: "loop" });
      expect(fast.grads.map((g) => g.shape)).toEqual(model.trainableWeights.map((w) => [12, ...w.shape]));
      fast.grads.forEach((g, k) => {
        const scale = tf.tidy(() => tf.max(tf.abs(slow.grads[k])).dataSync()[0]);
        expect(scale).toBeGreaterThan(0);
        expect(maxAbsDiff(g, slow.grads[k])).toBeLessThan(1e-5 * Math.max(1, scale));
      });
      expect(maxAbsDiff(fast.losses, slow.losses)).toBeLessThan(1e-5);
      // Their sum is the ordinary batch gradient.
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(() =>
        tf.tidy(() => {
          const p = tf.clipByValue(model.apply(xb) as tf.Tensor, 1e-7, 1);
          return tf.neg(tf.sum(tf.mul(tf.oneHot(yb.toInt(), 10), tf.log(p))));
        }) as tf.Scalar, vars);
      vars.forEach((v, k) => expect(maxAbsDiff(fast.grads[k].sum(0), grads[v.name])).toBeLessThan(1e-4));
      tf.dispose([...fast.grads, fast.losses, ...slow.grads, slow.losses, ...Object.values(grads)]);
    }
  });

  test("clipping bounds every per-example gradient norm by C (measured), and leaves small ones alone", () => {
    const model = denseNet({ inputs: 64, hidden: [32], outputs: 10, outputActivation: "softmax", seed: 5 });
    const { grads, losses } = perExampleGradients(model, x.slice(0, 64), y.slice(0, 64));
    const before = l2PerExample(grads);
    const C = [...before].sort((a, b) => a - b)[32]; // about half the examples get clipped
    const clipped = clipPerExample(grads, C);
    const after = l2PerExample(clipped);
    let clippedCount = 0;
    before.forEach((n, i) => {
      expect(after[i]).toBeLessThanOrEqual(C * (1 + 1e-5));
      if (n > C) {
        clippedCount++;
        expect(after[i]).toBeCloseTo(C, 4);
      } else expect(after[i]).toBeCloseTo(n, 5);
    });
    expect(clippedCount).toBeGreaterThan(20);
    // The clipped sum is the sum of the clipped gradients; dropping one example moves it by at most C.
    const { sum, norms } = clipAndSum(grads, C);
    expect(Math.max(...Array.from(norms, (n, i) => Math.abs(n - before[i])))).toBeLessThan(1e-4);
    sum.forEach((s, k) => expect(maxAbsDiff(s, clipped[k].sum(0))).toBeLessThan(1e-4));
    const without = clipAndSum(grads.map((g) => g.slice(1)), C);
    const moved = Math.sqrt(
      sum.reduce((a, s, k) => a + tf.tidy(() => tf.sum(tf.square(tf.sub(s, without.sum[k]))).dataSync()[0]), 0),
    );
    expect(moved).toBeLessThanOrEqual(C * (1 + 1e-4));
    expect(moved).toBeCloseTo(after[0], 3);
    tf.dispose([...grads, losses, ...clipped, ...sum, ...without.sum]);
  });

  test("the noise is Gaussian with std σ·C: seeded samples and a DP step on an empty batch", () => {
    const n = 200_000;
    const v = gaussianNoise([n], 1.5, mulberry32(11)).dataSync() as Float32Array;
    const mean = v.reduce((a, b) => a + b, 0) / n;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    const kurtosis = v.reduce((a, b) => a + (b - mean) ** 4, 0) / n / std ** 4;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(std).toBeGreaterThan(1.5 * 0.99);
    expect(std).toBeLessThan(1.5 * 1.01);
    expect(kurtosis).toBeGreaterThan(2.9);
    expect(kurtosis).toBeLessThan(3.1);
    expect(Array.from(gaussianNoise([5], 1, mulberry32(3)).dataSync())).toEqual(
      Array.from(gaussianNoise([5], 1, mulberry32(3)).dataSync()),
    );

    // An empty Poisson batch: the update is pure noise N(0, (σC/L)²)·lr per weight.
    const model = denseNet({ inputs: 64, hidden: [128], outputs: 10, seed: 6 });
    const before = model.getWeights().map((w) => w.dataSync().slice());
    const [sigma, C, L, lr] = [2, 0.5, 4, 2];
    dpSgdStep(model, tf.zeros([0, 64]), tf.zeros([0]), {
      clipNorm: C,
      noiseMultiplier: sigma,
      expectedBatchSize: L,
      optimizer: tf.train.sgd(lr),
      rng: mulberry32(1),
    });
    const delta = model.getWeights().flatMap((w, k) => Array.from(w.dataSync(), (v, i) => v - before[k][i]));
    const dMean = delta.reduce((a, b) => a + b, 0) / delta.length;
    const dStd = Math.sqrt(delta.reduce((a, b) => a + (b - dMean) ** 2, 0) / delta.length);
    const expected = (lr * sigma * C) / L;
    expect(delta.length).toBeGreaterThan(9000);
    expect(Math.abs(dMean)).toBeLessThan(0.05 * expected);
    expect(Math.abs(dStd / expected - 1)).toBeLessThan(0.03);
  });

  test("dpFit is seeded, learns, reports the accountant's ε, and noise costs accuracy", async () => {
    const run = async (seed: number, sigma: number) => {
      const model = denseNet({ inputs: 64, hidden: [16], outputs: 10, outputActivation: "softmax", seed: 7 });
      const r = await dpFit(model, x, y, {
        epochs: 3,
        batchSize: 64,
        clipNorm: 1,
        noiseMultiplier: sigma,
        learningRate: 1,
        seed,
        progress: false,
        validation: { x: xTest, y: digits.test.labels },
      });
      return {
        r,
        weights: model.getWeights().map((w) => Array.from(w.dataSync())),
        acc: accuracy(model, xTest, digits.test.labels),
      };
    };
    const a = await run(1, 1);
    const b = await run(1, 1);
    const c = await run(2, 1);
    expect(b.weights).toEqual(a.weights);
    expect(c.weights).not.toEqual(a.weights);
    expect(a.r.steps).toBe(3 * Math.round(digits.train.n / 64));
    expect(a.r.samplingRate).toBeCloseTo(64 / digits.train.n, 12);
    expect(a.r.privacy.epsilon).toBe(
      privacySpent({ samplingRate: 64 / digits.train.n, noiseMultiplier: 1, steps: a.r.steps }).epsilon,
    );
    expect(a.r.privacy.epsilon).toBeGreaterThan(1);
    expect(a.r.privacy.epsilon).toBeLessThan(10);
    expect(a.acc).toBeGreaterThan(0.6);
    expect(a.r.history.valAcc.at(-1)).toBe(a.acc);
    expect(a.r.history.clippedFraction[0]).toBeGreaterThan(0.5);
    const noisy = await run(1, 8);
    expect(noisy.r.privacy.epsilon).toBeLessThan(a.r.privacy.epsilon);
    expect(noisy.acc).toBeLessThan(a.acc);
  }, 120_000);

  test("unsupported layers fall back to the loop, or are refused when vectorized is demanded", () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 3 }),
        tf.layers.batchNormalization(),
        tf.layers.dense({ units: 2, activation: "softmax" }),
      ],
    });
    expect(vectorizedSupport(model).ok).toBe(false);
    const xb = tf.randomNormal([3, 4], 0, 1, "float32", 1);
    const yb = tf.tensor1d([0, 1, 1]);
    expect(() => perExampleGradients(model, xb, yb, { method: "vectorized" })).toThrow(PrivacyInputError);
    const r = perExampleGradients(model, xb, yb);
    expect(r.grads.length).toBe(model.trainableWeights.length);
    expect(r.grads[0].shape).toEqual([3, 4, 3]);
    tf.dispose([...r.grads, r.losses, xb, yb]);
  });
});
