/**
 * Streaming keyword spotting, the TypeScript twin of the board's `kws_stream.c`: the same frontend (lib/audio),
 * the same 49-frame ring buffer, the same integer posterior averaging, threshold and suppression, and the
 * same model arithmetic (lib/int8's Interpreter), so every score and every detection can be compared with
 * the board's byte for byte.
 *
 * @module
 */
import { createFrontend, type FrontendState, frontendProcessSamples, frontendToInt8 } from "../../audio/microfrontend/mod.ts";
import type { Graph } from "../../graph/types.ts";
import { Interpreter } from "../../int8/interpreter.ts";
import { KwsInputError } from "./errors.ts";

/** How the spotter streams and decides (all optional; defaults in {@link DEFAULT_STREAM}). */
export interface KwsStreamOptions {
  /**
   * Run the model every N new frames (N × 20 ms). Default 4 (every 80 ms): a micro_speech-sized model (336k MACs,
   * ~4.1 M instructions with the generated portable kernels) then takes ~87% of the Nano's 64 MHz; measure yours
   * with `profileKws` and pick with `strideForBudget`.
   */
  strideFrames?: number;
  /** Average the scores of the last K inferences. Default 3. */
  averageWindow?: number;
  /** Report a keyword when its averaged probability reaches this (0..1). Default 0.6. */
  threshold?: number;
  /** After a detection, stay quiet this long (ms). Default 1000 (the window is 1 s long). */
  suppressionMs?: number;
  /**
   * How the frontend's int8 bytes reach the model. "as-is" (default): copied unchanged, right for models
   * quantized with input scale 1/256 and zero point −128 (lib/apps/kws quantizeForFrontend) and for TFLM's
   * micro_speech model. "rescale": the model was trained on (v + 128) / 256 but quantized with another input
   * scale; a generated 256-entry table maps each byte to the model's quantization (same on host and board).
   */
  inputMapping?: "as-is" | "rescale";
}

/** The integer settings the C code is generated with. */
export interface KwsStreamSettings {
  strideFrames: number;
  averageWindow: number;
  /** Threshold on the uint8 score scale (score + 128; 256 ≈ probability 1), 0..255. */
  thresholdCode: number;
  suppressFrames: number;
  /** Per label: 1 when it is a keyword (not `_silence_` / `_unknown_`). */
  isKeyword: number[];
  /** Feature frames in the model's window and channels per frame. */
  frames: number;
  channels: number;
  /** Frontend hop in ms (20). */
  hopMs: number;
  /**
   * null when the model takes the frontend's int8 bytes as they are (input scale 1/256, zero point −128);
   * otherwise 256 entries mapping a frontend byte v (index v + 128) to the model's input quantization,
   * assuming the model was trained on (v + 128) / 256 (as `featuresToInput` in lib/apps/kws makes them).
   */
  inputLut: Int8Array | null;
}

/** Defaults of {@link KwsStreamOptions}. */
export const DEFAULT_STREAM: Readonly<Required<KwsStreamOptions>> = Object.freeze({
  strideFrames: 4,
  averageWindow: 3,
  threshold: 0.6,
  suppressionMs: 1000,
  inputMapping: "as-is",
});

/** A keyword heard: label index, averaged score (0..255) and the frame count when it was reported. */
export interface KwsDetection {
  label: number;
  score: number;
  frame: number;
}

/** Labels that are not keywords (never reported). */
export function isFillerLabel(label: string): boolean {
  return label.startsWith("_") || label === "silence" || label === "unknown";
}

