/**
 * The course's compression pipeline on the 8×8 digits: float dense net → 80 % synapse sparsity (polynomial
 * decay, masks kept while fine-tuning) → int8 .tflite, checked for size, accuracy, and agreement with
 * TensorFlow Lite's own runtime; .tflite round trips bit-exact in our engine.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, test } from "vitest";
import { denseNet, fit, useBackend } from "../../lib/train/mod.ts";
import {
  argmax, compressionReport, dropFinalSoftmax, invokeInt8, modelAccuracy, polynomialDecay, predictGraph, pruneFit, PruningMasks, quantizationReport,
  quantizeInputs, quantizeModel, type QuantizedModel, sparsityReport, toSamples,
} from "../../lib/compress/mod.ts";
import { readTflite, writeTflite } from "../../lib/tflite/mod.ts";
import { loadTfliteRuntime } from "../../lib/tflite_runtime/mod.ts";
import { type Digits, diff, digits, HAVE_DIGITS, pct } from "./helpers.ts";

describe.skipIf(!HAVE_DIGITS)("digits: float → 80 % sparse → int8", () => {
  let d: Digits;
  let model: tf.Sequential;
  let floatAcc = 0;
  let q: QuantizedModel;

  beforeAll(async () => {
    await useBackend("wasm");
    d = digits("flat");
    model = denseNet({ inputs: 64, hidden: [128, 64], outputs: 10, outputActivation: "softmax", seed: 1 });
    model.compile({ optimizer: tf.train.adam(0.005), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    await fit(model, d.x, d.y, { epochs: 15, batchSize: 64, seed: 1, progress: false });
    floatAcc = modelAccuracy(model, d.xTest, d.labels);
  }, 120_000);

  test("80 % magnitude pruning with a polynomial schedule keeps accuracy; masks hold through fine-tuning", async () => {
    const stepsPerEpoch = Math.ceil(d.n / 32);
    const schedule = polynomialDecay({ initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: 5 * stepsPerEpoch, frequency: 10 });
    const masks = new PruningMasks(model, { schedule });
    model.compile({ optimizer: tf.train.adam(0.002), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    await pruneFit(model, d.x, d.y, masks, { epochs: 10, batchSize: 32, seed: 2 });
    const report = sparsityReport(model);
    console.log(report.table);
    for (const l of report.layers) expect(l.sparsity).toBeCloseTo(0.8, 2);
    // Masked weights are exactly the zeros: pruned positions stayed pruned through Adam's updates.
    for (const e of masks.entries) {
      const w = e.variable.read().dataSync();
      expect(e.mask.filter((m, i) => m === 0 && w[i] !== 0).length).toBe(0);
    }
    expect(report.figure.data.length).toBe(1);
    const prunedAcc = modelAccuracy(model, d.xTest, d.labels);
    console.log(`float ${pct(floatAcc)} → 80 % sparse ${pct(prunedAcc)}`);
    expect(prunedAcc).toBeGreaterThanOrEqual(floatAcc - 0.01);
  }, 90_000);

  test("int8: ≤ 1/4 of the float bytes + overhead, accuracy within 1 pt of the float model", () => {
    q = quantizeModel(model, d.x, { method: "minmax" });
    const r = quantizationReport(model, q, { x: d.xTest, y: d.labels });
    console.log(r.table);
    const g = q.graph;
    const weightBytes = (dtype: string) =>
      q[dtype === "int8" ? "graph" : "floatGraph"].tensors.filter((t) => t.name.endsWith("/weights")).reduce((s, t) => s + t.data!.length * (dtype === "int8" ? 1 : 4), 0);
    expect(weightBytes("int8") * 4).toBe(weightBytes("float32"));
    // Overhead: int32 biases (as big as float ones), 12 bytes (float scale + int64 zero point) per quantized
    // channel, and 2 KiB for the flatbuffer's tables.
    const biasBytes = g.tensors.filter((t) => t.name.endsWith("/bias")).reduce((s, t) => s + 4 * t.data!.length, 0);
    const channels = g.tensors.reduce((s, t) => s + (t.quant ? t.quant.scale.length : 0), 0);
    const allowance = biasBytes + 12 * channels + 2048;
    console.log(`float ${r.floatBytes} B, int8 ${r.int8Bytes} B (${r.ratio.toFixed(2)}×), allowance ${allowance} B`);
    expect(r.int8Bytes).toBeLessThanOrEqual(r.floatBytes / 4 + allowance);
    expect(r.int8Accuracy).toBeGreaterThanOrEqual(floatAcc - 0.01);
    expect(r.figures.length).toBe(2);
  });

  test(".tflite round trip is bit-exact in our engine; TFLite's runtime agrees within a few LSB", async () => {
    const samples = toSamples(d.xTest);
    const inputs = quantizeInputs(q.graph, samples);
    const bytes = q.tflite();
    const ours = invokeInt8(q.graph, inputs);
    const back = invokeInt8(readTflite(bytes), inputs, "reference");
    expect(diff(ours, back).count).toBe(0);
    // TFLite (XNNPACK) requantizes in float: compare the logits (a 1-LSB logit change moves the softmax by
    // several LSB), and the predicted classes of the whole model.
    const logits = dropFinalSoftmax(q.graph);
    const rtLogits = await loadTfliteRuntime(writeTflite(logits));
    const dl = diff(invokeInt8(logits, inputs), inputs.map((x) => rtLogits.run([x])[0] as Int8Array));
    rtLogits.dispose();
    const rt = await loadTfliteRuntime(bytes);
    const theirs = inputs.map((x) => rt.run([x])[0] as Int8Array);
    rt.dispose();
    const dq = diff(ours, theirs);
    const sameClass = ours.filter((o, i) => argmax(o) === argmax(theirs[i])).length;
    console.log(
      `vs tfjs-tflite on ${inputs.length} test images: logits ${dl.count}/${dl.total} differ (max ${dl.max} LSB); ` +
        `softmax ${dq.count}/${dq.total} differ (max ${dq.max} LSB); same class ${sameClass}/${inputs.length}`,
    );
    expect(dl.max).toBeLessThanOrEqual(2);
    expect(dq.max).toBeLessThanOrEqual(12);
    expect(sameClass).toBeGreaterThanOrEqual(inputs.length - 2);
    // The float .tflite too.
    const frt = await loadTfliteRuntime(q.floatTflite());
    const fOurs = predictGraph(q.floatGraph, samples.slice(0, 50));
    const fTheirs = samples.slice(0, 50).map((x) => frt.run([x])[0] as Float32Array);
    frt.dispose();
    expect(diff(fOurs, fTheirs).max).toBeLessThan(1e-4);
  }, 60_000);

  test("compression report: flash, arena, MACs, accuracy, latency per variant", () => {
    const r = compressionReport([{ name: "float32 (80 % sparse)", graph: q.floatGraph }, { name: "int8", graph: q.graph }], {
      test: { samples: toSamples(d.xTest), labels: d.labels },
      latencyRuns: 50,
    });
    console.log(r.table);
    const [f, i] = r.rows;
    expect(i.macs).toBe(f.macs);
    expect(f.macs).toBe(64 * 128 + 128 * 64 + 64 * 10);
    expect(i.arenaBytes * 4).toBeLessThanOrEqual(f.arenaBytes + 64);
    expect(i.flashBytes).toBeLessThan(f.flashBytes / 2);
    expect(i.latencyMs).toBeGreaterThan(0);
    expect(r.figures.length).toBe(5);
  });
});
