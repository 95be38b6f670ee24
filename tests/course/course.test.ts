import { describe, expect, test } from "vitest";
import {
  averagePowerMw,
  batteryLifeHours,
  boardTable,
  check,
  cloudVsEdge,
  ConstraintInputError,
  exerciseIds,
  formatBoardTable,
  gradientDescent,
  isClose,
  lossSurface,
  mseGradient,
  mseLoss,
  solution,
  solutionText,
  transferSeconds,
  UnknownExerciseError,
} from "../../lib/course/mod.ts";
import { BOARDS } from "../../lib/deploy/arduino/mod.ts";

describe("check", () => {
  test("prints ✓ or ✗ with the hint, returns the verdict", () => {
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    expect(check("answer", 42, 42, { log })).toBe(true);
    expect(check("close", 0.1 + 0.2, 0.3, { log })).toBe(true);
    expect(check("pred", 5, (v) => v > 10, { log, hint: "bigger" })).toBe(false);
    expect(check("string", "a", "b", { log })).toBe(false);
    expect(check("throws", 1, () => { throw new Error("boom"); }, { log })).toBe(false);
    expect(lines[0]).toBe("✓ answer");
    expect(lines[2]).toBe("✗ pred: got 5 — hint: bigger");
    expect(lines[4]).toContain("boom");
  });
  test("isClose uses relative and absolute tolerance", () => {
    expect(isClose(100, 100.00001)).toBe(true);
    expect(isClose(100, 100.1)).toBe(false);
    expect(isClose(0, 1e-12)).toBe(true);
  });
});

describe("solutions", () => {
  test("every Course 1 notebook exercise has a solution and unknown ids throw", () => {
    expect(exerciseIds().length).toBeGreaterThanOrEqual(3);
    for (const id of exerciseIds()) expect(solutionText(id).length).toBeGreaterThan(20);
    expect(() => solutionText("nope")).toThrow(UnknownExerciseError);
    const lines: string[] = [];
    solution("01-year-on-a-coin-cell", (l) => lines.push(l));
    expect(lines[0]).toMatch(/^Solution \(01-year-on-a-coin-cell\):/);
  });
  test("the coin-cell solution's duty actually passes the notebook's check", () => {
    const duty = Number(/const duty = ([\d.]+)/.exec(solutionText("01-year-on-a-coin-cell"))![1]);
    const h = batteryLifeHours(225, 30, 0.01, duty);
    expect(h).toBeGreaterThanOrEqual(8760);
    expect(h).toBeLessThanOrEqual(8760 * 1.1);
  });
  test("the learning-rate solution passes the notebook's check", () => {
    const lr = Number(/const myLr = ([\d.]+)/.exec(solutionText("02-learning-rate"))![1]);
    const xs = [-1, 0, 1, 2, 3, 4];
    expect(gradientDescent(xs, xs.map((x) => 2 * x - 1), { lr, steps: 50 }).at(-1)!.loss).toBeLessThan(1e-3);
  });
});

describe("constraints", () => {
  test("board table comes from the presets", () => {
    const rows = boardTable(["uno", "nano33ble"]);
    expect(rows[0].ramBytes).toBe(BOARDS.uno.ramBytes);
    expect(rows[0].flashBytes).toBe(BOARDS.uno.usableFlashBytes);
    expect(rows[1].clockMHz).toBe(64);
    const text = formatBoardTable(rows);
    expect(text).toContain("ATmega328P");
    expect(text).toContain("256 KB");
    expect(text.split("\n")).toHaveLength(4);
  });
  test("battery life: duty-weighted average power", () => {
    expect(averagePowerMw(30, 0.01, 0)).toBe(0.01);
    expect(averagePowerMw(30, 0.01, 1)).toBe(30);
    expect(batteryLifeHours(225, 30, 0.01, 1)).toBeCloseTo(22.5, 6);
    expect(batteryLifeHours(1000, 10, 1, 0.5, 3.7)).toBeCloseTo(3700 / 5.5, 6);
    expect(batteryLifeHours(225, 0, 0, 0)).toBe(Infinity);
    // Lower duty, longer life.
    expect(batteryLifeHours(225, 30, 0.01, 0.001)).toBeGreaterThan(batteryLifeHours(225, 30, 0.01, 0.01));
    expect(() => batteryLifeHours(225, 30, 0.01, 1.5)).toThrow(ConstraintInputError);
    expect(() => batteryLifeHours(-1, 30, 0.01, 0.5)).toThrow(ConstraintInputError);
  });
  test("cloud vs edge latency and bandwidth", () => {
    expect(transferSeconds(1000, 8000)).toBe(1);
    const r = cloudVsEdge({ payloadBytes: 32000, uplinkBps: 1e6, rttMs: 80, edgeInferenceMs: 20, edgeReportBytes: 1, decisionsPerDay: 10 });
    expect(r.cloudLatencyMs).toBeCloseTo(256 + 80 + 5, 9);
    expect(r.edgeLatencyMs).toBe(20);
    expect(r.cloudBytesPerDay).toBe(320000);
    expect(r.edgeBytesPerDay).toBe(10);
    expect(r.speedup).toBeCloseTo(341 / 20, 9);
  });
});

