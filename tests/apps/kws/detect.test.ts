// Streaming detection, smoothing, refractory suppression and FRR / FA-per-hour on streams with keywords planted
// at known frames: the detections must come exactly where the planted words complete.
import { describe, expect, test } from "vitest";
import {
  detect, faPerHour, frameEndTime, KwsAppError, matchDetections, pickThreshold, scoreStream, smoothScores, type StreamEvent,
  StreamingDetector, sweepThresholds, type WindowScorer,
} from "../../../lib/apps/kws/mod.ts";

const CH = 40, WIN = 49, WORD = 20;

/** A feature stream of `n` frames at −128 with "keywords": WORD frames whose channel 0 is 100, from each start. */
function planted(n: number, starts: number[], other: number[] = []): Int8Array {
  const f = new Int8Array(n * CH).fill(-128);
  for (const s of starts) for (let i = s; i < s + WORD; i++) f[i * CH] = 100;
  for (const s of other) for (let i = s; i < s + WORD; i++) f[i * CH + 1] = 100; // another word: channel 1
  return f;
}

/** Fraction of a keyword's frames inside the window (1 when a whole keyword fits). */
const scorer: WindowScorer = (w) => {
  let k = 0;
  for (let i = 0; i < w.length / CH; i++) if (w[i * CH] === 100) k++;
  return Math.min(1, k / WORD);
};

const event = (label: string, startFrame: number): StreamEvent => {
  const start = startFrame * 0.02, end = frameEndTime(startFrame + WORD - 1);
  return { label, start, end, voiceStart: start, voiceEnd: end };
};

describe("scoreStream + smoothScores + detect", () => {
  test("planted keywords are detected exactly when the window first holds the whole word", () => {
    const starts = [100, 400, 900];
    const frames = planted(1200, starts);
    const scored = scoreStream(frames, scorer, { hopFrames: 1 });
    expect(scored.scores.length).toBe(1200 - WIN + 1);
    expect(scored.times[0]).toBeCloseTo(frameEndTime(WIN - 1), 12);
    const hits = detect(scored, { threshold: 0.99, refractoryS: 1 });
    expect(hits).toEqual(starts.map((s) => frameEndTime(s + WORD - 1)));
  });

  test("without a refractory period one word fires once per window that holds it; with it, once", () => {
    const frames = planted(300, [100]);
    const scored = scoreStream(frames, scorer);
    // The whole word is inside windows ending at frames 119 … 148: 30 windows.
    expect(detect(scored, { threshold: 0.99, refractoryS: 0 }).length).toBe(WIN - WORD + 1);
    expect(detect(scored, { threshold: 0.99, refractoryS: 1 }).length).toBe(1);
  });

  test("refractory suppression: quiet for the period after a detection, then free to fire again", () => {
    const frames = planted(600, [100, 170, 400]); // the second word is complete 1.4 s after the first
    const scored = scoreStream(frames, scorer);
    const firstAfter = (from: number, seconds: number) => {
      let f = from;
      while (frameEndTime(f) - frameEndTime(119) < seconds) f++;
      return f;
    };
    expect(detect(scored, { threshold: 0.99, refractoryS: 1 })).toEqual([frameEndTime(119), frameEndTime(189), frameEndTime(419)]);
    // 1.5 s: the second word waits for the period to end, while it is still whole in the window (until frame 218).
    const f = firstAfter(189, 1.5);
    expect(f).toBeGreaterThan(189);
    expect(f).toBeLessThanOrEqual(170 + WIN - 1);
    expect(detect(scored, { threshold: 0.99, refractoryS: 1.5 })).toEqual([frameEndTime(119), frameEndTime(f), frameEndTime(419)]);
    // 2.5 s: the second word has left the window before the period ends — it is lost.
    expect(detect(scored, { threshold: 0.99, refractoryS: 2.5 })).toEqual([frameEndTime(119), frameEndTime(419)]);
  });

  test("hopFrames skips windows; a hop larger than the time the word fills the window can miss it", () => {
    const frames = planted(400, [100]);
    expect(scoreStream(frames, scorer, { hopFrames: 3 }).scores.length).toBe(Math.floor((400 - WIN) / 3) + 1);
    expect(detect(scoreStream(frames, scorer, { hopFrames: 10 }), { threshold: 0.99 }).length).toBe(1);
    // Windows end at frames 48, 88, 128, 168…; a word at 110..129 is whole only in windows ending 129..158.
    expect(detect(scoreStream(planted(400, [110]), scorer, { hopFrames: 40 }), { threshold: 0.99 }).length).toBe(0);
    expect(detect(scoreStream(planted(400, [110]), scorer, { hopFrames: 1 }), { threshold: 0.99 }).length).toBe(1);
  });

  test("smoothScores is a trailing moving average", () => {
    expect(Array.from(smoothScores([0, 1, 1, 0, 0], 2))).toEqual([0, 0.5, 1, 0.5, 0]);
    expect(Array.from(smoothScores([0.2, 0.4, 0.9], 1))).toEqual([0.2, 0.4, 0.9]);
    expect(smoothScores([1, 2, 3, 4], 3)[3]).toBeCloseTo(3, 12);
    expect(() => smoothScores([1], 0)).toThrow(KwsAppError);
  });

  test("smoothing delays a detection and removes a one-window spike", () => {
    const spike: WindowScorer = (w) => (w[0] === 7 ? 1 : 0);
    const frames = new Int8Array(200 * CH).fill(-128);
    frames[(60 - WIN + 1) * CH] = 7; // only the window ending at frame 60 starts with this frame
    const scored = scoreStream(frames, spike);
    expect(detect(scored, { threshold: 0.9 }).length).toBe(1);
    expect(detect({ times: scored.times, scores: smoothScores(scored.scores, 3) }, { threshold: 0.9 }).length).toBe(0);
  });

  test("bad geometry is refused with a typed error", () => {
    expect(() => scoreStream(new Int8Array(41), scorer)).toThrow(KwsAppError);
    expect(() => scoreStream(new Int8Array(400), scorer, { hopFrames: 0 })).toThrow(/hopFrames/);
  });
});

