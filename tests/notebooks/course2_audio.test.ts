/**
 * Course 2 (Applications), lessons 1–3 — sound as data, keyword spotting, your own wake word: each notebook runs
 * in the Deno kernel, is a complete lesson (plots, checked exercise, identical board verdict), and reports
 * numbers within sensible bounds.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { expectLessonComplete, printedNumber, runNotebook } from "./helpers.ts";

const DIR = "notebooks/2-applications";
const SHARED = fileURLToPath(new URL("../../../shared/conformance/micro_speech_quantized.tflite", import.meta.url));
const haveShared = existsSync(SHARED);
if (!haveShared) console.warn(`[course2_audio] ../shared/conformance not found: lesson 2.1's real micro_speech part is only checked for its skip message`);

describe("Course 2: audio lessons", () => {
  test("2.1 sound as data: frontend stages, the real micro_speech model, voice activity on an Uno", { timeout: 240_000 }, async () => {
    const text = expectLessonComplete(await runNotebook(`${DIR}/01-sound-as-data.ipynb`), "01-sound-as-data");
    expect(printedNumber(text, /^(\d+) frames; frame 25/m)).toBe(49);
    expect(printedNumber(text, /features: 49 × 40 = (\d+) int8 values per second/)).toBe(1960);
    if (haveShared) expect(printedNumber(text, /micro_speech on real clips: (\d)\/4 as TFLM/)).toBe(4);
    else expect(text).toMatch(/skipping the real micro_speech model/);
    const vad = printedNumber(text, /voice activity, int8 model, held-out speakers: accuracy ([\d.]+)%/);
    expect(vad).toBeGreaterThanOrEqual(85);
    expect(vad).toBeLessThanOrEqual(100);
    expect(text).toMatch(/Arduino Uno/);
  });

  test("2.2 keyword spotting: tiny_conv and DS-CNN, int8, confusion, held-out speakers, Nano 33 BLE Sense", { timeout: 240_000 }, async () => {
    const text = expectLessonComplete(await runNotebook(`${DIR}/02-keyword-spotting.ipynb`), "02-keyword-spotting");
    const tinyFloat = printedNumber(text, /tiny_conv float: test accuracy ([\d.]+)%/);
    const tinyInt8 = printedNumber(text, /tiny_conv int8: .* → int8 ([\d.]+)%/);
    const dsInt8 = printedNumber(text, /DS-CNN +int8: .* → int8 ([\d.]+)%/);
    // Four classes (chance 25 %, majority class ~40 %) on voices never heard in training.
    expect(tinyFloat).toBeGreaterThanOrEqual(65);
    expect(tinyInt8).toBeGreaterThanOrEqual(65);
    expect(Math.abs(tinyInt8 - tinyFloat)).toBeLessThanOrEqual(5); // int8 costs little
    expect(dsInt8).toBeGreaterThanOrEqual(45);
    expect(text).toMatch(/takes frontend int8: true\)[\s\S]*takes frontend int8: true\)/);
    const all = printedNumber(text, /^all +\d+\/\d+ +(\d+)%/m);
    expect(all).toBeGreaterThanOrEqual(65);
    expect(text).toMatch(/Nano 33 BLE Sense/);
    expect(text).toMatch(/verdict +stream identical: (\d+)\/\1 inferences/);
  });

  test("2.3 wake word: streaming detection, FRR vs FA/h, threshold, identical frame-by-frame detector", { timeout: 240_000 }, async () => {
    const text = expectLessonComplete(await runNotebook(`${DIR}/03-wake-word.ipynb`), "03-wake-word");
    const minutes = printedNumber(text, /test stream: ([\d.]+) minutes/);
    expect(minutes).toBeGreaterThan(3);
    expect(printedNumber(text, /window accuracy \(training windows, int8\): ([\d.]+)%/)).toBeGreaterThanOrEqual(90);
    // At 0.5 nearly every wake word is found, at the cost of many false accepts.
    expect(printedNumber(text, /threshold 0\.5: \d+\/\d+ detected, FRR ([\d.]+)%/)).toBeLessThanOrEqual(10);
    const fa05 = printedNumber(text, /threshold 0\.5: .* = (\d+) per hour/);
    const frr = printedNumber(text, /chosen threshold [\d.]+: FRR ([\d.]+)%/);
    const fa = printedNumber(text, /chosen threshold [\d.]+: FRR [\d.]+%, FA\/h (\d+)/);
    expect(frr).toBeLessThanOrEqual(15);
    expect(fa).toBeLessThanOrEqual(120);
    expect(fa).toBeLessThan(fa05);
    expect(text).toMatch(/frame-by-frame detector: \d+ detections; batch sweep: \d+; identical: true/);
    // The whole detector on the emulated board: the two wake words heard, the other word not.
    expect(text).toMatch(/clips +0:marvin +1:_other_ +2:marvin/);
    expect(text).toMatch(/verdict +stream identical: (\d+)\/\1 inferences/);
    const heard = printedNumber(text, /heard +(\d+) detection\(s\)/);
    expect(heard).toBeGreaterThanOrEqual(1);
    expect(heard).toBeLessThanOrEqual(3);
  });
});
