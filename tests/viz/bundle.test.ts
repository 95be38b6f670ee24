import { Buffer } from "node:buffer";
import process from "node:process";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, test, vi } from "vitest";
import {
  chromiumPath, closeRenderer, confusionMatrix, figureBundle, figureHtml, lineChart, PLOTLY_MIME, plotlySource,
  plotlyLoaderScript, plotlyVersion, renderPng, scatterChart, scriptSafeJson, spectrogram,
} from "../../lib/viz/mod.ts";
import type { Figure } from "../../lib/viz/mod.ts";
import { colourFraction, decodePng, hasPngSignature, inkFraction, pngSize } from "./png_decode.ts";

const fig = lineChart({
  title: "Loss", xLabel: "epoch", yLabel: "loss",
  series: [{ name: "train", y: Array.from({ length: 30 }, (_, i) => Math.exp(-i / 8)) }],
  width: 400, height: 300,
});

describe("figure HTML", () => {
  test("plotly.js is found and its version read", () => {
    expect(plotlySource().length).toBeGreaterThan(1_000_000);
    expect(plotlyVersion()).toMatch(/^3\.\d+\.\d+$/);
  });

  test("the embedded library unpacks to exactly plotly.min.js", () => {
    const m = /atob\("([A-Za-z0-9+/=]+)"\)/.exec(plotlyLoaderScript());
    expect(m).not.toBeNull();
    expect(gunzipSync(Buffer.from(m![1], "base64")).toString("utf8")).toBe(plotlySource());
  });

  test("with and without the library; figure JSON embedded safely", () => {
    const evil: Figure = lineChart({ title: "</script><b>x</b>", y: [1, 2] });
    const withLib = figureHtml(evil, { includePlotly: true });
    const without = figureHtml(evil, { includePlotly: false });
    expect(withLib).toContain(`plotly.js v${plotlyVersion()}`);
    // The library travels gzipped: well over 1 MB, well under the raw 4.8 MB.
    expect(withLib.length).toBeGreaterThan(plotlySource().length / 4);
    expect(withLib.length).toBeLessThan(plotlySource().length / 2);
    expect(without.length).toBeLessThan(5_000);
    expect(without).toContain("window.Plotly.newPlot");
    expect(without).not.toContain("</script><b>"); // the title cannot close the script element
    expect(JSON.parse(scriptSafeJson(evil))).toEqual(evil);
    // Deterministic ids: same figure → same hash prefix, distinct per call.
    const ids = [figureHtml(fig, { includePlotly: false }), figureHtml(fig, { includePlotly: false })]
      .map((h) => /id="(tk-fig-[0-9a-f]{12})-(\d+)"/.exec(h));
    expect(ids[0]?.[1]).toBe(ids[1]?.[1]);
    expect(ids[0]?.[2]).not.toBe(ids[1]?.[2]);
  });
});

describe("figureBundle without PNG", () => {
  test("keys: plotly JSON, text/html, text/plain", async () => {
    const b = await figureBundle(fig, { png: false, plotlyJs: "never" });
    expect(Object.keys(b).sort()).toEqual([PLOTLY_MIME, "text/html", "text/plain"].sort());
    expect(b[PLOTLY_MIME]).toEqual(fig);
    expect(JSON.parse(JSON.stringify(b[PLOTLY_MIME]))).toEqual(fig);
    expect(b["text/plain"]).toContain('"Loss"');
    expect(b["text/html"] as string).not.toContain("plotly.js v");
  });

  test("plotlyJs: 'once' ships the library only with the first figure", async () => {
    const first = await figureBundle(fig, { png: false, plotlyJs: "once" });
    const second = await figureBundle(fig, { png: false, plotlyJs: "once" });
    expect(first["text/html"] as string).toContain("plotly.js v");
    expect(second["text/html"] as string).not.toContain("plotly.js v");
    const always = await figureBundle(fig, { png: false, plotlyJs: "always" });
    expect(always["text/html"] as string).toContain("plotly.js v");
  });
});

describe("without Chromium", () => {
  test("the PNG is left out and a warning is printed once", async () => {
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = "/nonexistent/chromium-for-test";
    const spy = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expect(chromiumPath()).toBeUndefined();
      const a = await figureBundle(fig, { plotlyJs: "never" });
      const b = await figureBundle(fig, { plotlyJs: "never" });
      expect(a["image/png"]).toBeUndefined();
      expect(b["image/png"]).toBeUndefined();
      expect(a["text/html"] as string).not.toContain("<img");
      expect(spy.mock.calls.filter((c) => String(c[0]).includes("Chromium not found"))).toHaveLength(1);
      await expect(renderPng(fig)).rejects.toThrow(/Chromium not found/);
    } finally {
      spy.mockRestore();
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
  });
});

const exe = chromiumPath();
if (!exe) console.warn("tests/viz: Chromium not found (/usr/bin/chromium or $CHROMIUM_PATH): PNG tests skipped.");

describe.skipIf(!exe)("PNG rendering with headless Chromium", () => {
  afterAll(async () => { await closeRenderer(); });

  test("bundle PNG: signature, IHDR size = layout size, not blank", { timeout: 90_000 }, async () => {
    const b = await figureBundle(fig, { plotlyJs: "never" });
    expect(typeof b["image/png"]).toBe("string");
    const png = new Uint8Array(Buffer.from(b["image/png"] as string, "base64"));
    expect(hasPngSignature(png)).toBe(true);
    expect(pngSize(png)).toEqual({ width: 400, height: 300 });
    // The static fallback inside the HTML is the same image.
    expect(b["text/html"] as string).toContain(`data:image/png;base64,${b["image/png"]}`);

    const empty = await renderPng({ data: [], layout: { ...fig.layout, title: { text: "" } } });
    expect(pngSize(empty)).toEqual({ width: 400, height: 300 });
    expect(png.length).toBeGreaterThan(empty.length * 1.3);
    const full = decodePng(png);
    const blank = decodePng(empty);
    expect(inkFraction(full)).toBeGreaterThan(inkFraction(blank) + 0.005);
    expect(colourFraction(full)).toBeGreaterThan(0.001); // the blue line
    expect(colourFraction(blank)).toBeLessThan(0.0005);
  });

  test("heatmaps fill their plot area with colour; scale 2 doubles the pixels", { timeout: 60_000 }, async () => {
    const cm = confusionMatrix(["a", "b", "c"], [[5, 1, 0], [0, 6, 1], [2, 0, 4]]);
    const d = decodePng(await renderPng(cm));
    expect([d.width, d.height]).toEqual([cm.layout.width, cm.layout.height]);
    expect(colourFraction(d)).toBeGreaterThan(0.05);
    const sp = spectrogram(Array.from({ length: 20 }, (_, t) => Array.from({ length: 10 }, (_, c) => t * c)), { width: 300, height: 200 });
    const big = decodePng(await renderPng(sp, { scale: 2 }));
    expect([big.width, big.height]).toEqual([600, 400]);
    expect(colourFraction(big)).toBeGreaterThan(0.2);
  });

  test("renders in sequence when called concurrently", { timeout: 60_000 }, async () => {
    const figs = [1, 2, 3].map((k) => scatterChart({ x: [0, 1, 2], y: [k, 0, k], width: 200 + 10 * k, height: 150 }));
    const pngs = await Promise.all(figs.map((f) => renderPng(f)));
    expect(pngs.map((p) => pngSize(p).width)).toEqual([210, 220, 230]);
  });
});
