/** Pure helpers of the deployment lessons: requantization by hand, latency summary, checklist, memory views. */
import { describe, expect, test } from "vitest";
import { Interpreter } from "../../../lib/int8/interpreter.ts";
import { planMemory } from "../../../lib/plan/mod.ts";
import {
  arenaFigure, atLeast, atMost, checklistMarkdown, checklistProblems, compareTraces, countInstructionsBetween, DeploymentLessonError,
  fitAcrossBoards, formatBoardFits, formatLatency, formatTraceComparison, holds, hostTrace, instrumentModelSource, latencySummary, median,
  renderChecklist, requantizeFullyConnected, summarizeChecklist,
} from "../../../lib/apps/deployment/mod.ts";
import { emitModelC } from "../../../lib/deploy/codegen/mod.ts";
import { randInt8, smallMlp } from "./helpers.ts";

describe("requantizeFullyConnected", () => {
  const graph = smallMlp(1);
  test("every unit's hand-computed result equals the interpreter's output, for many inputs", () => {
    const interp = new Interpreter(graph);
    let nonTrivial = 0;
    for (let s = 1; s <= 40; s++) {
      const x = randInt8(16, s);
      const { trace } = interp.invoke([x], { trace: true });
      for (let unit = 0; unit < 8; unit++) {
        const steps = requantizeFullyConnected(graph, 0, x, unit);
        expect(steps.result).toBe((trace[0].data as Int8Array)[unit]);
        expect(steps.accumulator).toBe(steps.dot + steps.bias);
        if (steps.result > steps.actMin && steps.result < steps.actMax) nonTrivial++;
      }
      const hidden = trace[0].data as Int8Array;
      for (let unit = 0; unit < 4; unit++) {
        expect(requantizeFullyConnected(graph, 1, hidden, unit).result).toBe((trace[1].data as Int8Array)[unit]);
      }
    }
    expect(nonTrivial).toBeGreaterThan(40); // not everything clamped
  });

  test("the integer multiplier approximates the real one to 2^-31", () => {
    const s = requantizeFullyConnected(graph, 1, new Int8Array(8), 0);
    expect(s.realMultiplier).toBeCloseTo(0.04 * 0.02 / 0.1, 6);
    expect(Math.abs(s.multiplier * 2 ** (s.shift - 31) - s.realMultiplier) / s.realMultiplier).toBeLessThan(1e-8);
    expect(s.outputZeroPoint).toBe(5);
  });

  test("bad operator, unit or input length are typed errors", () => {
    expect(() => requantizeFullyConnected(graph, 2, new Int8Array(4), 0)).toThrow(DeploymentLessonError);
    expect(() => requantizeFullyConnected(graph, 0, new Int8Array(16), 8)).toThrow(/outside 0..7/);
    expect(() => requantizeFullyConnected(graph, 0, new Int8Array(3), 0)).toThrow(/needs 16/);
  });
});

