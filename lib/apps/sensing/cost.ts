/**
 * Choosing a detector's threshold: by what its mistakes cost, or by the false-alarm rate one can live with.
 *
 * A false alarm (a healthy machine flagged) costs an inspection; a missed fault costs a breakdown. Which
 * threshold is "best" depends on those two prices and on how rare faults are — numbers the people who run
 * the machine must supply, not the model.
 * @module
 */
import { SensingInputError } from "./errors.ts";
import { countClasses, rocCurve } from "./roc.ts";

/** Prices of the two mistakes, in any one unit (e.g. euros). */
export interface CostOptions {
  /** Cost of flagging a negative (an inspection that finds nothing). */
  falseAlarmCost: number;
  /** Cost of missing a positive (an unplanned breakdown). */
  missCost: number;
  /**
   * Fraction of windows that are positive in operation (default: the fraction in `labels`). Test sets are
   * often balanced while real faults are rare; the expected cost must use the real rate.
   */
  prevalence?: number;
  /** Thresholds to evaluate (default: every distinct score, as in the ROC curve, plus +Infinity). */
  thresholds?: ArrayLike<number>;
}

/** The expected cost of one threshold. */
export interface ThresholdCost {
  threshold: number;
  /** Fraction of negatives flagged. */
  falseAlarmRate: number;
  /** Fraction of positives not flagged. */
  missRate: number;
  /** Expected cost per window: (1 − p)·falseAlarmRate·falseAlarmCost + p·missRate·missCost. */
  cost: number;
}

/**
 * Expected cost per window for each threshold (positive when score ≥ threshold).
 * @example
 * const rows = thresholdCosts(scores, labels, { falseAlarmCost: 200, missCost: 20_000, prevalence: 0.01 });
 */
export function thresholdCosts(scores: ArrayLike<number>, labels: ArrayLike<number>, opts: CostOptions): ThresholdCost[] {
  const { positives, negatives } = countClasses(scores, labels);
  if (!(opts.falseAlarmCost >= 0) || !(opts.missCost >= 0)) throw new SensingInputError("falseAlarmCost and missCost must be ≥ 0");
  const p = opts.prevalence ?? positives / (positives + negatives);
  if (!(p >= 0 && p <= 1)) throw new SensingInputError(`prevalence must be a fraction between 0 and 1, got ${p}`);
  const price = (fa: number, miss: number) => (1 - p) * fa * opts.falseAlarmCost + p * miss * opts.missCost;
  if (opts.thresholds === undefined) {
    const roc = rocCurve(scores, labels);
    return roc.thresholds.map((threshold, i) => ({
      threshold, falseAlarmRate: roc.fpr[i], missRate: 1 - roc.tpr[i], cost: price(roc.fpr[i], 1 - roc.tpr[i]),
    }));
  }
  return Array.from(opts.thresholds, (threshold) => {
    let fp = 0, tp = 0;
    for (let i = 0; i < scores.length; i++) if (scores[i] >= threshold) labels[i] === 1 ? tp++ : fp++;
    const fa = fp / negatives, miss = 1 - tp / positives;
    return { threshold, falseAlarmRate: fa, missRate: miss, cost: price(fa, miss) };
  });
}

/**
 * The threshold with the lowest expected cost (the highest such threshold when several tie).
 * @example bestThreshold(scores, labels, { falseAlarmCost: 1, missCost: 50 }).threshold
 */
export function bestThreshold(scores: ArrayLike<number>, labels: ArrayLike<number>, opts: CostOptions): ThresholdCost {
  const rows = thresholdCosts(scores, labels, opts);
  let best = rows[0];
  for (const r of rows) if (r.cost < best.cost || (r.cost === best.cost && r.threshold > best.threshold)) best = r;
  return best;
}

/**
 * A threshold from negatives only (what a factory has before any fault is recorded): at most a fraction
 * `rate` of `negativeScores` are ≥ it. The threshold lies halfway between two neighbouring scores.
 * @example thresholdForFalseAlarmRate([1, 2, 3, 4], 0.25) // 3.5: only the 4 is flagged
 */
export function thresholdForFalseAlarmRate(negativeScores: ArrayLike<number>, rate: number): number {
  const n = negativeScores.length;
  if (n === 0) throw new SensingInputError("need at least one negative score to set a threshold");
  if (!(rate >= 0 && rate <= 1)) throw new SensingInputError(`rate must be a fraction between 0 and 1, got ${rate}`);
  const s = Float64Array.from(negativeScores).sort().reverse();
  // Flag the k highest scores, fewer if ties would drag more above the threshold.
  let k = Math.floor(rate * n + 1e-9);
  if (k >= n) return s[n - 1];
  while (k > 0 && s[k - 1] === s[k]) k--;
  if (k === 0) return s[0] + Math.max(Math.abs(s[0]) * 1e-9, 1e-12);
  return (s[k - 1] + s[k]) / 2;
}
