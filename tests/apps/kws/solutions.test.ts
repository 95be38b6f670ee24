// The stored solutions of lessons 2.1–2.3 are right: each is checked against the computation the notebook's check uses.
import { describe, expect, test } from "vitest";
import { computeFrontendFeatures } from "../../../lib/audio/mod.ts";
import { solutionText } from "../../../lib/course/mod.ts";
import { pickThreshold, type SweepRow } from "../../../lib/apps/kws/mod.ts";

describe("course 2 audio solutions", () => {
  test("2-01-frames: the stated frame count is what the frontend gives for 1.5 s", () => {
    const mine = Number(/const myFrames = (\d+);/.exec(solutionText("2-01-frames"))![1]);
    expect(mine).toBe(computeFrontendFeatures(new Int16Array(24000)).frames);
  });

  test("2-02-recall: the stated expression computes a row's recall", () => {
    const expr = /const myRecall = (.+);/.exec(solutionText("2-02-recall"))![1];
    const counts = [[5, 0, 0, 0], [1, 9, 0, 0], [0, 2, 6, 1], [0, 0, 1, 7]];
    const recall = new Function("counts", `return ${expr};`)(counts) as number;
    expect(recall).toBeCloseTo(6 / 9, 12);
  });

  test("2-03-threshold: pickThreshold returns the lowest-FRR threshold within the FA budget", () => {
    expect(solutionText("2-03-threshold")).toMatch(/pickThreshold\(rows, 120\)/);
    const row = (threshold: number, frr: number, faPerHour: number): SweepRow => ({ threshold, frr, faPerHour, detections: 0, hits: 0, misses: 0, falseAccepts: 0 });
    const rows = [row(0.5, 0, 400), row(0.9, 0.06, 127), row(0.93, 0.06, 113), row(0.95, 0.12, 99)];
    expect(pickThreshold(rows, 120)?.threshold).toBe(0.93);
  });
});
