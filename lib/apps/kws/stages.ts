/**
 * TFLM's frontend opened up over a whole clip: every stage of every frame (window, FFT energy, mel
 * filterbank, noise estimate and reduction, PCAN, log), for plots that show what each step does.
 * Uses lib/audio's bit-exact stages; the final stage equals `computeFrontendFeatures`.
 * @module
 */
import { floatToInt16 } from "../../audio/wav.ts";
import { MICRO_SPEECH_FRONTEND, type FrontendConfig } from "../../audio/microfrontend/config.ts";
import { freqToMel } from "../../audio/microfrontend/filterbank.ts";
import { createFrontend, frontendStages, frontendToInt8, type FrontendStages } from "../../audio/microfrontend/frontend.ts";
import { windowProcessSamples } from "../../audio/microfrontend/window.ts";
import { KwsAppError } from "./errors.ts";

/** One frame's stages plus the noise estimate the noise reduction used. */
export interface FrameStages extends FrontendStages {
  /** Per-channel noise estimate after this frame (same units as `filterbank`, with `smoothingBits` extra bits). */
  noiseEstimate: Uint32Array;
  /** The model's int8 input for this frame. */
  int8: Int8Array;
}

/**
 * Run a fresh frontend over a clip and keep every intermediate of every frame.
 * @example
 * const stages = clipStages(clip); // 49 frames for 1 s
 * stages[25].filterbank; // 40 mel channel amplitudes of frame 25
 */
export function clipStages(samples: Float32Array | Int16Array, config: Partial<FrontendConfig> = {}): FrameStages[] {
  const pcm = samples instanceof Int16Array ? samples : floatToInt16(samples);
  const state = createFrontend(config);
  const out: FrameStages[] = [];
  let offset = 0;
  while (offset < pcm.length) {
    const { read, ready } = windowProcessSamples(state.window, pcm, offset);
    offset += read;
    if (!ready) continue;
    const s = frontendStages(state);
    out.push({ ...s, noiseEstimate: state.noiseReduction.estimate.slice(), int8: frontendToInt8(s.output) });
  }
  return out;
}

/** Stages that are one vector per frame, for `stageImage`. */
export type StageName = "energy" | "filterbank" | "noiseEstimate" | "noiseReduced" | "pcan" | "output" | "int8";

/**
 * One stage over all frames as rows `[frame][value]` (for `spectrogram`), optionally through a log
 * (log10(1 + v), for the wide-range linear stages).
 */
export function stageImage(stages: readonly FrameStages[], stage: StageName, log = false): number[][] {
  if (stages.length === 0) throw new KwsAppError("no frames: the clip is shorter than one 30 ms window");
  return stages.map((s) => Array.from(s[stage] as ArrayLike<number>, (v) => (log ? Math.log10(1 + v) : v)));
}

/** Centre frequency in Hz of each mel channel of a frontend configuration (micro_speech by default). */
export function channelCentersHz(config: Partial<FrontendConfig> = {}): number[] {
  const c = { ...MICRO_SPEECH_FRONTEND, ...config };
  const lo = freqToMel(c.lowerBandLimit), hi = freqToMel(c.upperBandLimit);
  const step = (hi - lo) / (c.numChannels + 1);
  return Array.from({ length: c.numChannels }, (_, i) => 700 * (Math.exp((lo + (i + 1) * step) / 1127) - 1));
}
