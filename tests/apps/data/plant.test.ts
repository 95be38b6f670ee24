import { describe, expect, test } from "vitest";
import { qualityReport } from "../../../lib/data/quality.ts";
import type { ImageDataset, ImageSplit } from "../../../lib/data/types.ts";
import {
  cleanImages, DataLessonError, detectionScore, findingsFromReport, formatScores, imageItems, plantAudioProblems, plantImageProblems,
} from "../../../lib/apps/data/mod.ts";
import { mulberry32 } from "../../../lib/util/random.ts";

/** Noisy 4×4 "images" of 3 classes (a bright block per class): neighbours agree on the class, but no two are alike. */
function toySplit(nTrain: number, nTest: number, seed = 1): ImageSplit {
  const rng = mulberry32(seed);
  const make = (n: number): ImageDataset => {
    const images = new Float32Array(n * 16), labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      labels[i] = c;
      for (let j = 0; j < 16; j++) images[i * 16 + j] = 0.4 * rng() + (Math.floor(j / 5) === c ? 0.6 : 0); // pixels in [0, 1] like the digits
    }
    return { images, labels, n, h: 4, w: 4 };
  };
  return { train: make(nTrain), test: make(nTest) };
}

describe("detectionScore", () => {
  test("precision and recall against the planted ids", () => {
    const s = detectionScore(["a", "b", "x", "a"], ["a", "b", "c"]);
    expect(s).toMatchObject({ truePositives: 2, falsePositives: 1, falseNegatives: 1 });
    expect(s.precision).toBeCloseTo(2 / 3, 12);
    expect(s.recall).toBeCloseTo(2 / 3, 12);
    expect(detectionScore([], ["a"])).toMatchObject({ precision: 1, recall: 0 });
    expect(detectionScore(["a"], [])).toMatchObject({ precision: 0, recall: 1 });
    expect(formatScores({ finder: s })).toMatch(/^finder {2}precision 0\.67 {2}recall 0\.67 {2}\(2 found, 1 false alarms, 1 missed\)$/);
  });
});

describe("plantImageProblems", () => {
  const split = toySplit(90, 30);
  const p = plantImageProblems(split, { duplicates: 10, leakedCopies: 5, nearCopies: 5, mislabelFraction: 0.2, noise: 0.01, seed: 3 });

  test("plants exactly what it says, and records the truth", () => {
    expect(p.train.n).toBe(90 + 10 + 5 + 5);
    expect(p.trainIds.length).toBe(p.train.n);
    expect(new Set(p.trainIds).size).toBe(p.train.n);
    expect(p.planted.mislabeled.length).toBe(18);
    expect(p.planted.duplicates.length).toBe(10);
    expect(p.leakedTest.length).toBe(10);
    for (const id of p.planted.mislabeled) {
      const i = p.trainIds.indexOf(id);
      expect(p.train.labels[i]).not.toBe(p.trueTrainLabels[i]);
    }
    // Every other row keeps its true label.
    const wrong = new Set(p.planted.mislabeled);
    p.trainIds.forEach((id, i) => { if (!wrong.has(id)) expect(p.train.labels[i]).toBe(p.trueTrainLabels[i]); });
    // Exact leaks are byte-identical to a test row; near leaks are close but not identical.
    const rowOf = (ds: ImageDataset, i: number) => Array.from(ds.images.subarray(i * 16, (i + 1) * 16));
    const testRows = Array.from({ length: split.test.n }, (_, i) => rowOf(split.test, i).join(","));
    for (const id of p.planted.leakedExact) expect(testRows).toContain(rowOf(p.train, p.trainIds.indexOf(id)).join(","));
    for (const id of p.planted.leakedNear) expect(testRows).not.toContain(rowOf(p.train, p.trainIds.indexOf(id)).join(","));
    expect(split.train.n).toBe(90); // input untouched
  });

  test("is deterministic for a seed", () => {
    const q = plantImageProblems(split, { duplicates: 10, leakedCopies: 5, nearCopies: 5, mislabelFraction: 0.2, noise: 0.01, seed: 3 });
    expect(q.planted).toEqual(p.planted);
    expect(Array.from(q.train.images)).toEqual(Array.from(p.train.images));
  });

  test("qualityReport + findingsFromReport find the planted problems; cleanImages fixes them", () => {
    const items = imageItems(p.train, p.trainIds, p.test, p.testIds);
    const report = qualityReport(items, { nearDuplicateThreshold: 0.97, figures: false });
    const f = findingsFromReport(report, items, "train");
    expect(detectionScore(f.duplicates, p.planted.duplicates).recall).toBe(1);
    expect(detectionScore(f.duplicates, p.planted.duplicates).precision).toBe(1);
    expect(detectionScore(f.leakedExact, p.planted.leakedExact)).toMatchObject({ precision: 1, recall: 1 });
    expect(detectionScore(f.leakedNear, p.planted.leakedNear).recall).toBe(1);
    const ml = detectionScore(f.mislabeled.map((c) => c.id), p.planted.mislabeled);
    expect(ml.recall).toBeGreaterThanOrEqual(0.9);
    expect(ml.precision).toBeGreaterThanOrEqual(0.9);
    const fixed = cleanImages(p.train, p.trainIds, new Set([...f.duplicates, ...f.leakedExact, ...f.leakedNear]), new Map(f.mislabeled.map((c) => [c.id, Number(c.predicted)])));
    expect(fixed.data.n).toBe(90);
    const stillWrong = fixed.ids.filter((id, i) => fixed.data.labels[i] !== p.trueTrainLabels[p.trainIds.indexOf(id)]);
    expect(stillWrong.length).toBeLessThanOrEqual(2);
  });

  test("rejects impossible requests", () => {
    expect(() => plantImageProblems(split, { leakedCopies: 20, nearCopies: 20 })).toThrow(DataLessonError);
    expect(() => plantImageProblems(split, { leakedCopies: 0, nearCopies: 0, mislabelFraction: 1.5 })).toThrow(/mislabelFraction/);
    expect(() => cleanImages(split.train, ["a"], new Set())).toThrow(DataLessonError);
  });
});

