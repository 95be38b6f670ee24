/**
 * Helpers for Course 2's sensing lessons (anomaly detection, gestures, sound events): ROC curves and AUC,
 * choosing a threshold by the cost of mistakes, duty-cycle arithmetic (detection probability and battery
 * life), a seeded mosquito wing-beat / background sound generator, feature glue and a gesture CNN.
 *
 * @example
 * ```ts
 * import { bestThreshold, rocAuc } from "tinyml-kit/apps/sensing/mod.ts";
 * rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]); // 1
 * bestThreshold(scores, labels, { falseAlarmCost: 200, missCost: 20_000, prevalence: 0.02 });
 * ```
 * @module
 */
export { SensingInputError } from "./errors.ts";
export { aucOf, countClasses, countsAt, rocAuc, rocCurve } from "./roc.ts";
export type { RocCurve, ThresholdCounts } from "./roc.ts";
export { bestThreshold, thresholdCosts, thresholdForFalseAlarmRate } from "./cost.ts";
export type { CostOptions, ThresholdCost } from "./cost.ts";
export { BATTERIES, captureProbability, dutyCycleSweep, simulateCapture } from "./duty.ts";
export type { Battery, CaptureOptions, DutyCycleRow, DutyCycleSweepOptions } from "./duty.ts";
export { BACKGROUND_KINDS, backgroundSound, scaleToRms, soundEventDataset, wingbeatTone } from "./wingbeat.ts";
export type { BackgroundKind, BackgroundOptions, SoundEventDataset, SoundEventDatasetOptions, WingbeatOptions } from "./wingbeat.ts";
export {
  bandCentresHz, dequantizeOutputs, fitStandardizer, imuWindows, logBandEnergies, mapRows, reconstructionErrors, scaleMotion, soundFeatures, splitByGroup, standardize, vibrationFeatures,
} from "./features.ts";
export type { BandOptions, ImuWindowOptions, Standardizer } from "./features.ts";
export { vibrationFleet } from "./fleet.ts";
export type { VibrationFleet, VibrationFleetOptions } from "./fleet.ts";
export { personGestures } from "./gestures.ts";
export type { PersonGesturesOptions } from "./gestures.ts";
export { gestureCnn } from "./models.ts";
export type { GestureCnnOptions } from "./models.ts";
