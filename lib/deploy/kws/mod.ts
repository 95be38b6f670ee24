/**
 * Keyword spotting on the Arduino Nano 33 BLE Sense: TFLite Micro's micro_speech audio frontend in portable C
 * (bit-exact with lib/audio's TypeScript frontend), streaming inference with a 49-frame ring buffer, posterior
 * averaging, threshold and suppression, and the one-call deploy that checks the board against the notebook.
 *
 * Stable API (other lessons rely on it):
 * ```ts
 * import { deployKeywordSpotter } from "tinyml-kit/deploy/kws/mod.ts";
 * const report = await deployKeywordSpotter({
 *   lesson: "2-02-kws",            // sketch folder sketches/<lesson>/
 *   graph: q.graph,                 // int8 model, input frames×40 (49×40), one output per label
 *   labels,                         // e.g. ["_silence_", "_unknown_", "yes", "no"]
 *   clips,                          // Int16Array[] of 16 kHz audio (2–6 one-second clips)
 *   board: "nano33ble",            // default
 *   stream: { strideFrames: 4, averageWindow: 3, threshold: 0.6, suppressionMs: 1000 }, // optional (defaults)
 * });
 * report.identical; report.clipLabels; report.detections; report.text;
 * ```
 * It prints `flash … of …`, `RAM … of …` and `verdict  identical: N/N samples` like deployLesson, plus the
 * stream's verdict and the memory map. Is the stride affordable? `profileKws(graph, clip)` counts the frontend's
 * and the model's Cortex-M4 instructions, `strideForBudget(work, 64e6)` picks the smallest stride that leaves 20%
 * of the CPU free (or pass `profile: true` to deployKeywordSpotter to have the CPU share in its report).
 *
 * @module
 */
export { deployKeywordSpotter, flashByPart } from "./deploy.ts";
export type { DeployKwsOptions, KwsDeployReport, MemoryMapRow } from "./deploy.ts";
export { frontendCDir, frontendCFigures, frontendCSources, writeFrontendC } from "./frontend_c.ts";
export type { FrontendCFigures, FrontendCFiles } from "./frontend_c.ts";
export { checkFrontendC, frontendCheckProgram } from "./frontend_check.ts";
export type { CheckFrontendOptions, FrontendCheck, FrontendTarget } from "./frontend_check.ts";
export {
  countFrontendInstructions, countModelInstructions, cpuShare, INSTRUCTIONS_PER_TICK, measureKwsCost, profileKws, strideForBudget,
} from "./profile.ts";
export type { KwsCost, KwsWork } from "./profile.ts";
export { kwsClipsHeader, kwsConfigHeader, kwsIno, writeKwsSketch } from "./sketch.ts";
export type { KwsSketch, KwsSketchOptions } from "./sketch.ts";
export {
  averagedProbabilities, clipVerdicts, DEFAULT_STREAM, evaluateDetections, isFillerLabel, KwsStreamer, replayDetections, simulateKwsStream, streamedClipFeatures,
  streamSettings,
} from "./stream.ts";
export type { DetectionScore, KwsDetection, KwsStreamOptions, KwsStreamResult, KwsStreamSettings } from "./stream.ts";
export { KwsCheckError, KwsInputError } from "./errors.ts";
