/**
 * Helpers for Course 2's data lessons (dataset quality, bias): plant known problems and score lib/data's
 * finders against them, a seeded small classifier to measure what each problem costs, and the spoken-digit
 * sets (synthetic voices for training, real Asterisk voices for testing) with MCU-sized features.
 * @module
 */
export { DataLessonError } from "./errors.ts";
export { detectionScore, formatScores } from "./score.ts";
export type { DetectionScore } from "./score.ts";
export { cleanImages, findingsFromReport, imageItems, plantAudioProblems, plantImageProblems } from "./plant.ts";
export type { PlantAudioOptions, PlantedAudio, PlantedIds, PlantedImages, PlantImageOptions, ReportFindings } from "./plant.ts";
export { accuracyOf, featureTensor, predictClasses, trainClassifier } from "./classifier.ts";
export type { ClassifierOptions } from "./classifier.ts";
export {
  accentGroup, centreByEnergy, digitFeatureFrames, digitFeatures, kwsQualityItems, loadRealDigits, loadSynthDigits,
} from "./speech.ts";
export type { DigitFeatureOptions, SpokenDigit, SynthDigitsOptions } from "./speech.ts";
export { countBy, underRepresent } from "./sampling.ts";
