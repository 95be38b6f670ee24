/**
 * Dataset quality checks: exact and near duplicates, class balance, label-noise candidates (kNN
 * disagreement), leakage between splits (same speaker, or near-duplicate clips), clipping, silence
 * and a per-clip SNR estimate. `qualityReport` runs them all and returns text tables and figures.
 */
import { createHash } from "node:crypto";
import { barChart, histogram } from "../viz/charts.ts";
import type { Figure } from "../viz/types.ts";

/** One example to check. Give `samples` for audio checks and `features` for similarity checks. */
export interface QualityItem {
  id: string;
  label: string;
  split?: string;
  /** Speaker, writer or device: the unit that must not be shared between splits. */
  speaker?: string;
  /** Audio in [-1, 1] (or any raw values: exact-duplicate hashing uses them). */
  samples?: Float32Array;
  /** A feature vector / embedding (e.g. `audioEmbedding(samples)` or image pixels). */
  features?: Float32Array;
}

/** A group of identical examples. */
export interface DuplicateGroup {
  ids: string[];
  labels: string[];
  /** Same content with different labels: at least one label is wrong. */
  conflictingLabels: boolean;
  /** The copies sit in different splits: test data seen in training. */
  crossSplit: boolean;
}

/** A pair of very similar examples. */
export interface NearDuplicatePair {
  a: string;
  b: string;
  similarity: number;
  crossSplit: boolean;
  sameLabel: boolean;
}

/** An example whose neighbours mostly carry another label. */
export interface LabelNoiseCandidate {
  id: string;
  label: string;
  predicted: string;
  /** Fraction of the k nearest neighbours that vote for `predicted`. */
  agreement: number;
}

/** A speaker found in more than one split. */
export interface SpeakerLeak {
  speaker: string;
  /** Number of examples per split. */
  splits: Record<string, number>;
}

/** Per-clip signal statistics. */
export interface ClipStats {
  peak: number;
  /** Fraction of samples at or beyond the clipping level. */
  clippedFraction: number;
  rmsDb: number;
  /** Estimated SNR in dB: loud frames vs quiet frames (capped at 100). */
  snrDb: number;
}

/** Class counts, overall and per split. */
export interface ClassBalance {
  labels: string[];
  counts: Record<string, number>;
  perSplit: Record<string, Record<string, number>>;
  /** Largest class count / smallest class count. */
  imbalanceRatio: number;
}

// ---------------------------------------------------------------------------------------------

const bytesOf = (x: Float32Array): Uint8Array => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);

/**
 * Groups of byte-identical examples (hash of `samples`, else of `features`).
 * @example
 * exactDuplicates(items).filter((g) => g.conflictingLabels);
 */
export function exactDuplicates(items: readonly QualityItem[]): DuplicateGroup[] {
  const groups = new Map<string, QualityItem[]>();
  for (const it of items) {
    const data = it.samples ?? it.features; // audio when given, else the feature vector
    if (!data) continue;
    const key = createHash("sha256").update(bytesOf(data)).digest("hex");
    const g = groups.get(key) ?? [];
    g.push(it);
    groups.set(key, g);
  }
  return [...groups.values()].filter((g) => g.length > 1).map((g) => ({
    ids: g.map((i) => i.id),
    labels: g.map((i) => i.label),
    conflictingLabels: new Set(g.map((i) => i.label)).size > 1,
    crossSplit: new Set(g.map((i) => i.split)).size > 1,
  }));
}

