/**
 * Plant known problems in a clean dataset so the finders of lib/data/quality can be scored against the
 * truth: duplicates, test images leaked into training (exact and near copies), wrong labels; and for audio,
 * clipped and silent clips and speakers leaked across splits.
 */
import type { ImageDataset, ImageSplit } from "../../data/types.ts";
import type { QualityItem, QualityReport } from "../../data/quality.ts";
import { audioEmbedding } from "../../data/features.ts";
import { mulberry32, randn, type Rng, shuffle } from "../../util/random.ts";
import { DataLessonError } from "./errors.ts";

/** Options of {@link plantImageProblems}. Counts are numbers of examples. */
export interface PlantImageOptions {
  /** Training images copied once more into the training set (default 150). */
  duplicates?: number;
  /** Test images copied unchanged into the training set (default 40). */
  leakedCopies?: number;
  /** Test images copied with a little noise into the training set (default 40). */
  nearCopies?: number;
  /** Standard deviation of the near copies' pixel noise (default 0.03, pixels in [0, 1]). */
  noise?: number;
  /** Fraction of the original training images given a wrong label (default 0.15). */
  mislabelFraction?: number;
  seed?: number;
}

/** What was planted, by example id. */
export interface PlantedIds {
  /** Extra copies of training images (the originals keep their ids). */
  duplicates: string[];
  /** Exact copies of test images placed in the training set. */
  leakedExact: string[];
  /** Noisy copies of test images placed in the training set. */
  leakedNear: string[];
  /** Training images whose label was changed. */
  mislabeled: string[];
}

/** A dirty training set, the untouched test set, and the truth. */
export interface PlantedImages {
  train: ImageDataset;
  test: ImageDataset;
  /** One id per training row: "train-N" originals, "dup-N", "leak-N", "near-N" planted copies. */
  trainIds: string[];
  /** One id per test row: "test-N". */
  testIds: string[];
  /** The correct label of every training row. */
  trueTrainLabels: Uint8Array;
  planted: PlantedIds;
  /** Test ids that have an exact or near copy in the training set. */
  leakedTest: string[];
}

const pad = (i: number) => String(i).padStart(4, "0");

/** A different label than `label`, uniformly among the other classes. */
function otherLabel(label: number, classes: number, rng: Rng): number {
  const k = Math.floor(rng() * (classes - 1));
  return k >= label ? k + 1 : k;
}

/**
 * Copy a clean split and plant problems in its training set. Deterministic for a seed.
 * @example
 * const p = plantImageProblems(loadDigits8x8({ seed: 4 }), { mislabelFraction: 0.15, seed: 1 });
 * p.planted.mislabeled.length; // 15 % of the training images
 */
export function plantImageProblems(split: ImageSplit, opts: PlantImageOptions = {}): PlantedImages {
  const { train, test } = split;
  const size = train.h * train.w;
  const nDup = opts.duplicates ?? 150, nLeak = opts.leakedCopies ?? 40, nNear = opts.nearCopies ?? 40;
  if (nLeak + nNear > test.n) throw new DataLessonError(`leakedCopies + nearCopies (${nLeak + nNear}) exceeds the ${test.n} test images`);
  const frac = opts.mislabelFraction ?? 0.15;
  if (!(frac >= 0 && frac <= 1)) throw new DataLessonError(`mislabelFraction must be in [0, 1], got ${frac}`);
  const rng = mulberry32(opts.seed ?? 0);
  const classes = Math.max(...train.labels, ...test.labels) + 1;
  const rows: { px: Float32Array; label: number; trueLabel: number; id: string }[] = [];
  for (let i = 0; i < train.n; i++) {
    const px = train.images.slice(i * size, (i + 1) * size);
    rows.push({ px, label: train.labels[i], trueLabel: train.labels[i], id: `train-${pad(i)}` });
  }
  const planted: PlantedIds = { duplicates: [], leakedExact: [], leakedNear: [], mislabeled: [] };
  // Wrong labels on originals only, so a copy is never both a duplicate and a mislabel.
  for (const i of shuffle([...rows.keys()], rng).slice(0, Math.round(frac * train.n))) {
    rows[i].label = otherLabel(rows[i].label, classes, rng);
    planted.mislabeled.push(rows[i].id);
  }
  const wrong = new Set(planted.mislabeled);
  const clean = [...Array(train.n).keys()].filter((i) => !wrong.has(rows[i].id));
  if (nDup > clean.length) throw new DataLessonError(`duplicates (${nDup}) exceeds the ${clean.length} correctly labelled training images`);
  shuffle(clean, rng).slice(0, nDup).forEach((i, k) => {
    const id = `dup-${pad(k)}`;
    rows.push({ ...rows[i], id });
    planted.duplicates.push(id);
  });
  const testIds = Array.from({ length: test.n }, (_, i) => `test-${pad(i)}`);
  const leakedTest: string[] = [];
  shuffle([...Array(test.n).keys()], rng).slice(0, nLeak + nNear).forEach((t, k) => {
    const px = test.images.slice(t * size, (t + 1) * size);
    const near = k >= nLeak;
    if (near) for (let j = 0; j < size; j++) px[j] = Math.min(1, Math.max(0, px[j] + (opts.noise ?? 0.03) * randn(rng)));
    const id = near ? `near-${pad(k - nLeak)}` : `leak-${pad(k)}`;
    rows.push({ px, label: test.labels[t], trueLabel: test.labels[t], id });
    (near ? planted.leakedNear : planted.leakedExact).push(id);
    leakedTest.push(testIds[t]);
  });
  const images = new Float32Array(rows.length * size);
  rows.forEach((r, i) => images.set(r.px, i * size));
  return {
    train: { images, labels: Uint8Array.from(rows, (r) => r.label), n: rows.length, h: train.h, w: train.w },
    test, trainIds: rows.map((r) => r.id), testIds, trueTrainLabels: Uint8Array.from(rows, (r) => r.trueLabel), planted, leakedTest,
  };
}