/** Validates the options against the model and labels and turns them into the integers the C code uses. */
export function streamSettings(graph: Graph, labels: readonly string[], options: KwsStreamOptions = {}, channels = 40, hopMs = 20): KwsStreamSettings {
  const o = { ...DEFAULT_STREAM, ...options };
  const inT = graph.tensors[graph.inputs[0]];
  const outT = graph.tensors[graph.outputs[0]];
  const inSize = inT.shape.reduce((a, b) => a * b, 1);
  const outSize = outT.shape.reduce((a, b) => a * b, 1);
  if (inT.dtype !== "int8" || outT.dtype !== "int8") {
    throw new KwsInputError(`the keyword spotter needs an int8 model (input ${inT.dtype}, output ${outT.dtype}); quantize it with quantizeModel first`);
  }
  if (inSize % channels !== 0) throw new KwsInputError(`the model takes ${inSize} values, not a whole number of ${channels}-channel frames`);
  if (outSize !== labels.length) throw new KwsInputError(`the model has ${outSize} outputs but ${labels.length} labels were given`);
  if (!Number.isInteger(o.strideFrames) || o.strideFrames < 1) throw new KwsInputError(`strideFrames must be an integer >= 1, got ${o.strideFrames}`);
  if (!Number.isInteger(o.averageWindow) || o.averageWindow < 1 || o.averageWindow > 32) {
    throw new KwsInputError(`averageWindow must be an integer in 1..32, got ${o.averageWindow}`);
  }
  if (!(o.threshold > 0 && o.threshold <= 1)) throw new KwsInputError(`threshold is a probability in (0, 1], got ${o.threshold}`);
  if (!(o.suppressionMs >= 0)) throw new KwsInputError(`suppressionMs must be >= 0, got ${o.suppressionMs}`);
  const q = inT.quant;
  const scale = q?.scale[0] ?? 1 / 256, zp = q?.zeroPoint[0] ?? -128;
  let inputLut: Int8Array | null = null;
  if (o.inputMapping !== "as-is" && o.inputMapping !== "rescale") {
    throw new KwsInputError(`inputMapping is "as-is" or "rescale", got ${JSON.stringify(o.inputMapping)}`);
  }
  if (o.inputMapping === "rescale" && (Math.abs(scale - 1 / 256) > 1e-9 || zp !== -128)) {
    inputLut = new Int8Array(256);
    for (let i = 0; i < 256; i++) inputLut[i] = Math.max(-128, Math.min(127, Math.round(i / 256 / scale) + zp));
  }
  const isKeyword = labels.map((l) => (isFillerLabel(l) ? 0 : 1));
  if (!isKeyword.some(Boolean)) throw new KwsInputError(`no keyword among the labels ${labels.join(", ")} (labels starting with "_" are fillers)`);
  return {
    strideFrames: o.strideFrames,
    averageWindow: o.averageWindow,
    thresholdCode: Math.min(255, Math.round(o.threshold * 256)),
    suppressFrames: Math.round(o.suppressionMs / hopMs),
    isKeyword,
    frames: inSize / channels,
    channels,
    hopMs,
    inputLut,
  };
}

/** What one streamed run produced (same fields the board prints). */
export interface KwsStreamResult {
  /** Scores (int8) of every inference, in order. */
  scores: Int8Array[];
  /** The frame count at each inference. */
  inferenceFrames: number[];
  detections: KwsDetection[];
  /** FNV-1a over every score byte of every inference (what the board prints as its STREAM checksum). */
  checksum: number;
  frames: number;
}

/**
 * The spotter in TypeScript, step for step like kws_stream.c.
 * @example
 * const ks = new KwsStreamer(graph, settings);
 * const dets = ks.push(audioHop);
 */
export class KwsStreamer {
  readonly frontend: FrontendState;
  readonly ring: Int8Array;
  head = 0;
  frames = 0;
  untilInference: number;
  readonly history: Uint8Array[];
  historyCount = 0;
  historyPos = 0;
  suppressLeft = 0;
  scores: Int8Array;
  inferences = 0;
  checksum = 2166136261;
  readonly log: { scores: Int8Array[]; frames: number[] } = { scores: [], frames: [] };
  private readonly interp: Interpreter;

  constructor(readonly graph: Graph, readonly settings: KwsStreamSettings) {
    this.frontend = createFrontend();
    this.interp = new Interpreter(graph);
    this.ring = new Int8Array(settings.frames * settings.channels).fill(-128);
    this.untilInference = settings.strideFrames;
    this.history = Array.from({ length: settings.averageWindow }, () => new Uint8Array(settings.isKeyword.length));
    this.scores = new Int8Array(settings.isKeyword.length);
  }

  /** The window in time order (oldest frame first): what the model sees. */
  window(): Int8Array {
    const row = this.settings.channels;
    const out = new Int8Array(this.ring.length);
    out.set(this.ring.subarray(this.head * row), 0);
    out.set(this.ring.subarray(0, this.head * row), this.ring.length - this.head * row);
    return out;
  }

  /** Runs the model on the current window (kws_infer). */
  infer(): Int8Array {
    const out = this.interp.invoke([this.window()])[0] as Int8Array;
    this.scores = Int8Array.from(out);
    for (const v of this.scores) this.checksum = Math.imul((this.checksum ^ (v & 0xff)) >>> 0, 16777619) >>> 0;
    this.inferences++;
    this.log.scores.push(this.scores);
    this.log.frames.push(this.frames);
    return this.scores;
  }

