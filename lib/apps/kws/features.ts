/**
 * Features as the micro_speech model sees them: TFLM's integer frontend (30 ms windows, 20 ms hops, 40 mel
 * channels) turned into int8, for single clips and for long streams, plus the float view used for training.
 * @module
 */
import type { Graph } from "../../graph/types.ts";
import { floatToInt16 } from "../../audio/wav.ts";
import { computeFrontendFeatures, frontendToInt8, microSpeechFeatures } from "../../audio/microfrontend/frontend.ts";
import { KwsAppError } from "./errors.ts";

/** Feature frames of a 1 s window (20 ms hops). */
export const KWS_FRAMES = 49;
/** Filterbank channels per frame. */
export const KWS_CHANNELS = 40;
/** Sample rate of every clip and stream. */
export const KWS_SAMPLE_RATE = 16000;
/** Seconds between feature frames. */
export const FRAME_STEP_S = 0.02;

const asInt16 = (x: Float32Array | Int16Array): Int16Array => (x instanceof Int16Array ? x : floatToInt16(x));

/**
 * The micro_speech int8 features of a clip (49 × 40 for one second at 16 kHz, row-major by frame).
 * @example
 * const f = clipFeatures(loadClip(file)); // Int8Array(1960)
 */
export function clipFeatures(samples: Float32Array | Int16Array): Int8Array {
  return microSpeechFeatures(asInt16(samples));
}

/**
 * Features of a long recording with ONE frontend running through it, as on the board (the noise estimate and
 * PCAN gains carry over between words). Returns frames × 40 int8 values.
 * @example
 * const { frames, data } = streamFeatures(stream.audio); // frames ≈ seconds × 50
 */
export function streamFeatures(samples: Float32Array | Int16Array): { frames: number; channels: number; data: Int8Array } {
  const f = computeFrontendFeatures(asInt16(samples));
  return { frames: f.frames, channels: f.channels, data: frontendToInt8(f.data) };
}

/**
 * int8 features → the float the models are trained on: (v + 128) / 256, in [0, 1). With this mapping a
 * model whose input is quantized with scale 1/256 and zero point −128 takes the frontend's int8 bytes as they are.
 */
export function featuresToInput(features: ArrayLike<number>): Float32Array {
  const out = new Float32Array(features.length);
  for (let i = 0; i < features.length; i++) out[i] = (features[i] + 128) / 256;
  return out;
}

/** A flat feature block as rows of frames (`[frame][channel]`), for `spectrogram` plots. */
export function featureRows(features: ArrayLike<number>, channels: number = KWS_CHANNELS): number[][] {
  if (channels < 1 || features.length % channels !== 0) {
    throw new KwsAppError(`${features.length} values do not split into frames of ${channels} channels`);
  }
  const rows: number[][] = [];
  for (let i = 0; i < features.length; i += channels) rows.push(Array.from(features).slice(i, i + channels));
  return rows;
}

/**
 * True when a quantized model's input parameters are exactly scale 1/256, zero point −128, so the frontend's
 * int8 output can be fed to it unchanged (what the sketch on the board does).
 */
export function takesFrontendInt8(graph: Graph): boolean {
  const q = graph.tensors[graph.inputs[0]].quant;
  return !!q && q.zeroPoint[0] === -128 && Math.abs(q.scale[0] * 256 - 1) < 1e-6;
}

/**
 * Mean of each channel over all frames, after `featuresToInput` (0..1): a 40-value summary of a clip — its
 * average spectrum — small enough for an Uno.
 * @example
 * const summary = channelMeans(clipFeatures(clip)); // Float32Array(40)
 */
export function channelMeans(features: ArrayLike<number>, channels: number = KWS_CHANNELS): Float32Array {
  if (channels < 1 || features.length === 0 || features.length % channels !== 0) {
    throw new KwsAppError(`${features.length} values do not split into frames of ${channels} channels`);
  }
  const frames = features.length / channels;
  const out = new Float32Array(channels);
  for (let i = 0; i < features.length; i++) out[i % channels] += (features[i] + 128) / 256;
  for (let c = 0; c < channels; c++) out[c] /= frames;
  return out;
}
