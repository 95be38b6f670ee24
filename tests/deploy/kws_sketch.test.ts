/**
 * The keyword-spotting sketch generator and the TS streaming twin: settings, ring order, detections, threshold
 * replay, scoring, and byte-identical sketch folders for the same inputs. The emulated runs are in
 * kws_deploy.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { loadClip16k, microSpeechFeatures } from "../../lib/audio/mod.ts";
import { getBoard } from "../../lib/deploy/arduino/mod.ts";
import {
  averagedProbabilities, clipVerdicts, evaluateDetections, KwsInputError, KwsStreamer, replayDetections, simulateKwsStream,
  streamedClipFeatures, streamSettings, writeKwsSketch,
} from "../../lib/deploy/kws/mod.ts";
import { Interpreter } from "../../lib/int8/interpreter.ts";
import { readTflite } from "../../lib/tflite/mod.ts";

/** Temp folders of this file, removed at the end. */
const made: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

const SHARED = fileURLToPath(new URL("../../../shared/conformance/", import.meta.url));
const HAVE_SHARED = existsSync(join(SHARED, "micro_speech_quantized.tflite"));
if (!HAVE_SHARED) console.warn(`kws sketch tests: ${SHARED} is absent, they are skipped`);

const LABELS = ["silence", "unknown", "yes", "no"];
const NAMES = ["yes_1000ms", "no_1000ms", "silence_1000ms", "noise_1000ms"];
const load = () => ({
  graph: readTflite(readFileSync(join(SHARED, "micro_speech_quantized.tflite"))),
  clips: NAMES.map((n) => loadClip16k(readFileSync(join(SHARED, `${n}.wav`)))),
});

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