describe("StreamingDetector", () => {
  test("frame by frame gives the same decisions as the batch functions", () => {
    const frames = planted(1500, [100, 160, 500, 1000, 1300], [700]);
    // A noisier scorer: keyword fraction plus a little of the other word.
    const score: WindowScorer = (w) => {
      let a = 0, b = 0;
      for (let i = 0; i < w.length / CH; i++) {
        if (w[i * CH] === 100) a++;
        if (w[i * CH + 1] === 100) b++;
      }
      return Math.min(1, a / WORD) * 0.9 + 0.3 * Math.min(1, b / WORD);
    };
    for (const [hop, smooth, threshold] of [[1, 1, 0.85], [3, 4, 0.7], [2, 3, 0.3]] as const) {
      const det = new StreamingDetector(score, { hopFrames: hop, smoothing: smooth, threshold, refractoryS: 1 });
      const live: number[] = [];
      let steps = 0;
      for (let f = 0; f < 1500; f++) {
        const s = det.pushFrame(frames.subarray(f * CH, (f + 1) * CH));
        if (s) steps++;
        if (s?.detected) live.push(s.time);
      }
      const scored = scoreStream(frames, score, { hopFrames: hop });
      expect(steps).toBe(scored.scores.length);
      expect(live).toEqual(detect({ times: scored.times, scores: smoothScores(scored.scores, smooth) }, { threshold, refractoryS: 1 }));
      expect(live.length).toBeGreaterThan(0);
    }
  });

  test("reset forgets the buffered window", () => {
    const det = new StreamingDetector(scorer, { threshold: 0.5 });
    const frame = new Int8Array(CH).fill(-128);
    for (let i = 0; i < WIN - 1; i++) expect(det.pushFrame(frame)).toBeNull();
    expect(det.pushFrame(frame)).not.toBeNull();
    det.reset();
    expect(det.pushFrame(frame)).toBeNull();
    expect(() => det.pushFrame(new Int8Array(3))).toThrow(KwsAppError);
  });
});

describe("FRR and false accepts per hour", () => {
  const events: StreamEvent[] = [
    { label: "marvin", start: 1, end: 2, voiceStart: 1.2, voiceEnd: 1.8 },
    { label: "_unknown_", start: 3, end: 4, voiceStart: 3.2, voiceEnd: 3.7 },
    { label: "marvin", start: 5, end: 6, voiceStart: 5.1, voiceEnd: 5.9 },
  ];

  test("matchDetections counts hits once, other words and background as false accepts", () => {
    const m = matchDetections([1.5, 2.5, 3.5, 9], events, "marvin", { toleranceS: 0.75 });
    expect(m).toEqual({ hits: 1, misses: 1, falseAccepts: 2, keywords: 2, matched: [0, 0, -1, -1] });
    expect(matchDetections([2.9], events, "marvin", { toleranceS: 0.75 }).falseAccepts).toBe(1);
    expect(matchDetections([2.7], events, "marvin", { toleranceS: 0.75 }).hits).toBe(1);
  });

  test("faPerHour scales to an hour", () => {
    expect(faPerHour(2, 3600)).toBe(2);
    expect(faPerHour(3, 180)).toBe(60);
    expect(() => faPerHour(1, 0)).toThrow(KwsAppError);
  });

  test("a sweep over a planted stream: FRR rises and FA/h falls with the threshold", () => {
    const starts = [100, 400, 700, 1000];
    // Keyword fraction for the keywords; the "other" word scores 0.6 through a second channel.
    const score: WindowScorer = (w) => {
      let a = 0, b = 0;
      for (let i = 0; i < w.length / CH; i++) {
        if (w[i * CH] === 100) a++;
        if (w[i * CH + 1] === 100) b++;
      }
      let unclear = false;
      for (let i = 0; i < w.length / CH; i++) if (w[i * CH + 2] === -100) unclear = true;
      return Math.max(Math.min(1, a / WORD) * (unclear ? 0.8 : 1), 0.6 * Math.min(1, b / WORD));
    };
    const frames = planted(1300, starts, [250, 850]);
    // The third keyword is spoken less clearly (marked in channel 2): windows holding it score at most 0.8.
    for (let i = 700; i < 700 + WORD; i++) frames[i * CH + 2] = -100;
    const ev = [...starts.map((s) => event("marvin", s)), event("_unknown_", 250), event("_unknown_", 850)];
    const durationS = 1300 * 0.02;
    const rows = sweepThresholds(scoreStream(frames, score), { events: ev, positive: "marvin", durationS, thresholds: [0.5, 0.7, 0.9], refractoryS: 1 });
    expect(rows.map((r) => [r.hits, r.misses, r.falseAccepts])).toEqual([[4, 0, 2], [4, 0, 0], [3, 1, 0]]);
    expect(rows[0].faPerHour).toBeCloseTo((2 * 3600) / durationS, 9);
    expect(rows[2].frr).toBe(0.25);
    expect(pickThreshold(rows, 0)?.threshold).toBe(0.7);
    expect(pickThreshold(rows, 1000)?.threshold).toBe(0.7); // equal FRR: the higher threshold is safer
    expect(pickThreshold(rows.slice(0, 1), 10)).toBeUndefined();
    expect(() => sweepThresholds(scoreStream(frames, score), { events: ev, positive: "sheila", durationS })).toThrow(/no "sheila"/);
  });
});
