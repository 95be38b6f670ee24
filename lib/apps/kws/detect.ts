/**
 * Streaming detection, as a board does it: a 1 s window slides over the feature frames, the model scores it
 * every `hopFrames`, the scores are smoothed over the last few windows (one lucky window should not fire),
 * and a detection fires when the smoothed score reaches the threshold — then the detector stays quiet for a
 * refractory period so one spoken word gives one detection.
 *
 * The batch functions (`scoreStream` → `smoothScores` → `detect`) and the frame-by-frame `StreamingDetector`
 * compute the same thing; the batch form makes threshold sweeps cheap (score once, threshold many times).
 * @module
 */
import type { Graph } from "../../graph/types.ts";
import type { KernelSet } from "../../int8/eval.ts";
import { Interpreter } from "../../int8/interpreter.ts";
import { dequantize, quantize } from "../../quant/params.ts";
import { KwsAppError } from "./errors.ts";
import { FRAME_STEP_S, featuresToInput, KWS_CHANNELS, KWS_FRAMES, KWS_SAMPLE_RATE, takesFrontendInt8 } from "./features.ts";

/** Scores one window of int8 features (frames × channels): the keyword's probability, 0..1. */
export type WindowScorer = (window: Int8Array) => number;

/**
 * A scorer running an int8 (or float) graph in the kit's interpreter; `positive` is the keyword's output index.
 * Windows go in as the frontend's int8 bytes when the model takes them (see `quantizeForFrontend`), else they
 * are mapped with `featuresToInput` and quantized with the model's input parameters.
 * @example
 * const score = graphScorer(q.graph, 1);
 * score(windowOf49Frames); // 0.93
 */
export function graphScorer(graph: Graph, positive: number, kernels: KernelSet = "fast"): WindowScorer {
  const interp = new Interpreter(graph, { kernels });
  const inT = graph.tensors[graph.inputs[0]];
  const outT = graph.tensors[graph.outputs[0]];
  const classes = outT.shape[outT.shape.length - 1];
  if (!(positive >= 0 && positive < classes)) throw new KwsAppError(`positive class ${positive} is outside the model's ${classes} outputs`);
  const direct = inT.dtype === "int8" && takesFrontendInt8(graph);
  return (window: Int8Array): number => {
    let input: Int8Array | Float32Array;
    if (direct) input = window;
    else if (inT.dtype === "int8") input = quantize(featuresToInput(window), { scale: inT.quant!.scale[0], zeroPoint: inT.quant!.zeroPoint[0] });
    else input = featuresToInput(window);
    const out = interp.invoke([input])[0];
    const p = outT.dtype === "int8" ? dequantize(out as Int8Array, { scale: outT.quant!.scale[0], zeroPoint: outT.quant!.zeroPoint[0] }) : (out as Float32Array);
    return p[positive];
  };
}

/** Geometry of the sliding window. */
export interface WindowOptions {
  /** Frames per window (default 49, one second). */
  windowFrames?: number;
  /** Frames between scored windows (default 1: every 20 ms). */
  hopFrames?: number;
  /** Channels per frame (default 40). */
  channels?: number;
}

/** Scores over time: `times[i]` is when window i ends (seconds from the start), `scores[i]` its score. */
export interface ScoredStream {
  times: Float64Array;
  scores: Float32Array | Float64Array;
}

/** Seconds from the start of the audio to the end of frame `frame` (30 ms windows every 20 ms). */
export function frameEndTime(frame: number): number {
  return frame * FRAME_STEP_S + 480 / KWS_SAMPLE_RATE;
}

function geometry(opts: WindowOptions): Required<WindowOptions> {
  const g = { windowFrames: opts.windowFrames ?? KWS_FRAMES, hopFrames: opts.hopFrames ?? 1, channels: opts.channels ?? KWS_CHANNELS };
  for (const [k, v] of Object.entries(g)) {
    if (!(Number.isInteger(v) && v >= 1)) throw new KwsAppError(`${k} must be a whole number ≥ 1, got ${v}`);
  }
  return g;
}

/**
 * Score every window of a feature stream (frames × channels, row-major).
 * @example
 * const { data } = streamFeatures(audio);
 * const scored = scoreStream(data, graphScorer(q.graph, 1), { hopFrames: 2 });
 */
export function scoreStream(frames: Int8Array, score: WindowScorer, opts: WindowOptions = {}): ScoredStream {
  const { windowFrames, hopFrames, channels } = geometry(opts);
  if (frames.length % channels !== 0) throw new KwsAppError(`${frames.length} values are not whole frames of ${channels} channels`);
  const n = frames.length / channels;
  const times: number[] = [];
  const scores: number[] = [];
  for (let end = windowFrames; end <= n; end += hopFrames) {
    scores.push(score(frames.subarray((end - windowFrames) * channels, end * channels)));
    times.push(frameEndTime(end - 1));
  }
  return { times: Float64Array.from(times), scores: Float32Array.from(scores) };
}