/** Features centred on the dataset mean and scaled to unit length (so cosine = dot product). */
export function normalizeFeatures(items: readonly QualityItem[]): Float32Array[] {
  const withF = items.filter((i) => i.features);
  if (withF.length !== items.length) throw new RangeError(`every item needs features (${items.length - withF.length} have none); compute e.g. audioEmbedding(samples)`);
  const d = items[0]?.features?.length ?? 0;
  const mean = new Float64Array(d);
  for (const it of items) {
    if (it.features!.length !== d) throw new RangeError(`item ${it.id}: ${it.features!.length} features, expected ${d}`);
    for (let j = 0; j < d; j++) mean[j] += it.features![j] / items.length;
  }
  return items.map((it) => {
    const v = Float32Array.from(it.features!, (x, j) => x - mean[j]);
    const norm = Math.sqrt(dot(v, v)) || 1;
    for (let j = 0; j < d; j++) v[j] /= norm;
    return v;
  });
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

/** Cosine similarities of item i to every item (vectors already normalised), into `row`. */
function similarityRow(v: Float32Array[], i: number, row: Float32Array): Float32Array {
  for (let j = 0; j < v.length; j++) row[j] = dot(v[i], v[j]);
  return row;
}

/** Near-duplicate pairs (j > i) in one similarity row. */
function nearInRow(items: readonly QualityItem[], i: number, row: Float32Array, threshold: number, out: NearDuplicatePair[]): void {
  for (let j = i + 1; j < items.length; j++) {
    if (row[j] >= threshold) {
      out.push({
        a: items[i].id, b: items[j].id, similarity: row[j],
        crossSplit: items[i].split !== items[j].split, sameLabel: items[i].label === items[j].label,
      });
    }
  }
}

/** kNN vote for item i from its similarity row; returns a candidate when the neighbours disagree with its label. */
function voteInRow(
  items: readonly QualityItem[], i: number, row: Float32Array, k: number, minAgreement: number, dupT: number,
): LabelNoiseCandidate | undefined {
  // Top-k by insertion into a short sorted list: O(n·k).
  const nn: number[] = [];
  for (let j = 0; j < items.length; j++) {
    if (j === i || row[j] >= dupT) continue;
    if (nn.length === k && row[j] <= row[nn[k - 1]]) continue;
    let p = Math.min(nn.length, k - 1);
    if (nn.length < k) nn.push(j);
    while (p > 0 && row[nn[p - 1]] < row[j]) { nn[p] = nn[p - 1]; p--; }
    nn[p] = j;
  }
  const votes = new Map<string, number>();
  for (const j of nn) votes.set(items[j].label, (votes.get(items[j].label) ?? 0) + 1);
  let best = "", bestVotes = 0;
  for (const [label, v] of votes) if (v > bestVotes) { best = label; bestVotes = v; }
  const agreement = bestVotes / Math.max(1, nn.length);
  return best !== items[i].label && agreement >= minAgreement ? { id: items[i].id, label: items[i].label, predicted: best, agreement } : undefined;
}

/**
 * Pairs with cosine similarity ≥ `threshold` (features centred on the mean first). O(n²·d) time,
 * O(n) memory.
 * @example
 * nearDuplicates(items, 0.98).filter((p) => p.crossSplit);
 */
export function nearDuplicates(items: readonly QualityItem[], threshold = 0.98): NearDuplicatePair[] {
  const v = normalizeFeatures(items);
  const row = new Float32Array(items.length);
  const pairs: NearDuplicatePair[] = [];
  for (let i = 0; i < items.length; i++) nearInRow(items, i, similarityRow(v, i, row), threshold, pairs);
  return pairs.sort((p, q) => q.similarity - p.similarity);
}

/** Options of the label-noise vote. */
export interface LabelNoiseOptions {
  /** Neighbours (default 7). */
  k?: number;
  /** Fraction of neighbours that must agree on another label (default 0.7). */
  minAgreement?: number;
  /** Neighbours at least this similar are copies and do not vote (default 0.995). */
  duplicateThreshold?: number;
}

/**
 * Label-noise candidates: leave-one-out k-nearest-neighbour vote (cosine). An example is flagged when
 * at least `minAgreement` of its k neighbours agree on one other label. Near-identical copies are
 * skipped as neighbours, so a duplicated mislabel does not vouch for itself.
 * @example
 * labelNoiseCandidates(items, { k: 7, minAgreement: 0.7 });
 */
export function labelNoiseCandidates(items: readonly QualityItem[], opts: LabelNoiseOptions = {}): LabelNoiseCandidate[] {
  const v = normalizeFeatures(items);
  const row = new Float32Array(items.length);
  const out: LabelNoiseCandidate[] = [];
  for (let i = 0; i < items.length; i++) {
    const c = voteInRow(items, i, similarityRow(v, i, row), opts.k ?? 7, opts.minAgreement ?? 0.7, opts.duplicateThreshold ?? 0.995);
    if (c) out.push(c);
  }
  return out.sort((a, b) => b.agreement - a.agreement);
}

/**
 * Speakers (writers, devices…) whose examples appear in more than one split.
 * @example
 * speakerLeaks(items); // [] when the split is clean
 */
export function speakerLeaks(items: readonly QualityItem[]): SpeakerLeak[] {
  const by = new Map<string, Record<string, number>>();
  for (const it of items) {
    if (it.speaker === undefined || it.split === undefined) continue;
    const r = by.get(it.speaker) ?? {};
    r[it.split] = (r[it.split] ?? 0) + 1;
    by.set(it.speaker, r);
  }
  return [...by].filter(([, r]) => Object.keys(r).length > 1).map(([speaker, splits]) => ({ speaker, splits }));
}

/** Class counts overall and per split. */
export function classBalance(items: readonly QualityItem[]): ClassBalance {
  const counts: Record<string, number> = {};
  const perSplit: Record<string, Record<string, number>> = {};
  for (const it of items) {
    counts[it.label] = (counts[it.label] ?? 0) + 1;
    const sp = it.split ?? "all";
    perSplit[sp] ??= {};
    perSplit[sp][it.label] = (perSplit[sp][it.label] ?? 0) + 1;
  }
  const labels = Object.keys(counts).sort();
  const values = labels.map((l) => counts[l]);
  return { labels, counts, perSplit, imbalanceRatio: values.length ? Math.max(...values) / Math.min(...values) : 1 };
}

/**
 * Peak, clipping, loudness and an SNR estimate of one clip. The SNR compares the mean power of the
 * loudest 20 % of frames with the quietest 20 % (a clip of pure noise or silence scores near 0 dB).
 * @example
 * clipStats(samples).snrDb;
 */
export function clipStats(x: Float32Array, opts: { clipLevel?: number; frame?: number } = {}): ClipStats {
  const clipLevel = opts.clipLevel ?? 0.999, frame = opts.frame ?? 320;
  let peak = 0, clipped = 0, energy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > peak) peak = a;
    if (a >= clipLevel) clipped++;
    energy += x[i] * x[i];
  }
  const powers: number[] = [];
  for (let s = 0; s + frame <= x.length; s += frame) {
    let p = 0;
    for (let i = s; i < s + frame; i++) p += x[i] * x[i];
    powers.push(p / frame);
  }
  powers.sort((a, b) => a - b);
  const q = Math.max(1, Math.floor(powers.length * 0.2));
  const noise = powers.slice(0, q).reduce((a, b) => a + b, 0) / q;
  const signal = powers.slice(-q).reduce((a, b) => a + b, 0) / q;
  const snrDb = noise <= 1e-12 ? (signal <= 1e-12 ? 0 : 100) : Math.min(100, 10 * Math.log10(Math.max(1e-12, signal - noise) / noise));
  return {
    peak, clippedFraction: clipped / Math.max(1, x.length),
    rmsDb: 10 * Math.log10(energy / Math.max(1, x.length) + 1e-20), snrDb: Math.max(0, snrDb),
  };
}

