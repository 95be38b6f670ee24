/** The `text/html` form of a figure: a div, plotly.js (sometimes), and a script that draws. */
import { createHash } from "node:crypto";
import { Buffer } from "node:buffer";
import { plotlySourceGzipBase64, plotlyVersion } from "./plotly_source.ts";
import type { Figure } from "./types.ts";

/** Options of {@link figureHtml}. */
export interface FigureHtmlOptions {
  /** Put the plotly.js library in this HTML (gzipped + base64: ~1.9 MB instead of 4.8 MB). */
  includePlotly: boolean;
  /**
   * A static PNG shown until plotly draws; it stays when scripts do not run
   * (untrusted notebooks, GitHub, plotly.js missing from the page).
   */
  fallbackPng?: Uint8Array;
  /** Element id; by default derived from the figure JSON plus a call counter (deterministic). */
  id?: string;
}

let counter = 0;

/** JSON that is safe inside a `<script>` element (no `</script>`, no U+2028/2029 surprises). */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * HTML that draws `fig` with plotly.js. Without `includePlotly` the script waits
 * up to 15 s for `window.Plotly` to appear (loaded by an earlier figure's output)
 * and otherwise leaves the static fallback in place.
 * @example
 * writeFileSync("/tmp/loss.html", figureHtml(fig, { includePlotly: true }));
 */
export function figureHtml(fig: Figure, opts: FigureHtmlOptions): string {
  const json = scriptSafeJson(fig);
  const id = opts.id ?? `tk-fig-${createHash("sha256").update(json).digest("hex").slice(0, 12)}-${++counter}`;
  const { width, height } = fig.layout;
  const fallback = opts.fallbackPng
    ? `<img alt="${escapeHtml(fig.layout.title?.text ?? "figure")}" width="${width}" height="${height}" ` +
      `src="data:image/png;base64,${Buffer.from(opts.fallbackPng).toString("base64")}">`
    : "";
  const lib = opts.includePlotly ? plotlyLoaderScript() + "\n" : "";
  return `<div id="${id}" style="width:${width}px;height:${height}px;">${fallback}</div>
${lib}<script type="text/javascript">
(function () {
  var fig = ${json};
  var t0 = Date.now();
  function draw() {
    var el = document.getElementById("${id}");
    if (!el) return;
    if (window.Plotly) {
      el.innerHTML = "";
      window.Plotly.newPlot(el, fig.data, fig.layout, { displaylogo: false, responsive: false });
    } else if (Date.now() - t0 < 15000) {
      setTimeout(draw, 100);
    }
  }
  draw();
})();
</script>`;
}

/**
 * A script that unpacks the gzipped plotly.js with the browser's
 * DecompressionStream and runs it once per page. Where that API is missing the
 * static PNG fallback stays.
 */
export function plotlyLoaderScript(): string {
  return `<script type="text/javascript">
/* plotly.js v${plotlyVersion()} (MIT licence, Plotly, Inc.), gzip + base64 */
(function () {
  if (window.Plotly || window.__tinymlPlotlyLoading || typeof DecompressionStream === "undefined") return;
  window.__tinymlPlotlyLoading = true;
  var bin = atob("${plotlySourceGzipBase64()}");
  var bytes = new Uint8Array(bin.length);
  for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text().then(function (src) {
    var s = document.createElement("script");
    s.textContent = src;
    document.head.appendChild(s);
  });
})();
</script>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
