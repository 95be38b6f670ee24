/**
 * The whole microfrontend: int16 audio in, one uint16 feature vector per hop out
 * (C: frontend.c / frontend_util.c). Bit-exact with TFLM's library for the micro_speech
 * configuration.
 *
 * Every stage keeps its state in the `FrontendState` object, so a notebook can run the stages
 * one at a time (`frontendStages`) and look at what each one does.
 */
import {
  FrontendConfigError,
  type FrontendConfig,
  type FrontendVariant,
  MICRO_SPEECH_FRONTEND,
} from "./config.ts";
import { msb32, toInt16 } from "./bits.ts";
import { createWindowState, resetWindow, type WindowState, windowProcessSamples } from "./window.ts";
import { type ComplexInt16, createKissFftr, kissFftr, type KissFftrState } from "./kiss_fft_int16.ts";
import {
  accumulateChannels,
  createFilterbank,
  FILTERBANK_BITS,
  fftEnergy,
  filterbankSqrt,
  type FilterbankState,
} from "./filterbank.ts";
import {
  createNoiseReduction,
  noiseReductionApply,
  type NoiseReductionState,
  resetNoiseReduction,
} from "./noise_reduction.ts";
import { createPcan, pcanApply, type PcanState } from "./pcan.ts";
import { createLogScale, logScaleApply, type LogScaleState } from "./log_scale.ts";

/** All stage states of one frontend instance. */
export interface FrontendState {
  config: FrontendConfig;
  window: WindowState;
  fftSize: number;
  fft: KissFftrState;
  filterbank: FilterbankState;
  noiseReduction: NoiseReductionState;
  /** null when PCAN is disabled. */
  pcan: PcanState | null;
  logScale: LogScaleState;
  /** log2(fftSize) − 1 − FILTERBANK_BITS/2: how far the filterbank output is scaled. */
  correctionBits: number;
}

/** Intermediate values of one frame, for teaching and debugging. */
export interface FrontendStages {
  /** Windowed int16 samples. */
  windowed: Int16Array;
  /** Left shift applied before the FFT (15 − bits of max |windowed|). */
  inputShift: number;
  /** FFT input after the shift. */
  fftInput: Int16Array;
  /** Fixed-point FFT output, fftSize/2 + 1 bins. */
  fft: ComplexInt16;
  /** |X[k]|² per bin (0 outside the filterbank's range). */
  energy: Float64Array;
  /** sqrt of the mel channel energies, shifted back down by inputShift. */
  filterbank: Uint32Array;
  /** After noise reduction. */
  noiseReduced: Uint32Array;
  /** After PCAN (equal to noiseReduced when PCAN is off). */
  pcan: Uint32Array;
  /** Final uint16 features. */
  output: Uint16Array;
}

/**
 * Build a frontend (`FrontendPopulateState`).
 * @example
 * const fe = createFrontend(); // micro_speech settings
 */
export function createFrontend(config: Partial<FrontendConfig> = {}): FrontendState {
  const cfg: FrontendConfig = { ...MICRO_SPEECH_FRONTEND, ...config };
  if (!Number.isInteger(cfg.sampleRate) || cfg.sampleRate <= 0) {
    throw new FrontendConfigError(`sampleRate must be a positive integer, got ${cfg.sampleRate}`);
  }
  if (cfg.numChannels < 1 || cfg.upperBandLimit <= cfg.lowerBandLimit || cfg.lowerBandLimit < 0) {
    throw new FrontendConfigError(
      `need numChannels >= 1 and 0 <= lowerBandLimit < upperBandLimit, got ${cfg.numChannels} channels, ` +
        `${cfg.lowerBandLimit}..${cfg.upperBandLimit} Hz`,
    );
  }
  const window = createWindowState(cfg.windowSizeMs, cfg.windowStepMs, cfg.sampleRate, cfg.variant);
  if (window.size < 4 || window.step < 1 || window.step > window.size) {
    throw new FrontendConfigError(
      `window of ${window.size} samples with hop ${window.step} is unusable; pick windowSizeMs >= windowStepMs > 0`,
    );
  }
  let fftSize = 1;
  while (fftSize < window.size) fftSize <<= 1;
  const fft = createKissFftr(fftSize);
  let filterbank: FilterbankState;
  try {
    filterbank = createFilterbank(
      cfg.numChannels,
      cfg.lowerBandLimit,
      cfg.upperBandLimit,
      cfg.sampleRate,
      fftSize / 2 + 1,
      cfg.variant,
    );
  } catch (e) {
    throw new FrontendConfigError((e as Error).message);
  }
  const noiseReduction = createNoiseReduction(
    cfg.numChannels,
    cfg.smoothingBits,
    cfg.evenSmoothing,
    cfg.oddSmoothing,
    cfg.minSignalRemaining,
  );
  const correctionBits = msb32(fftSize) - 1 - FILTERBANK_BITS / 2;
  const pcan = cfg.enablePcan
    ? createPcan(cfg.pcanStrength, cfg.pcanOffset, cfg.pcanGainBits, cfg.smoothingBits, correctionBits)
    : null;
  return {
    config: cfg,
    window,
    fftSize,
    fft,
    filterbank,
    noiseReduction,
    pcan,
    logScale: createLogScale(cfg.enableLog, cfg.logScaleShift),
    correctionBits,
  };
}

