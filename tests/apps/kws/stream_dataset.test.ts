// Test streams with known ground truth, windows cut from them, and feature datasets from a Speech Commands folder.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import {
  accuracyByGroup, buildStream, classCounts, eventTrace, featureTensors, KwsAppError, loadFeatureSet, relabel, streamFeatures, streamWindows,
  voicedExtent,
} from "../../../lib/apps/kws/mod.ts";
import { writeWav } from "../../../lib/audio/mod.ts";
import { mulberry32 } from "../../../lib/util/random.ts";

/** One second of silence with a tone in [from, to) samples. */
function word(freq: number, from = 4000, to = 10000): Float32Array {
  return Float32Array.from({ length: 16000 }, (_, i) => (i >= from && i < to ? 0.4 * Math.sin((2 * Math.PI * freq * i) / 16000) : 0));
}

describe("buildStream", () => {
  test("clips land where the events say, with the pauses asked for", () => {
    const clips = [{ samples: word(500), label: "marvin" }, { samples: word(900), label: "bed" }, { samples: word(1300), label: "marvin" }];
    const s = buildStream({ clips, gapS: [0.5, 0.5], shuffle: false });
    expect(s.events.map((e) => [e.label, e.start, e.end])).toEqual([["marvin", 0.5, 1.5], ["bed", 2, 3], ["marvin", 3.5, 4.5]]);
    expect(s.durationS).toBe(5);
    expect(s.audio.length).toBe(5 * 16000);
    expect(Array.from(s.audio.subarray(2 * 16000, 3 * 16000))).toEqual(Array.from(clips[1].samples));
    // Voice extents are found in 10 ms steps.
    expect(Math.abs(s.events[0].voiceStart - (0.5 + 4000 / 16000))).toBeLessThanOrEqual(0.01);
    expect(Math.abs(s.events[0].voiceEnd - (0.5 + 10000 / 16000))).toBeLessThanOrEqual(0.01);
  });

  test("shuffling is seeded; noise sits under everything at the asked level", () => {
    const clips = Array.from({ length: 6 }, (_, i) => ({ samples: word(300 + 100 * i), label: `w${i}` }));
    const rng = mulberry32(5);
    const noise = Float32Array.from({ length: 8000 }, () => rng() - 0.5);
    const a = buildStream({ clips, noise, noiseDb: -30, seed: 7 });
    const b = buildStream({ clips, noise, noiseDb: -30, seed: 7 });
    expect(a.events).toEqual(b.events);
    expect(a.events.map((e) => e.label)).not.toEqual(clips.map((c) => c.label));
    const gap = a.audio.subarray(0, Math.floor(a.events[0].start * 16000));
    const rmsDb = 10 * Math.log10(gap.reduce((s, v) => s + v * v, 0) / gap.length);
    expect(rmsDb).toBeCloseTo(-30, 0);
    expect(() => buildStream({ clips: [] })).toThrow(KwsAppError);
    expect(() => buildStream({ clips, gapS: [2, 1] })).toThrow(/gapS/);
  });

  test("eventTrace marks the middle of each chosen event's voice", () => {
    const clips = [{ samples: word(500), label: "marvin" }, { samples: word(900), label: "bed" }, { samples: word(1300), label: "marvin" }];
    const s = buildStream({ clips, gapS: [0.5, 0.5], shuffle: false });
    const t = eventTrace(s.events, { label: "marvin", y: 1.1, until: 4 });
    expect(t.name).toBe("marvin");
    expect(t.y).toEqual([1.1, 1.1]);
    expect((t.x as number[])[1]).toBeCloseTo((s.events[2].voiceStart + s.events[2].voiceEnd) / 2, 12);
    expect(eventTrace(s.events, { until: 1 }).x.length).toBe(1);
  });

  test("voicedExtent finds the loud part", () => {
    expect(voicedExtent(word(700, 3200, 9600))).toEqual([3200, 9600]);
    expect(voicedExtent(new Float32Array(16000))).toEqual([0, 0]);
  });
});

