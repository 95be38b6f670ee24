/**
 * Long test recordings for streaming detection: clips laid end to end with random pauses over a continuous
 * background noise, with the time of every clip recorded — the ground truth for false rejects and false accepts.
 * @module
 */
import { mulberry32 } from "../../util/random.ts";
import { KwsAppError } from "./errors.ts";
import { FRAME_STEP_S, KWS_CHANNELS, KWS_FRAMES, KWS_SAMPLE_RATE } from "./features.ts";
import { frameEndTime } from "./detect.ts";

/** One clip to place in the stream. */
export interface StreamClip {
  samples: Float32Array;
  /** What the clip says (e.g. "marvin", "_unknown_", a word). */
  label: string;
}

/** Where a clip landed, in seconds from the start of the stream. */
export interface StreamEvent {
  label: string;
  start: number;
  end: number;
  /** Where the voice is inside the clip (loudest part, see `voicedExtent`), in stream seconds. */
  voiceStart: number;
  voiceEnd: number;
}

/**
 * The part of a clip that holds the word: from the first to the last 10 ms frame whose energy is within
 * `rangeDb` (default 30 dB) of the loudest frame. Returns [start, end] in samples.
 * @example
 * const [a, b] = voicedExtent(clip); // e.g. [4480, 11200]
 */
export function voicedExtent(samples: Float32Array, rangeDb = 30, frame = 160): [number, number] {
  const n = Math.floor(samples.length / frame);
  if (n === 0) return [0, samples.length];
  const e = new Float64Array(n);
  for (let f = 0; f < n; f++) for (let i = f * frame; i < (f + 1) * frame; i++) e[f] += samples[i] * samples[i];
  const max = Math.max(...e);
  if (max === 0) return [0, 0];
  const floor = max * 10 ** (-rangeDb / 10);
  let a = 0, b = n - 1;
  while (e[a] < floor) a++;
  while (e[b] < floor) b--;
  return [a * frame, (b + 1) * frame];
}

/** Options of {@link buildStream}. */
export interface BuildStreamOptions {
  clips: readonly StreamClip[];
  /** Background noise, looped under the whole stream (default: none, digital silence between clips). */
  noise?: Float32Array;
  /** RMS level of the background in dBFS (default −40). */
  noiseDb?: number;
  /** Pause between clips in seconds, drawn uniformly from [min, max] (default [0.5, 2]). */
  gapS?: [number, number];
  /** Shuffle the clips before placing them (default true). */
  shuffle?: boolean;
  /** Seed of the shuffle, the pauses and the noise offset (default 0). */
  seed?: number;
  sampleRate?: number;
}

/** A synthetic recording and its ground truth. */
export interface KwsStream {
  audio: Float32Array;
  sampleRate: number;
  events: StreamEvent[];
  durationS: number;
}

/**
 * Concatenate clips with pauses over background noise.
 * @example
 * const s = buildStream({ clips: test.map((c) => ({ samples: c.audio, label: c.word })), noise: fan, seed: 1 });
 * s.events.filter((e) => e.label === "marvin").length;
 */
