/**
 * Figures for notebooks: typed plotly.js figure builders, `show` (one awaited
 * call displays a figure), PNG rendering with headless Chromium, and progress bars.
 *
 * A displayed figure is one output holding four forms: the plotly JSON (for
 * frontends with a plotly renderer), HTML that draws it interactively, a PNG
 * (headless Chromium; also embedded in the HTML as the fallback shown where
 * scripts do not run) and a text summary.
 *
 * Notebook size: plotly.js is 4.8 MB. In Jupyter only the first figure of a
 * kernel session carries it (gzipped + base64, ~1.9 MB); later figures' HTML
 * waits for `window.Plotly` and is a few kB plus its PNG. A notebook run top to
 * bottom therefore holds the library once. If that first output is later
 * cleared, the other figures still show their static PNG. Pass
 * `{ plotlyJs: "always" }` for self-contained outputs.
 *
 * @example
 * import { lineChart, show } from "../lib/viz/mod.ts";
 * await show(lineChart({ title: "Loss", xLabel: "epoch", yLabel: "loss", series: [{ name: "train", y: loss }] }));
 * @module
 */
export type { Annotation, Axis, BarTrace, ColorScale, Figure, HeatmapTrace, Layout, PlotlyTrace, ScatterTrace, Title } from "./types.ts";
export { FigureError } from "./types.ts";
export type { CommonOptions } from "./layout.ts";
export { barChart, binCounts, formatNumber, histogram, lineChart, scatterChart } from "./charts.ts";
export type { BarChartOptions, HistogramOptions, LineChartOptions, ScatterChartOptions, Series } from "./charts.ts";
export { confusionMatrix, heatmap, rowNormalize, spectrogram } from "./heatmap.ts";
export type { ConfusionMatrixOptions, HeatmapOptions, SpectrogramOptions } from "./heatmap.ts";
export { describeFigure } from "./summary.ts";
export { figureHtml, plotlyLoaderScript, scriptSafeJson } from "./html.ts";
export type { FigureHtmlOptions } from "./html.ts";
export { plotlyPath, plotlySource, plotlySourceGzipBase64, plotlyVersion, PlotlyNotFoundError, preparePlotlyGzip } from "./plotly_source.ts";
export { chromiumPath, closeRenderer, renderPng, RenderError } from "./png.ts";
export type { RenderOptions } from "./png.ts";
export { figureBundle, PLOTLY_MIME, show } from "./show.ts";
export type { BundleOptions } from "./show.ts";
export { formatDuration, progress, ProgressError, progressLine, withProgress } from "./progress.ts";
export type { Progress, ProgressOptions, ProgressState, ProgressStream, WithProgressOptions } from "./progress.ts";
