/**
 * Course 1 (Fundamentals): every notebook in notebooks/1-fundamentals runs in the Deno kernel, its plots carry
 * the plotly bundle (and a PNG when Chromium is here), and its last section deployed the model to an emulated
 * board whose output was identical to the notebook's.
 */
import { readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { repoRoot } from "../../lib/runtime/mod.ts";
import { expectLessonComplete, runNotebook } from "./helpers.ts";

const DIR = "notebooks/1-fundamentals";
const notebooks = readdirSync(`${repoRoot()}/${DIR}`).filter((f) => f.endsWith(".ipynb")).sort();

describe("Course 1: Fundamentals", () => {
  test("has the lessons in order", () => {
    expect(notebooks.length).toBeGreaterThanOrEqual(4);
    expect(notebooks.slice(0, 4).map((n) => n.slice(0, 3))).toEqual(["01-", "02-", "03-", "04-"]);
  });

  for (const nb of notebooks) {
    test(`${nb} runs, plots, and the emulated board matches the notebook`, { timeout: 180_000 }, async () => {
      const result = await runNotebook(`${DIR}/${nb}`);
      expectLessonComplete(result, nb);
    });
  }
});