describe("trace comparison", () => {
  const graph = smallMlp(2);
  const x = randInt8(16, 9);
  test("identical traces compare as all-zero rows; a flipped byte is found at its layer and position", () => {
    const host = hostTrace(graph, x);
    expect(host.map((t) => t.opName)).toEqual(["FULLY_CONNECTED", "FULLY_CONNECTED", "SOFTMAX"]);
    const device = host.map((t, k) => ({ opIndex: k, opName: t.opName, tensorIndex: t.tensorIndex, bytes: Uint8Array.from(new Uint8Array((t.data as Int8Array).buffer)) }));
    expect(compareTraces(host, device).every((r) => r.differing === 0 && r.firstDiff === -1 && r.maxAbsDiff === 0)).toBe(true);
    device[1].bytes[2] ^= 0x05;
    const rows = compareTraces(host, device);
    expect(rows.map((r) => r.differing)).toEqual([0, 1, 0]);
    expect(rows[1].firstDiff).toBe(2);
    expect(rows[1].maxAbsDiff).toBeGreaterThan(0);
    expect(formatTraceComparison(rows).split("\n")).toHaveLength(4);
  });

  test("a missing device layer counts every byte as different", () => {
    const host = hostTrace(graph, x);
    const rows = compareTraces(host, []);
    expect(rows[0].differing).toBe(8);
    expect(rows[0].firstDiff).toBe(0);
  });

  test("instrumentModelSource puts one probe after each operator, in order", () => {
    const src = emitModelC(graph, { name: "mlp", fuse: false }).source;
    const out = instrumentModelSource(src, graph, "mlp");
    const probes = [...out.matchAll(/tinyml_trace_op\((\d+), \(const uint8_t\*\)\(const void\*\)T(\d+), (\d+)\)/g)];
    expect(probes.map((m) => Number(m[1]))).toEqual([0, 1, 2]);
    expect(probes.map((m) => Number(m[2]))).toEqual([3, 6, 7]);
    expect(probes.map((m) => Number(m[3]))).toEqual([8, 4, 4]);
    // each probe comes after its operator's marker and before the next one
    for (let k = 0; k < 3; k++) expect(out.indexOf(`/* op ${k}: `)).toBeLessThan(out.indexOf(`tinyml_trace_op(${k},`));
    expect(out.indexOf("tinyml_trace_op(0,")).toBeLessThan(out.indexOf("/* op 1: "));
    expect(() => instrumentModelSource(src, graph, "other")).toThrow(DeploymentLessonError);
  });
});

describe("latency", () => {
  test("median of odd and even counts", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(DeploymentLessonError);
  });
  test("cycles → ms at the clock, robust to one slow run", () => {
    const s = latencySummary([160_000, 160_000, 9_000_000, 160_000, 160_000], 16e6);
    expect(s.median).toBe(160_000);
    expect(s.medianMs).toBeCloseTo(10, 9);
    expect(s.perSecond).toBeCloseTo(100, 9);
    expect(s.max).toBe(9_000_000);
    expect(s.mean).toBeGreaterThan(s.median);
    expect(formatLatency("uno", s)).toMatch(/median 160,000 cycles over 5 runs .* 10\.000 ms at 16 MHz/);
    expect(() => latencySummary([1], 0)).toThrow(DeploymentLessonError);
    expect(() => latencySummary([-1], 1)).toThrow(DeploymentLessonError);
  });
});

describe("QEMU log segmentation", () => {
  test("counts the instructions of the blocks between each begin and end marker", () => {
    const log = [
      "IN: main", "0x00000100:  mov r0, r1", "0x00000102:  bl 0x200", "",
      "IN: begin", "0x00000200:  bx lr", "",
      "IN: work", "0x00000104:  add r0, r0", "0x00000106:  add r0, r0", "0x00000108:  bl 0x300", "",
      "IN: end", "0x00000300:  bx lr", "",
      "Trace 0: 0x1 [00000000/00000100/00000000/00000000] main",
      "Trace 0: 0x2 [00000000/00000200/00000000/00000000] begin",
      "Trace 0: 0x3 [00000000/00000104/00000000/00000000] work",
      "Trace 0: 0x3 [00000000/00000104/00000000/00000000] work",
      "Trace 0: 0x4 [00000000/00000300/00000000/00000000] end",
      "Trace 0: 0x1 [00000000/00000100/00000000/00000000] main",
      "Trace 0: 0x2 [00000000/00000200/00000000/00000000] begin",
      "Trace 0: 0x3 [00000000/00000104/00000000/00000000] work",
      "Trace 0: 0x4 [00000000/00000300/00000000/00000000] end",
    ].join("\n");
    expect(countInstructionsBetween(log, 0x200, 0x300)).toEqual([1 + 3 + 3, 1 + 3]);
  });
});