/** Forget all history (buffered samples and noise estimate), as `FrontendReset`. */
export function resetFrontend(state: FrontendState): void {
  resetWindow(state.window);
  resetNoiseReduction(state.noiseReduction);
  state.filterbank.work.fill(0);
}

/**
 * Run stages 2–6 on the window that `state.window.output` holds, returning every intermediate.
 * Advances the noise estimate, so call it once per frame.
 */
export function frontendStages(state: FrontendState): FrontendStages {
  const windowed = state.window.output.slice();
  const inputShift = 15 - msb32(state.window.maxAbsOutput);
  const fftInput = new Int16Array(state.fftSize);
  for (let i = 0; i < windowed.length; i++) fftInput[i] = toInt16((windowed[i] & 0xffff) << inputShift);
  const bins = state.fftSize / 2 + 1;
  const fft = { re: new Int16Array(bins), im: new Int16Array(bins) };
  kissFftr(state.fft, fftInput, fft);
  const energy = new Float64Array(bins);
  fftEnergy(state.filterbank, fft, energy);
  accumulateChannels(state.filterbank, energy);
  const filterbank = filterbankSqrt(state.filterbank, inputShift);
  const noiseReduced = filterbank.slice();
  noiseReductionApply(state.noiseReduction, noiseReduced);
  const pcan = noiseReduced.slice();
  if (state.pcan) pcanApply(state.pcan, state.noiseReduction.estimate, pcan);
  const output = logScaleApply(state.logScale, pcan, state.correctionBits);
  return { windowed, inputShift, fftInput, fft, energy, filterbank, noiseReduced, pcan, output };
}

/**
 * Feed samples from `samples[offset..]` (`FrontendProcessSamples`). Reads at most what the
 * window buffer can take; returns the number read and a feature vector when a window completed.
 */
export function frontendProcessSamples(
  state: FrontendState,
  samples: Int16Array,
  offset = 0,
): { read: number; frame: Uint16Array | null } {
  const { read, ready } = windowProcessSamples(state.window, samples, offset);
  if (!ready) return { read, frame: null };
  return { read, frame: frontendStages(state).output };
}

/**
 * Streaming wrapper: push any number of samples (e.g. one 20 ms hop from a microphone) and get
 * the frames that completed. State persists between pushes, like on the Arduino.
 * @example
 * const stream = new FrontendStream();
 * for (const hop of hops) for (const frame of stream.push(hop)) model.addFrame(frame);
 */
export class FrontendStream {
  readonly state: FrontendState;
  constructor(config: Partial<FrontendConfig> = {}) {
    this.state = createFrontend(config);
  }
  /** Feed samples; returns 0 or more completed uint16 frames (numChannels each). */
  push(samples: Int16Array): Uint16Array[] {
    const frames: Uint16Array[] = [];
    let offset = 0;
    while (offset < samples.length) {
      const { read, frame } = frontendProcessSamples(this.state, samples, offset);
      offset += read;
      if (frame) frames.push(frame);
    }
    return frames;
  }
  /** Forget buffered samples and the noise estimate. */
  reset(): void {
    resetFrontend(this.state);
  }
}

/** Features of a whole clip: frames × channels, row-major. */
export interface FrontendFeatures {
  frames: number;
  channels: number;
  data: Uint16Array;
}

/**
 * Run a fresh frontend over a whole clip, as TFLM's `frontend_main` does.
 * A 1 s, 16 kHz clip gives 49 frames × 40 channels with the micro_speech settings.
 * @example
 * const { data } = computeFrontendFeatures(loadClip16k(bytes)); // Uint16Array(1960)
 */
export function computeFrontendFeatures(
  samples: Int16Array,
  config: Partial<FrontendConfig> = {},
): FrontendFeatures {
  const stream = new FrontendStream(config);
  const frames = stream.push(samples);
  const channels = stream.state.config.numChannels;
  const data = new Uint16Array(frames.length * channels);
  frames.forEach((f, i) => data.set(f, i * channels));
  return { frames: frames.length, channels, data };
}

/**
 * uint16 frontend output → the int8 the micro_speech model takes:
 * clamp(trunc((v·256 + 333) / 666) − 128, −128, 127), integer maths as in TFLM
 * (666 = round(25.6 · 26); i.e. v / 25.6 / 26 · 256 − 128, rounded).
 */
export function frontendToInt8(values: Uint16Array): Int8Array {
  const out = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.trunc((values[i] * 256 + 333) / 666) - 128;
    out[i] = v < -128 ? -128 : v > 127 ? 127 : v;
  }
  return out;
}

/**
 * The micro_speech model input for a clip: frontend features converted to int8 (49×40 for 1 s).
 * `variant: "signal"` gives what TFLM's audio_preprocessor_int8.tflite computes instead.
 * @example
 * const input = microSpeechFeatures(loadClip16k(wavBytes)); // Int8Array(1960)
 */
export function microSpeechFeatures(
  samples: Int16Array,
  variant: FrontendVariant = "microfrontend",
): Int8Array {
  return frontendToInt8(computeFrontendFeatures(samples, { ...MICRO_SPEECH_FRONTEND, variant }).data);
}
