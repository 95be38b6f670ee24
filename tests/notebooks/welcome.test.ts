import { describe, expect, test } from "vitest";
import { expectPlotsComplete, printedText, runNotebook } from "./helpers.ts";

describe("notebooks/00-welcome.ipynb", () => {
  test("runs in the Deno kernel, learns y = 2x − 1 and plots the loss", { timeout: 300_000 }, async () => {
    const result = await runNotebook("notebooks/00-welcome.ipynb");
    const text = printedText(result);
    expect(text).toMatch(/AVR compiler/);
    const m = text.match(/after 200 epochs: w = (-?[\d.]+), b = (-?[\d.]+)/);
    expect(m, "the training cell printed its weights").not.toBeNull();
    expect(Number(m![1])).toBeCloseTo(2, 2);
    expect(Number(m![2])).toBeCloseTo(-1, 2);
    expect(text).toMatch(/training .*200\/200 .*100%/); // the progress display's final state
    expect(expectPlotsComplete(result)).toBe(1);
  });
});