export function buildStream(opts: BuildStreamOptions): KwsStream {
  const rate = opts.sampleRate ?? KWS_SAMPLE_RATE;
  const [gapLo, gapHi] = opts.gapS ?? [0.5, 2];
  if (!(gapLo >= 0 && gapHi >= gapLo)) throw new KwsAppError(`gapS must be [min, max] with 0 ≤ min ≤ max, got [${gapLo}, ${gapHi}]`);
  if (opts.clips.length === 0) throw new KwsAppError("buildStream needs at least one clip");
  const rng = mulberry32(opts.seed ?? 0);
  const order = opts.clips.map((_, i) => i);
  if (opts.shuffle ?? true) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
  }
  // Lay out first (pause before each clip, one after the last), then fill.
  const starts: number[] = [];
  let pos = 0;
  for (const i of order) {
    pos += Math.round((gapLo + (gapHi - gapLo) * rng()) * rate);
    starts.push(pos);
    pos += opts.clips[i].samples.length;
  }
  pos += Math.round(gapHi * rate);
  const audio = new Float32Array(pos);
  if (opts.noise && opts.noise.length > 0) {
    const n = opts.noise;
    let e = 0;
    for (let i = 0; i < n.length; i++) e += n[i] * n[i];
    const rms = Math.sqrt(e / n.length);
    if (rms === 0) throw new KwsAppError("the background noise is all zeros; pass a real recording or leave noise out");
    const g = 10 ** ((opts.noiseDb ?? -40) / 20) / rms;
    const off = Math.floor(rng() * n.length);
    for (let i = 0; i < audio.length; i++) audio[i] = n[(off + i) % n.length] * g;
  }
  const events: StreamEvent[] = [];
  order.forEach((ci, k) => {
    const clip = opts.clips[ci];
    audio.set(clip.samples.map((v, i) => v + audio[starts[k] + i]), starts[k]);
    const [va, vb] = voicedExtent(clip.samples);
    events.push({
      label: clip.label, start: starts[k] / rate, end: (starts[k] + clip.samples.length) / rate,
      voiceStart: (starts[k] + va) / rate, voiceEnd: (starts[k] + vb) / rate,
    });
  });
  for (let i = 0; i < audio.length; i++) audio[i] = Math.max(-1, Math.min(1, audio[i]));
  return { audio, sampleRate: rate, events, durationS: audio.length / rate };
}

/** Options of {@link streamWindows}. */
export interface StreamWindowsOptions {
  /** The keyword's label in the events. */
  positive: string;
  /** Frames between candidate windows (default 2). */
  hopFrames?: number;
  /** At most this many negative windows, drawn evenly at random (default: all). */
  maxNegatives?: number;
  /** Seed of the negative sampling (default 0). */
  seed?: number;
}

/**
 * Training windows cut from a stream's features, labelled from its ground truth — train the way the
 * detector will run (the frontend's noise estimate settled, words cut anywhere):
 * positive (1) when the window holds the keyword's whole voiced part, negative (0) when it holds at most
 * half of any keyword's voiced part; windows in between are left out.
 * @example
 * const w = streamWindows(streamFeatures(s.audio).data, s.events, { positive: "marvin", maxNegatives: 1500 });
 */
export function streamWindows(
  frames: Int8Array,
  events: readonly StreamEvent[],
  opts: StreamWindowsOptions,
): { windows: Int8Array[]; labels: number[]; ends: number[] } {
  const hop = opts.hopFrames ?? 2;
  const ch = KWS_CHANNELS, win = KWS_FRAMES;
  if (frames.length % ch !== 0) throw new KwsAppError(`${frames.length} values are not whole frames of ${ch} channels`);
  const n = frames.length / ch;
  const keys = events.filter((e) => e.label === opts.positive);
  const pos: number[] = [], neg: number[] = [];
  for (let end = win; end <= n; end += hop) {
    // The window holds frames end − win … end − 1: from the start of the first to the end of the last.
    const t0 = (end - win) * FRAME_STEP_S, t1 = frameEndTime(end - 1);
    let best = 0;
    for (const k of keys) {
      const len = Math.max(1e-6, k.voiceEnd - k.voiceStart);
      const overlap = Math.max(0, Math.min(t1, k.voiceEnd) - Math.max(t0, k.voiceStart)) / len;
      if (overlap > best) best = overlap;
    }
    if (best >= 0.999) pos.push(end);
    else if (best <= 0.5) neg.push(end);
  }
  const rng = mulberry32(opts.seed ?? 0);
  for (let i = neg.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [neg[i], neg[j]] = [neg[j], neg[i]];
  }
  const negKept = neg.slice(0, opts.maxNegatives ?? neg.length).sort((a, b) => a - b);
  const all = [...pos.map((e) => [e, 1]), ...negKept.map((e) => [e, 0])].sort((a, b) => a[0] - b[0]);
  return {
    windows: all.map(([e]) => frames.slice((e - win) * ch, e * ch)),
    labels: all.map(([, l]) => l),
    ends: all.map(([e]) => e),
  };
}
