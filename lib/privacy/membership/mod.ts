/**
 * Membership inference: does a trained model give away which examples it was trained on?
 *
 * @example
 * ```ts
 * import { lossThresholdAttack } from "tinyml-kit/privacy/membership/mod.ts";
 * const { auc, advantage } = lossThresholdAttack(model, { x: xTrain, y: yTrain }, { x: xOut, y: yOut });
 * ```
 * @module
 */
export * from "./attack.ts";