  private updateDetection(): KwsDetection | null {
    const s = this.settings;
    this.history[this.historyPos].set(Array.from(this.scores, (v) => v + 128));
    this.historyPos = (this.historyPos + 1) % s.averageWindow;
    if (this.historyCount < s.averageWindow) this.historyCount++;
    if (this.historyCount < s.averageWindow || this.suppressLeft > 0) return null;
    let best = -1, bestAvg = -1;
    for (let i = 0; i < s.isKeyword.length; i++) {
      if (!s.isKeyword[i]) continue;
      let sum = 0;
      for (const h of this.history) sum += h[i];
      const avg = Math.trunc(sum / s.averageWindow);
      if (avg > bestAvg) {
        bestAvg = avg;
        best = i;
      }
    }
    if (best < 0 || bestAvg < s.thresholdCode) return null;
    this.suppressLeft = s.suppressFrames;
    return { label: best, score: bestAvg, frame: this.frames };
  }

  /** Feeds audio; returns the detections it caused (kws_push). */
  push(samples: Int16Array): KwsDetection[] {
    const found: KwsDetection[] = [];
    let offset = 0;
    while (offset < samples.length) {
      const { read, frame } = frontendProcessSamples(this.frontend, samples, offset);
      offset += read;
      if (!frame) continue;
      const features = frontendToInt8(frame);
      const lut = this.settings.inputLut;
      if (lut) for (let i = 0; i < features.length; i++) features[i] = lut[features[i] + 128];
      this.ring.set(features, this.head * this.settings.channels);
      this.head = (this.head + 1) % this.settings.frames;
      this.frames++;
      if (this.suppressLeft > 0) this.suppressLeft--;
      if (--this.untilInference > 0) continue;
      this.untilInference = this.settings.strideFrames;
      this.infer();
      const d = this.updateDetection();
      if (d) found.push(d);
    }
    return found;
  }

  /** Index of the top score of the latest inference (first on ties, as in C). */
  topLabel(): number {
    let best = 0;
    for (let i = 1; i < this.scores.length; i++) if (this.scores[i] > this.scores[best]) best = i;
    return best;
  }
}

/**
 * Streams audio through the spotter (the board's part B: one reset, everything back to back).
 * @example
 * const r = simulateKwsStream(graph, labels, [clipA, clipB], { threshold: 0.7 });
 * r.detections // [{ label: 2, score: 201, frame: 37 }, …]
 */
export function simulateKwsStream(
  graph: Graph,
  labels: readonly string[],
  audio: readonly Int16Array[],
  options: KwsStreamOptions = {},
): KwsStreamResult {
  const ks = new KwsStreamer(graph, streamSettings(graph, labels, options));
  const detections: KwsDetection[] = [];
  for (const a of audio) detections.push(...ks.push(a));
  return { scores: ks.log.scores, inferenceFrames: ks.log.frames, detections, checksum: ks.checksum, frames: ks.frames };
}

/**
 * Per clip, what the board computes in its part A: a fresh spotter hears the clip, then the model runs once on
 * the final window. Returns the scores followed by the top label index (the board's OUT bytes).
 */
export function clipVerdicts(graph: Graph, labels: readonly string[], clips: readonly Int16Array[], options: KwsStreamOptions = {}): Uint8Array[] {
  const settings = streamSettings(graph, labels, options);
  return clips.map((clip) => {
    const ks = new KwsStreamer(graph, settings);
    ks.push(clip);
    const scores = ks.infer();
    const out = new Uint8Array(scores.length + 1);
    out.set(new Uint8Array(scores.buffer, scores.byteOffset, scores.length));
    out[scores.length] = ks.topLabel();
    return out;
  });
}

/**
 * The detections a threshold (and averaging, suppression) would give on already computed scores: the stream's
 * decision step alone, so a threshold sweep does not rerun the model. Same integer logic as kws_stream.c.
 * @example
 * const r = simulateKwsStream(graph, labels, clips);
 * const strict = replayDetections(r, streamSettings(graph, labels, { threshold: 0.9 }));
 */
