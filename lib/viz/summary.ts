/** A short `text/plain` description of a figure, for terminals and text-only frontends. */
import { formatNumber } from "./charts.ts";
import type { Figure, PlotlyTrace } from "./types.ts";

function range(values: (number | null)[]): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) if (v !== null && Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return lo > hi ? "no finite values" : `${formatNumber(lo)}..${formatNumber(hi)}`;
}

function describeTrace(t: PlotlyTrace): string {
  const name = t.name !== undefined ? `${t.name}: ` : "";
  switch (t.type) {
    case "scatter":
      return `${name}${t.y.length} points, y ${range(t.y)}`;
    case "bar":
      return `${name}${t.y.length} bars, y ${range(t.y)}`;
    case "heatmap":
      return `${name}${t.z.length}×${t.z[0]?.length ?? 0} cells, z ${range(t.z.flat())}`;
  }
}

/**
 * One or two lines: title, kind, size, axes and a digest of each trace.
 * @example
 * describeFigure(lineChart({ title: "loss", y: [3, 2, 1] }));
 * // 'Figure "loss" (line, 640×400 px); x: x, y: y\n  3 points, y 1..3'
 */
export function describeFigure(fig: Figure): string {
  const kinds = [...new Set(fig.data.map((t) => (t.type === "scatter" ? (t.mode === "markers" ? "scatter" : "line") : t.type)))];
  const { layout } = fig;
  const head = `Figure "${layout.title?.text ?? ""}" (${kinds.join("+")}, ${layout.width}×${layout.height} px); ` +
    `x: ${layout.xaxis?.title?.text ?? ""}, y: ${layout.yaxis?.title?.text ?? ""}`;
  const shown = fig.data.slice(0, 6).map((t) => "  " + describeTrace(t));
  if (fig.data.length > 6) shown.push(`  ... and ${fig.data.length - 6} more traces`);
  return [head, ...shown].join("\n");
}
