/**
 * Keyword spotting and wake words (Course 2, lessons 1–3): micro_speech features for clips and streams,
 * feature datasets with augmentation, int8 quantization that takes the frontend's bytes as they are,
 * synthetic test streams with ground truth, streaming detection (sliding window, posterior smoothing,
 * threshold, refractory period), and false rejects vs false accepts per hour.
 *
 * @example
 * ```ts
 * import { buildStream, graphScorer, scoreStream, smoothScores, streamFeatures, sweepThresholds } from "tinyml-kit/apps/kws/mod.ts";
 * const s = buildStream({ clips, noise, seed: 1 });
 * const scored = scoreStream(streamFeatures(s.audio).data, graphScorer(q.graph, 1), { hopFrames: 2 });
 * const rows = sweepThresholds({ times: scored.times, scores: smoothScores(scored.scores, 3) },
 *   { events: s.events, positive: "marvin", durationS: s.durationS });
 * ```
 * @module
 */
export { KwsAppError } from "./errors.ts";
export { channelMeans, clipFeatures, FRAME_STEP_S, featureRows, featuresToInput, KWS_CHANNELS, KWS_FRAMES, KWS_SAMPLE_RATE, streamFeatures, takesFrontendInt8 } from "./features.ts";
export { accuracyByGroup, classCounts, featureTensors, loadFeatureSet, loadNoise, relabel } from "./dataset.ts";
export type { AugmentOptions, FeatureSetOptions, GroupAccuracy, KwsFeatureSet } from "./dataset.ts";
export { quantizeForFrontend } from "./quantize.ts";
export { wakeWordNet } from "./model.ts";
export type { WakeWordNetOptions } from "./model.ts";
export { channelCentersHz, clipStages, stageImage } from "./stages.ts";
export type { FrameStages, StageName } from "./stages.ts";
export { buildStream, streamWindows, voicedExtent } from "./stream.ts";
export type { BuildStreamOptions, KwsStream, StreamClip, StreamEvent, StreamWindowsOptions } from "./stream.ts";
export { detect, frameEndTime, graphScorer, scoreStream, smoothScores, StreamingDetector } from "./detect.ts";
export type { DetectOptions, DetectorStep, ScoredStream, StreamingDetectorOptions, WindowOptions, WindowScorer } from "./detect.ts";
export { eventTrace } from "./plots.ts";
export type { EventTraceOptions } from "./plots.ts";
export { faPerHour, matchDetections, pickThreshold, sweepThresholds } from "./metrics.ts";
export type { MatchOptions, MatchResult, SweepOptions, SweepRow } from "./metrics.ts";
