/**
 * Course 2, lessons 4 (dataset quality) and 5 (bias): both notebooks run, plot, deploy identically to the
 * emulated Uno, and report numbers in sensible ranges — the finders find what was planted, wrong labels cost
 * accuracy and a test leak inflates it, and a model trained on synthetic English voices works far worse for
 * real non-English speakers.
 */
import { describe, expect, test } from "vitest";
import { expectLessonComplete, printedNumber, runNotebook } from "./helpers.ts";

const DIR = "notebooks/2-applications";

describe("Course 2: data quality and bias", () => {
  test("04-dataset-quality: finders score well, problems cost accuracy, fixing recovers it", { timeout: 240_000 }, async () => {
    const result = await runNotebook(`${DIR}/04-dataset-quality.ipynb`);
    const text = expectLessonComplete(result, "04-dataset-quality");
    const score = (name: string, what: "precision" | "recall") =>
      printedNumber(text, new RegExp(what === "precision" ? `^${name}\\s+precision ([\\d.]+)` : `^${name}\\s+precision [\\d.]+\\s+recall ([\\d.]+)`, "m"));
    for (const finder of ["exact duplicates", "exact test copies", "near test copies", "clipped clips", "silent clips", "leaked speakers"]) {
      expect(score(finder, "precision"), `${finder} precision`).toBeGreaterThanOrEqual(0.9);
      expect(score(finder, "recall"), `${finder} recall`).toBeGreaterThanOrEqual(0.9);
    }
    expect(score("wrong labels", "precision")).toBeGreaterThanOrEqual(0.8);
    expect(score("wrong labels", "recall")).toBeGreaterThanOrEqual(0.8);
    // 20 % wrong labels cost accuracy; the test leak inflates the reported number.
    expect(printedNumber(text, /wrong labels cost (-?[\d.]+) points/)).toBeGreaterThan(2);
    expect(printedNumber(text, /test leak inflates the reported accuracy by (-?[\d.]+) points/)).toBeGreaterThan(0);
    const clean = printedNumber(text, /^clean +reported test accuracy [\d.]+%, on unseen test images ([\d.]+)%/m);
    const reported = printedNumber(text, /all problems: reported ([\d.]+)%/);
    const honest = printedNumber(text, /all problems: reported [\d.]+% but honest ([\d.]+)%/);
    expect(reported).toBeGreaterThan(honest);
    expect(clean).toBeGreaterThan(honest + 2);
    // Fixing (from the findings alone) gets back most of the way to the clean model.
    const fixed = printedNumber(text, /^fixed +reported test accuracy [\d.]+%, on unseen test images ([\d.]+)%/m);
    expect(fixed).toBeGreaterThan(honest + 2);
    expect(fixed).toBeGreaterThan(clean - 3);
    expect(printedNumber(text, /(\d+) labels still wrong \(were 60\)/)).toBeLessThan(15);
  });

  test("05-bias: per-group metrics show the gaps; balanced sampling and more data are compared", { timeout: 240_000 }, async () => {
    const result = await runNotebook(`${DIR}/05-bias.ipynb`);
    const text = expectLessonComplete(result, "05-bias");
    // Eight real voices, 10 clips each (asterisk prompts for en, es, fr, it, ru installed by the set-up).
    expect(printedNumber(text, /^all +(\d+) +[\d.]+% +[\d.]+% +[\d.]+% +8$/m)).toBe(80);
    const synthAll = printedNumber(text, /synthetic test speakers: ([\d.]+)%/);
    expect(synthAll).toBeGreaterThan(45);
    const english = printedNumber(text, /real English voice: ([\d.]+)%/);
    const others = printedNumber(text, /real non-English voices: ([\d.]+)%/);
    expect(english).toBeGreaterThan(others + 20);
    expect(others).toBeLessThan(40);
    expect(printedNumber(text, /accuracy gap between languages ([\d.]+) points/)).toBeGreaterThan(30);
    // The skew hurts the foreign-accent group on synthetic speakers too.
    const gapBefore = printedNumber(text, /synthetic test: accuracy gap ([\d.]+) points, worst group: foreign accent/);
    expect(gapBefore).toBeGreaterThan(5);
    const gapBalanced = printedNumber(text, /synthetic accent gap: [\d.]+ → ([\d.]+) points after balanced sampling/);
    const gapFull = printedNumber(text, /all training speakers: accent gap ([\d.]+) points/);
    expect(gapBalanced).toBeLessThan(gapBefore + 5);
    expect(gapFull).toBeLessThan(gapBefore);
    // No rebalancing of English words teaches other languages' digit words.
    expect(printedNumber(text, /real non-English voices after balanced sampling: ([\d.]+)%/)).toBeLessThan(40);
  });
});
