/** Line, scatter, bar and histogram figure builders. */
import { baseLayout, toNumbers } from "./layout.ts";
import type { CommonOptions } from "./layout.ts";
import { FigureError } from "./types.ts";
import type { BarTrace, Figure, ScatterTrace } from "./types.ts";

/** One named curve. `x` defaults to 0, 1, 2, ... */
export interface Series {
  name?: string;
  x?: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** Input of {@link lineChart}: several `series`, or one curve given as `x`/`y`. */
export interface LineChartOptions extends CommonOptions {
  series?: Series[];
  x?: ArrayLike<number>;
  y?: ArrayLike<number>;
  /** Draw markers on the points as well. */
  markers?: boolean;
  /** Logarithmic y axis (e.g. loss curves). */
  logY?: boolean;
}

function seriesOf(opts: { series?: Series[]; x?: ArrayLike<number>; y?: ArrayLike<number> }, fn: string): Series[] {
  if (opts.series !== undefined) {
    if (!Array.isArray(opts.series) || opts.series.length === 0) {
      throw new FigureError(`${fn}: \`series\` must be a non-empty array of { name, x?, y }.`);
    }
    return opts.series;
  }
  if (opts.y === undefined) throw new FigureError(`${fn}: give \`series: [{ name, y }]\` or \`y\` (with optional \`x\`).`);
  return [{ x: opts.x, y: opts.y }];
}

function xyOf(s: Series, i: number, fn: string): { x: number[]; y: number[] } {
  const y = toNumbers(s.y, `${fn}: series[${i}].y`);
  const x = s.x === undefined ? y.map((_, k) => k) : toNumbers(s.x, `${fn}: series[${i}].x`);
  if (x.length !== y.length) {
    throw new FigureError(`${fn}: series[${i}] ("${s.name ?? ""}") has ${x.length} x values but ${y.length} y values.`);
  }
  return { x, y };
}

/**
 * Line chart of one or more series, e.g. training curves.
 * @example
 * await show(lineChart({
 *   title: "Training loss", xLabel: "epoch", yLabel: "loss",
 *   series: [{ name: "train", y: trainLoss }, { name: "validation", y: valLoss }],
 * }));
 */
export function lineChart(opts: LineChartOptions): Figure {
  const series = seriesOf(opts, "lineChart");
  const data: ScatterTrace[] = series.map((s, i) => {
    const { x, y } = xyOf(s, i, "lineChart");
    const t: ScatterTrace = { type: "scatter", mode: opts.markers ? "lines+markers" : "lines", x, y, line: { width: 2 } };
    if (s.name !== undefined) t.name = s.name;
    return t;
  });
  const layout = baseLayout(opts, { title: "Line chart", xLabel: "x", yLabel: "y", width: 640, height: 400 });
  layout.showlegend = series.length > 1;
  if (opts.logY) layout.yaxis = { ...layout.yaxis, type: "log" };
  return { data, layout };
}

/** Input of {@link scatterChart}: several `series`, or one cloud given as `x`/`y`. */
export interface ScatterChartOptions extends CommonOptions {
  series?: (Series & { x: ArrayLike<number> })[];
  x?: ArrayLike<number>;
  y?: ArrayLike<number>;
  /** Per-point values mapped to colour (single-cloud form only), e.g. a class id. */
  color?: ArrayLike<number>;
  /** Marker size in pixels (default 6). */
  markerSize?: number;
}

/**
 * Scatter plot of points.
 * @example
 * await show(scatterChart({ title: "Data vs. model", x: xs, y: ys, xLabel: "x", yLabel: "sin(x)" }));
 */
export function scatterChart(opts: ScatterChartOptions): Figure {
  const series = seriesOf(opts, "scatterChart");
  const data: ScatterTrace[] = series.map((s, i) => {
    const { x, y } = xyOf(s, i, "scatterChart");
    const t: ScatterTrace = { type: "scatter", mode: "markers", x, y, marker: { size: opts.markerSize ?? 6, opacity: 0.8 } };
    if (s.name !== undefined) t.name = s.name;
    return t;
  });
  if (opts.color !== undefined) {
    if (opts.series !== undefined) throw new FigureError("scatterChart: `color` works with the single `x`/`y` form, not with `series`.");
    const c = toNumbers(opts.color, "scatterChart: color");
    if (c.length !== data[0].y.length) {
      throw new FigureError(`scatterChart: color has ${c.length} values but there are ${data[0].y.length} points.`);
    }
    data[0].marker = { ...data[0].marker, color: c, colorscale: "Viridis", showscale: true };
  }
  const layout = baseLayout(opts, { title: "Scatter plot", xLabel: "x", yLabel: "y", width: 640, height: 400 });
  layout.showlegend = series.length > 1;
  return { data, layout };
}

/** Input of {@link barChart}: category `labels` with one `values` array or several named `series`. */
export interface BarChartOptions extends CommonOptions {
  labels: ArrayLike<string>;
  values?: ArrayLike<number>;
  series?: { name: string; values: ArrayLike<number> }[];
  /** Print each value above its bar. */
  showValues?: boolean;
  /** Several series side by side (`group`, default) or on top of each other (`stack`). */
  barmode?: "group" | "stack";
}

/**
 * Bar chart over categories (grouped when several series are given).
 * @example
 * await show(barChart({ title: "Model size", labels: ["float32", "int8"], values: [9840, 2860], yLabel: "bytes" }));
 */
export function barChart(opts: BarChartOptions): Figure {
  const labels = Array.from(opts.labels ?? [], String);
  if (labels.length === 0) throw new FigureError("barChart: `labels` must name at least one category.");
  let series: { name?: string; values: ArrayLike<number> }[];
  if (opts.series !== undefined) series = opts.series;
  else if (opts.values !== undefined) series = [{ values: opts.values }];
  else throw new FigureError("barChart: give `values` (one per label) or `series: [{ name, values }]`.");
  const data: BarTrace[] = series.map((s, i) => {
    const y = toNumbers(s.values, `barChart: series[${i}].values`);
    if (y.length !== labels.length) {
      throw new FigureError(`barChart: ${labels.length} labels but series[${i}] has ${y.length} values.`);
    }
    const t: BarTrace = { type: "bar", x: labels, y };
    if (s.name !== undefined) t.name = s.name;
    if (opts.showValues) {
      t.text = y.map((v) => (v === null ? "" : formatNumber(v)));
      t.textposition = "outside";
    }
    return t;
  });
  const layout = baseLayout(opts, { title: "Bar chart", xLabel: "", yLabel: "value", width: 640, height: 400 });
  layout.showlegend = series.length > 1;
  layout.barmode = opts.barmode ?? "group";
  layout.xaxis = { ...layout.xaxis, type: "category" };
  return { data, layout };
}

/** Input of {@link histogram}. */
export interface HistogramOptions extends CommonOptions {
  values?: ArrayLike<number>;
  series?: { name: string; values: ArrayLike<number> }[];
  /** Number of equal-width bins over the range of all values (default 30). */
  bins?: number;
  /** Bin range; defaults to [min, max] of all values. Values outside are dropped. */
  range?: [number, number];
  /** Show the fraction of values per bin instead of counts. */
  normalize?: boolean;
}

/** Equal-width bin counts of `values` over [lo, hi]; the last bin includes hi. */
export function binCounts(values: ArrayLike<number>, bins: number, lo: number, hi: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue; // also skips NaN
    const k = width > 0 ? Math.min(bins - 1, Math.floor((v - lo) / width)) : 0;
    counts[k]++;
  }
  return counts;
}