describe("gradient descent by hand", () => {
  const xs = [-1, 0, 1, 2, 3, 4];
  const ys = xs.map((x) => 2 * x - 1);
  test("loss and gradient agree with finite differences", () => {
    expect(mseLoss(2, -1, xs, ys)).toBe(0);
    const { dw, db } = mseGradient(0.5, 0.3, xs, ys);
    const h = 1e-6;
    expect(dw).toBeCloseTo((mseLoss(0.5 + h, 0.3, xs, ys) - mseLoss(0.5 - h, 0.3, xs, ys)) / (2 * h), 5);
    expect(db).toBeCloseTo((mseLoss(0.5, 0.3 + h, xs, ys) - mseLoss(0.5, 0.3 - h, xs, ys)) / (2 * h), 5);
  });
  test("descent converges with a good rate and diverges with a big one", () => {
    const good = gradientDescent(xs, ys, { lr: 0.1, steps: 300 });
    expect(good).toHaveLength(301);
    expect(good.at(-1)!.w).toBeCloseTo(2, 4);
    expect(good.at(-1)!.b).toBeCloseTo(-1, 4);
    for (let i = 1; i < good.length; i++) expect(good[i].loss).toBeLessThanOrEqual(good[i - 1].loss + 1e-12);
    const bad = gradientDescent(xs, ys, { lr: 0.2, steps: 50 });
    expect(bad.at(-1)!.loss).toBeGreaterThan(bad[0].loss);
  });
  test("loss surface is laid out z[b][w]", () => {
    const z = lossSurface(xs, ys, [0, 2], [-1, 0, 1]);
    expect(z).toHaveLength(3);
    expect(z[0]).toHaveLength(2);
    expect(z[0][1]).toBe(0); // b = -1, w = 2
  });
});

describe("later Course 1 solutions", () => {
  test("ReLU6 scale and zero point match the quantizer", async () => {
    const { chooseQuantParams } = await import("../../lib/quant/mod.ts");
    const text = solutionText("06-relu6");
    const scale = eval(/const myScale = ([^;]+);/.exec(text)![1]) as number;
    const zp = Number(/const myZeroPoint = (-?\d+);/.exec(text)![1]);
    const truth = chooseQuantParams(0, 6);
    expect(isClose(scale, truth.scale, 1e-4)).toBe(true);
    expect(zp).toBe(truth.zeroPoint);
  });
  test("the weight count of the pruned 64 → 16 → 8 → 10 network", () => {
    expect(Number(/const myCount = (\d+);/.exec(solutionText("05-count-weights"))![1])).toBe(64 * 16 + 16 * 8 + 8 * 10);
  });
  test("every exercise id named in a notebook has a solution", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const dir = new URL("../../notebooks/1-fundamentals/", import.meta.url);
    const ids = readdirSync(dir).filter((f) => f.endsWith(".ipynb"))
      .flatMap((f) => [...readFileSync(new URL(f, dir), "utf8").matchAll(/solution\(\\"([\w-]+)\\"\)/g)].map((m) => m[1]));
    expect(ids.length).toBeGreaterThanOrEqual(4);
    for (const id of ids) expect(exerciseIds()).toContain(id);
  });
});
