import { describe, expect, test } from "vitest";
import { aucOf, countsAt, rocAuc, rocCurve, SensingInputError } from "../../../lib/apps/sensing/mod.ts";
import { mulberry32 } from "../../../lib/util/random.ts";

/** Independent reference: the fraction of (positive, negative) pairs ranked correctly, ties ½. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let wins = 0, pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe("ROC and AUC", () => {
  test("a perfect separator has AUC 1, a reversed one 0, constant scores 0.5", () => {
    expect(rocAuc([0.1, 0.2, 0.3, 0.7, 0.8], [0, 0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.3, 0.2], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([5, 5, 5, 5], [0, 1, 0, 1])).toBe(0.5);
  });

  test("random scores give AUC ≈ 0.5", () => {
    const rng = mulberry32(3);
    const scores = Array.from({ length: 4000 }, () => rng());
    const labels = Array.from({ length: 4000 }, () => (rng() < 0.3 ? 1 : 0));
    expect(Math.abs(rocAuc(scores, labels) - 0.5)).toBeLessThan(0.03);
  });

  test("hand-computed curve and area", () => {
    const c = rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
    expect(c.thresholds).toEqual([Infinity, 0.8, 0.4, 0.35, 0.1]);
    expect(c.fpr).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(c.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    // Three of the four (positive, negative) pairs are ordered correctly.
    expect(aucOf(c)).toBeCloseTo(0.75, 12);
  });

  test("ties between classes move the curve diagonally (count ½)", () => {
    const c = rocCurve([1, 2, 2, 3], [0, 0, 1, 1]);
    expect(c.fpr).toEqual([0, 0, 0.5, 1]);
    expect(c.tpr).toEqual([0, 0.5, 1, 1]);
    expect(aucOf(c)).toBeCloseTo(0.875, 12);
  });

  test("matches the pairwise definition on data with many ties", () => {
    const rng = mulberry32(11);
    const labels = Array.from({ length: 300 }, () => (rng() < 0.4 ? 1 : 0));
    const scores = labels.map((l) => Math.round(10 * (rng() + 0.3 * l)) / 10); // coarse: many ties
    expect(rocAuc(scores, labels)).toBeCloseTo(pairwiseAuc(scores, labels), 10);
  });

  test("countsAt counts decisions at a threshold", () => {
    const c = countsAt([0.1, 0.4, 0.35, 0.8, 0.5], [0, 0, 1, 1, 0], 0.4);
    expect(c).toMatchObject({ truePositives: 1, falsePositives: 2, trueNegatives: 1, falseNegatives: 1 });
    expect(c.falsePositiveRate).toBeCloseTo(2 / 3, 12);
    expect(c.truePositiveRate).toBe(0.5);
    expect(c.precision).toBeCloseTo(1 / 3, 12);
    expect(Number.isNaN(countsAt([0, 1], [0, 1], 2).precision)).toBe(true);
  });

  test("bad input is refused with a typed error", () => {
    expect(() => rocAuc([1, 2], [0])).toThrow(SensingInputError);
    expect(() => rocAuc([1, 2], [1, 1])).toThrow(/both classes/);
    expect(() => rocAuc([1, 2], [0, 2])).toThrow(/use 1 for positive/);
    expect(() => rocAuc([NaN, 2], [0, 1])).toThrow(/NaN/);
  });
});
