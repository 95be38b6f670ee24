/**
 * Quantization pieces: calibration methods, pruning schedules and masks, lowering of every supported layer
 * (float graph = tfjs), int8 conversion of a conv/depthwise/BN/pooling model checked against TFLite's
 * runtime, .tflite round trips, and quantization-aware training.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, test } from "vitest";
import { denseNet, dsCnn, fit, useBackend } from "../../lib/train/mod.ts";
import {
  calibrationRange, constantSparsity, dropFinalSoftmax, fakeQuantize, fakeQuantizeKernel, graphAccuracy, invokeInt8, magnitudeMask,
  modelAccuracy, nmMask, polynomialDecay, predictGraph, pruneNow, qatFit, quantizationMse, quantizeInputs, quantizeModel, toSamples,
} from "../../lib/compress/mod.ts";
import { readTflite, writeTflite } from "../../lib/tflite/mod.ts";
import { loadTfliteRuntime } from "../../lib/tflite_runtime/mod.ts";
import { mulberry32, randn } from "../../lib/util/random.ts";
import { diff, digits, HAVE_DIGITS, pct } from "./helpers.ts";

beforeAll(async () => {
  await useBackend("wasm");
});

describe("calibration", () => {
  // Mostly N(0, 1) with a few large outliers, like a real activation with rare spikes.
  const rng = mulberry32(7);
  const values = Float32Array.from({ length: 20000 }, (_, i) => (i % 2000 === 0 ? 40 + i / 1000 : randn(rng)));
  const obs = { values, min: Math.min(...values), max: Math.max(...values) };

  test("percentile clips the outliers, MSE is never worse than min/max", () => {
    const mm = calibrationRange(obs, { method: "minmax" });
    const pc = calibrationRange(obs, { method: "percentile", percentile: 99.9 });
    const ms = calibrationRange(obs, { method: "mse" });
    const err = (r: [number, number]) => quantizationMse(values, r[0], r[1]);
    console.log(
      `ranges: min/max [${mm.map((v) => v.toFixed(2))}] mse ${err(mm).toExponential(2)}; percentile [${pc.map((v) => v.toFixed(2))}] ` +
        `mse ${err(pc).toExponential(2)}; MSE-optimal [${ms.map((v) => v.toFixed(2))}] mse ${err(ms).toExponential(2)}`,
    );
    expect(mm[1]).toBeGreaterThan(40);
    expect(pc[1]).toBeLessThan(5); // the 10 outliers (0.05 %) are outside the 99.9th percentile
    expect(pc[0]).toBeGreaterThan(-5);
    expect(err(ms)).toBeLessThanOrEqual(err(mm));
    expect(ms[1]).toBeLessThan(mm[1]);
  });

  test("without outliers the three methods agree closely", () => {
    const u = Float32Array.from({ length: 5000 }, (_, i) => i / 4999);
    const o = { values: u, min: 0, max: 1 };
    expect(calibrationRange(o, { method: "minmax" })).toEqual([0, 1]);
    expect(calibrationRange(o, { method: "percentile" })[1]).toBeGreaterThan(0.999);
    expect(calibrationRange(o, { method: "mse" })[1]).toBeGreaterThan(0.9);
  });
});

describe("pruning schedules and masks", () => {
  test("polynomial decay follows TF-MOT's formula and updates every `frequency` steps", () => {
    const s = polynomialDecay({ initialSparsity: 0.1, finalSparsity: 0.9, beginStep: 100, endStep: 500, frequency: 50 });
    expect(s.sparsityAt(99)).toBeUndefined();
    expect(s.sparsityAt(100)).toBeCloseTo(0.1, 10);
    expect(s.sparsityAt(120)).toBeUndefined();
    expect(s.sparsityAt(300)).toBeCloseTo(0.9 - 0.8 * 0.5 ** 3, 10);
    expect(s.sparsityAt(500)).toBeCloseTo(0.9, 10);
    expect(s.sparsityAt(550)).toBeUndefined();
    expect(constantSparsity(0.5).sparsityAt(0)).toBe(0.5);
    expect(() => polynomialDecay({ initialSparsity: 0, finalSparsity: 1.2, beginStep: 0, endStep: 1 })).toThrow(/finalSparsity/);
  });

  test("magnitude and 2:4 masks", () => {
    expect(Array.from(magnitudeMask(Float32Array.of(0.1, -3, 2, 0.5), 0.5))).toEqual([0, 1, 1, 0]);
    // Dense kernel [in 4, out 2]: per output, keep the 2 largest of the 4 inputs.
    const w = Float32Array.of(1, -8, -5, 1, 2, 3, 0.5, 9);
    expect(Array.from(nmMask(w, [4, 2], { n: 2, m: 4 }))).toEqual([0, 1, 1, 0, 1, 0, 0, 1]);
    const model = denseNet({ inputs: 16, hidden: [8], outputs: 4, seed: 2 });
    const masks = pruneNow(model, 0.5, { pattern: { n: 2, m: 4 } });
    for (const e of masks.entries) {
      const k = e.variable.read().dataSync();
      const outs = e.shape[1];
      for (let o = 0; o < outs; o++) {
        for (let g = 0; g < e.shape[0]; g += 4) {
          let nz = 0;
          for (let r = g; r < g + 4; r++) if (k[r * outs + o] !== 0) nz++;
          expect(nz).toBeLessThanOrEqual(2);
        }
      }
    }
    expect(masks.sparsity().every((s) => s.sparsity >= 0.5)).toBe(true);
  });
});

function allLayersModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [12, 10, 1], filters: 8, kernelSize: [3, 3], strides: 2, padding: "same", useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.batchNormalization(),
      tf.layers.reLU({ maxValue: 6 }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, padding: "same", depthMultiplier: 2, depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.activation({ activation: "relu" }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 1 }),
      tf.layers.conv2d({ filters: 12, kernelSize: 1, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      tf.layers.averagePooling2d({ poolSize: 2, padding: "same" }),
      tf.layers.conv2d({ filters: 8, kernelSize: 1, activation: "relu6", kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dropout({ rate: 0.2 }),
      tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
      tf.layers.softmax(),
    ],
  });
  // Non-trivial batch-norm statistics, as after training.
  const bn = model.layers[1];
  bn.setWeights([tf.linspace(0.5, 1.5, 8), tf.linspace(-0.2, 0.3, 8), tf.linspace(-0.1, 0.1, 8), tf.linspace(0.5, 2, 8)]);
  return model;
}

describe("conversion of every supported layer", () => {
  let model: tf.Sequential;
  let x: tf.Tensor;
  beforeAll(async () => {
    await useBackend("wasm");
    model = allLayersModel();
    x = tf.randomUniform([40, 12, 10, 1], -1, 1, "float32", 9);
  });

  test("float graph equals tfjs; int8 follows within a few output LSB; .tflite agrees with TFLite's runtime", async () => {
    const q = quantizeModel(model, x, { method: "mse" });
    expect(q.graph.operators.map((o) => o.options.op)).toEqual([
      "CONV_2D", "DEPTHWISE_CONV_2D", "MAX_POOL_2D", "CONV_2D", "AVERAGE_POOL_2D", "CONV_2D", "MEAN", "FULLY_CONNECTED", "SOFTMAX",
    ]);
    const fused = q.graph.operators.map((o) => ("fusedActivation" in o.options ? o.options.fusedActivation : "-"));
    expect(fused).toEqual(["RELU6", "RELU", "NONE", "RELU", "NONE", "RELU6", "-", "NONE", "-"]);
    const dw = q.graph.tensors[q.graph.operators[1].inputs[1]];
    expect(dw.shape).toEqual([1, 3, 3, 16]);
    expect(dw.quant!.quantizedDimension).toBe(3);
    expect(dw.quant!.scale.length).toBe(16);
    const out = q.graph.tensors[q.graph.outputs[0]].quant!;
    expect([out.scale[0], out.zeroPoint[0]]).toEqual([1 / 256, -128]);

    const samples = toSamples(x);
    const ref = toSamples(model.predict(x) as tf.Tensor);
    expect(diff(predictGraph(q.floatGraph, samples), ref).max).toBeLessThan(1e-5);
    const int8 = predictGraph(q.graph, samples);
    const d8 = diff(int8, ref);
    console.log(`int8 vs float probabilities: max |Δ| ${d8.max.toFixed(4)}`);
    expect(d8.max).toBeLessThan(0.06);

    // Round trip: bit-exact; TFLite's runtime: logits within 3 LSB.
    const inputs = quantizeInputs(q.graph, samples);
    const back = readTflite(q.tflite());
    expect(diff(invokeInt8(q.graph, inputs), invokeInt8(back, inputs, "reference")).count).toBe(0);
    const logits = dropFinalSoftmax(q.graph);
    const rt = await loadTfliteRuntime(writeTflite(logits));
    const dl = diff(invokeInt8(logits, inputs), inputs.map((v) => rt.run([v])[0] as Int8Array));
    rt.dispose();
    console.log(`conv/depthwise/pool/mean model vs tfjs-tflite: logits ${dl.count}/${dl.total} differ, max ${dl.max} LSB`);
    // Nine layers deep, XNNPACK's float requantization differences compound a little.
    expect(dl.max).toBeLessThanOrEqual(3);
    const frt = await loadTfliteRuntime(q.floatTflite());
    expect(diff(samples.map((v) => frt.run([v])[0] as Float32Array), ref).max).toBeLessThan(1e-4);
    frt.dispose();
  }, 60_000);

  test("the course's DS-CNN (conv/depthwise + batch norm + ReLU, global pooling) converts; float graph = tfjs", () => {
    const ds = dsCnn({ frames: 20, channels: 10, filters: 8, blocks: 2, labels: 4, seed: 1 });
    // Trained-looking batch-norm statistics in every BN layer.
    ds.layers.filter((l) => l.getClassName() === "BatchNormalization").forEach((l, k) => {
      const c = l.getWeights()[0].shape[0];
      l.setWeights([tf.linspace(0.8, 1.2 + k / 10, c), tf.linspace(-0.1, 0.1, c), tf.linspace(-0.05, 0.05 * k, c), tf.linspace(0.6, 1.4, c)]);
    });
    const xs = tf.randomUniform([8, 20, 10, 1], -1, 1, "float32", 4);
    const q = quantizeModel(ds, xs);
    expect(q.graph.operators.map((o) => o.options.op)).toEqual([
      "CONV_2D", "DEPTHWISE_CONV_2D", "CONV_2D", "DEPTHWISE_CONV_2D", "CONV_2D", "MEAN", "FULLY_CONNECTED", "SOFTMAX",
    ]);
    const ref = toSamples(ds.predict(xs) as tf.Tensor);
    expect(diff(predictGraph(q.floatGraph, toSamples(xs)), ref).max).toBeLessThan(1e-5);
    expect(diff(predictGraph(q.graph, toSamples(xs)), ref).max).toBeLessThan(0.05);
  });

  test("per-tensor FULLY_CONNECTED weights on request", () => {
    const q = quantizeModel(model, x, { perChannelDense: false });
    const fc = q.graph.operators.find((o) => o.options.op === "FULLY_CONNECTED")!;
    expect(q.graph.tensors[fc.inputs[1]].quant!.scale.length).toBe(1);
    expect(q.graph.tensors[q.graph.operators[0].inputs[1]].quant!.scale.length).toBe(8);
  });
});

describe("quantization-aware training", () => {
  test("fake quantization: values on the int8 grid, straight-through gradient inside the range", () => {
    const x = tf.tensor([-2, -0.5, 0.1234, 0.9, 3]);
    const y = fakeQuantize(x, -1, 1);
    const yd = y.dataSync();
    const scale = 2 / 255;
    const zp = Math.round(-128 + 1 / scale);
    yd.forEach((v) => expect(Math.abs(v / scale - Math.round(v / scale) + 0 * zp)).toBeLessThan(1e-3));
    expect(yd[0]).toBeCloseTo((-128 - zp) * scale, 5);
    const g = tf.grad((t: tf.Tensor) => tf.sum(fakeQuantize(t, -1, 1)))(x).dataSync();
    expect(Array.from(g)).toEqual([0, 1, 1, 1, 0]);
    const k = fakeQuantizeKernel(tf.tensor([[1, -0.5], [0.25, 2]]));
    const kd = k.dataSync();
    expect(kd[0]).toBeCloseTo(1, 6); // column max stays exact
    expect(kd[3]).toBeCloseTo(2, 6);
    expect(kd[1] / (2 / 127)).toBeCloseTo(Math.round(-0.5 / (2 / 127)), 4);
  });

  test.skipIf(!HAVE_DIGITS)("QAT fine-tuning of a digits net keeps int8 accuracy at the float level", async () => {
    const d = digits("flat");
    const model = denseNet({ inputs: 64, hidden: [32], outputs: 10, outputActivation: "softmax", seed: 5 });
    model.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    await fit(model, d.x, d.y, { epochs: 8, batchSize: 64, seed: 1, progress: false });
    const floatAcc = modelAccuracy(model, d.xTest, d.labels);
    const ptq = graphAccuracy(quantizeModel(model, d.x).graph, toSamples(d.xTest), d.labels);
    const { history, ranges } = await qatFit(model, d.x, d.y, { epochs: 3, batchSize: 32, seed: 2 });
    expect(history.loss.length).toBe(3);
    expect([...ranges.keys()]).toEqual([model.layers[0].name]);
    const qatFloat = modelAccuracy(model, d.xTest, d.labels);
    const qat = graphAccuracy(quantizeModel(model, d.x).graph, toSamples(d.xTest), d.labels);
    // With the ranges QAT learned instead of calibrated ones.
    const qr = quantizeModel(model, d.x, { fixedRanges: ranges });
    const learned = ranges.get(model.layers[0].name)!;
    expect(qr.ranges.ops[0]).toEqual(learned);
    const qatRanges = graphAccuracy(qr.graph, toSamples(d.xTest), d.labels);
    console.log(`float ${pct(floatAcc)}, PTQ int8 ${pct(ptq)}; after QAT: float ${pct(qatFloat)}, int8 ${pct(qat)} (QAT ranges ${pct(qatRanges)})`);
    expect(qatRanges).toBeGreaterThanOrEqual(floatAcc - 0.01);
    expect(qat).toBeGreaterThanOrEqual(floatAcc - 0.01);
    expect(qat).toBeGreaterThanOrEqual(ptq - 0.01);
  }, 60_000);
});
