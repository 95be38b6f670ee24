// Features of clips and streams, the frontend's stages over a clip, and quantization that keeps the frontend's
// int8 bytes as the model input.
import { describe, expect, test } from "vitest";
import * as tf from "@tensorflow/tfjs";
import {
  channelCentersHz, channelMeans, clipFeatures, clipStages, featureRows, featuresToInput, graphScorer, KwsAppError, quantizeForFrontend,
  stageImage, streamFeatures, takesFrontendInt8, wakeWordNet,
} from "../../../lib/apps/kws/mod.ts";
import { computeFrontendFeatures, floatToInt16, microSpeechFeatures } from "../../../lib/audio/mod.ts";
import { quantizeInputs, quantizeModel } from "../../../lib/compress/mod.ts";
import { Interpreter } from "../../../lib/int8/mod.ts";
import { useBackend } from "../../../lib/train/mod.ts";
import { mulberry32 } from "../../../lib/util/random.ts";

/** A chirp-like test signal: two tones switching halfway, with a little seeded noise. */
function tones(seconds: number, seed = 1): Float32Array {
  const rng = mulberry32(seed);
  const n = Math.round(seconds * 16000);
  return Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin((2 * Math.PI * (i < n / 2 ? 440 : 2000) * i) / 16000) + 0.01 * (rng() - 0.5));
}

describe("clip and stream features", () => {
  test("one second gives 49 × 40 int8 features, the same as lib/audio", () => {
    const x = tones(1);
    const f = clipFeatures(x);
    expect(f.length).toBe(49 * 40);
    expect(Array.from(f)).toEqual(Array.from(microSpeechFeatures(floatToInt16(x))));
  });

  test("a stream runs one frontend: its frames match computeFrontendFeatures and 1 + ⌊(n − 480) / 320⌋", () => {
    const x = tones(2.5);
    const s = streamFeatures(x);
    expect(s.frames).toBe(1 + Math.floor((x.length - 480) / 320));
    expect(s.data.length).toBe(s.frames * 40);
    expect(computeFrontendFeatures(floatToInt16(x)).frames).toBe(s.frames);
    // The second half of a stream is not the features of the second half alone: the noise estimate carries over.
    const tail = clipFeatures(x.subarray(x.length / 2));
    const offset = (x.length / 2) / 320;
    expect(Array.from(s.data.subarray(offset * 40, offset * 40 + 400))).not.toEqual(Array.from(tail.subarray(0, 400)));
  });

  test("featuresToInput, featureRows and channelMeans", () => {
    expect(Array.from(featuresToInput(Int8Array.from([-128, 0, 127])))).toEqual([0, 0.5, 255 / 256]);
    const f = Int8Array.from({ length: 120 }, (_, i) => (i % 40) - 20);
    const rows = featureRows(f);
    expect(rows.length).toBe(3);
    expect(rows[2][5]).toBe(-15);
    const m = channelMeans(f);
    expect(m.length).toBe(40);
    expect(m[0]).toBeCloseTo(108 / 256, 6);
    expect(() => featureRows(new Int8Array(41))).toThrow(KwsAppError);
    expect(() => channelMeans(new Int8Array(0))).toThrow(KwsAppError);
  });
});

describe("clipStages", () => {
  test("every frame's last stage is the frontend's output; stages have the documented sizes", () => {
    const x = tones(1);
    const stages = clipStages(x);
    expect(stages.length).toBe(49);
    expect(stages.flatMap((s) => Array.from(s.int8))).toEqual(Array.from(clipFeatures(x)));
    const s = stages[30];
    expect(s.windowed.length).toBe(480);
    expect(s.energy.length).toBe(257);
    for (const k of ["filterbank", "noiseReduced", "pcan", "output", "noiseEstimate"] as const) expect(s[k].length).toBe(40);
    // Noise reduction only ever removes energy.
    for (let c = 0; c < 40; c++) expect(s.noiseReduced[c]).toBeLessThanOrEqual(s.filterbank[c]);
    const img = stageImage(stages, "filterbank", true);
    expect(img.length).toBe(49);
    expect(img[30][3]).toBeCloseTo(Math.log10(1 + s.filterbank[3]), 12);
    // The 440 Hz tone of the first half is loudest in a low channel, 2 kHz in a higher one.
    const loudest = (v: Uint32Array) => v.indexOf(Math.max(...v));
    const hz = channelCentersHz();
    expect(Math.abs(hz[loudest(stages[10].filterbank)] - 440)).toBeLessThan(120);
    expect(Math.abs(hz[loudest(stages[40].filterbank)] - 2000)).toBeLessThan(250);
  });

  test("channel centres rise from above 125 Hz to below 7500 Hz", () => {
    const hz = channelCentersHz();
    expect(hz.length).toBe(40);
    expect(hz[0]).toBeGreaterThan(125);
    expect(hz[39]).toBeLessThan(7500);
    for (let i = 1; i < 40; i++) expect(hz[i]).toBeGreaterThan(hz[i - 1]);
  });
});

describe("quantizeForFrontend", () => {
  test("the model takes the frontend's int8 bytes unchanged, and its scores match the graph", async () => {
    await useBackend("cpu");
    const rng = mulberry32(3);
    // Representative data that never reaches the top of the range: plain calibration would pick another scale.
    const reps = Array.from({ length: 20 }, () => Float32Array.from({ length: 1960 }, () => 0.6 * rng()));
    const model = wakeWordNet({ filters: 2, strides: [4, 4], seed: 2 });
    const plain = quantizeModel(model, reps, { perChannelDense: false });
    expect(takesFrontendInt8(plain.graph)).toBe(false);
    const q = quantizeForFrontend(model, reps, { perChannelDense: false });
    expect(takesFrontendInt8(q.graph)).toBe(true);
    const features = Int8Array.from({ length: 1960 }, () => Math.floor(rng() * 256) - 128);
    expect(Array.from(quantizeInputs(q.graph, [featuresToInput(features)])[0])).toEqual(Array.from(features));
    const out = new Interpreter(q.graph).invoke([features])[0] as Int8Array;
    const outQ = q.graph.tensors[q.graph.outputs[0]].quant!;
    expect(graphScorer(q.graph, 1)(features)).toBeCloseTo(outQ.scale[0] * (out[1] - outQ.zeroPoint[0]), 9);
    // A model quantized the usual way is fed through featuresToInput + its own input scale instead.
    const plainOut = new Interpreter(plain.graph).invoke([quantizeInputs(plain.graph, [featuresToInput(features)])[0]])[0] as Int8Array;
    const pq = plain.graph.tensors[plain.graph.outputs[0]].quant!;
    expect(graphScorer(plain.graph, 0)(features)).toBeCloseTo(pq.scale[0] * (plainOut[0] - pq.zeroPoint[0]), 9);
    expect(() => graphScorer(q.graph, 2)).toThrow(KwsAppError);
    tf.disposeVariables();
  }, 30_000);
});