export function replayDetections(result: Pick<KwsStreamResult, "scores" | "inferenceFrames">, settings: KwsStreamSettings): KwsDetection[] {
  const L = settings.isKeyword.length;
  const history = Array.from({ length: settings.averageWindow }, () => new Uint8Array(L));
  let count = 0, pos = 0, suppress = 0, lastFrame = 0;
  const found: KwsDetection[] = [];
  result.scores.forEach((scores, k) => {
    const frame = result.inferenceFrames[k];
    // Suppression counts down once per frame, also between inferences.
    suppress = Math.max(0, suppress - (frame - lastFrame));
    lastFrame = frame;
    history[pos].set(Array.from(scores, (v) => v + 128));
    pos = (pos + 1) % settings.averageWindow;
    if (count < settings.averageWindow) count++;
    if (count < settings.averageWindow || suppress > 0) return;
    let best = -1, bestAvg = -1;
    for (let i = 0; i < L; i++) {
      if (!settings.isKeyword[i]) continue;
      let sum = 0;
      for (const h of history) sum += h[i];
      const avg = Math.trunc(sum / settings.averageWindow);
      if (avg > bestAvg) [bestAvg, best] = [avg, i];
    }
    if (best < 0 || bestAvg < settings.thresholdCode) return;
    suppress = settings.suppressFrames;
    found.push({ label: best, score: bestAvg, frame });
  });
  return found;
}

/** Hits, misses and false alarms of detections against the clips that were played back to back. */
export interface DetectionScore {
  /** Keyword clips heard (a detection of their label while they were in the 1 s window). */
  hits: number;
  /** Keyword clips not heard. */
  misses: number;
  /** Detections that match no keyword clip (a wrong word, or a word in silence/unknown). */
  falseAlarms: number;
  /** Keyword clips played. */
  keywords: number;
}

/**
 * Scores detections of a back-to-back stream: clip i (label index `clipLabels[i]`) is heard when a detection of
 * its label comes while any of its samples is in the model's window (its start to its end + the window length).
 * @example
 * evaluateDetections(r.detections, clips.map((c) => c.length), truth, settings) // { hits, misses, falseAlarms, keywords }
 */
export function evaluateDetections(
  detections: readonly KwsDetection[],
  clipLengths: readonly number[],
  clipLabels: readonly number[],
  settings: KwsStreamSettings,
  windowSamples = 480,
  stepSamples = 320,
): DetectionScore {
  const span = settings.frames * stepSamples + windowSamples - stepSamples; // samples the model's window covers
  const events: { start: number; end: number; label: number; heard: boolean }[] = [];
  let at = 0;
  clipLengths.forEach((n, i) => {
    if (settings.isKeyword[clipLabels[i]]) events.push({ start: at, end: at + n, label: clipLabels[i], heard: false });
    at += n;
  });
  let falseAlarms = 0;
  for (const d of detections) {
    const windowEnd = windowSamples + (d.frame - 1) * stepSamples;
    const e = events.find((ev) => !ev.heard && ev.label === d.label && windowEnd > ev.start && windowEnd - span < ev.end);
    if (e) e.heard = true;
    else falseAlarms++;
  }
  const hits = events.filter((e) => e.heard).length;
  return { hits, misses: events.length - hits, falseAlarms, keywords: events.length };
}

/**
 * Each clip's model window as the board sees it in a stream: ONE frontend hears all clips back to back (its
 * noise estimate and gain control warmed up by what came before), and after each clip the last `frames` feature
 * frames are taken, oldest first. Training on these as well as on fresh per-clip features (`microSpeechFeatures`)
 * makes a model that also works when the microphone never stops.
 * @example
 * const warm = streamedClipFeatures(trainAudio); // Int8Array(1960) per clip
 */
export function streamedClipFeatures(clips: readonly Int16Array[], frames = 49, channels = 40): Int8Array[] {
  const fe = createFrontend();
  const ring = new Int8Array(frames * channels).fill(-128);
  let head = 0;
  return clips.map((clip) => {
    let offset = 0;
    while (offset < clip.length) {
      const { read, frame } = frontendProcessSamples(fe, clip, offset);
      offset += read;
      if (!frame) continue;
      ring.set(frontendToInt8(frame), head * channels);
      head = (head + 1) % frames;
    }
    const out = new Int8Array(ring.length);
    out.set(ring.subarray(head * channels), 0);
    out.set(ring.subarray(0, head * channels), ring.length - head * channels);
    return out;
  });
}

/**
 * The averaged probabilities the decision step compares with the threshold: per inference, per label,
 * trunc(mean of the last `averageWindow` (score + 128)) / 256 — the curve to plot against the threshold.
 */
export function averagedProbabilities(result: Pick<KwsStreamResult, "scores">, settings: KwsStreamSettings): number[][] {
  const K = settings.averageWindow;
  return result.scores.map((_, k) => {
    const from = Math.max(0, k - K + 1);
    const window = result.scores.slice(from, k + 1);
    return Array.from(result.scores[k], (_, i) => Math.trunc(window.reduce((s, w) => s + w[i] + 128, 0) / window.length) / 256);
  });
}
