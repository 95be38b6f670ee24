import { describe, expect, test } from "vitest";
import {
  barChart, binCounts, confusionMatrix, describeFigure, FigureError, heatmap, histogram, lineChart, rowNormalize,
  scatterChart, spectrogram,
} from "../../lib/viz/mod.ts";
import type { BarTrace, Figure, HeatmapTrace, ScatterTrace } from "../../lib/viz/mod.ts";

/** Every figure must survive a JSON round trip unchanged (plain data, no typed arrays, no functions). */
function expectPlainJson(fig: Figure): void {
  expect(JSON.parse(JSON.stringify(fig))).toEqual(fig);
  expect(fig.layout.width).toBeGreaterThan(100);
  expect(fig.layout.height).toBeGreaterThan(100);
  expect(typeof fig.layout.title?.text).toBe("string");
}

describe("lineChart", () => {
  test("series become scatter traces in line mode with default x", () => {
    const fig = lineChart({
      title: "Loss", xLabel: "epoch", yLabel: "loss",
      series: [{ name: "train", y: [3, 2, 1] }, { name: "val", x: [10, 20, 30], y: new Float32Array([4, 3, 2.5]) }],
    });
    expectPlainJson(fig);
    expect(fig.data).toHaveLength(2);
    const [a, b] = fig.data as ScatterTrace[];
    expect(a).toMatchObject({ type: "scatter", mode: "lines", name: "train", x: [0, 1, 2], y: [3, 2, 1] });
    expect(b.x).toEqual([10, 20, 30]);
    expect(Array.isArray(b.y)).toBe(true); // Float32Array copied to a plain array
    expect(b.y).toEqual([4, 3, 2.5]);
    expect(fig.layout.title).toEqual({ text: "Loss" });
    expect(fig.layout.xaxis?.title?.text).toBe("epoch");
    expect(fig.layout.yaxis?.title?.text).toBe("loss");
    expect(fig.layout.showlegend).toBe(true);
  });

  test("single y shorthand, log axis, NaN becomes a gap", () => {
    const fig = lineChart({ y: [1, NaN, 0.1], logY: true, markers: true });
    const t = fig.data[0] as ScatterTrace;
    expect(t.mode).toBe("lines+markers");
    expect(t.y).toEqual([1, null, 0.1]);
    expect(fig.layout.yaxis?.type).toBe("log");
    expect(fig.layout.showlegend).toBe(false);
  });

  test("is deterministic", () => {
    const mk = () => JSON.stringify(lineChart({ title: "t", series: [{ name: "a", y: [1, 2] }] }));
    expect(mk()).toBe(mk());
  });

  test("bad input throws FigureError with a hint", () => {
    expect(() => lineChart({})).toThrow(FigureError);
    expect(() => lineChart({ series: [{ x: [1, 2], y: [1] }] })).toThrow(/2 x values but 1 y values/);
    expect(() => lineChart({ y: [1], width: 10 })).toThrow(/between 50 and 4000/);
  });
});

describe("scatterChart", () => {
  test("markers, per-point colour", () => {
    const fig = scatterChart({ x: [0, 1, 2], y: [1, 0, 1], color: [0, 1, 2], title: "pts" });
    expectPlainJson(fig);
    const t = fig.data[0] as ScatterTrace;
    expect(t.mode).toBe("markers");
    expect(t.marker?.color).toEqual([0, 1, 2]);
    expect(t.marker?.showscale).toBe(true);
    expect(() => scatterChart({ x: [0, 1], y: [1, 2], color: [1] })).toThrow(/color has 1 values but there are 2 points/);
  });
});

describe("barChart", () => {
  test("one series with value labels; grouped series", () => {
    const fig = barChart({ labels: ["a", "b"], values: [1.5, 2], showValues: true });
    expectPlainJson(fig);
    expect(fig.data[0]).toMatchObject({ type: "bar", x: ["a", "b"], y: [1.5, 2], text: ["1.5", "2"] });
    const g = barChart({ labels: ["a", "b"], series: [{ name: "s1", values: [1, 2] }, { name: "s2", values: [3, 4] }] });
    expect(g.data.map((t) => t.name)).toEqual(["s1", "s2"]);
    expect(g.layout.barmode).toBe("group");
    expect(() => barChart({ labels: ["a"], values: [1, 2] })).toThrow(/1 labels but series\[0\] has 2 values/);
  });
});

describe("histogram", () => {
  test("bins match a direct count and sum to the number of values", () => {
    const values = Array.from({ length: 1000 }, (_, i) => Math.sin(i * 12.9898) * 3);
    const fig = histogram({ values, bins: 12, title: "w" });
    expectPlainJson(fig);
    const t = fig.data[0] as BarTrace;
    expect(t.y).toHaveLength(12);
    expect((t.y as number[]).reduce((a, b) => a + b, 0)).toBe(1000);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const w = (hi - lo) / 12;
    // Independent count for bin 5 (half-open interval).
    const direct = values.filter((v) => v >= lo + 5 * w && v < lo + 6 * w).length;
    expect(t.y[5]).toBe(direct);
    expect(t.x[0]).toBeCloseTo(lo + w / 2, 10);
    expect(t.width).toBeCloseTo(w, 10);
  });

  test("normalize, fixed range drops outside values, one distinct value", () => {
    const fig = histogram({ values: [0, 0, 1, 5], bins: 2, range: [0, 2], normalize: true });
    expect((fig.data[0] as BarTrace).y).toEqual([2 / 3, 1 / 3]);
    expect(binCounts([3, 3, 3], 4, 2.5, 3.5)).toEqual([0, 0, 3, 0]);
    const one = histogram({ values: [7, 7], bins: 3 });
    expect((one.data[0] as BarTrace).y.reduce((a, b) => a + b, 0)).toBe(2);
    expect(() => histogram({ values: [NaN] })).toThrow(/no finite values/);
    expect(() => histogram({ values: [1], bins: 0 })).toThrow(/bins must be/);
  });
});

