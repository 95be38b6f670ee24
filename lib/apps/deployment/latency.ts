/**
 * Latency the way MLPerf Tiny reports it: many timed runs of one inference, the **median** (robust to a stray
 * slow run), converted from cycles to milliseconds at the board's clock.
 *
 * @module
 */
import { DeploymentLessonError } from "./errors.ts";

/** Summary of timed runs. */
export interface LatencySummary {
  runs: number;
  /** Cycles (or instructions) of the median run, and the extremes. */
  median: number;
  min: number;
  max: number;
  mean: number;
  clockHz: number;
  /** median / clock, in milliseconds. */
  medianMs: number;
  /** Inferences per second at the median latency. */
  perSecond: number;
}

/** Median of numbers (mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new DeploymentLessonError("median of no values; time at least one run");
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Summarises per-run cycle counts at a clock.
 * @example latencySummary([160_000, 160_004, 159_998], 16e6).medianMs // 10
 */
export function latencySummary(cycles: readonly number[], clockHz: number): LatencySummary {
  if (!(clockHz > 0)) throw new DeploymentLessonError(`clockHz must be positive, got ${clockHz}`);
  if (cycles.some((c) => !Number.isFinite(c) || c < 0)) throw new DeploymentLessonError("cycle counts must be finite and non-negative");
  const med = median(cycles);
  return {
    runs: cycles.length,
    median: med,
    min: Math.min(...cycles),
    max: Math.max(...cycles),
    mean: cycles.reduce((a, b) => a + b, 0) / cycles.length,
    clockHz,
    medianMs: (1000 * med) / clockHz,
    perSecond: med > 0 ? clockHz / med : Infinity,
  };
}

/** One line of an MLPerf-Tiny-style latency report. */
export function formatLatency(label: string, s: LatencySummary, unit = "cycles"): string {
  return `${label}: median ${Math.round(s.median).toLocaleString("en-US")} ${unit} over ${s.runs} runs ` +
    `(min ${Math.round(s.min).toLocaleString("en-US")}, max ${Math.round(s.max).toLocaleString("en-US")}) → ` +
    `${s.medianMs.toFixed(3)} ms at ${s.clockHz / 1e6} MHz, ${s.perSecond.toFixed(1)} inferences/s`;
}
