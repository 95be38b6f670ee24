/** Turn a figure into a Jupyter MIME bundle and display it. */
import { display, isJupyter } from "../runtime/mod.ts";
import type { MimeBundle } from "../runtime/mod.ts";
import { Buffer } from "node:buffer";
import { figureHtml } from "./html.ts";
import { preparePlotlyGzip } from "./plotly_source.ts";
import { chromiumPath, renderPng } from "./png.ts";
import { describeFigure } from "./summary.ts";
import type { Figure } from "./types.ts";

/** The plotly MIME type understood by JupyterLab's plotly renderer and nteract. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Options of {@link figureBundle} and {@link show}. */
export interface BundleOptions {
  /**
   * When the HTML carries plotly.js (~4.8 MB):
   * - `"once"` (default in Jupyter): only the first figure of the kernel session;
   *   later figures wait for `window.Plotly`. Keeps notebooks small.
   * - `"always"` (default elsewhere): every HTML is self-contained.
   * - `"never"`: the page must provide plotly.js.
   */
  plotlyJs?: "once" | "always" | "never";
  /** Add an `image/png` (and a static fallback inside the HTML). Default: when Chromium exists. */
  png?: boolean;
  /** Pixel ratio of the PNG (default 1). */
  scale?: number;
}

let plotlyShipped = false;
let warnedNoChromium = false;

/**
 * The MIME bundle of a figure: plotly JSON, HTML, PNG (when Chromium is
 * available) and a text summary.
 * @example
 * const bundle = await figureBundle(lineChart({ y: [1, 2, 3] }));
 * Object.keys(bundle); // ["application/vnd.plotly.v1+json", "text/plain", "image/png", "text/html"]
 */
export async function figureBundle(fig: Figure, opts: BundleOptions = {}): Promise<MimeBundle> {
  const bundle: MimeBundle = {
    [PLOTLY_MIME]: fig,
    "text/plain": describeFigure(fig),
  };
  const mode = opts.plotlyJs ?? (isJupyter() ? "once" : "always");
  const includePlotly = mode === "always" || (mode === "once" && !plotlyShipped);
  // Compress plotly.js while Chromium renders: both are mostly waiting on other threads.
  const gzipReady = includePlotly ? preparePlotlyGzip() : Promise.resolve();
  let png: Uint8Array | undefined;
  const wantPng = opts.png ?? true;
  if (wantPng) {
    if (chromiumPath() === undefined) {
      if (!warnedNoChromium) {
        console.warn("viz: Chromium not found (/usr/bin/chromium or $CHROMIUM_PATH): figures have no PNG image.");
        warnedNoChromium = true;
      }
    } else {
      try {
        png = await renderPng(fig, { scale: opts.scale });
        bundle["image/png"] = Buffer.from(png).toString("base64");
      } catch (e) {
        console.warn(`viz: ${(e as Error).message} The figure is shown without a PNG.`);
      }
    }
  }
  await gzipReady;
  bundle["text/html"] = figureHtml(fig, { includePlotly, fallbackPng: png });
  if (includePlotly && mode === "once") plotlyShipped = true;
  return bundle;
}

/**
 * Display a figure: in a notebook one rich output (interactive plot, PNG
 * fallback), in a terminal its text summary.
 * @example
 * await show(lineChart({ title: "loss", xLabel: "epoch", yLabel: "loss", y: history.loss }));
 */
export async function show(fig: Figure, opts: BundleOptions = {}): Promise<void> {
  if (!isJupyter()) {
    // A terminal can show only text: skip the browser round trip.
    await display({ "text/plain": describeFigure(fig) });
    return;
  }
  await display(await figureBundle(fig, opts));
}
