/**
 * Configuration of TFLM's audio "microfrontend" (tensorflow/lite/experimental/microfrontend).
 *
 * The field names follow the C library's config structs so the numbers can be compared
 * with TFLM's sources and with `audio_preprocessor.py`.
 */

/**
 * How the window and filterbank coefficients are quantised. TFLM has two implementations of
 * the same pipeline that differ only here:
 * - `"microfrontend"`: the C library (experimental/microfrontend): Hann window evaluated in
 *   float32 and rounded half up; filterbank weights rounded to nearest.
 * - `"signal"`: the newer Signal-op pipeline (audio_preprocessor_int8.tflite, used by
 *   micro_speech_test.cc): window in float64 with numpy's round-half-to-even; filterbank weights
 *   truncated toward zero.
 */
export type FrontendVariant = "microfrontend" | "signal";

/** Every knob of the microfrontend pipeline. */
export interface FrontendConfig {
  /** Coefficient quantisation convention (see FrontendVariant). */
  variant: FrontendVariant;
  /** Input sample rate in Hz (the library is integer-only; 16000 for micro_speech). */
  sampleRate: number;
  /** Analysis window length in ms (30 → 480 samples at 16 kHz). */
  windowSizeMs: number;
  /** Hop between windows in ms (20 → 320 samples at 16 kHz). */
  windowStepMs: number;
  /** Number of mel channels. */
  numChannels: number;
  /** Lowest filterbank frequency in Hz. */
  lowerBandLimit: number;
  /** Highest filterbank frequency in Hz. */
  upperBandLimit: number;
  /** Noise estimate is kept with this many extra fractional bits. */
  smoothingBits: number;
  /** Noise-estimate update rate for even channels (0..1). */
  evenSmoothing: number;
  /** Noise-estimate update rate for odd channels (0..1). */
  oddSmoothing: number;
  /** Fraction of the signal always kept after noise subtraction (0..1). */
  minSignalRemaining: number;
  /** Per-channel automatic gain control (PCAN). */
  enablePcan: boolean;
  /** PCAN normalisation exponent (0 disables, 1 full strength). */
  pcanStrength: number;
  /** PCAN: positive value added in the normalisation denominator. */
  pcanOffset: number;
  /** PCAN: fractional bits of the gain. */
  pcanGainBits: number;
  /** Take the (integer) natural log of each channel. */
  enableLog: boolean;
  /** The log output is scaled by 2^scaleShift. */
  logScaleShift: number;
}

/**
 * The configuration TFLM's micro_speech example uses (InitializeMicroFeatures): 30 ms windows,
 * 20 ms hops, 40 channels 125–7500 Hz, PCAN on, log scale shift 6.
 */
export const MICRO_SPEECH_FRONTEND: Readonly<FrontendConfig> = Object.freeze({
  variant: "microfrontend",
  sampleRate: 16000,
  windowSizeMs: 30,
  windowStepMs: 20,
  numChannels: 40,
  lowerBandLimit: 125,
  upperBandLimit: 7500,
  smoothingBits: 10,
  evenSmoothing: 0.025,
  oddSmoothing: 0.06,
  minSignalRemaining: 0.05,
  enablePcan: true,
  pcanStrength: 0.95,
  pcanOffset: 80,
  pcanGainBits: 21,
  enableLog: true,
  logScaleShift: 6,
});

/**
 * The same settings with the Signal-op pipeline's coefficients: what TFLM's current
 * micro_speech example (audio_preprocessor_int8.tflite) computes.
 */
export const MICRO_SPEECH_SIGNAL_FRONTEND: Readonly<FrontendConfig> = Object.freeze({
  ...MICRO_SPEECH_FRONTEND,
  variant: "signal",
});

/**
 * The library defaults (FrontendFillConfigWithDefaults): 25 ms / 10 ms, 32 channels, PCAN off.
 */
export const LIBRARY_DEFAULT_FRONTEND: Readonly<FrontendConfig> = Object.freeze({
  ...MICRO_SPEECH_FRONTEND,
  windowSizeMs: 25,
  windowStepMs: 10,
  numChannels: 32,
  enablePcan: false,
});

/** Thrown for a configuration the fixed-point pipeline cannot run. */
export class FrontendConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FrontendConfigError";
  }
}
