/**
 * Feature datasets for keyword spotting: clips of a Speech Commands-style folder (e.g. the synthetic set of
 * `ensureKws`) turned into micro_speech int8 features, with optional augmentation (time shift, background
 * noise), relabelling (a binary wake-word task), tensors for training, and per-group accuracy.
 * @module
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { addNoise, timeShift } from "../../audio/augment.ts";
import { readWav } from "../../audio/wav.ts";
import { indexSpeechCommands, loadClip, type SpeechCommandsEntry, type Split } from "../../data/speech_commands.ts";
import { mulberry32 } from "../../util/random.ts";
import { KwsAppError } from "./errors.ts";
import { clipFeatures, featuresToInput, KWS_CHANNELS, KWS_FRAMES, KWS_SAMPLE_RATE } from "./features.ts";

/** A background recording as 16 kHz mono float samples (resampled when stored at another rate). */
export function loadNoise(file: string): Float32Array {
  const wav = readWav(readFileSync(file));
  return loadClip(file, { length: Math.ceil((wav.frames * KWS_SAMPLE_RATE) / wav.sampleRate) });
}

/** Augmented copies of every clip (the original is always kept as well). */
export interface AugmentOptions {
  /** Extra copies per clip (default 0: none). */
  copies: number;
  /** Largest time shift, either way, in ms (default 100). */
  maxShiftMs?: number;
  /** Chance that a copy gets background noise (default 0.8). */
  noiseProbability?: number;
  /** Range of the signal-to-noise ratio in dB for added noise (default [5, 25]). */
  snrDb?: [number, number];
}

/** Options of {@link loadFeatureSet}. */
export interface FeatureSetOptions {
  /** Words kept as their own class; the others become `_unknown_` (default: every word folder). */
  wanted?: readonly string[];
  /** Class names in output order (default: the index's `_silence_`, `_unknown_`, then `wanted`). */
  labels?: readonly string[];
  /** Map a clip to its class name (default: its Speech Commands label). Return null to leave the clip out. */
  label?: (entry: SpeechCommandsEntry) => string | null;
  /** Augmentation (use it for training data only). */
  augment?: AugmentOptions;
  /** Seed of the augmentation (default 0). */
  seed?: number;
}

/** Features of a set of clips. `features[i]` is 49 × 40 int8; `x[i]` the same as training floats. */
export interface KwsFeatureSet {
  labels: string[];
  features: Int8Array[];
  x: Float32Array[];
  /** Class index per example. */
  y: number[];
  /** The clip each example comes from (augmented copies share it). */
  entries: SpeechCommandsEntry[];
  /** True for augmented copies. */
  augmented: boolean[];
}

/**
 * Load one split of a Speech Commands-style folder as micro_speech features.
 * @example
 * const train = loadFeatureSet(kwsDir(), "training", { wanted: ["yes", "no"], augment: { copies: 2 } });
 * train.labels; // ["_silence_", "_unknown_", "yes", "no"]
 */
export function loadFeatureSet(root: string, split: Split | Split[], opts: FeatureSetOptions = {}): KwsFeatureSet {
  const index = indexSpeechCommands(root, { wanted: opts.wanted });
  const splits = new Set(Array.isArray(split) ? split : [split]);
  const labelOf = opts.label ?? ((e: SpeechCommandsEntry) => e.label);
  const labels = [...(opts.labels ?? index.labels)];
  const aug = opts.augment ?? { copies: 0 };
  const noise = aug.copies > 0 ? index.backgroundNoise.map((f) => loadNoise(f)) : [];
  if (!(aug.copies >= 0 && Number.isInteger(aug.copies))) throw new KwsAppError(`augment.copies must be a whole number ≥ 0, got ${aug.copies}`);
  if (aug.copies > 0 && noise.length === 0 && (aug.noiseProbability ?? 0.8) > 0) {
    throw new KwsAppError(`${root} has no _background_noise_/ recordings to mix in; set augment.noiseProbability to 0`);
  }
  const rng = mulberry32(opts.seed ?? 0);
  const maxShift = Math.round(((aug.maxShiftMs ?? 100) / 1000) * KWS_SAMPLE_RATE);
  const [snrLo, snrHi] = aug.snrDb ?? [5, 25];
  const set: KwsFeatureSet = { labels, features: [], x: [], y: [], entries: [], augmented: [] };
  const add = (f: Int8Array, k: number, e: SpeechCommandsEntry, augmented: boolean) => {
    set.features.push(f);
    set.x.push(featuresToInput(f));
    set.y.push(k);
    set.entries.push(e);
    set.augmented.push(augmented);
  };
  for (const e of index.entries) {
    if (!splits.has(e.split)) continue;
    const name = labelOf(e);
    if (name === null) continue;
    const k = labels.indexOf(name);
    if (k < 0) throw new KwsAppError(`clip ${e.relPath} has label "${name}", which is not in [${labels.join(", ")}]`);
    const clip = loadClip(e.file);
    add(clipFeatures(clip), k, e, false);
    for (let c = 0; c < aug.copies; c++) {
      let x = timeShift(clip, Math.round((2 * rng() - 1) * maxShift));
      if (rng() < (aug.noiseProbability ?? 0.8)) {
        const bg = noise[Math.floor(rng() * noise.length)];
        x = addNoise(x, snrLo + (snrHi - snrLo) * rng(), { noise: bg, rng });
      }
      add(clipFeatures(x), k, e, true);
    }
  }
  return set;
}

