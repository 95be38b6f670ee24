/** Heatmap, confusion matrix and spectrogram figure builders. */
import { formatNumber } from "./charts.ts";
import { baseLayout, toMatrix, toNumbers } from "./layout.ts";
import type { CommonOptions } from "./layout.ts";
import { FigureError } from "./types.ts";
import type { Annotation, ColorScale, Figure, HeatmapTrace } from "./types.ts";

/** Input of {@link heatmap}. */
export interface HeatmapOptions extends CommonOptions {
  /** Values, `z[row][col]`; row 0 is drawn at the bottom unless `flipY`. */
  z: ArrayLike<ArrayLike<number>>;
  /** Column coordinates or labels (default 0..cols-1). */
  x?: ArrayLike<number> | ArrayLike<string>;
  /** Row coordinates or labels (default 0..rows-1). */
  y?: ArrayLike<number> | ArrayLike<string>;
  colorscale?: ColorScale;
  zmin?: number;
  zmax?: number;
  /** Value at the middle of the colour scale, e.g. 0 for weights with "RdBu". */
  zmid?: number;
  /** Colour bar title (what z means). */
  zLabel?: string;
  /** Draw row 0 at the top, like a matrix or an image. */
  flipY?: boolean;
}

function coords(v: ArrayLike<number> | ArrayLike<string> | undefined, n: number, what: string): (number | string)[] {
  if (v === undefined) return Array.from({ length: n }, (_, i) => i);
  const out = Array.from(v as ArrayLike<number | string>);
  if (out.length !== n) throw new FigureError(`heatmap: ${what} has ${out.length} entries but z has ${n}.`);
  return out;
}

/**
 * A 2-D array as a colour image.
 * @example
 * await show(heatmap({ title: "Conv filter 0", z: kernel3x3, flipY: true, colorscale: "RdBu" }));
 */
export function heatmap(opts: HeatmapOptions): Figure {
  const z = toMatrix(opts.z, "heatmap: z");
  const trace: HeatmapTrace = {
    type: "heatmap",
    z,
    x: coords(opts.x, z[0].length, "x"),
    y: coords(opts.y, z.length, "y"),
    colorscale: opts.colorscale ?? "Viridis",
  };
  if (opts.zmin !== undefined) trace.zmin = opts.zmin;
  if (opts.zmax !== undefined) trace.zmax = opts.zmax;
  if (opts.zmid !== undefined) trace.zmid = opts.zmid;
  if (opts.zLabel !== undefined) trace.colorbar = { title: { text: opts.zLabel } };
  const layout = baseLayout(opts, { title: "Heatmap", xLabel: "column", yLabel: "row", width: 560, height: 480 });
  // Index coordinates: one tick per cell on small grids, never half-cells.
  const step = (n: number, given: unknown) => (given === undefined && n <= 16 ? { tickmode: "linear" as const, dtick: 1 } : {});
  layout.xaxis = { ...layout.xaxis, showgrid: false, ...step(z[0].length, opts.x) };
  layout.yaxis = { ...layout.yaxis, showgrid: false, ...step(z.length, opts.y) };
  if (opts.flipY) layout.yaxis.autorange = "reversed";
  return { data: [trace], layout };
}

/** Options of {@link confusionMatrix}. */
export interface ConfusionMatrixOptions extends CommonOptions {
  colorscale?: ColorScale;
}

/** White to dark blue (ColorBrewer "Blues"); plotly.js's own "Blues" runs dark to light. */
const BLUES: [number, string][] = [
  [0, "#f7fbff"], [0.25, "#c6dbef"], [0.5, "#6baed6"], [0.75, "#2171b5"], [1, "#08306b"],
];

/**
 * Each row divided by its sum (rows with no samples stay 0): the fraction of
 * each true class given each prediction — per-class recall on the diagonal.
 */
export function rowNormalize(matrix: number[][]): number[][] {
  return matrix.map((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (sum > 0 ? v / sum : 0));
  });
}

/**
 * Confusion matrix: `matrix[trueClass][predictedClass]` counts. Cells are
 * coloured by the row-normalised fraction (so rare classes are as readable as
 * common ones) and annotated with the raw counts; the title gives accuracy.
 * @example
 * await show(confusionMatrix(["silence", "unknown", "yes", "no"], counts, { title: "micro_speech, test set" }));
 */
