/**
 * Course 3, lesson 3 (keyword spotting on the Nano 33 BLE Sense): the notebook runs, plots, checks its exercise,
 * proves the C frontend bit-exact on a Cortex-M4, and deploys a spotter whose per-clip scores, streamed scores and
 * detections are identical on the emulated board. The lesson's own numbers must be sensible.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { repoRoot } from "../../lib/runtime/mod.ts";
import { expectLessonComplete, printedNumber, runNotebook } from "./helpers.ts";

const NB = "notebooks/3-deployment/03-deploy-kws.ipynb";

describe("Course 3: 3.3 keyword spotting on the Nano 33 BLE Sense", () => {
  test("runs, plots, and the board hears exactly what the notebook hears", { timeout: 240_000 }, async () => {
    const result = await runNotebook(NB);
    const text = expectLessonComplete(result, NB, 3);

    // A small model on unseen speakers: clearly better than chance (25%), not suspiciously perfect.
    const acc = printedNumber(text, /int8 test accuracy ([\d.]+)% on fresh/);
    expect(acc).toBeGreaterThan(45);
    expect(acc).toBeLessThanOrEqual(100);

    // The C frontend: every value compared, none different, and it fits the 20 ms hop with room to spare.
    expect(printedNumber(text, /([\d,]+) feature values compared/)).toBeGreaterThanOrEqual(3 * 49 * 40);
    expect(printedNumber(text, /compared, (\d+) mismatches/)).toBe(0);
    const ipf = printedNumber(text, /frontend: ([\d,]+) instructions per frame/);
    expect(ipf).toBeGreaterThan(50_000);
    expect(ipf).toBeLessThan(400_000);

    // The memory map: frontend state and ring as measured on the board; everything far inside 256 KB of RAM.
    expect(printedNumber(text, /frontend state (\d+) B \+/)).toBe(4200);
    expect(printedNumber(text, /feature ring (\d+) B/)).toBe(1960);
    const arena = printedNumber(text, /memory map \(RAM\): arena (\d+) B/);
    expect(arena).toBeGreaterThan(1000);
    expect(arena).toBeLessThan(64 * 1024);
    expect(printedNumber(text, /frontend tables (\d+) B/)).toBeLessThan(8192);
    expect(text).toMatch(/verdict {2}stream identical: (\d+)\/\1 inferences/);

    // The streaming sweep: more thresholds → never more false alarms at the top than at the bottom.
    const low = /threshold 0\.30: (\d+)\/(\d+) keywords heard, (\d+) false/.exec(text)!;
    const high = /threshold 0\.95: (\d+)\/(\d+) keywords heard, (\d+) false/.exec(text)!;
    expect(Number(high[3])).toBeLessThanOrEqual(Number(low[3]));
    expect(Number(high[1])).toBeLessThanOrEqual(Number(low[1]));

    // The committed sketch: the microphone code and the generated parts are there.
    const ino = readFileSync(`${repoRoot()}/sketches/3-03-deploy-kws/3-03-deploy-kws.ino`, "utf8");
    expect(ino).toContain("PDM.begin(1, KWS_SAMPLE_RATE)");
    expect(existsSync(`${repoRoot()}/sketches/3-03-deploy-kws/src/frontend/tinyml_frontend_tables.h`)).toBe(true);
    expect(existsSync(`${repoRoot()}/sketches/3-03-deploy-kws/libraries/deploy_kws/src/deploy_kws.h`)).toBe(true);
  });
});