/**
 * Map every class name through `map` (e.g. to a binary wake-word task); names mapped to the same new name merge.
 * @example
 * const wake = relabel(set, ["other", "marvin"], (l) => (l === "marvin" ? "marvin" : "other"));
 */
export function relabel(set: KwsFeatureSet, labels: readonly string[], map: (label: string) => string): KwsFeatureSet {
  const y = set.y.map((k) => {
    const name = map(set.labels[k]);
    const j = labels.indexOf(name);
    if (j < 0) throw new KwsAppError(`relabel: "${set.labels[k]}" maps to "${name}", which is not in [${labels.join(", ")}]`);
    return j;
  });
  return { ...set, labels: [...labels], y };
}

/** Examples per class, in label order. */
export function classCounts(set: KwsFeatureSet): number[] {
  const counts = set.labels.map(() => 0);
  for (const k of set.y) counts[k]++;
  return counts;
}

/** The set as tensors for tfjs: x [n, 49, 40, 1], y one-hot [n, classes]. Dispose them when done. */
export function featureTensors(set: Pick<KwsFeatureSet, "x" | "y" | "labels">): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const n = set.x.length;
  if (n === 0) throw new KwsAppError("the feature set is empty; check the split and labels");
  const size = KWS_FRAMES * KWS_CHANNELS;
  const flat = new Float32Array(n * size);
  set.x.forEach((v, i) => {
    if (v.length !== size) throw new KwsAppError(`example ${i} has ${v.length} values, expected ${size} (1 s clips)`);
    flat.set(v, i * size);
  });
  const x = tf.tensor4d(flat, [n, KWS_FRAMES, KWS_CHANNELS, 1]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(set.y, "int32"), set.labels.length).toFloat()) as tf.Tensor2D;
  return { x, y };
}

/** Accuracy of one group. */
export interface GroupAccuracy {
  group: string;
  n: number;
  correct: number;
  accuracy: number;
}

/**
 * Accuracy per group (speaker, accent, engine…), sorted by group name, plus "all" first.
 * @example
 * accuracyByGroup(test.y, predicted, test.entries.map((e) => e.speaker));
 */
export function accuracyByGroup(truth: ArrayLike<number>, predicted: ArrayLike<number>, groups: readonly string[]): GroupAccuracy[] {
  if (truth.length !== predicted.length || truth.length !== groups.length) {
    throw new KwsAppError(`need as many predictions and groups as labels: ${truth.length}, ${predicted.length}, ${groups.length}`);
  }
  const acc = new Map<string, { n: number; correct: number }>();
  const bump = (g: string, ok: boolean) => {
    const a = acc.get(g) ?? { n: 0, correct: 0 };
    a.n++;
    if (ok) a.correct++;
    acc.set(g, a);
  };
  for (let i = 0; i < truth.length; i++) bump(groups[i], truth[i] === predicted[i]);
  const rows = [...acc.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([group, a]) => ({ group, ...a, accuracy: a.correct / a.n }));
  const n = truth.length, correct = rows.reduce((s, r) => s + r.correct, 0);
  return [{ group: "all", n, correct, accuracy: n ? correct / n : 0 }, ...rows];
}
