/**
 * Course 2 (Applications), lessons 6–8: anomaly detection, gestures, sound sensing. Each notebook runs in the
 * Deno kernel, passes the generic lesson checks (plots, exercise, an identical verdict from the emulated Nano 33
 * BLE Sense), and reports numbers within sensible bounds.
 */
import { describe, expect, test } from "vitest";
import { expectLessonComplete, printedNumber, runNotebook } from "./helpers.ts";

const DIR = "notebooks/2-applications";

describe("Course 2: sensing lessons", () => {
  test("06 anomaly detection: AUC, int8 AUC, cost-optimal threshold", { timeout: 240_000 }, async () => {
    const text = expectLessonComplete(await runNotebook(`${DIR}/06-anomaly-detection.ipynb`), "06-anomaly-detection");
    const auc = printedNumber(text, /AUC \(all faults\) = ([\d.]+)/);
    expect(auc).toBeGreaterThan(0.8); // incipient faults overlap with healthy machines …
    expect(auc).toBeLessThan(0.98); // … so the detector is good, not perfect
    const int8Auc = printedNumber(text, /int8 AUC = ([\d.]+)/);
    expect(Math.abs(int8Auc - auc)).toBeLessThan(0.02);
    expect(printedNumber(text, /AUC per severity:.*0\.4–1 ([\d.]+)/)).toBeGreaterThan(0.97); // severe faults are obvious
    expect(printedNumber(text, /AUC per severity: 0\.05–0\.1 ([\d.]+)/)).toBeLessThan(printedNumber(text, /AUC per severity:.*0\.4–1 ([\d.]+)/));
    const cost = printedNumber(text, /expected cost €([\d,.]+) per check/);
    const never = printedNumber(text, /never alarming: €([\d,.]+)\)/);
    expect(never).toBeCloseTo(0.02 * 15_000, 0); // every fault missed
    expect(cost).toBeLessThan(0.5 * never);
    expect(text).toMatch(/window 0 \(normal\): board score [\d.]+ → ok/);
    expect(text).toMatch(/window 2 \(\w+\): board score [\d.]+ → ALARM/);
  });

  test("07 gestures: held-out people, int8, the small-movement user before and after enrolment", { timeout: 240_000 }, async () => {
    const text = expectLessonComplete(await runNotebook(`${DIR}/07-gestures.ipynb`), "07-gestures");
    expect(printedNumber(text, /held-out people: accuracy ([\d.]+)%/)).toBeGreaterThan(85);
    expect(printedNumber(text, /int8 accuracy on held-out people: ([\d.]+)%/)).toBeGreaterThan(85);
    const before = printedNumber(text, /accuracy for the small-movement user: ([\d.]+)%/);
    const after = printedNumber(text, /after enrolling 3 repetitions per gesture: small-movement user ([\d.]+)%/);
    expect(before).toBeLessThan(60);
    expect(after).toBeGreaterThan(85);
    expect(printedNumber(text, /after enrolling.*held-out people ([\d.]+)%/)).toBeGreaterThan(85);
    const verdicts = [...text.matchAll(/drew (\w+); the board says (\w+)/g)];
    expect(verdicts.length).toBe(4);
    expect(verdicts.filter((m) => m[1] === m[2]).length).toBeGreaterThanOrEqual(3);
  });

  test("08 sound sensing: detector accuracy, the capture formula, battery life", { timeout: 240_000 }, async () => {
    const text = expectLessonComplete(await runNotebook(`${DIR}/08-sound-sensing.ipynb`), "08-sound-sensing");
    const acc = printedNumber(text, /int8 accuracy ([\d.]+)%/);
    expect(acc).toBeGreaterThan(80);
    expect(acc).toBeLessThan(99); // far-away mosquitoes drown in the noise
    expect(printedNumber(text, /int8 accuracy [\d.]+%, AUC ([\d.]+)/)).toBeGreaterThan(0.88);
    const recall = printedNumber(text, /recall ([\d.]+)% of mosquito clips/) / 100;
    const formula = printedNumber(text, /formula ([\d.]+), simulation/);
    expect(formula).toBeCloseTo(((0.5 + 10 - 0.5) / 20) * recall, 2);
    expect(Math.abs(printedNumber(text, /simulation ([\d.]+)/) - formula)).toBeLessThan(0.02);
    // 225 mAh × 3 V / 12 mW = 56 h; 2500 mAh: 625 h.
    expect(printedNumber(text, /always listening: CR2032 ([\d.]+) days/)).toBeCloseTo(675 / 12 / 24, 1);
    expect(printedNumber(text, /always listening: CR2032 [\d.]+ days, 2×AA ([\d.]+) days/)).toBeCloseTo(7500 / 12 / 24, 1);
    const duty = printedNumber(text, /every 27\.\d s \(duty ([\d.]+)%\)/) / 100;
    const days = printedNumber(text, /every 27\.\d s \(duty [\d.]+%\): CR2032 (\d+) days/);
    expect(days).toBeCloseTo(675 / (12 * duty + 0.006 * (1 - duty)) / 24, -1);
    expect(text).toMatch(/\(mosquito at [-\d]+ dB SNR\): the board says mosquito/);
  });
});
