/**
 * Does the model work for everyone? Metrics per group (speaker accent, gender, language, device…):
 * accuracy, false-reject and false-accept rates for a target class (a wake word), confusion
 * matrices, disparities between groups, and two simple mitigations — reweighting and balanced
 * sampling — with a before/after comparison.
 */
import { mulberry32 } from "../util/random.ts";
import { formatTable } from "./quality.ts";

/** Metrics of one group. */
export interface GroupMetrics {
  group: string;
  n: number;
  accuracy: number;
  /** Target examples predicted as something else / target examples (NaN when the group has none). */
  falseRejectRate: number;
  /** Non-target examples predicted as the target / non-target examples (NaN when none). */
  falseAcceptRate: number;
  /** Target examples in the group. */
  positives: number;
  /** confusion[true][predicted]. */
  confusion: number[][];
}

/** Raised for inconsistent inputs. */
export class BiasInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BiasInputError";
  }
}

/**
 * Metrics per group, plus one entry "all" for everyone.
 * @example
 * groupMetrics(yTrue, yPred, accents, { target: 2, numClasses: 4 })
 *   .map((g) => `${g.group}: FRR ${g.falseRejectRate}`);
 */
export function groupMetrics(
  yTrue: ArrayLike<number>, yPred: ArrayLike<number>, groups: ArrayLike<string>,
  opts: { target?: number; numClasses?: number } = {},
): GroupMetrics[] {
  if (yTrue.length !== yPred.length || yTrue.length !== groups.length) {
    throw new BiasInputError(`yTrue (${yTrue.length}), yPred (${yPred.length}) and groups (${groups.length}) must have the same length`);
  }
  let c = opts.numClasses ?? 0;
  for (let i = 0; i < yTrue.length; i++) c = Math.max(c, yTrue[i] + 1, yPred[i] + 1);
  const names = [...new Set(Array.from(groups))].sort();
  const make = (group: string, idx: number[]): GroupMetrics => {
    const confusion = Array.from({ length: c }, () => new Array<number>(c).fill(0));
    let correct = 0, pos = 0, fr = 0, neg = 0, fa = 0;
    for (const i of idx) {
      confusion[yTrue[i]][yPred[i]]++;
      if (yTrue[i] === yPred[i]) correct++;
      if (opts.target !== undefined) {
        if (yTrue[i] === opts.target) { pos++; if (yPred[i] !== opts.target) fr++; }
        else { neg++; if (yPred[i] === opts.target) fa++; }
      }
    }
    return {
      group, n: idx.length, accuracy: idx.length ? correct / idx.length : NaN,
      falseRejectRate: pos ? fr / pos : NaN, falseAcceptRate: neg ? fa / neg : NaN, positives: pos, confusion,
    };
  };
  const all = Array.from({ length: yTrue.length }, (_, i) => i);
  return [...names.map((g) => make(g, all.filter((i) => groups[i] === g))), make("all", all)];
}

/** Spread of one metric over the groups. */
export interface Disparity {
  metric: keyof Pick<GroupMetrics, "accuracy" | "falseRejectRate" | "falseAcceptRate">;
  min: number;
  max: number;
  /** max − min. */
  difference: number;
  /** min / max (1 = equal; for error rates a low ratio means one group suffers far more). */
  ratio: number;
  best: string;
  worst: string;
}

/**
 * Gap between groups for one metric (the "all" entry and groups where it is undefined are ignored).
 * @example
 * disparity(metrics, "falseRejectRate").difference; // e.g. 0.25 = 25 points worse for one accent
 */
export function disparity(metrics: readonly GroupMetrics[], metric: Disparity["metric"]): Disparity {
  const rows = metrics.filter((m) => m.group !== "all" && Number.isFinite(m[metric]));
  if (rows.length === 0) throw new BiasInputError(`no group has a defined ${metric} (for FRR/FAR pass { target } to groupMetrics)`);
  const sorted = [...rows].sort((a, b) => a[metric] - b[metric]);
  const lo = sorted[0], hi = sorted[sorted.length - 1];
  const higherIsBetter = metric === "accuracy";
  return {
    metric, min: lo[metric], max: hi[metric], difference: hi[metric] - lo[metric],
    ratio: hi[metric] === 0 ? 1 : lo[metric] / hi[metric],
    best: higherIsBetter ? hi.group : lo.group, worst: higherIsBetter ? lo.group : hi.group,
  };
}

/**
 * Sample weights that give every group (or every group × label cell, with `labels`) the same total
 * weight; the weights average to 1. Pass them as per-example loss weights.
 * @example
 * const w = groupWeights(accents, labels); // rare accents count more in the loss
 */
