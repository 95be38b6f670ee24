/**
 * Course 3 (Deployment), lessons 3.1, 3.2 and 3.6: each notebook runs, plots, deploys identically to its emulated
 * board, and reports numbers within sane bounds (layer mismatches, cycles, arena sizes, checklist outcome).
 */
import { existsSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { repoRoot } from "../../lib/runtime/mod.ts";
import { expectLessonComplete, printedNumber, runNotebook } from "./helpers.ts";

const DIR = "notebooks/3-deployment";
const shared = existsSync(`${repoRoot()}/../shared/conformance/micro_speech_quantized.tflite`);
if (!shared) console.warn("../shared/conformance is absent: lesson 3.1's section on TFLite Micro's own models is skipped");

describe("Course 3: Deployment — runtime, memory and speed, responsible deployment", () => {
  test("3.1 inside an int8 runtime: every layer identical on the emulated Cortex-M4", { timeout: 240_000 }, async () => {
    const nb = "01-inside-an-int8-runtime.ipynb";
    const text = expectLessonComplete(await runNotebook(`${DIR}/${nb}`), nb);
    expect(text).toMatch(/the engine's FULLY_CONNECTED output: -?\d+ {2}✓ same/);
    const pct = printedNumber(text, /accumulators \(([\d.]+)%\) requantize differently/);
    expect(pct).toBeGreaterThan(0); // double rounding does differ somewhere in a wide sweep…
    expect(pct).toBeLessThan(5); // …but rarely
    const layers = printedNumber(text, /mismatching layers: \d+ of (\d+)/);
    expect(layers).toBeGreaterThanOrEqual(5);
    expect(printedNumber(text, /mismatching layers: (\d+) of/)).toBe(0);
    // The uint8 bug: the first convolution already differs.
    expect(text).toMatch(/^0 +CONV_2D +256 +[1-9]\d*/m);
    if (shared) {
      const real = [...text.matchAll(/(\d+) layers, \d+ bytes compared; mismatching layers: (\d+)/g)];
      expect(real).toHaveLength(2);
      for (const m of real) expect(Number(m[2])).toBe(0);
    } else {
      expect(text).toMatch(/\(skipped: .* is not here/);
    }
  });

  test("3.2 memory and speed: arena, fit, cycles and instructions, pruning effects", { timeout: 240_000 }, async () => {
    const nb = "02-memory-and-speed.ipynb";
    const text = expectLessonComplete(await runNotebook(`${DIR}/${nb}`), nb);
    const arena = printedNumber(text, /\narena (\d+) B; without reuse/);
    const naive = printedNumber(text, /\narena \d+ B; without reuse (\d+) B/);
    expect(arena).toBeGreaterThanOrEqual(64 + 32); // the input and the first hidden layer live together
    expect(arena).toBeLessThan(naive);
    const cnnArena = printedNumber(text, /CNN 28×28: arena (\d+) B/);
    expect(cnnArena).toBeGreaterThan(28 * 28 * 8); // the first conv output alone is 28·28·8 bytes
    expect(cnnArena).toBeLessThan(printedNumber(text, /CNN 28×28: arena \d+ B, no reuse (\d+) B/));
    expect(printedNumber(text, /dense int8: fits (\d+) of 8 boards/)).toBe(8);
    expect(printedNumber(text, /CNN 28×28 int8: fits (\d+) of 8 boards/)).toBeLessThan(8);
    expect(text).toMatch(/timing firmware's outputs equal the notebook's: true/);
    const cycles = printedNumber(text, /cycles per inference \(median\): (\d+)/);
    expect(cycles).toBeGreaterThan(2_720 * 4); // 2,720 MACs, several cycles each on an 8-bit CPU
    expect(cycles).toBeLessThan(2_000_000);
    const softmaxShare = printedNumber(text, /softmax share of the median inference: (\d+)%/);
    expect(softmaxShare).toBeGreaterThan(5);
    expect(softmaxShare).toBeLessThan(95);
    const instructions = printedNumber(text, /instructions per inference \(median\): (\d+)/);
    expect(instructions).toBeGreaterThan(2_720);
    expect(instructions).toBeLessThan(200_000);
    const synapse = printedNumber(text, /synapse-pruned: ([\d.]+)% of the baseline's cycles/);
    const neuron = printedNumber(text, /neuron-pruned: ([\d.]+)%/);
    expect(synapse).toBeGreaterThan(90); // zeros are still stored and multiplied
    expect(synapse).toBeLessThan(110);
    expect(neuron).toBeLessThan(80); // half the hidden units: far fewer MACs
  });

  test("3.6 responsible deployment: checklist with measured evidence", { timeout: 240_000 }, async () => {
    const nb = "06-responsible-deployment.ipynb";
    const text = expectLessonComplete(await runNotebook(`${DIR}/${nb}`), nb);
    const gapBefore = printedNumber(text, /accuracy gap: ([\d.]+) points \(worst group/);
    const gapAfter = printedNumber(text, /accuracy gap: ([\d.]+) points \(was/);
    expect(gapAfter).toBeLessThan(gapBefore);
    expect(printedNumber(text, /sent: [\d,]+ B\/hour \(([\d.]+)% of raw\)/)).toBeLessThan(1);
    const ms = printedNumber(text, /latency on the Uno: median ([\d.]+) ms/);
    expect(ms).toBeGreaterThan(0.5); // 4,800+ MACs at 16 MHz
    expect(ms).toBeLessThan(200);
    expect(printedNumber(text, /board vs notebook: (\d+) mismatching layers/)).toBe(0);
    if (existsSync(`${repoRoot()}/lib/security/mod.ts`)) expect(text).toMatch(/genuine → ok, one byte changed → (?!ok)/);
    const pass = printedNumber(text, /checklist: (\d+) pass/);
    const fail = printedNumber(text, /checklist: \d+ pass, (\d+) fail/);
    const unknown = printedNumber(text, /checklist: \d+ pass, \d+ fail, (\d+) unknown/);
    expect(pass + fail + unknown).toBe(9);
    expect(pass).toBeGreaterThanOrEqual(6);
  });
});
