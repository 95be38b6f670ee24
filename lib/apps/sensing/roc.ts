/**
 * ROC curves and their area, for detectors that output a score (higher = more likely an anomaly / event).
 *
 * A threshold t turns scores into decisions: "positive" when score ≥ t. Sweeping t from +∞ down to the
 * lowest score traces the ROC curve, the true-positive rate against the false-positive rate.
 * @module
 */
import { SensingInputError } from "./errors.ts";

/** Points of an ROC curve, from (0, 0) to (1, 1); `thresholds[i]` gives the point (fpr[i], tpr[i]). */
export interface RocCurve {
  /** False-positive rate: negatives flagged / negatives. */
  fpr: number[];
  /** True-positive rate (recall, detection rate): positives flagged / positives. */
  tpr: number[];
  /** Decision thresholds, decreasing; the first is +Infinity (nothing flagged). */
  thresholds: number[];
}

/** Checks scores and 0/1 labels; returns the number of positives and negatives. */
export function countClasses(scores: ArrayLike<number>, labels: ArrayLike<number>): { positives: number; negatives: number } {
  if (scores.length !== labels.length) throw new SensingInputError(`${scores.length} scores but ${labels.length} labels: pass one label per score`);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new SensingInputError(`label ${i} is ${labels[i]}; use 1 for positive (anomaly, event) and 0 for negative`);
    if (Number.isNaN(scores[i])) throw new SensingInputError(`score ${i} is NaN`);
    positives += labels[i];
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new SensingInputError(`an ROC curve needs both classes; got ${positives} positives and ${negatives} negatives`);
  }
  return { positives, negatives };
}

/**
 * The ROC curve of `scores` against 0/1 `labels` (1 = positive). Tied scores move the curve diagonally, as
 * one threshold flags all of them at once.
 * @example
 * rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
 * // fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1], thresholds [Infinity, 0.8, 0.4, 0.35, 0.1]
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocCurve {
  const { positives, negatives } = countClasses(scores, labels);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const curve: RocCurve = { fpr: [0], tpr: [0], thresholds: [Infinity] };
  let tp = 0, fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (labels[i] === 1) tp++;
    else fp++;
    // Emit a point only after the last of a group of equal scores.
    if (k === order.length - 1 || scores[order[k + 1]] !== scores[i]) {
      curve.fpr.push(fp / negatives);
      curve.tpr.push(tp / positives);
      curve.thresholds.push(scores[i]);
    }
  }
  return curve;
}

/**
 * Area under an ROC curve (trapezoids): 1 for a perfect detector, 0.5 for guessing. Equals the
 * probability that a random positive scores higher than a random negative (ties count ½).
 * @example aucOf(rocCurve(scores, labels))
 */
export function aucOf(curve: RocCurve): number {
  let area = 0;
  for (let i = 1; i < curve.fpr.length; i++) area += (curve.fpr[i] - curve.fpr[i - 1]) * (curve.tpr[i] + curve.tpr[i - 1]) / 2;
  return area;
}

/**
 * ROC AUC of scores against 0/1 labels.
 * @example rocAuc([1, 2, 3, 4], [0, 0, 1, 1]) // 1
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  return aucOf(rocCurve(scores, labels));
}

/** Counts of one threshold's decisions (positive when score ≥ threshold). */
export interface ThresholdCounts {
  threshold: number;
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
  /** falsePositives / negatives. */
  falsePositiveRate: number;
  /** truePositives / positives (recall). */
  truePositiveRate: number;
  /** truePositives / flagged (NaN when nothing is flagged). */
  precision: number;
}

/**
 * What a threshold decides on a labelled set.
 * @example countsAt([0.1, 0.9], [0, 1], 0.5).truePositiveRate // 1
 */
export function countsAt(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): ThresholdCounts {
  const { positives, negatives } = countClasses(scores, labels);
  let tp = 0, fp = 0;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] >= threshold) labels[i] === 1 ? tp++ : fp++;
  }
  return {
    threshold,
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: negatives - fp,
    falseNegatives: positives - tp,
    falsePositiveRate: fp / negatives,
    truePositiveRate: tp / positives,
    precision: tp + fp === 0 ? NaN : tp / (tp + fp),
  };
}
