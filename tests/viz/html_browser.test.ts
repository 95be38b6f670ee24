/// <reference lib="dom" />
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { describe, expect, test } from "vitest";
import { chromiumPath, confusionMatrix, figureBundle, figureHtml, lineChart, plotlyVersion } from "../../lib/viz/mod.ts";

// End to end: the text/html a notebook stores really draws with plotly.js in a browser.
const exe = chromiumPath();
if (!exe) console.warn("tests/viz: Chromium not found (/usr/bin/chromium or $CHROMIUM_PATH): browser HTML test skipped.");

const fig = lineChart({ title: "Loss", y: [3, 2, 1.5, 1.2], width: 400, height: 300 });

describe.skipIf(!exe)("figure HTML in Chromium", () => {
  test("the HTML draws interactive plots in a browser; later figures reuse the first one's plotly.js", { timeout: 90_000 }, async () => {
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: exe!, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
    try {
      const page = await browser.newPage();
      // No PNG rendering here (bundle.test.ts covers it): one browser per test file is enough.
      const a = await figureBundle(fig, { plotlyJs: "always", png: false });
      const standIn = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]); // content is irrelevant to the DOM
      const b = { "text/html": figureHtml(confusionMatrix(["x", "y"], [[3, 1], [0, 4]]), { includePlotly: false, fallbackPng: standIn }) };
      expect(b["text/html"]).toContain("<img"); // static fallback until plotly draws
      // Through a file: Chromium reads 2 MB from disk faster than through the DevTools protocol.
      const file = join(tmpdir(), `tinyml-kit-viz-test-${process.pid}.html`);
      writeFileSync(file, `<!doctype html><html><body>${a["text/html"]}${b["text/html"]}</body></html>`);
      await page.goto(pathToFileURL(file).href);
      rmSync(file);
      await page.waitForFunction(() => document.querySelectorAll(".js-plotly-plot").length === 2, undefined, { timeout: 60_000 });
      const state = await page.evaluate(() => ({
        version: (globalThis as unknown as { Plotly: { version: string } }).Plotly.version,
        imgsLeft: document.querySelectorAll("div[id^=tk-fig] > img").length,
        svgs: document.querySelectorAll(".js-plotly-plot svg.main-svg").length,
      }));
      expect(state.version).toBe(plotlyVersion());
      expect(state.imgsLeft).toBe(0); // both fallbacks replaced by live plots
      expect(state.svgs).toBeGreaterThanOrEqual(2);
      // Without plotly.js on the page the static image stays.
      const lone = await browser.newPage();
      await lone.setContent(`<!doctype html><html><body>${b["text/html"]}</body></html>`);
      await lone.waitForTimeout(300);
      expect(await lone.evaluate(() => document.querySelectorAll("div[id^=tk-fig] > img").length)).toBe(1);
    } finally {
      await browser.close();
    }
  });

});