// ---------------------------------------------------------------------------------------------

/** Options of `qualityReport`. */
export interface QualityOptions {
  /** Cosine similarity for near duplicates (default 0.98). */
  nearDuplicateThreshold?: number;
  /** Neighbours for the label-noise vote (default 7). */
  k?: number;
  /** Fraction of neighbours that must agree on another label (default 0.7). */
  minAgreement?: number;
  /** A clip is "clipped" when more than this fraction of samples is at full scale (default 0.001). */
  maxClippedFraction?: number;
  /** A clip is "silent" below this RMS level in dBFS (default -60). */
  silenceDb?: number;
  /** A clip has "low SNR" below this many dB (default 5); `_silence_` clips are not flagged. */
  lowSnrDb?: number;
  /** Build figures with lib/viz (default true). */
  figures?: boolean;
}

/** A text table: a title and aligned rows. */
export interface TextTable {
  title: string;
  text: string;
}

/** Everything `qualityReport` found. */
export interface QualityReport {
  n: number;
  balance: ClassBalance;
  exactDuplicates: DuplicateGroup[];
  nearDuplicates: NearDuplicatePair[];
  labelNoise: LabelNoiseCandidate[];
  speakerLeaks: SpeakerLeak[];
  /** Near-duplicate pairs across splits (incl. exact copies). */
  crossSplitDuplicates: NearDuplicatePair[];
  clips: (ClipStats & { id: string })[];
  flagged: { clipped: string[]; silent: string[]; lowSnr: string[] };
  tables: TextTable[];
  figures: Figure[];
  /** A few lines saying what was found. */
  summary: string;
}

/**
 * Align rows as a plain-text table.
 * @example
 * formatTable(["label", "count"], [["yes", 10], ["no", 12]]);
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [headers, ...rows].map((r) => r.map((c) => (typeof c === "number" ? (Number.isInteger(c) ? String(c) : c.toFixed(3)) : c)));
  const widths = headers.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? "").length)));
  const line = (r: string[]) => r.map((c, j) => c.padEnd(widths[j])).join("  ").trimEnd();
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/**
 * Run every check and build tables and figures.
 * @example
 * const items = clips.map((c) => ({ id: c.file, label: c.label, split: c.split, speaker: c.speaker,
 *   samples: c.samples, features: audioEmbedding(c.samples) }));
 * const report = qualityReport(items);
 * console.log(report.summary);
 */