describe("heatmap", () => {
  test("z, default coordinates, flipY and checks", () => {
    const fig = heatmap({ z: [[1, 2, 3], [4, 5, 6]], flipY: true, zLabel: "w", zmid: 0 });
    expectPlainJson(fig);
    const t = fig.data[0] as HeatmapTrace;
    expect(t).toMatchObject({ type: "heatmap", z: [[1, 2, 3], [4, 5, 6]], x: [0, 1, 2], y: [0, 1], zmid: 0 });
    expect(t.colorbar?.title?.text).toBe("w");
    expect(fig.layout.yaxis?.autorange).toBe("reversed");
    expect(() => heatmap({ z: [[1, 2], [3]] })).toThrow(/rectangular/);
    expect(() => heatmap({ z: [[1, 2]], x: ["a"] })).toThrow(/x has 1 entries but z has 2/);
  });
});

describe("confusionMatrix", () => {
  const labels = ["cat", "dog", "fox"];
  const counts = [[8, 2, 0], [1, 3, 0], [0, 0, 0]];

  test("rows are normalised, zero rows stay zero", () => {
    expect(rowNormalize(counts)).toEqual([[0.8, 0.2, 0], [0.25, 0.75, 0], [0, 0, 0]]);
    const fig = confusionMatrix(labels, counts);
    expectPlainJson(fig);
    const t = fig.data[0] as HeatmapTrace;
    for (const row of t.z) {
      const s = row.reduce((a, b) => a + b, 0);
      expect(s === 0 || Math.abs(s - 1) < 1e-12).toBe(true);
    }
    expect(t.z[1][1]).toBeCloseTo(0.75, 12);
    expect(t).toMatchObject({ zmin: 0, zmax: 1, x: labels, y: labels });
  });

  test("counts annotated per cell with contrasting text; accuracy in the title", () => {
    const fig = confusionMatrix(labels, counts);
    const ann = fig.layout.annotations ?? [];
    expect(ann).toHaveLength(9);
    const cell = (t: string, p: string) => ann.find((a) => a.y === t && a.x === p);
    expect(cell("cat", "cat")?.text).toBe("8");
    expect(cell("cat", "dog")?.text).toBe("2");
    expect(cell("dog", "cat")?.text).toBe("1");
    expect(cell("cat", "cat")?.font?.color).toBe("white"); // 0.8 of the row: dark cell
    expect(cell("cat", "dog")?.font?.color).toBe("black");
    expect(fig.layout.title?.text).toContain("accuracy 78.6%"); // 11 of 14
    expect(fig.layout.xaxis?.title?.text).toBe("predicted");
    expect(fig.layout.yaxis?.title?.text).toBe("true");
    expect(fig.layout.yaxis?.autorange).toBe("reversed");
  });

  test("shape and value checks", () => {
    expect(() => confusionMatrix(["a", "b"], [[1, 2, 3], [1, 2, 3]])).toThrow(/2 labels need an 2×2 matrix, got 2×3/);
    expect(() => confusionMatrix(["a"], [[-1]])).toThrow(/counts must be ≥ 0/);
  });
});

describe("spectrogram", () => {
  test("frames×channels is transposed to channels (y) × time (x)", () => {
    const frames = Array.from({ length: 5 }, (_, t) => Array.from({ length: 3 }, (_, c) => 10 * t + c));
    const fig = spectrogram(frames, { frameStep: 0.02, title: "yes" });
    expectPlainJson(fig);
    const t = fig.data[0] as HeatmapTrace;
    expect(t.z).toHaveLength(3);
    expect(t.z[0]).toHaveLength(5);
    expect(t.z[2][4]).toBe(frames[4][2]);
    expect(t.x).toEqual([0, 0.02, 0.04, 0.06, 0.08]);
    expect(fig.layout.xaxis?.title?.text).toBe("time (s)");
    expect(fig.layout.yaxis?.title?.text).toBe("channel");
  });

  test("frequencies label the y ticks in Hz", () => {
    const frames = [[1, 2, 3, 4], [5, 6, 7, 8]];
    const fig = spectrogram(frames, { frequencies: [100, 200, 400, 800] });
    expect(fig.layout.yaxis?.title?.text).toBe("frequency (Hz)");
    expect(fig.layout.yaxis?.tickvals).toEqual([0, 1, 2, 3]);
    expect(fig.layout.yaxis?.ticktext).toEqual(["100", "200", "400", "800"]);
    expect(fig.layout.xaxis?.title?.text).toBe("frame");
    expect(() => spectrogram(frames, { frequencies: [1, 2] })).toThrow(/2 frequencies for 4 channels/);
    expect(() => spectrogram(frames, { frameStep: 0 })).toThrow(/frameStep/);
  });
});

describe("describeFigure", () => {
  test("summarises title, kind, size and traces", () => {
    const s = describeFigure(lineChart({ title: "loss", series: [{ name: "train", y: [3, 2, 1] }] }));
    expect(s).toContain('"loss"');
    expect(s).toContain("line");
    expect(s).toContain("640×400");
    expect(s).toContain("train: 3 points, y 1..3");
    expect(describeFigure(confusionMatrix(["a", "b"], [[1, 0], [0, 1]]))).toContain("2×2 cells, z 0..1");
  });
});
