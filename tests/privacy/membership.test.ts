import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, test } from "vitest";
import { loadDigits8x8 } from "../../lib/data/mod.ts";
import {
  aucScore,
  dpFit,
  lossThresholdAttack,
  membershipAdvantage,
  PrivacyInputError,
  rocCurve,
} from "../../lib/privacy/mod.ts";
import { denseNet, useBackend } from "../../lib/train/mod.ts";
import { mulberry32 } from "../../lib/util/random.ts";

describe("AUC, ROC and advantage", () => {
  test("exact small cases", () => {
    expect(aucScore([3, 4], [1, 2])).toBe(1);
    expect(aucScore([1, 2], [3, 4])).toBe(0);
    expect(aucScore([1, 2], [1, 2])).toBe(0.5);
    expect(aucScore([2], [1, 2, 3])).toBe(0.5); // one win, one tie, one loss
    expect(() => aucScore([], [1])).toThrow(PrivacyInputError);
  });

  test("equals the pairwise definition on random scores with ties", () => {
    const rng = mulberry32(8);
    const pos = Array.from({ length: 57 }, () => Math.round(rng() * 20));
    const neg = Array.from({ length: 43 }, () => Math.round(rng() * 17));
    let wins = 0;
    for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
    expect(aucScore(pos, neg)).toBeCloseTo(wins / (pos.length * neg.length), 12);
    // The area under the ROC curve (trapezoids) is the same number.
    const roc = rocCurve(pos, neg);
    let area = 0;
    for (let i = 1; i < roc.fpr.length; i++) {
      area += ((roc.fpr[i] - roc.fpr[i - 1]) * (roc.tpr[i] + roc.tpr[i - 1])) / 2;
    }
    expect(area).toBeCloseTo(aucScore(pos, neg), 12);
    expect([roc.fpr[0], roc.tpr[0], roc.fpr.at(-1), roc.tpr.at(-1)]).toEqual([0, 0, 1, 1]);
  });

  test("advantage: 1 when separable, the best TPR − FPR otherwise", () => {
    expect(membershipAdvantage(rocCurve([5, 6], [1, 2])).advantage).toBe(1);
    const r = membershipAdvantage(rocCurve([4, 3, 0.5], [2, 1, -1]));
    // Threshold 3 → TPR 2/3, FPR 0.
    expect(r.advantage).toBeCloseTo(2 / 3, 12);
    expect(r.threshold).toBe(3);
  });
});

describe("loss-threshold membership inference", () => {
  beforeAll(async () => {
    expect(await useBackend("wasm")).toBe("wasm");
  });

  test("leaks more from a model that overfits a small training set than from a DP-trained one", async () => {
    const { train, test: held } = loadDigits8x8({ seed: 1 });
    const n = 100;
    const members = {
      x: tf.tensor2d(train.images.slice(0, n * 64), [n, 64]),
      y: tf.tensor1d(Array.from(train.labels.slice(0, n)), "float32"),
    };
    const outsiders = { x: tf.tensor2d(held.images.slice(0, n * 64), [n, 64]), y: Array.from(held.labels.slice(0, n)) };
    const attack = async (clipNorm: number, sigma: number, epochs: number) => {
      const model = denseNet({ inputs: 64, hidden: [64], outputs: 10, outputActivation: "softmax", seed: 2 });
      const fit = await dpFit(model, members.x, members.y, {
        epochs,
        batchSize: 10,
        clipNorm,
        noiseMultiplier: sigma,
        learningRate: sigma ? 1 : 0.5,
        seed: 3,
        progress: false,
        delta: 1e-3,
      });
      return { ...lossThresholdAttack(model, members, outsiders), epsilon: fit.privacy.epsilon };
    };
    const overfit = await attack(Infinity, 0, 60);
    const dp = await attack(1, 2, 20);
    // Members' losses are lower on the overfit model.
    const mean = (v: Float32Array) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(overfit.memberLosses)).toBeLessThan(0.1 * mean(overfit.nonMemberLosses));
    expect(overfit.epsilon).toBe(Infinity);
    expect(dp.epsilon).toBeLessThan(5);
    expect(overfit.auc).toBeGreaterThan(0.62);
    expect(overfit.auc).toBeGreaterThan(dp.auc + 0.07);
    expect(dp.auc).toBeLessThan(0.62);
    expect(overfit.advantage).toBeGreaterThan(dp.advantage);
    console.log(
      `membership AUC: overfit ${overfit.auc.toFixed(3)}, DP (ε = ${dp.epsilon.toFixed(2)}) ${dp.auc.toFixed(3)}`,
    );
    tf.dispose([members.x, members.y, outsiders.x]);
  }, 120_000);
});