export function qualityReport(items: readonly QualityItem[], opts: QualityOptions = {}): QualityReport {
  const balance = classBalance(items);
  const exact = exactDuplicates(items);
  const sim = items.length > 1 && items.every((i) => i.features);
  const near: NearDuplicatePair[] = [];
  const labelNoise: LabelNoiseCandidate[] = [];
  if (sim) { // one pass over the similarity rows serves both checks
    const v = normalizeFeatures(items);
    const row = new Float32Array(items.length);
    for (let i = 0; i < items.length; i++) {
      similarityRow(v, i, row);
      nearInRow(items, i, row, opts.nearDuplicateThreshold ?? 0.98, near);
      const c = voteInRow(items, i, row, opts.k ?? 7, opts.minAgreement ?? 0.7, 0.995);
      if (c) labelNoise.push(c);
    }
    near.sort((p, q) => q.similarity - p.similarity);
    labelNoise.sort((a, b) => b.agreement - a.agreement);
  }
  const leaks = speakerLeaks(items);
  const crossSplit = near.filter((p) => p.crossSplit);
  const clips = items.filter((i) => i.samples).map((i) => ({ id: i.id, ...clipStats(i.samples!) }));
  const label = new Map(items.map((i) => [i.id, i.label]));
  const flagged = {
    clipped: clips.filter((c) => c.clippedFraction > (opts.maxClippedFraction ?? 0.001)).map((c) => c.id),
    silent: clips.filter((c) => c.rmsDb < (opts.silenceDb ?? -60)).map((c) => c.id),
    lowSnr: clips.filter((c) => c.snrDb < (opts.lowSnrDb ?? 5) && label.get(c.id) !== "_silence_").map((c) => c.id),
  };
  const splits = Object.keys(balance.perSplit).sort();
  const tables: TextTable[] = [
    {
      title: "Class balance",
      text: formatTable(["label", "total", ...splits], balance.labels.map((l) => [l, balance.counts[l], ...splits.map((s) => balance.perSplit[s][l] ?? 0)])),
    },
    { title: "Exact duplicates", text: formatTable(["ids", "labels", "conflict", "cross-split"], exact.map((g) => [g.ids.join(" "), g.labels.join(" "), String(g.conflictingLabels), String(g.crossSplit)])) },
    { title: "Label-noise candidates", text: formatTable(["id", "label", "neighbours say", "agreement"], labelNoise.map((c) => [c.id, c.label, c.predicted, c.agreement])) },
    { title: "Speakers in several splits", text: formatTable(["speaker", "splits"], leaks.map((l) => [l.speaker, Object.entries(l.splits).map(([s, c]) => `${s}:${c}`).join(" ")])) },
    { title: "Near duplicates across splits", text: formatTable(["a", "b", "similarity", "same label"], crossSplit.map((p) => [p.a, p.b, p.similarity, String(p.sameLabel)])) },
  ];
  const figures: Figure[] = [];
  if (opts.figures !== false) {
    figures.push(barChart({
      title: "Examples per class", labels: balance.labels, xLabel: "label", yLabel: "examples", barmode: "stack",
      series: splits.map((s) => ({ name: s, values: balance.labels.map((l) => balance.perSplit[s][l] ?? 0) })),
    }));
    if (clips.length) figures.push(histogram({ title: "Estimated SNR per clip", values: clips.map((c) => c.snrDb), bins: 30, xLabel: "SNR (dB)" }));
    if (near.length) figures.push(histogram({ title: "Near-duplicate similarity", values: near.map((p) => p.similarity), bins: 20, xLabel: "cosine similarity" }));
  }
  const summary = [
    `${items.length} examples, ${balance.labels.length} classes (largest/smallest = ${balance.imbalanceRatio.toFixed(2)})`,
    `exact duplicate groups: ${exact.length} (${exact.filter((g) => g.conflictingLabels).length} with conflicting labels, ${exact.filter((g) => g.crossSplit).length} across splits)`,
    sim ? `near-duplicate pairs: ${near.length} (${crossSplit.length} across splits)` : "near duplicates / label noise: skipped (no features)",
    sim ? `label-noise candidates: ${labelNoise.length}` : "",
    `speakers in several splits: ${leaks.length}`,
    clips.length ? `clipped: ${flagged.clipped.length}, silent: ${flagged.silent.length}, low SNR: ${flagged.lowSnr.length} of ${clips.length} clips` : "",
  ].filter(Boolean).join("\n");
  return {
    n: items.length, balance, exactDuplicates: exact, nearDuplicates: near, labelNoise, speakerLeaks: leaks,
    crossSplitDuplicates: crossSplit, clips, flagged, tables, figures, summary,
  };
}