describe("memory views", () => {
  test("fitAcrossBoards: what fits an Uno and what needs a bigger board", () => {
    const small = fitAcrossBoards({ flashBytes: 20_000, ramBytes: 1_000 });
    expect(small.find((b) => b.id === "uno")!.fits).toBe(true);
    const big = fitAcrossBoards({ flashBytes: 20_000, ramBytes: 3_000 });
    expect(big.find((b) => b.id === "uno")!.fits).toBe(false);
    expect(big.find((b) => b.id === "mega2560")!.fits).toBe(true);
    const withCore = fitAcrossBoards({ flashBytes: 900_000, ramBytes: 1_000 }, (b) => ({ flashBytes: b.arch === "arm" ? 100_000 : 0, ramBytes: 0 }));
    expect(withCore.find((b) => b.id === "nano33ble")!.fits).toBe(false);
    expect(withCore.find((b) => b.id === "pico")!.fits).toBe(true);
    expect(formatBoardFits(big)).toMatch(/Arduino Uno \(R3\).*NO/);
    expect(() => fitAcrossBoards({ flashBytes: -1, ramBytes: 0 })).toThrow(DeploymentLessonError);
  });

  test("arenaFigure: one rectangle per arena tensor; live-at-once tensors never overlap", () => {
    const graph = smallMlp(3);
    const plan = planMemory(graph);
    const fig = arenaFigure(plan);
    expect(fig.data).toHaveLength(plan.tensors.length);
    const rects = fig.data.map((d) => {
      const xs = d.x as number[], ys = d.y as number[];
      return { x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys) };
    });
    for (let i = 0; i < rects.length; i++) {
      expect(rects[i].y1).toBeLessThanOrEqual(plan.arenaBytes);
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i], b = rects[j];
        if (a.x0 < b.x1 && b.x0 < a.x1) expect(a.y1 <= b.y0 || b.y1 <= a.y0).toBe(true);
      }
    }
  });
});

describe("checklist", () => {
  test("numeric items pass, fail, or are unknown when not measured", () => {
    expect(atMost("gap", "fairness", "Small gap?", 3, 10, "points").status).toBe("pass");
    expect(atMost("gap", "fairness", "Small gap?", 12, 10, "points").status).toBe("fail");
    expect(atMost("gap", "fairness", "Small gap?", NaN, 10).status).toBe("unknown");
    expect(atLeast("acc", "fairness", "Worst group good?", 0.8, 0.9).status).toBe("fail");
    expect(atLeast("acc", "fairness", "Worst group good?", 0.95, 0.9).evidence).toMatch(/0\.950 \(limit ≥ 0\.900\)/);
    expect(holds("signed", "security", "Signed?", null, "lib/security absent").status).toBe("unknown");
    expect(() => holds("signed", "security", "Signed?", true, "  ")).toThrow(DeploymentLessonError);
    expect(() => atMost("Bad Id", "fairness", "q", 1, 2)).toThrow(/lower-case/);
    expect(() => atMost("x", "ethics" as never, "q", 1, 2)).toThrow(/unknown area/);
  });

  test("summary, problems and rendering", () => {
    const items = [
      atMost("group-gap", "fairness", "Gap between groups?", 4, 10, "points"),
      holds("on-device", "privacy", "Raw data stays on the device?", true, "only 4 bytes per window leave"),
      holds("signed", "security", "Firmware signed?", null, "no signing tool"),
      atMost("ram", "resources", "RAM within budget?", 3000, 2048, "B"),
      holds("identical", "reliability", "Board = notebook?", true, "6/6 identical"),
    ];
    expect(summarizeChecklist(items)).toEqual({ pass: 3, fail: 1, unknown: 1, ready: false });
    expect(checklistProblems(items)).toEqual([]);
    expect(checklistProblems(items.slice(0, 2))).toEqual(["no item for security", "no item for resources", "no item for reliability"]);
    expect(checklistProblems([items[0], items[0]])).toContain('duplicate id "group-gap"');
    const text = renderChecklist(items);
    expect(text).toMatch(/✗ FAIL/);
    expect(text).toMatch(/3 passed, 1 failed, 1 unknown — not ready/);
    expect(checklistMarkdown(items).split("\n")).toHaveLength(7);
    expect(summarizeChecklist([items[0], items[1]]).ready).toBe(true);
  });
});
