import { describe, expect, test } from "vitest";
import { bestThreshold, SensingInputError, thresholdCosts, thresholdForFalseAlarmRate } from "../../../lib/apps/sensing/mod.ts";
import { mulberry32, randn } from "../../../lib/util/random.ts";

describe("threshold choice by cost", () => {
  const scores = [1, 2, 3, 4], labels = [0, 0, 1, 1];

  test("hand-computed expected costs", () => {
    const rows = thresholdCosts(scores, labels, { falseAlarmCost: 1, missCost: 10, prevalence: 0.5 });
    expect(rows.map((r) => r.threshold)).toEqual([Infinity, 4, 3, 2, 1]);
    // cost = 0.5·FPR·1 + 0.5·missRate·10
    expect(rows.map((r) => r.cost)).toEqual([5, 2.5, 0, 0.25, 0.5]);
    expect(bestThreshold(scores, labels, { falseAlarmCost: 1, missCost: 10, prevalence: 0.5 })).toMatchObject({ threshold: 3, cost: 0, missRate: 0 });
  });

  test("prevalence defaults to the labels' positive fraction and changes the optimum", () => {
    const a = thresholdCosts([1, 2, 3, 4, 5], [0, 0, 0, 1, 1], { falseAlarmCost: 1, missCost: 1 });
    const b = thresholdCosts([1, 2, 3, 4, 5], [0, 0, 0, 1, 1], { falseAlarmCost: 1, missCost: 1, prevalence: 0.4 });
    expect(a.map((r) => r.cost)).toEqual(b.map((r) => r.cost));
    // Overlapping classes: rare faults favour a high threshold, expensive misses a low one.
    const rng = mulberry32(5);
    const l = Array.from({ length: 400 }, (_, i) => (i < 200 ? 0 : 1));
    const s = l.map((y) => randn(rng) + 1.5 * y);
    const cheapMiss = bestThreshold(s, l, { falseAlarmCost: 1, missCost: 1, prevalence: 0.05 }).threshold;
    const dearMiss = bestThreshold(s, l, { falseAlarmCost: 1, missCost: 200, prevalence: 0.05 }).threshold;
    expect(dearMiss).toBeLessThan(cheapMiss);
  });

  test("a threshold grid gives the same rates as the ROC thresholds", () => {
    const rng = mulberry32(9);
    const l = Array.from({ length: 100 }, () => (rng() < 0.5 ? 1 : 0));
    const s = l.map((y) => rng() + 0.4 * y);
    const opts = { falseAlarmCost: 3, missCost: 7 };
    const roc = thresholdCosts(s, l, opts);
    const grid = thresholdCosts(s, l, { ...opts, thresholds: roc.map((r) => r.threshold) });
    grid.forEach((g, i) => {
      expect(g.falseAlarmRate).toBeCloseTo(roc[i].falseAlarmRate, 12);
      expect(g.missRate).toBeCloseTo(roc[i].missRate, 12);
      expect(g.cost).toBeCloseTo(roc[i].cost, 12);
    });
  });

  test("threshold for a false-alarm rate from negatives only", () => {
    expect(thresholdForFalseAlarmRate([1, 2, 3, 4], 0.25)).toBe(3.5);
    expect(thresholdForFalseAlarmRate([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(thresholdForFalseAlarmRate([1, 2, 3, 4], 0)).toBeGreaterThan(4);
    expect(thresholdForFalseAlarmRate([1, 2, 3, 4], 1)).toBe(1);
    // Ties: flagging one of three equal scores is impossible, so none is flagged.
    expect(thresholdForFalseAlarmRate([1, 2, 2, 2], 0.25)).toBeGreaterThan(2);
    const rng = mulberry32(2);
    const neg = Array.from({ length: 500 }, () => randn(rng));
    for (const rate of [0.01, 0.05, 0.2]) {
      const t = thresholdForFalseAlarmRate(neg, rate);
      const flagged = neg.filter((v) => v >= t).length;
      expect(flagged).toBeLessThanOrEqual(rate * 500 + 1e-9);
      expect(flagged).toBe(Math.floor(rate * 500 + 1e-9)); // no ties in continuous data: exactly the budget
    }
  });

  test("bad input is refused", () => {
    expect(() => thresholdCosts(scores, labels, { falseAlarmCost: -1, missCost: 1 })).toThrow(SensingInputError);
    expect(() => thresholdCosts(scores, labels, { falseAlarmCost: 1, missCost: 1, prevalence: 2 })).toThrow(/prevalence/);
    expect(() => thresholdForFalseAlarmRate([], 0.1)).toThrow(SensingInputError);
    expect(() => thresholdForFalseAlarmRate([1], 1.5)).toThrow(/rate/);
  });
});