describe("streamWindows", () => {
  test("positive windows hold the whole voiced keyword; negatives at most half of it", () => {
    const clips = [{ samples: word(600), label: "marvin" }, { samples: word(1000), label: "bed" }, { samples: word(600, 2000, 9000), label: "marvin" }];
    const s = buildStream({ clips, gapS: [1, 1], shuffle: false });
    const f = streamFeatures(s.audio);
    const w = streamWindows(f.data, s.events, { positive: "marvin", hopFrames: 1 });
    const keys = s.events.filter((e) => e.label === "marvin");
    expect(w.windows.length).toBe(w.labels.length);
    let pos = 0;
    w.ends.forEach((end, i) => {
      const t1 = (end - 1) * 0.02 + 0.03, t0 = t1 - 1;
      const holds = keys.some((k) => t0 <= k.voiceStart + 1e-9 && t1 >= k.voiceEnd - 1e-9);
      if (w.labels[i] === 1) pos++;
      expect(w.labels[i] === 1, `window ending at frame ${end}`).toBe(holds);
      expect(Array.from(w.windows[i])).toEqual(Array.from(f.data.subarray((end - 49) * 40, end * 40)));
    });
    // Keyword 1 lasts 0.375 s: it is whole in about (1 − 0.375) / 0.02 windows; keyword 2 (0.4375 s) in about 28.
    expect(pos).toBeGreaterThan(50);
    expect(pos).toBeLessThan(62);
    const few = streamWindows(f.data, s.events, { positive: "marvin", hopFrames: 1, maxNegatives: 10, seed: 1 });
    expect(few.labels.filter((l) => l === 0).length).toBe(10);
    expect(few.labels.filter((l) => l === 1).length).toBe(pos);
  });
});

describe("feature datasets", () => {
  const root = mkdtempSync(join(tmpdir(), "kws-set-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const put = (rel: string, x: Float32Array) => {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), writeWav(x, { sampleRate: 16000 }));
  };
  // Two speakers in training (aaaa1111, bbbb2222), one in testing (cccc3333).
  for (const [sp, freq] of [["aaaa1111", 400], ["bbbb2222", 500], ["cccc3333", 600]] as const) {
    put(`yes/${sp}_nohash_0.wav`, word(freq));
    put(`no/${sp}_nohash_0.wav`, word(freq * 2));
    put(`bed/${sp}_nohash_0.wav`, word(freq * 3));
  }
  put("_silence_/dddd4444_nohash_0.wav", new Float32Array(16000));
  const rng = mulberry32(9);
  put("_background_noise_/white.wav", Float32Array.from({ length: 32000 }, () => 0.2 * (rng() - 0.5)));
  writeFileSync(join(root, "validation_list.txt"), "");
  writeFileSync(join(root, "testing_list.txt"), ["yes", "no", "bed"].map((w) => `${w}/cccc3333_nohash_0.wav`).join("\n") + "\n");

  test("one split, labels, augmentation, relabelling and tensors", () => {
    const train = loadFeatureSet(root, "training", { wanted: ["yes", "no"], augment: { copies: 2 }, seed: 1 });
    expect(train.labels).toEqual(["_silence_", "_unknown_", "yes", "no"]);
    expect(train.y.length).toBe(7 * 3);
    expect(classCounts(train)).toEqual([3, 6, 6, 6]);
    expect(train.augmented.filter(Boolean).length).toBe(14);
    expect(train.features[0].length).toBe(1960);
    expect(Array.from(train.x[0])).toEqual(Array.from(train.features[0], (v) => (v + 128) / 256));
    // Augmented copies differ from their original (shift and noise) and are seeded.
    const again = loadFeatureSet(root, "training", { wanted: ["yes", "no"], augment: { copies: 2 }, seed: 1 });
    expect(again.features.map((f) => Array.from(f))).toEqual(train.features.map((f) => Array.from(f)));
    expect(Array.from(train.features[4])).not.toEqual(Array.from(train.features[3]));
    const test = loadFeatureSet(root, "testing", { wanted: ["yes", "no"] });
    expect(test.entries.map((e) => e.speaker)).toEqual(["cccc3333", "cccc3333", "cccc3333"]);
    const wake = relabel(test, ["other", "yes"], (l) => (l === "yes" ? "yes" : "other"));
    expect(classCounts(wake)).toEqual([2, 1]);
    const { x, y } = featureTensors(wake);
    expect(x.shape).toEqual([3, 49, 40, 1]);
    expect(Array.from(y.argMax(-1).dataSync())).toEqual(wake.y);
    x.dispose();
    y.dispose();
    expect(() => loadFeatureSet(root, "testing", { labels: ["yes"] })).toThrow(KwsAppError);
    const only = loadFeatureSet(root, "testing", { label: (e) => (e.word === "bed" ? null : e.word), labels: ["yes", "no"] });
    expect(only.entries.map((e) => e.word).sort()).toEqual(["no", "yes"]);
    expect(only.y).toEqual(only.entries.map((e) => (e.word === "yes" ? 0 : 1)));
  });

  test("accuracyByGroup", () => {
    const rows = accuracyByGroup([0, 1, 1, 2], [0, 1, 0, 2], ["b", "a", "a", "b"]);
    expect(rows).toEqual([
      { group: "all", n: 4, correct: 3, accuracy: 0.75 },
      { group: "a", n: 2, correct: 1, accuracy: 0.5 },
      { group: "b", n: 2, correct: 2, accuracy: 1 },
    ]);
    expect(() => accuracyByGroup([0], [0, 1], ["a"])).toThrow(KwsAppError);
  });
});
