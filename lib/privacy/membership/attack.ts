/**
 * Membership inference (Yeom et al. 2018): guess whether an example was in the training set from the model's
 * loss on it — training examples tend to have lower loss, the more so the more the model overfits. The attack's
 * AUC (0.5 = a coin flip) and advantage (max over thresholds of TPR − FPR) measure how much membership leaks.
 * For an ε-DP training run the advantage is at most e^ε − 1.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { require } from "../errors.ts";
import { type ExampleLoss, exampleLosses } from "../metrics.ts";

/**
 * Area under the ROC curve: the probability that a random positive scores higher than a random negative
 * (ties count ½), from ranks (Mann–Whitney U).
 * @example aucScore([3, 4], [1, 2]); // 1
 */
export function aucScore(positive: ArrayLike<number>, negative: ArrayLike<number>): number {
  require(positive.length > 0 && negative.length > 0, "AUC needs at least one positive and one negative score");
  const all = [
    ...Array.from(positive, (s) => ({ s, pos: true })),
    ...Array.from(negative, (s) => ({ s, pos: false })),
  ].sort((a, b) => a.s - b.s);
  let rankSumPos = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j].s === all[i].s) j++;
    const midRank = (i + 1 + j) / 2; // ranks i+1..j share their mean
    for (let k = i; k < j; k++) if (all[k].pos) rankSumPos += midRank;
    i = j;
  }
  const np = positive.length, nn = negative.length;
  return (rankSumPos - (np * (np + 1)) / 2) / (np * nn);
}

/** An ROC curve: for each threshold t (predict "positive" when score ≥ t), the true and false positive rates. */
export interface RocCurve {
  thresholds: number[];
  tpr: number[];
  fpr: number[];
}

/** The ROC curve over every distinct score, from (0, 0) to (1, 1). */
export function rocCurve(positive: ArrayLike<number>, negative: ArrayLike<number>): RocCurve {
  require(positive.length > 0 && negative.length > 0, "ROC needs at least one positive and one negative score");
  const scores = [...new Set([...Array.from(positive), ...Array.from(negative)])].sort((a, b) => b - a);
  const pos = Array.from(positive).sort((a, b) => b - a);
  const neg = Array.from(negative).sort((a, b) => b - a);
  const curve: RocCurve = { thresholds: [Infinity], tpr: [0], fpr: [0] };
  let ip = 0, ineg = 0;
  for (const t of scores) {
    while (ip < pos.length && pos[ip] >= t) ip++;
    while (ineg < neg.length && neg[ineg] >= t) ineg++;
    curve.thresholds.push(t);
    curve.tpr.push(ip / pos.length);
    curve.fpr.push(ineg / neg.length);
  }
  return curve;
}

/** The attacker's advantage: the largest TPR − FPR over thresholds, and the threshold that reaches it. */
export function membershipAdvantage(roc: RocCurve): { advantage: number; threshold: number } {
  let best = { advantage: 0, threshold: Infinity };
  roc.tpr.forEach((t, i) => {
    if (t - roc.fpr[i] > best.advantage) best = { advantage: t - roc.fpr[i], threshold: roc.thresholds[i] };
  });
  return best;
}

/** The outcome of a loss-threshold membership attack. */
export interface MembershipAttackResult {
  /** Per-example losses of the training examples (members) and of held-out ones (non-members). */
  memberLosses: Float32Array;
  nonMemberLosses: Float32Array;
  /** AUC of "lower loss ⇒ member" (0.5: no leak, 1: every member told apart). */
  auc: number;
  /** max(TPR − FPR) over loss thresholds. */
  advantage: number;
  /** The loss below which the best attacker says "member". */
  lossThreshold: number;
  roc: RocCurve;
}

/**
 * Loss-threshold membership inference against a classifier: members are the examples it was trained on,
 * non-members held-out examples from the same distribution (use equally many for a balanced test).
 *
 * @example
 * const r = lossThresholdAttack(model, { x: xTrain, y: yTrain }, { x: xTest, y: yTest });
 * console.log(`attack AUC ${r.auc.toFixed(3)}, advantage ${r.advantage.toFixed(3)}`);
 */
export function lossThresholdAttack(
  model: tf.LayersModel,
  members: { x: tf.Tensor; y: tf.Tensor | ArrayLike<number> },
  nonMembers: { x: tf.Tensor; y: tf.Tensor | ArrayLike<number> },
  loss: ExampleLoss = "sparseCategoricalCrossentropy",
): MembershipAttackResult {
  const memberLosses = exampleLosses(model, members.x, members.y, loss);
  const nonMemberLosses = exampleLosses(model, nonMembers.x, nonMembers.y, loss);
  // Score = −loss: a higher score means "more likely a member".
  const pos = Array.from(memberLosses, (l) => -l);
  const neg = Array.from(nonMemberLosses, (l) => -l);
  const roc = rocCurve(pos, neg);
  const { advantage, threshold } = membershipAdvantage(roc);
  return { memberLosses, nonMemberLosses, auc: aucScore(pos, neg), advantage, lossThreshold: -threshold, roc };
}