/**
 * Quality items (pixels as features) for the training rows (split "train") and the test rows (split "test").
 * @example
 * const report = qualityReport(imageItems(p.train, p.trainIds, p.test, p.testIds));
 */
export function imageItems(train: ImageDataset, trainIds: readonly string[], test: ImageDataset, testIds: readonly string[]): QualityItem[] {
  const size = train.h * train.w;
  const one = (ds: ImageDataset, ids: readonly string[], split: string) => {
    if (ids.length !== ds.n) throw new DataLessonError(`${split}: ${ids.length} ids for ${ds.n} images`);
    return ids.map((id, i) => ({ id, label: String(ds.labels[i]), split, features: ds.images.slice(i * size, (i + 1) * size) }));
  };
  return [...one(train, trainIds, "train"), ...one(test, testIds, "test")];
}

/** Problems in the training split as a report sees them, ready to fix. */
export interface ReportFindings {
  /** Later copies of exact duplicates inside the training split (the first copy is kept). */
  duplicates: string[];
  /** Training examples identical to a test example. */
  leakedExact: string[];
  /** Training examples nearly identical (≥ the report's threshold) to a test example, not exact. */
  leakedNear: string[];
  /** Training examples whose neighbours agree on another label, with that label. */
  mislabeled: { id: string; label: string; predicted: string }[];
}

/**
 * Turn a quality report into the list of training examples to drop or relabel.
 * @example
 * const f = findingsFromReport(qualityReport(items), items, "train");
 * f.leakedExact.length + f.leakedNear.length; // test data seen in training
 */
export function findingsFromReport(report: QualityReport, items: readonly QualityItem[], trainSplit: string): ReportFindings {
  const splits = new Map(items.map((it) => [it.id, it.split]));
  const inTrain = (id: string) => splits.get(id) === trainSplit;
  const duplicates: string[] = [], leakedExact = new Set<string>(), leakedNear = new Set<string>();
  for (const g of report.exactDuplicates) {
    const ids = g.ids.filter(inTrain);
    if (g.crossSplit) ids.forEach((id) => leakedExact.add(id));
    else duplicates.push(...ids.slice(1));
  }
  for (const p of report.crossSplitDuplicates) {
    for (const id of [p.a, p.b]) if (inTrain(id) && !leakedExact.has(id)) leakedNear.add(id);
  }
  const mislabeled = report.labelNoise.filter((c) => inTrain(c.id)).map(({ id, label, predicted }) => ({ id, label, predicted }));
  return { duplicates, leakedExact: [...leakedExact], leakedNear: [...leakedNear], mislabeled };
}

/**
 * A training set without the `drop` ids and with `relabel` applied (id → new label).
 * @example
 * const clean = cleanImages(p.train, p.trainIds, new Set(f.duplicates), new Map());
 */
