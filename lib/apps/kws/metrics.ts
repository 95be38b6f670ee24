/**
 * How good is a wake-word detector? Detections are matched to the spoken keywords of a stream: a keyword with
 * no detection is a false reject, a detection with no keyword is a false accept. False rejects are counted
 * per keyword (FRR), false accepts per hour of audio (FA/h) — the two numbers a threshold trades off.
 * @module
 */
import { KwsAppError } from "./errors.ts";
import { detect, type ScoredStream } from "./detect.ts";
import type { StreamEvent } from "./stream.ts";

/** Options of {@link matchDetections}. */
export interface MatchOptions {
  /** A detection counts for a keyword from its start to this long after its end (default 0.75 s: the window needs time). */
  toleranceS?: number;
}

/** The outcome of matching detections to keywords. */
export interface MatchResult {
  /** Keywords with at least one detection. */
  hits: number;
  /** Keywords without one (false rejects). */
  misses: number;
  /** Detections matching no keyword (false accepts). */
  falseAccepts: number;
  /** Keywords of the stream. */
  keywords: number;
  /** Per detection: the index of the keyword event it matched, or −1 for a false accept. */
  matched: number[];
}

/**
 * Match detection times to the `positive` events of a stream. A detection inside [start, end + tolerance] of a
 * keyword belongs to it (several may; they count once); any other detection is a false accept — including one
 * triggered by another word.
 * @example
 * matchDetections([3.1, 9.4], events, "marvin"); // { hits: 1, misses: 0, falseAccepts: 1, … }
 */
export function matchDetections(detections: readonly number[], events: readonly StreamEvent[], positive: string, opts: MatchOptions = {}): MatchResult {
  const tol = opts.toleranceS ?? 0.75;
  if (!(tol >= 0)) throw new KwsAppError(`toleranceS must be ≥ 0, got ${tol}`);
  const keys = events.map((e, i) => ({ e, i })).filter(({ e }) => e.label === positive);
  const hit = new Set<number>();
  const matched = detections.map((t) => {
    const k = keys.find(({ e }) => t >= e.start && t <= e.end + tol);
    if (!k) return -1;
    hit.add(k.i);
    return k.i;
  });
  const falseAccepts = matched.filter((m) => m < 0).length;
  return { hits: hit.size, misses: keys.length - hit.size, falseAccepts, keywords: keys.length, matched };
}

/** False accepts per hour of audio. */
export function faPerHour(falseAccepts: number, durationS: number): number {
  if (!(durationS > 0)) throw new KwsAppError(`durationS must be > 0, got ${durationS}`);
  return (falseAccepts * 3600) / durationS;
}

/** One threshold of a sweep. */
export interface SweepRow {
  threshold: number;
  detections: number;
  hits: number;
  misses: number;
  falseAccepts: number;
  /** False reject rate: misses / keywords (0..1). */
  frr: number;
  faPerHour: number;
}

/** Options of {@link sweepThresholds}. */
export interface SweepOptions extends MatchOptions {
  /** The stream's ground truth. */
  events: readonly StreamEvent[];
  /** The keyword's label in `events`. */
  positive: string;
  /** Length of the stream in seconds (for FA/h). */
  durationS: number;
  /** Thresholds to try (default 0.05, 0.10, …, 0.95 and 0.97, 0.99). */
  thresholds?: readonly number[];
  /** Refractory period of the detector (default 1 s). */
  refractoryS?: number;
}

/**
 * Run the detector at many thresholds over one scored (and smoothed) stream.
 * @example
 * const rows = sweepThresholds({ times, scores: smoothScores(scores, 3) }, { events, positive: "marvin", durationS });
 */
export function sweepThresholds(stream: ScoredStream, opts: SweepOptions): SweepRow[] {
  const thresholds = opts.thresholds ?? [...Array.from({ length: 19 }, (_, i) => Math.round((i + 1) * 5) / 100), 0.97, 0.99];
  return thresholds.map((threshold) => {
    const times = detect(stream, { threshold, refractoryS: opts.refractoryS });
    const m = matchDetections(times, opts.events, opts.positive, opts);
    if (m.keywords === 0) throw new KwsAppError(`the stream has no "${opts.positive}" events to detect`);
    return {
      threshold,
      detections: times.length,
      hits: m.hits,
      misses: m.misses,
      falseAccepts: m.falseAccepts,
      frr: m.misses / m.keywords,
      faPerHour: faPerHour(m.falseAccepts, opts.durationS),
    };
  });
}

/**
 * The threshold with the fewest false rejects among those within a false-accept budget (ties: the higher
 * threshold, the safer one); undefined when none is within budget.
 * @example
 * pickThreshold(rows, 20)?.threshold;
 */
export function pickThreshold(rows: readonly SweepRow[], maxFaPerHour: number): SweepRow | undefined {
  let best: SweepRow | undefined;
  for (const r of rows) {
    if (r.faPerHour > maxFaPerHour) continue;
    if (!best || r.frr < best.frr || (r.frr === best.frr && r.threshold > best.threshold)) best = r;
  }
  return best;
}