describe.skipIf(!HAVE_SHARED)("streaming twin and sketch generation", () => {
  test("settings: validation and integer conversion", () => {
    const { graph } = load();
    const s = streamSettings(graph, LABELS, { threshold: 0.75, suppressionMs: 500 });
    expect(s).toMatchObject({ frames: 49, channels: 40, thresholdCode: 192, suppressFrames: 25, isKeyword: [0, 0, 1, 1] });
    expect(() => streamSettings(graph, ["a", "b"])).toThrow(KwsInputError);
    expect(() => streamSettings(graph, LABELS, { strideFrames: 0 })).toThrow(/strideFrames/);
    expect(() => streamSettings(graph, LABELS, { threshold: 1.5 })).toThrow(/threshold/);
  });

  test("per-clip verdicts equal the model on microSpeechFeatures; TFLM's expected labels", { timeout: 60_000 }, () => {
    const { graph, clips } = load();
    const verdicts = clipVerdicts(graph, LABELS, clips);
    const interp = new Interpreter(graph);
    clips.forEach((clip, i) => {
      const direct = interp.invoke([microSpeechFeatures(clip)])[0] as Int8Array;
      expect(Array.from(verdicts[i].subarray(0, 4), (b) => (b << 24) >> 24)).toEqual(Array.from(direct));
    });
    const expectations = JSON.parse(readFileSync(join(SHARED, "micro_speech_expectations.json"), "utf8"));
    expect(JSON.stringify(expectations)).toContain("yes");
    expect(verdicts.map((v) => LABELS[v[4]])).toEqual(["yes", "no", "silence", "silence"]);
  });

  test("the ring buffer hands the model frames oldest first", () => {
    const { graph, clips } = load();
    const ks = new KwsStreamer(graph, streamSettings(graph, LABELS, { strideFrames: 1000 }));
    // 1.5 s of audio: 74 frames, so the ring has wrapped; the window must be the last 49 frames in order.
    const audio = new Int16Array(24_000);
    audio.set(clips[0]);
    audio.set(clips[1].subarray(0, 8000), 16_000);
    ks.push(audio);
    const all = microSpeechFeatures(audio);
    expect(ks.frames).toBe(all.length / 40);
    expect(Array.from(ks.window())).toEqual(Array.from(all.subarray(all.length - 49 * 40)));
  });

  test("detections: a keyword is reported once per suppression period, never a filler", { timeout: 60_000 }, () => {
    const { graph, clips } = load();
    const yes = clips[0];
    const r = simulateKwsStream(graph, LABELS, [yes, yes, clips[2], clips[1]], { threshold: 0.6, suppressionMs: 1000 });
    expect(r.scores.length).toBe(Math.floor(r.frames / 4));
    for (const d of r.detections) expect([2, 3]).toContain(d.label);
    for (let i = 1; i < r.detections.length; i++) expect(r.detections[i].frame - r.detections[i - 1].frame).toBeGreaterThanOrEqual(50);
    expect(r.detections.some((d) => d.label === 2)).toBe(true);
    expect(r.detections.some((d) => d.label === 3)).toBe(true);
    // A threshold above certainty reports nothing.
    expect(simulateKwsStream(graph, LABELS, [yes, yes], { threshold: 1 }).detections.length).toBeLessThanOrEqual(2);
  });

  test("replayDetections re-decides recorded scores exactly like the stream; evaluateDetections counts", { timeout: 60_000 }, () => {
    const { graph, clips } = load();
    const audio = [clips[0], clips[2], clips[1], clips[3], clips[0]];
    for (const opts of [{ threshold: 0.5 }, { threshold: 0.8, suppressionMs: 400, averageWindow: 2 }, { strideFrames: 3, threshold: 0.3 }]) {
      const r = simulateKwsStream(graph, LABELS, audio, opts);
      const s = streamSettings(graph, LABELS, opts);
      expect(replayDetections(r, s)).toEqual(r.detections);
      const probs = averagedProbabilities(r, s);
      expect(probs.length).toBe(r.scores.length);
      // Every detection's score is the averaged probability at that inference, and reaches the threshold.
      for (const d of r.detections) {
        const k = r.inferenceFrames.indexOf(d.frame);
        expect(probs[k][d.label] * 256).toBe(d.score);
        expect(d.score).toBeGreaterThanOrEqual(s.thresholdCode);
      }
    }
    const s = streamSettings(graph, LABELS);
    const lengths = audio.map((a) => a.length);
    const truth = [2, 0, 3, 0, 2];
    // yes at 0.5 s (clip 0), no at 2.5 s (clip 2), a false "no" in the silence clip 3, nothing for the last yes.
    const dets = [{ label: 2, score: 200, frame: 40 }, { label: 3, score: 200, frame: 130 }, { label: 3, score: 200, frame: 180 }];
    expect(evaluateDetections(dets, lengths, truth, s)).toEqual({ hits: 2, misses: 1, falseAlarms: 1, keywords: 3 });
  });

  test("streamedClipFeatures: the first clip equals its fresh features, later ones carry the frontend's state", () => {
    const { clips } = load();
    const warm = streamedClipFeatures(clips);
    expect(Array.from(warm[0])).toEqual(Array.from(microSpeechFeatures(clips[0])));
    const later = microSpeechFeatures(clips[1]);
    expect(warm[1].some((v, k) => v !== later[k])).toBe(true);
  });

  test("same inputs → byte-identical sketch folders", { timeout: 30_000 }, () => {
    const { graph, clips } = load();
    const board = getBoard("nano33ble");
    const settings = streamSettings(graph, LABELS);
    const dirs = [0, 1].map(() => tempDir("kws-sketch-"));
    for (const d of dirs) writeKwsSketch({ lesson: "kws-repro", graph, labels: LABELS, clips: clips.slice(0, 2), settings, board, model: "kws_repro", sketchesDir: d });
    const [a, b] = dirs.map((d) => tree(join(d, "kws-repro")));
    expect(Object.keys(a)).toEqual(expect.arrayContaining([
      "kws-repro.ino", "README.md", "src/frontend/tinyml_frontend.c", "src/kws/kws_stream.c", "src/kws/kws_config.h",
      "src/kws/kws_clips.h", "libraries/kws_repro/src/kws_repro.h",
    ]));
    expect(a).toEqual(b);
    expect(a["kws-repro.ino"]).toContain("PDM.begin(1, KWS_SAMPLE_RATE)");
    expect(a["kws-repro.ino"]).toContain("PDM.onReceive(onPdmData)");
    // Other settings → other config.
    writeKwsSketch({ lesson: "kws-repro", graph, labels: LABELS, clips: clips.slice(0, 2), settings: streamSettings(graph, LABELS, { threshold: 0.9 }), board, model: "kws_repro", sketchesDir: dirs[1] });
    expect(tree(join(dirs[1], "kws-repro"))["src/kws/kws_config.h"]).not.toEqual(a["src/kws/kws_config.h"]);
  });
});