/**
 * Histogram of values (e.g. weights before quantization). Binning happens here,
 * so the figure holds `bins` numbers per series, not the raw values.
 * @example
 * await show(histogram({ title: "Dense-1 weights", values: weights, bins: 50, xLabel: "weight" }));
 */
export function histogram(opts: HistogramOptions): Figure {
  let series: { name?: string; values: ArrayLike<number> }[];
  if (opts.series !== undefined) series = opts.series;
  else if (opts.values !== undefined) series = [{ values: opts.values }];
  else throw new FigureError("histogram: give `values` or `series: [{ name, values }]`.");
  const bins = opts.bins ?? 30;
  if (!Number.isInteger(bins) || bins < 1 || bins > 10000) {
    throw new FigureError(`histogram: bins must be an integer in 1..10000, got ${bins}.`);
  }
  let [lo, hi] = opts.range ?? [Infinity, -Infinity];
  if (opts.range === undefined) {
    for (const s of series) {
      for (let i = 0; i < s.values.length; i++) {
        const v = s.values[i];
        if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
      }
    }
    if (lo > hi) throw new FigureError("histogram: no finite values to bin.");
  }
  if (!(hi >= lo)) throw new FigureError(`histogram: range [${lo}, ${hi}] is empty; the first bound must be ≤ the second.`);
  if (hi === lo) { lo -= 0.5; hi += 0.5; } // one distinct value: a unit-wide bin around it
  const width = (hi - lo) / bins;
  const centres = Array.from({ length: bins }, (_, k) => lo + (k + 0.5) * width);
  const data: BarTrace[] = series.map((s) => {
    const counts = binCounts(s.values, bins, lo, hi);
    const total = counts.reduce((a, b) => a + b, 0);
    const y = opts.normalize ? counts.map((c) => (total > 0 ? c / total : 0)) : counts;
    const t: BarTrace = {
      type: "bar", x: centres, y, width,
      marker: { line: { width: 0.5, color: "white" } },
      hovertemplate: `%{x:.4g} ± ${formatNumber(width / 2)}: %{y}<extra></extra>`,
    };
    if (s.name !== undefined) t.name = s.name;
    if (series.length > 1) t.opacity = 0.6;
    return t;
  });
  const layout = baseLayout(opts, {
    title: "Histogram", xLabel: "value", yLabel: opts.normalize ? "fraction" : "count", width: 640, height: 400,
  });
  layout.showlegend = series.length > 1;
  layout.barmode = "overlay";
  layout.bargap = 0;
  return { data, layout };
}

/** Short human formatting: 4 significant digits, no trailing zeros. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3).replace(/\.?0+e/, "e");
  return String(Number(v.toPrecision(4)));
}