describe("plantAudioProblems", () => {
  const rng = mulberry32(2);
  const items = Array.from({ length: 40 }, (_, i) => ({
    id: `c${i}`, label: i % 10 === 9 ? "_silence_" : `w${i % 3}`, split: i < 24 ? "training" : "testing", speaker: `s${Math.floor(i / 4)}`,
    samples: Float32Array.from({ length: 1600 }, (_, t) => 0.3 * Math.sin(t * (0.05 + 0.01 * (i % 3))) + 0.01 * (rng() - 0.5)),
  }));

  test("damages copies, never the input or the _silence_ class, and moves half of the leaked speakers' clips", () => {
    const { items: out, planted } = plantAudioProblems(items, { clipped: 3, silent: 3, leakSpeakers: 1, seed: 1, embed: (x) => x.slice(0, 8) });
    expect(planted.clipped.length).toBe(3);
    expect(planted.silent.length).toBe(3);
    expect(new Set([...planted.clipped, ...planted.silent]).size).toBe(6);
    const byId = new Map(out.map((o) => [o.id, o]));
    for (const id of planted.clipped) expect(Math.max(...byId.get(id)!.samples!)).toBe(1);
    for (const id of planted.silent) expect(Math.max(...byId.get(id)!.samples!.map(Math.abs))).toBeLessThan(1e-4);
    for (const id of [...planted.clipped, ...planted.silent]) expect(byId.get(id)!.label).not.toBe("_silence_");
    expect(Math.max(...items[0].samples)).toBeLessThan(0.32); // input untouched
    expect(planted.leakedSpeakers.length).toBe(1);
    const sp = planted.leakedSpeakers[0];
    const splits = out.filter((o) => o.speaker === sp).map((o) => o.split);
    expect(splits).toContain("training");
    expect(splits).toContain("testing");
    expect(out.every((o) => o.features?.length === 8)).toBe(true);
    const report = qualityReport(out, { figures: false });
    expect(detectionScore(report.flagged.clipped, planted.clipped)).toMatchObject({ precision: 1, recall: 1 });
    expect(detectionScore(report.speakerLeaks.map((l) => l.speaker), planted.leakedSpeakers)).toMatchObject({ precision: 1, recall: 1 });
  });

  test("needs audio", () => {
    expect(() => plantAudioProblems([{ id: "x", label: "a" }])).toThrow(/no samples/);
  });
});
