/**
 * A small, honest subset of plotly.js's figure schema: only the attributes the
 * kit's builders emit. A `Figure` is plain JSON and can be handed to
 * `Plotly.newPlot(div, fig.data, fig.layout)` as is.
 */

/** Plotly's title object (plotly.js v3 no longer accepts a bare string). */
export interface Title {
  text: string;
}

/** An axis. */
export interface Axis {
  title?: Title;
  type?: "linear" | "log" | "category";
  range?: [number, number];
  autorange?: boolean | "reversed";
  /** Pin this axis's scale to another's (`"x"`) so heatmap cells are square. */
  scaleanchor?: "x" | "y";
  constrain?: "range" | "domain";
  ticks?: "" | "outside" | "inside";
  tickmode?: "auto" | "array" | "linear";
  dtick?: number;
  tickvals?: (number | string)[];
  ticktext?: string[];
  side?: "top" | "bottom" | "left" | "right";
  zeroline?: boolean;
  showgrid?: boolean;
}

/** A text label placed in data coordinates (used for confusion-matrix counts). */
export interface Annotation {
  x: number | string;
  y: number | string;
  text: string;
  showarrow: false;
  font?: { color?: string; size?: number };
}

/** Figure layout. */
export interface Layout {
  title?: Title;
  width: number;
  height: number;
  margin?: { l?: number; r?: number; t?: number; b?: number };
  xaxis?: Axis;
  yaxis?: Axis;
  showlegend?: boolean;
  barmode?: "group" | "stack" | "overlay";
  bargap?: number;
  annotations?: Annotation[];
  font?: { family?: string; size?: number };
  /** A plotly colour; white keeps PNG renders readable on dark notebook themes. */
  paper_bgcolor?: string;
  plot_bgcolor?: string;
}

/** A colour scale: a plotly name like `"Viridis"`, or `[fraction, colour]` stops. */
export type ColorScale = string | [number, string][];

/** Line / marker chart (`type: "scatter"` covers both in plotly). */
export interface ScatterTrace {
  type: "scatter";
  name?: string;
  x: number[] | string[];
  y: number[];
  mode: "lines" | "markers" | "lines+markers";
  line?: { width?: number; color?: string; dash?: "solid" | "dash" | "dot" };
  marker?: { size?: number; color?: string | number[]; colorscale?: ColorScale; showscale?: boolean; opacity?: number };
  text?: string[];
}

/** Bar chart. */
export interface BarTrace {
  type: "bar";
  name?: string;
  x: (number | string)[];
  y: number[];
  marker?: { color?: string; line?: { width: number; color: string } };
  /** Bar widths in x units (histogram bins). */
  width?: number | number[];
  opacity?: number;
  hovertemplate?: string;
  text?: string[];
  textposition?: "auto" | "outside" | "inside" | "none";
}

/** 2-D colour image; `z[row][col]`, rows along y. */
export interface HeatmapTrace {
  type: "heatmap";
  name?: string;
  z: number[][];
  x?: (number | string)[];
  y?: (number | string)[];
  colorscale?: ColorScale;
  zmin?: number;
  zmax?: number;
  /** Value mapped to the middle of the colour scale (diverging scales). */
  zmid?: number;
  showscale?: boolean;
  colorbar?: { title?: Title };
  /** Hover text per cell, same shape as z. */
  text?: string[][];
  hovertemplate?: string;
  xgap?: number;
  ygap?: number;
}

/**
 * Any trace a kit figure may hold. (Histograms are binned in TypeScript and drawn
 * as bars, so a figure of a million weights stays a few kilobytes of JSON.)
 */
export type PlotlyTrace = ScatterTrace | BarTrace | HeatmapTrace;

/** A complete figure: what `Plotly.newPlot` takes, and what `show` displays. */
export interface Figure {
  data: PlotlyTrace[];
  layout: Layout;
}

/** Bad input to a figure builder (wrong shapes, empty data, ...). */
export class FigureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FigureError";
  }
}