export function cleanImages(
  ds: ImageDataset, ids: readonly string[], drop: ReadonlySet<string>, relabel: ReadonlyMap<string, number> = new Map(),
): { data: ImageDataset; ids: string[] } {
  if (ids.length !== ds.n) throw new DataLessonError(`${ids.length} ids for ${ds.n} images`);
  const size = ds.h * ds.w;
  const keep = ids.map((id, i) => [id, i] as const).filter(([id]) => !drop.has(id));
  const images = new Float32Array(keep.length * size);
  keep.forEach(([, i], k) => images.set(ds.images.subarray(i * size, (i + 1) * size), k * size));
  const labels = Uint8Array.from(keep, ([id, i]) => relabel.get(id) ?? ds.labels[i]);
  return { data: { images, labels, n: keep.length, h: ds.h, w: ds.w }, ids: keep.map(([id]) => id) };
}

// ---------------------------------------------------------------------------------------------
// Audio

/** Options of {@link plantAudioProblems}. */
export interface PlantAudioOptions {
  /** Clips made too loud and hard-clipped (default 12). */
  clipped?: number;
  /** Gain before clipping in dB (default 24). */
  clipGainDb?: number;
  /** Clips turned almost silent, like a dead microphone (default 12). */
  silent?: number;
  /** Level of the silent clips relative to the original in dB (default -80). */
  silentGainDb?: number;
  /** Test speakers whose clips are half moved into the training split (default 2). */
  leakSpeakers?: number;
  /** Name of the training split (default "training") and the test split (default "testing"). */
  trainSplit?: string;
  testSplit?: string;
  /** Labels never damaged (default ["_silence_"]: those clips are quiet on purpose). */
  keepLabels?: readonly string[];
  /** Feature vector of each clip (default audioEmbedding), recomputed after damage. */
  embed?: (samples: Float32Array) => Float32Array;
  seed?: number;
}

/** Damaged audio items and the truth. */
export interface PlantedAudio {
  items: QualityItem[];
  planted: { clipped: string[]; silent: string[]; leakedSpeakers: string[]; leakedClips: string[] };
}

/**
 * Copy audio items (each with `samples`, `speaker`, `split`) and damage some: clipping, silence, and speakers
 * leaked from the test split into training. The input is not modified. Deterministic for a seed.
 * @example
 * const { items, planted } = plantAudioProblems(clips, { clipped: 10, silent: 10, leakSpeakers: 2, seed: 1 });
 */
export function plantAudioProblems(items: readonly QualityItem[], opts: PlantAudioOptions = {}): PlantedAudio {
  const rng = mulberry32(opts.seed ?? 0);
  const trainSplit = opts.trainSplit ?? "training", testSplit = opts.testSplit ?? "testing";
  const keep = new Set(opts.keepLabels ?? ["_silence_"]);
  const out = items.map((it) => {
    if (!it.samples) throw new DataLessonError(`item ${it.id} has no samples; audio problems need the audio`);
    return { ...it, samples: it.samples.slice() };
  });
  const nClip = opts.clipped ?? 12, nSilent = opts.silent ?? 12;
  const candidates = shuffle(out.map((_, i) => i).filter((i) => !keep.has(out[i].label)), rng);
  if (nClip + nSilent > candidates.length) throw new DataLessonError(`clipped + silent (${nClip + nSilent}) exceeds the ${candidates.length} clips that may be damaged`);
  const planted: PlantedAudio["planted"] = { clipped: [], silent: [], leakedSpeakers: [], leakedClips: [] };
  const g = 10 ** ((opts.clipGainDb ?? 24) / 20), s = 10 ** ((opts.silentGainDb ?? -80) / 20);
  for (const i of candidates.slice(0, nClip)) {
    const x = out[i].samples;
    for (let j = 0; j < x.length; j++) x[j] = Math.max(-1, Math.min(1, x[j] * g));
    planted.clipped.push(out[i].id);
  }
  for (const i of candidates.slice(nClip, nClip + nSilent)) {
    const x = out[i].samples;
    for (let j = 0; j < x.length; j++) x[j] *= s;
    planted.silent.push(out[i].id);
  }
  const testSpeakers = [...new Set(out.filter((it) => it.split === testSplit && it.speaker !== undefined && !keep.has(it.label)).map((it) => it.speaker!))].sort();
  for (const sp of shuffle(testSpeakers, rng).slice(0, opts.leakSpeakers ?? 2)) {
    const mine = out.filter((it) => it.speaker === sp && it.split === testSplit);
    for (const it of mine.slice(0, Math.ceil(mine.length / 2))) {
      it.split = trainSplit;
      planted.leakedClips.push(it.id);
    }
    planted.leakedSpeakers.push(sp);
  }
  const embed = opts.embed ?? ((x: Float32Array) => audioEmbedding(x));
  for (const it of out) it.features = embed(it.samples);
  return { items: out, planted };
}
