import { describe, expect, test } from "vitest";
import { balancedSample, compareBias, disparity, groupMetrics, groupWeights } from "../../lib/data/bias.ts";

describe("bias metrics", () => {
  // Wake word = class 1. Group "a": 4 wake-word clips (1 missed), 4 others (1 false accept).
  // Group "b": 2 wake-word clips (both missed), 2 others (none accepted).
  const yTrue = [1, 1, 1, 1, 0, 0, 2, 2, /* b */ 1, 1, 0, 2];
  const yPred = [1, 1, 1, 0, 0, 1, 2, 0, /* b */ 0, 2, 0, 2];
  const groups = ["a", "a", "a", "a", "a", "a", "a", "a", "b", "b", "b", "b"];

  test("per-group accuracy, FRR, FAR and confusion matrices", () => {
    const m = groupMetrics(yTrue, yPred, groups, { target: 1 });
    const a = m.find((g) => g.group === "a")!, b = m.find((g) => g.group === "b")!, all = m.find((g) => g.group === "all")!;
    expect(a.n).toBe(8);
    expect(a.accuracy).toBeCloseTo(5 / 8, 12);
    expect(a.falseRejectRate).toBeCloseTo(1 / 4, 12);
    expect(a.falseAcceptRate).toBeCloseTo(1 / 4, 12);
    expect(b.accuracy).toBeCloseTo(2 / 4, 12);
    expect(b.falseRejectRate).toBe(1);
    expect(b.falseAcceptRate).toBe(0);
    expect(all.accuracy).toBeCloseTo(7 / 12, 12);
    expect(all.falseRejectRate).toBeCloseTo(3 / 6, 12);
    expect(a.confusion).toEqual([[1, 1, 0], [1, 3, 0], [1, 0, 1]]);
    expect(b.confusion).toEqual([[1, 0, 0], [1, 0, 1], [0, 0, 1]]);
    // Each confusion matrix sums to the group size.
    for (const g of m) expect(g.confusion.flat().reduce((x, y) => x + y, 0)).toBe(g.n);
  });

  test("disparity: gap, ratio, best and worst group", () => {
    const m = groupMetrics(yTrue, yPred, groups, { target: 1 });
    const frr = disparity(m, "falseRejectRate");
    expect(frr.difference).toBeCloseTo(0.75, 12);
    expect(frr.worst).toBe("b");
    expect(frr.best).toBe("a");
    expect(frr.ratio).toBeCloseTo(0.25, 12);
    const acc = disparity(m, "accuracy");
    expect(acc.worst).toBe("b");
    expect(acc.difference).toBeCloseTo(5 / 8 - 1 / 2, 12);
    expect(() => disparity(groupMetrics(yTrue, yPred, groups), "falseRejectRate")).toThrow(/target/);
  });

  test("reweighting equalises group totals; balanced sampling equalises counts", () => {
    const g = ["x", "x", "x", "x", "x", "x", "y", "y"];
    const w = groupWeights(g);
    const sum = (name: string) => g.reduce((s, v, i) => s + (v === name ? w[i] : 0), 0);
    expect(sum("x")).toBeCloseTo(sum("y"), 5);
    expect(w.reduce((s, v) => s + v, 0) / w.length).toBeCloseTo(1, 5);
    const wl = groupWeights(g, [0, 0, 0, 0, 1, 1, 0, 1]);
    expect(wl[6] * 1).toBeCloseTo(wl[0] * 4, 5); // cell (y,0) has 1 example, cell (x,0) has 4
    const idx = balancedSample(g, { seed: 3 });
    expect(idx.length).toBe(12);
    expect(idx.filter((i) => g[i] === "y").length).toBe(6);
    expect(new Set(idx.filter((i) => g[i] === "x"))).toEqual(new Set([0, 1, 2, 3, 4, 5])); // every x used once
    expect(balancedSample(g, { seed: 3 })).toEqual(idx);
  });

  test("before/after comparison shows the gap closing", () => {
    const before = groupMetrics(yTrue, yPred, groups, { target: 1 });
    const fixed = [...yPred];
    fixed[8] = 1; // group b now detects one of its two wake words
    const after = groupMetrics(yTrue, fixed, groups, { target: 1 });
    const c = compareBias(before, after);
    console.log(c.text);
    const frrBefore = c.disparityBefore.find((d) => d.metric === "falseRejectRate")!;
    const frrAfter = c.disparityAfter.find((d) => d.metric === "falseRejectRate")!;
    expect(frrAfter.difference).toBeLessThan(frrBefore.difference);
    expect(c.rows.find((r) => r.group === "b")!.after.falseRejectRate).toBe(0.5);
    expect(c.text).toMatch(/FRR before/);
  });
});
