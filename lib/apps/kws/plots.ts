/**
 * Plot helpers: where the keywords of a stream were spoken, as one plotly marker trace to lay over a waveform
 * or a score curve.
 * @module
 */
import type { ScatterTrace } from "../../viz/types.ts";
import type { StreamEvent } from "./stream.ts";

/** Options of {@link eventTrace}. */
export interface EventTraceOptions {
  /** Only events with this label (default: all). */
  label?: string;
  /** Height of the bars on the y axis (default 1). */
  y?: number;
  /** Only events that start before this time in seconds (default: all). */
  until?: number;
  /** Legend name (default the label, or "events"). */
  name?: string;
}

/**
 * One marker trace: a marker at the middle of each event's voiced part, at height `y`.
 * @example
 * const fig = lineChart({ … scores over time … });
 * fig.data.push(eventTrace(stream.events, { label: "marvin", y: 1.05, until: 60 }));
 */
export function eventTrace(events: readonly StreamEvent[], opts: EventTraceOptions = {}): ScatterTrace {
  const chosen = events.filter((e) => (opts.label === undefined || e.label === opts.label) && (opts.until === undefined || e.voiceStart < opts.until));
  return {
    type: "scatter",
    mode: "markers",
    name: opts.name ?? opts.label ?? "events",
    x: chosen.map((e) => (e.voiceStart + e.voiceEnd) / 2),
    y: chosen.map(() => opts.y ?? 1),
    marker: { size: 9, color: "#d62728" },
  };
}
