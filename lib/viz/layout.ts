/** Shared option handling for the figure builders. */
import { FigureError } from "./types.ts";
import type { Layout } from "./types.ts";

/** Options every builder accepts. */
export interface CommonOptions {
  /** Figure title. */
  title?: string;
  /** x-axis label. */
  xLabel?: string;
  /** y-axis label. */
  yLabel?: string;
  /** Width in CSS pixels (also the PNG width). */
  width?: number;
  /** Height in CSS pixels (also the PNG height). */
  height?: number;
}

/** A fixed-size layout with title and axis labels; white background for dark notebook themes. */
export function baseLayout(opts: CommonOptions, defaults: Required<CommonOptions>): Layout {
  const width = opts.width ?? defaults.width;
  const height = opts.height ?? defaults.height;
  for (const [k, v] of [["width", width], ["height", height]] as const) {
    if (!Number.isFinite(v) || v < 50 || v > 4000) {
      throw new FigureError(`${k} must be a number of pixels between 50 and 4000, got ${v}.`);
    }
  }
  const layout: Layout = {
    title: { text: opts.title ?? defaults.title },
    width: Math.round(width),
    height: Math.round(height),
    margin: { l: 70, r: 30, t: 60, b: 60 },
    font: { family: "Arial, sans-serif", size: 13 },
    paper_bgcolor: "white",
    plot_bgcolor: "white",
    xaxis: { title: { text: opts.xLabel ?? defaults.xLabel }, zeroline: false, ticks: "outside" },
    yaxis: { title: { text: opts.yLabel ?? defaults.yLabel }, zeroline: false, ticks: "outside" },
  };
  return layout;
}

/**
 * Copy numbers into a plain array. Typed arrays would otherwise serialise as
 * `{"0":..}` objects; NaN/±Infinity become null, which plotly draws as a gap.
 */
export function toNumbers(values: ArrayLike<number>, what: string): number[] {
  if (values == null || typeof values.length !== "number") {
    throw new FigureError(`${what} must be an array of numbers.`);
  }
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number") {
      throw new FigureError(`${what}[${i}] is ${typeof v}, expected a number.`);
    }
    out[i] = Number.isFinite(v) ? v : (null as unknown as number);
  }
  return out;
}

/** Rows of a 2-D array as plain number arrays; checks it is rectangular and non-empty. */
export function toMatrix(rows: ArrayLike<ArrayLike<number>>, what: string): number[][] {
  if (rows == null || rows.length === 0) throw new FigureError(`${what} must be a non-empty 2-D array.`);
  const cols = rows[0]?.length ?? 0;
  if (cols === 0) throw new FigureError(`${what} has an empty first row; expected ${what}[row][col].`);
  const out: number[][] = [];
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (row == null || row.length !== cols) {
      throw new FigureError(`${what} must be rectangular: row 0 has ${cols} values but row ${r} has ${row?.length}.`);
    }
    out.push(toNumbers(row, `${what}[${r}]`));
  }
  return out;
}