export function groupWeights(groups: ArrayLike<string>, labels?: ArrayLike<number | string>): Float32Array {
  const key = (i: number) => (labels ? `${groups[i]}\u0000${labels[i]}` : groups[i]);
  const counts = new Map<string, number>();
  for (let i = 0; i < groups.length; i++) counts.set(key(i), (counts.get(key(i)) ?? 0) + 1);
  const w = new Float32Array(groups.length);
  for (let i = 0; i < groups.length; i++) w[i] = groups.length / (counts.size * counts.get(key(i))!);
  return w;
}

/**
 * Indices of a balanced resample: every group gets `perGroup` examples (default: the largest group's
 * size), drawn with replacement when a group is smaller. Seeded.
 * @example
 * const idx = balancedSample(accents, { seed: 1 }); // train on x[idx]
 */
export function balancedSample(groups: ArrayLike<string>, opts: { perGroup?: number; seed?: number } = {}): number[] {
  const by = new Map<string, number[]>();
  for (let i = 0; i < groups.length; i++) {
    const l = by.get(groups[i]) ?? [];
    l.push(i);
    by.set(groups[i], l);
  }
  const per = opts.perGroup ?? Math.max(0, ...[...by.values()].map((l) => l.length));
  const rng = mulberry32(opts.seed ?? 0);
  const out: number[] = [];
  for (const g of [...by.keys()].sort()) {
    const idx = [...by.get(g)!];
    // Every example once while possible (shuffled), then random repeats.
    for (let k = idx.length - 1; k > 0; k--) {
      const j = Math.floor(rng() * (k + 1));
      [idx[k], idx[j]] = [idx[j], idx[k]];
    }
    for (let k = 0; k < per; k++) out.push(k < idx.length ? idx[k] : idx[Math.floor(rng() * idx.length)]);
  }
  for (let k = out.length - 1; k > 0; k--) {
    const j = Math.floor(rng() * (k + 1));
    [out[k], out[j]] = [out[j], out[k]];
  }
  return out;
}

/** One row of a before/after comparison. */
export interface BiasComparisonRow {
  group: string;
  before: Pick<GroupMetrics, "accuracy" | "falseRejectRate" | "falseAcceptRate">;
  after: Pick<GroupMetrics, "accuracy" | "falseRejectRate" | "falseAcceptRate">;
}

/** Before/after comparison of a mitigation. */
export interface BiasComparison {
  rows: BiasComparisonRow[];
  disparityBefore: Disparity[];
  disparityAfter: Disparity[];
  /** Text table of the rows and the disparities. */
  text: string;
}

/**
 * Compare per-group metrics before and after a mitigation (same groups, e.g. same test set).
 * @example
 * console.log(compareBias(groupMetrics(y, predBefore, g, { target }), groupMetrics(y, predAfter, g, { target })).text);
 */
export function compareBias(before: readonly GroupMetrics[], after: readonly GroupMetrics[]): BiasComparison {
  const pickM = (m: GroupMetrics) => ({ accuracy: m.accuracy, falseRejectRate: m.falseRejectRate, falseAcceptRate: m.falseAcceptRate });
  const rows = before.map((b) => {
    const a = after.find((x) => x.group === b.group);
    if (!a) throw new BiasInputError(`group "${b.group}" is missing after the mitigation; compare on the same test set`);
    return { group: b.group, before: pickM(b), after: pickM(a) };
  });
  const metrics: Disparity["metric"][] = ["accuracy", "falseRejectRate", "falseAcceptRate"];
  const defined = (ms: readonly GroupMetrics[], k: Disparity["metric"]) => ms.some((m) => m.group !== "all" && Number.isFinite(m[k]));
  const disparityBefore = metrics.filter((k) => defined(before, k)).map((k) => disparity(before, k));
  const disparityAfter = metrics.filter((k) => defined(after, k)).map((k) => disparity(after, k));
  const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : "-");
  const text = formatTable(
    ["group", "acc before", "acc after", "FRR before", "FRR after", "FAR before", "FAR after"],
    rows.map((r) => [r.group, pct(r.before.accuracy), pct(r.after.accuracy), pct(r.before.falseRejectRate), pct(r.after.falseRejectRate), pct(r.before.falseAcceptRate), pct(r.after.falseAcceptRate)]),
  ) + "\n\n" + formatTable(
    ["metric", "gap before", "gap after", "worst before", "worst after"],
    disparityBefore.map((d, i) => [d.metric, pct(d.difference), pct(disparityAfter[i]?.difference ?? NaN), d.worst, disparityAfter[i]?.worst ?? "-"]),
  );
  return { rows, disparityBefore, disparityAfter, text };
}

/** Per-group metrics as a text table. */
export function formatGroupMetrics(metrics: readonly GroupMetrics[]): string {
  const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : "-");
  return formatTable(["group", "n", "accuracy", "FRR", "FAR", "targets"], metrics.map((m) => [m.group, m.n, pct(m.accuracy), pct(m.falseRejectRate), pct(m.falseAcceptRate), m.positives]));
}
