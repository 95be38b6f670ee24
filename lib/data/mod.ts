/**
 * Datasets for the course: loaders (MNIST, 8×8 digits, Speech Commands layout, real spoken digits),
 * generators (synthetic keyword spotting, IMU gestures, machine vibration) and data checks (quality
 * report, per-group bias metrics).
 * @module
 */
export type { ImageDataset, ImageSplit, ImageSplitOptions } from "./types.ts";
export { splitImages, takeImages } from "./split.ts";
export { loadMnist, loadMnistAll, mnistDataDir, MnistUnavailableError } from "./mnist.ts";
export { DIGITS8X8_PATHS, Digits8x8MissingError, findDigits8x8, loadDigits8x8, loadDigits8x8All } from "./digits8x8.ts";
export {
  ChecksumError, download, DownloadError, extractTarGz, indexSpeechCommands, loadClip, loadClips, sha256File, SPEECH_COMMANDS_V2_URL,
  SPEECH_COMMANDS_WORDS, speakerOf, SpeechCommandsLayoutError, whichSet,
} from "./speech_commands.ts";
export type { DownloadOptions, DownloadProgress, DownloadResult, SpeechCommandsEntry, SpeechCommandsIndex, Split } from "./speech_commands.ts";
export {
  DEFAULT_UNKNOWN_WORDS, ESPEAK_ENGLISH, ESPEAK_FOREIGN, ESPEAK_LANGUAGES, ESPEAK_VARIANTS, FLITE_VOICES, generateKws, KWS_SMALL, MissingToolError,
  NOISE_KINDS, planKws, planSpeakers, readKwsManifest, synthesizeWords,
} from "./kws_synth.ts";
export type { KwsClip, KwsManifest, KwsSpeaker, KwsSynthOptions, NoiseKind } from "./kws_synth.ts";
export { ASTERISK_SOUNDS_DIR, AsteriskSoundsMissingError, DIGIT_WORDS, findDigitVoices, loadAsteriskDigits, writeDigitsLayout } from "./digits_real.ts";
export type { DigitClip, DigitVoice } from "./digits_real.ts";
export { GESTURES, IMU_CHANNELS, imuDataset, imuGesture, randomImuPerson } from "./imu_gestures.ts";
export type { Gesture, ImuDataset, ImuOptions, ImuPerson } from "./imu_gestures.ts";
export {
  amplitudeAt, BEARING_6205, bearingFrequencies, envelope, VIBRATION_CLASSES, vibrationDataset, vibrationSignal,
} from "./vibration.ts";
export type { BearingFrequencies, BearingGeometry, VibrationDataset, VibrationFault, VibrationOptions } from "./vibration.ts";
export { audioEmbedding } from "./features.ts";
export {
  classBalance, clipStats, exactDuplicates, formatTable, labelNoiseCandidates, nearDuplicates, normalizeFeatures,
  qualityReport, speakerLeaks,
} from "./quality.ts";
export type {
  ClassBalance, ClipStats, DuplicateGroup, LabelNoiseCandidate, LabelNoiseOptions, NearDuplicatePair, QualityItem, QualityOptions,
  QualityReport, SpeakerLeak, TextTable,
} from "./quality.ts";
export { balancedSample, BiasInputError, compareBias, disparity, formatGroupMetrics, groupMetrics, groupWeights } from "./bias.ts";
export type { BiasComparison, BiasComparisonRow, Disparity, GroupMetrics } from "./bias.ts";
export { CommandError, hasTool, runPool, sh, shQuote, soxRead } from "./proc.ts";
export { DatasetLockTimeoutError, ensureDigits, ensureKws, GENERATED_DIR, kwsDir, withDirLock } from "./cache.ts";
export type { EnsureKwsOptions } from "./cache.ts";