/**
 * Trailing moving average over the last `k` scores (fewer at the start): what a board can compute as the
 * windows arrive. k = 1 leaves the scores unchanged.
 */
export function smoothScores(scores: ArrayLike<number>, k: number): Float64Array {
  if (!(Number.isInteger(k) && k >= 1)) throw new KwsAppError(`smoothing length must be a whole number ≥ 1, got ${k}`);
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = mean(scores, Math.max(0, i - k + 1), i + 1);
  return out;
}

/** Mean of values[from..to), summed in order (the detector sums the same way, so both agree to the bit). */
function mean(values: ArrayLike<number>, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i];
  return sum / (to - from);
}

/** Options of {@link detect}. */
export interface DetectOptions {
  /** Fire when the (smoothed) score is at least this. */
  threshold: number;
  /** After a detection, ignore the next this many seconds (default 1). */
  refractoryS?: number;
}

/**
 * Detection times: scores at or above the threshold, at most one per refractory period.
 * @example
 * detect({ times, scores: smoothScores(scores, 3) }, { threshold: 0.8, refractoryS: 1 });
 */
export function detect(stream: ScoredStream, opts: DetectOptions): number[] {
  const refractory = opts.refractoryS ?? 1;
  if (!(refractory >= 0)) throw new KwsAppError(`refractoryS must be ≥ 0, got ${refractory}`);
  const out: number[] = [];
  let last = -Infinity;
  for (let i = 0; i < stream.scores.length; i++) {
    const t = stream.times[i];
    if (stream.scores[i] >= opts.threshold && t - last >= refractory) {
      out.push(t);
      last = t;
    }
  }
  return out;
}

/** Options of {@link StreamingDetector}. */
export interface StreamingDetectorOptions extends WindowOptions, DetectOptions {
  /** Scores averaged (default 1: none). */
  smoothing?: number;
}

/** What the detector says after a scored window. */
export interface DetectorStep {
  time: number;
  score: number;
  smoothed: number;
  detected: boolean;
}

/**
 * The detector as it runs on a board: feed frames one at a time (e.g. from `FrontendStream`); every
 * `hopFrames` frames, once a full window is buffered, it scores, smooths and decides.
 * Gives the same detections as `detect(…smoothScores(scoreStream(…)))`.
 * @example
 * const det = new StreamingDetector(graphScorer(q.graph, 1), { threshold: 0.8, smoothing: 3, hopFrames: 2 });
 * for (const frame of frames) if (det.pushFrame(frame)?.detected) console.log("wake!");
 */
export class StreamingDetector {
  readonly #score: WindowScorer;
  readonly #g: Required<WindowOptions>;
  readonly #smoothing: number;
  readonly #threshold: number;
  readonly #refractory: number;
  readonly #buffer: Int8Array;
  #frames = 0;
  #recent: number[] = [];
  #last = -Infinity;

  constructor(score: WindowScorer, opts: StreamingDetectorOptions) {
    this.#score = score;
    this.#g = geometry(opts);
    this.#smoothing = opts.smoothing ?? 1;
    if (!(Number.isInteger(this.#smoothing) && this.#smoothing >= 1)) throw new KwsAppError(`smoothing must be a whole number ≥ 1, got ${opts.smoothing}`);
    this.#threshold = opts.threshold;
    this.#refractory = opts.refractoryS ?? 1;
    this.#buffer = new Int8Array(this.#g.windowFrames * this.#g.channels);
  }

  /** Add one frame of `channels` int8 features; returns the decision when this frame completes a scored window. */
  pushFrame(frame: Int8Array): DetectorStep | null {
    const { windowFrames, hopFrames, channels } = this.#g;
    if (frame.length !== channels) throw new KwsAppError(`a frame has ${channels} values, got ${frame.length}`);
    // Shift the window left by one frame and append (a ring buffer would avoid the copy; this is clearer).
    this.#buffer.copyWithin(0, channels);
    this.#buffer.set(frame, (windowFrames - 1) * channels);
    const index = this.#frames++;
    if (this.#frames < windowFrames || (this.#frames - windowFrames) % hopFrames !== 0) return null;
    const score = this.#score(this.#buffer);
    this.#recent.push(score);
    if (this.#recent.length > this.#smoothing) this.#recent.shift();
    const smoothed = mean(this.#recent, 0, this.#recent.length);
    const time = frameEndTime(index);
    const detected = smoothed >= this.#threshold && time - this.#last >= this.#refractory;
    if (detected) this.#last = time;
    return { time, score, smoothed, detected };
  }

  /** Forget buffered frames, scores and the last detection. */
  reset(): void {
    this.#buffer.fill(0);
    this.#frames = 0;
    this.#recent = [];
    this.#last = -Infinity;
  }
}
