/** Shared checks for the tests that execute the course's notebooks. */
import { expect } from "vitest";
import { which } from "../../lib/env/mod.ts";
import { repoRoot } from "../../lib/runtime/mod.ts";
import { executeNotebook } from "../../tools/notebook/mod.ts";
import type { NotebookResult } from "../../tools/notebook/mod.ts";

/** One output of an executed notebook cell. */
export interface CellOutput {
  output_type: string;
  data?: Record<string, unknown>;
  text?: string | string[];
}

const PLOTLY_MIME = "application/vnd.plotly.v1+json";
export const chromiumPresent = Boolean(which("chromium") || which("chromium-browser"));

/** Executes a notebook (path relative to the repo root) and fails the test with the runner's message if it fails. */
export async function runNotebook(relativePath: string): Promise<NotebookResult> {
  const result = await executeNotebook(`${repoRoot()}/${relativePath}`, { name: relativePath });
  expect(result.error?.message, `${relativePath} failed`).toBeUndefined();
  expect(result.status).toBe("ok");
  return result;
}

/** The outputs of every code cell, in order. */
export function codeCellOutputs(result: NotebookResult): CellOutput[][] {
  return result.notebook.cells
    .filter((c) => c.cell_type === "code")
    .map((c) => ((c as { outputs?: CellOutput[] }).outputs ?? []));
}

/** All text a notebook printed (streams and text/plain results), joined. */
export function printedText(result: NotebookResult): string {
  return codeCellOutputs(result).flat().map((o) => {
    if (o.output_type === "stream") return Array.isArray(o.text) ? o.text.join("") : o.text ?? "";
    const plain = o.data?.["text/plain"];
    return Array.isArray(plain) ? plain.join("") : typeof plain === "string" ? plain : "";
  }).join("\n");
}

/** Every plot output (plotly MIME bundle) carries HTML and, when Chromium is present, a PNG. Returns the count. */
export function expectPlotsComplete(result: NotebookResult): number {
  const plots = codeCellOutputs(result).flat().filter((o) => o.data?.[PLOTLY_MIME] !== undefined);
  for (const plot of plots) {
    expect(plot.data?.["text/html"]).toBeTypeOf("string");
    if (chromiumPresent) expect(String(plot.data?.["image/png"] ?? "").length).toBeGreaterThan(1000);
  }
  return plots.length;
}

/**
 * The checks every course lesson must pass: it ran without error outputs, shows at least `minPlots` complete
 * plots, has a self-checked exercise (a ✓/✗ line), and its "To the board" section printed the flash/RAM fit and
 * an all-identical verdict from the emulated board. Returns the printed text for lesson-specific assertions.
 */
export function expectLessonComplete(result: NotebookResult, name: string, minPlots = 3): string {
  expect(expectPlotsComplete(result), `${name}: too few plots`).toBeGreaterThanOrEqual(minPlots);
  const text = printedText(result);
  expect(text).toMatch(/flash +[\d,.]+ (B|KB) of [\d,.]+ (B|KB)/);
  expect(text).toMatch(/RAM +[\d,.]+ (B|KB) of [\d,.]+ (B|KB)/);
  const verdict = /verdict {2}identical: (\d+)\/(\d+) samples/.exec(text);
  expect(verdict, `${name} printed no "identical" verdict`).not.toBeNull();
  expect(verdict![1]).toBe(verdict![2]);
  expect(Number(verdict![1])).toBeGreaterThan(0);
  expect(text, `${name}: no self-checked exercise`).toMatch(/^[✓✗] /m);
  expect(codeCellOutputs(result).flat().filter((o) => o.output_type === "error")).toEqual([]);
  return text;
}

/** The first number captured by `pattern` (group 1) in a notebook's printed text; fails the test if absent. */
export function printedNumber(text: string, pattern: RegExp): number {
  const m = pattern.exec(text);
  expect(m, `printed text has no match for ${pattern}`).not.toBeNull();
  return Number(m![1].replace(/,/g, ""));
}
