/**
 * A small keyword-spotting feature set for the adversarial experiments: the synthetic KWS clips
 * (lib/data ensureKws), micro_speech frontend features (lib/audio, 49 frames x 40 channels, int8 as on the
 * device), four classes as in TFLM's micro_speech: silence, unknown, yes, no.
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { microSpeechFeatures } from "../audio/microfrontend/frontend.ts";
import { readWav } from "../audio/wav.ts";
import { ensureKws, kwsDir } from "../data/cache.ts";
import type { KwsClip } from "../data/kws_synth.ts";
import { mulberry32, shuffle } from "../util/random.ts";

/** micro_speech's classes, in its output order. */
export const KWS_LABELS: readonly string[] = ["silence", "unknown", "yes", "no"];
export const KWS_FRAMES = 49;
export const KWS_CHANNELS = 40;

/** One split: float features in [0, 1] (what the float model takes), the device's int8 features, labels. */
export interface KwsSplit {
  x: Float32Array[];
  int8: Int8Array[];
  y: number[];
  files: string[];
}

/** The feature set. */
export interface KwsFeatureSet {
  labels: readonly string[];
  frames: number;
  channels: number;
  train: KwsSplit;
  test: KwsSplit;
}

/** Options of {@link loadKwsFeatures}. */
export interface KwsFeatureOptions {
  /** At most this many "unknown" clips per split (the set has many more unknown words than yes/no). Default 60 train, 24 test. */
  maxUnknownTrain?: number;
  maxUnknownTest?: number;
  /** Seed of the unknown-word subsampling (default 0). */
  seed?: number;
  /** Dataset folder (default: ensureKws()'s small set, generated when missing). */
  dir?: string;
}

/** int8 device features -> the float model's input in [0, 1]: (q + 128) / 255. */
export function int8ToUnit(q: Int8Array): Float32Array {
  return Float32Array.from(q, (v) => (v + 128) / 255);
}

/** Float features in [0, 1] -> int8 device features (round, clamp): the inverse of {@link int8ToUnit}. */
export function unitToInt8(x: Float32Array): Int8Array {
  return Int8Array.from(x, (v) => Math.max(-128, Math.min(127, Math.round(v * 255) - 128)));
}

function labelOf(clip: KwsClip): number {
  if (clip.label === "_silence_") return 0;
  if (clip.label === "yes") return 2;
  if (clip.label === "no") return 3;
  return 1;
}

/**
 * Loads (and on first use generates) the small synthetic KWS set as micro_speech features: training split for
 * training, validation + testing for the test split. Deterministic.
 * @example
 * const data = await loadKwsFeatures();
 * data.train.x[0].length // 1960
 */
export async function loadKwsFeatures(opts: KwsFeatureOptions = {}): Promise<KwsFeatureSet> {
  const dir = opts.dir ?? kwsDir();
  const manifest = opts.dir ? JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { clips: KwsClip[] } : await ensureKws({ progress: false });
  const rng = mulberry32(opts.seed ?? 0);
  const pick = (split: (c: KwsClip) => boolean, maxUnknown: number): KwsClip[] => {
    const clips = manifest.clips.filter(split);
    const unknown = shuffle(clips.filter((c) => labelOf(c) === 1), rng).slice(0, maxUnknown);
    const keep = new Set([...clips.filter((c) => labelOf(c) !== 1), ...unknown]);
    return clips.filter((c) => keep.has(c)); // manifest order: stable
  };
  const load = (clips: KwsClip[]): KwsSplit => {
    const int8 = clips.map((c) => microSpeechFeatures(readWav(readFileSync(join(dir, c.file))).int16Mono()));
    return { x: int8.map(int8ToUnit), int8, y: clips.map(labelOf), files: clips.map((c) => c.file) };
  };
  return {
    labels: KWS_LABELS,
    frames: KWS_FRAMES,
    channels: KWS_CHANNELS,
    train: load(pick((c) => c.split === "training", opts.maxUnknownTrain ?? 60)),
    test: load(pick((c) => c.split !== "training", opts.maxUnknownTest ?? 24)),
  };
}