export function confusionMatrix(
  labels: ArrayLike<string>,
  matrix: ArrayLike<ArrayLike<number>>,
  opts: ConfusionMatrixOptions = {},
): Figure {
  const names = Array.from(labels ?? [], String);
  const counts = toMatrix(matrix, "confusionMatrix: matrix");
  const n = names.length;
  if (n === 0) throw new FigureError("confusionMatrix: `labels` must name at least one class.");
  if (counts.length !== n || counts[0].length !== n) {
    throw new FigureError(
      `confusionMatrix: ${n} labels need an ${n}×${n} matrix, got ${counts.length}×${counts[0].length} (matrix[true][predicted]).`,
    );
  }
  counts.forEach((row, r) => row.forEach((v, c) => {
    if (!(v >= 0)) throw new FigureError(`confusionMatrix: matrix[${r}][${c}] = ${v}; counts must be ≥ 0.`);
  }));
  const norm = rowNormalize(counts);
  const total = counts.flat().reduce((a, b) => a + b, 0);
  const correct = counts.reduce((a, row, i) => a + row[i], 0);
  const accuracy = total > 0 ? correct / total : 0;

  const annotations: Annotation[] = [];
  const hover: string[][] = [];
  for (let r = 0; r < n; r++) {
    hover.push([]);
    for (let c = 0; c < n; c++) {
      // Dark cells of the Blues scale need light text.
      annotations.push({
        x: names[c], y: names[r], text: formatNumber(counts[r][c]), showarrow: false,
        font: { color: norm[r][c] > 0.55 ? "white" : "black", size: n > 12 ? 10 : 13 },
      });
      hover[r].push(`true ${names[r]}, predicted ${names[c]}: ${formatNumber(counts[r][c])} (${(100 * norm[r][c]).toFixed(1)}% of row)`);
    }
  }
  const trace: HeatmapTrace = {
    type: "heatmap", z: norm, x: names, y: names, zmin: 0, zmax: 1,
    colorscale: opts.colorscale ?? BLUES, colorbar: { title: { text: "fraction of row" } },
    text: hover, hovertemplate: "%{text}<extra></extra>", xgap: 1, ygap: 1,
  };
  const side = Math.min(800, Math.max(440, 200 + 56 * n));
  const layout = baseLayout(opts, {
    title: `Confusion matrix (accuracy ${(100 * accuracy).toFixed(1)}%, n = ${formatNumber(total)})`,
    xLabel: "predicted", yLabel: "true", width: side + 140, height: side,
  });
  layout.margin = { l: 110, r: 30, t: 60, b: 80 };
  layout.xaxis = { ...layout.xaxis, type: "category", showgrid: false, ticks: "", constrain: "domain" };
  // Square cells; true class 0 at the top like a printed matrix.
  layout.yaxis = {
    ...layout.yaxis, type: "category", showgrid: false, ticks: "", autorange: "reversed", scaleanchor: "x", constrain: "domain",
  };
  layout.annotations = annotations;
  return { data: [trace], layout };
}

/** Options of {@link spectrogram}. */
export interface SpectrogramOptions extends CommonOptions {
  /** Seconds between frame starts (e.g. 0.02 for micro_speech); without it x is the frame index. */
  frameStep?: number;
  /** Centre frequency in Hz of each channel (e.g. mel band centres); without it y is the channel index. */
  frequencies?: ArrayLike<number>;
  colorscale?: ColorScale;
  zmin?: number;
  zmax?: number;
  /** Colour bar title, e.g. "log energy" or "int8 feature". */
  zLabel?: string;
}

/**
 * Spectrogram / feature image of `frames[frame][channel]` (e.g. 49×40
 * micro_speech features): time runs left to right, frequency bottom to top.
 * Channels are drawn as equal-height rows; with `frequencies` the ticks show
 * their centre frequencies in Hz (mel bands are not evenly spaced).
 * @example
 * await show(spectrogram(features, { title: "\"yes\"", frameStep: 0.02, zLabel: "int8 feature" }));
 */
export function spectrogram(frames: ArrayLike<ArrayLike<number>>, opts: SpectrogramOptions = {}): Figure {
  const f = toMatrix(frames, "spectrogram: frames");
  const nFrames = f.length;
  const nCh = f[0].length;
  const z = Array.from({ length: nCh }, (_, c) => f.map((row) => row[c])); // z[channel][frame]
  const step = opts.frameStep;
  if (step !== undefined && !(step > 0)) throw new FigureError(`spectrogram: frameStep must be > 0 seconds, got ${step}.`);
  const x = Array.from({ length: nFrames }, (_, i) => (step === undefined ? i : roundTo(i * step, 6)));
  const y = Array.from({ length: nCh }, (_, c) => c);
  const trace: HeatmapTrace = { type: "heatmap", z, x, y, colorscale: opts.colorscale ?? "Viridis" };
  if (opts.zmin !== undefined) trace.zmin = opts.zmin;
  if (opts.zmax !== undefined) trace.zmax = opts.zmax;
  if (opts.zLabel !== undefined) trace.colorbar = { title: { text: opts.zLabel } };

  const layout = baseLayout(opts, {
    title: "Spectrogram",
    xLabel: step === undefined ? "frame" : "time (s)",
    yLabel: opts.frequencies === undefined ? "channel" : "frequency (Hz)",
    width: 720, height: 380,
  });
  layout.xaxis = { ...layout.xaxis, showgrid: false };
  layout.yaxis = { ...layout.yaxis, showgrid: false };
  if (opts.frequencies !== undefined) {
    const hz = toNumbers(opts.frequencies, "spectrogram: frequencies");
    if (hz.length !== nCh) throw new FigureError(`spectrogram: ${hz.length} frequencies for ${nCh} channels.`);
    const ticks = Math.min(nCh, 8);
    const tickvals = Array.from({ length: ticks }, (_, k) => Math.round((k * (nCh - 1)) / Math.max(1, ticks - 1)));
    layout.yaxis = { ...layout.yaxis, tickmode: "array", tickvals, ticktext: tickvals.map((c) => String(Math.round(hz[c]))) };
    trace.text = z.map((row, c) => row.map(() => `${Math.round(hz[c])} Hz`));
    trace.hovertemplate = "t=%{x}, %{text}: %{z}<extra></extra>";
  }
  return { data: [trace], layout };
}

function roundTo(v: number, digits: number): number {
  return Number(v.toFixed(digits));
}
