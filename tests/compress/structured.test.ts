/**
 * Structured pruning: units removed and the next layers rewired give a smaller model — exactly the same
 * function when the removed units were dead, and on trained digits models smaller arena, flash and MACs.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, test } from "vitest";
import { denseNet, digitsCnn, fit, useBackend } from "../../lib/train/mod.ts";
import {
  compressionReport, countMacs, dropFinalSoftmax, invokeInt8, modelAccuracy, pruneUnits, quantizeInputs, quantizeModel, sliceAxis, toSamples, unitNorms,
} from "../../lib/compress/mod.ts";
import { writeTflite } from "../../lib/tflite/mod.ts";
import { loadTfliteRuntime } from "../../lib/tflite_runtime/mod.ts";
import { planMemory } from "../../lib/plan/mod.ts";
import { digits, HAVE_DIGITS, pct } from "./helpers.ts";

/** Zero the kernel columns and biases of the given units of a layer (making them dead after ReLU). */
function killUnits(layer: tf.layers.Layer, units: number[]) {
  const [k, b] = layer.getWeights();
  const kd = k.dataSync().slice() as Float32Array;
  const bd = b.dataSync().slice() as Float32Array;
  const n = k.shape[k.shape.length - 1];
  for (let i = 0; i < kd.length; i++) if (units.includes(i % n)) kd[i] = 0;
  for (const u of units) bd[u] = 0;
  layer.setWeights([tf.tensor(kd, k.shape), tf.tensor(bd, b.shape)]);
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe("structured pruning: rewiring", () => {
  beforeAll(async () => {
    await useBackend("wasm");
  });

  test("helpers: sliceAxis and unit norms", () => {
    const a = Float32Array.from({ length: 24 }, (_, i) => i);
    const s = sliceAxis(a, [2, 3, 4], 1, [0, 2]);
    expect(s.shape).toEqual([2, 2, 4]);
    expect(Array.from(s.data.slice(0, 8))).toEqual([0, 1, 2, 3, 8, 9, 10, 11]);
    expect(unitNorms(Float32Array.of(1, -2, 3, 4), [2, 2], 1)).toEqual([4, 6]);
    expect(unitNorms(Float32Array.of(3, 0, 4, 1), [2, 2], 2)).toEqual([5, 1]);
  });

  test("dense: removing dead neurons leaves the function unchanged", () => {
    const model = denseNet({ inputs: 16, hidden: [12, 8], outputs: 5, outputActivation: "softmax", seed: 3 });
    killUnits(model.layers[0], [1, 4, 5, 7, 9, 11]);
    killUnits(model.layers[1], [0, 2, 3, 6]);
    const { model: small, layers, paramsAfter, paramsBefore } = pruneUnits(model, { fraction: 0.5, criterion: "l1" });
    expect(layers.map((l) => l.kept)).toEqual([[0, 2, 3, 6, 8, 10], [1, 4, 5, 7]]);
    expect(small.layers.map((l) => (l.getConfig() as { units: number }).units)).toEqual([6, 4, 5]);
    expect(paramsAfter).toBe(16 * 6 + 6 + 6 * 4 + 4 + 4 * 5 + 5);
    expect(paramsBefore).toBe(model.countParams());
    const x = tf.randomUniform([20, 16], 0, 1, "float32", 1);
    expect(maxDiff(model.predict(x) as tf.Tensor, small.predict(x) as tf.Tensor)).toBeLessThan(1e-5);
  });

  test("CNN: removing dead filters rewires the next conv's channels and the flatten→dense rows", () => {
    const model = digitsCnn({ size: 8, seed: 4 });
    killUnits(model.layers[0], [0, 3, 5, 6]);
    killUnits(model.layers[2], [1, 2, 4, 8, 9, 10, 13, 15]);
    const { model: small, layers } = pruneUnits(model, { fraction: 0.5, criterion: "l2" });
    expect(layers.map((l) => l.after)).toEqual([4, 8]);
    expect(small.layers[5].getWeights()[0].shape).toEqual([2 * 2 * 8, 10]);
    const x = tf.randomUniform([10, 8, 8, 1], 0, 1, "float32", 2);
    expect(maxDiff(model.predict(x) as tf.Tensor, small.predict(x) as tf.Tensor)).toBeLessThan(1e-5);
  });

  test("conv → batch norm → depthwise → conv → global pooling: channels pruned through BN and depthwise", () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 8, kernelSize: 3, padding: "same", useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.batchNormalization(),
        tf.layers.reLU(),
        tf.layers.depthwiseConv2d({ kernelSize: 3, padding: "same", depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        tf.layers.conv2d({ filters: 6, kernelSize: 1, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
      ],
    });
    const sample = tf.randomUniform([16, 8, 8, 1], 0, 1, "float32", 5);
    const { model: small, layers } = pruneUnits(model, { fraction: 0.5, criterion: "activation", sample });
    expect(layers.map((l) => [l.before, l.after])).toEqual([[8, 4], [6, 3]]);
    expect(small.layers[1].getWeights()[0].shape).toEqual([4]);
    expect(small.layers[3].getWeights()[0].shape).toEqual([3, 3, 4, 1]);
    expect((small.predict(sample) as tf.Tensor).shape).toEqual([16, 10]);
    // The smaller model still converts: BN folded, depthwise and MEAN in the int8 graph.
    const q = quantizeModel(small, sample);
    expect(q.graph.operators.map((o) => o.options.op)).toEqual(["CONV_2D", "DEPTHWISE_CONV_2D", "CONV_2D", "MEAN", "FULLY_CONNECTED", "SOFTMAX"]);
  });
});

describe.skipIf(!HAVE_DIGITS)("structured pruning: 50 % of the digits CNN's filters", () => {
  test("smaller arena, flash and MACs; accuracy after a short fine-tune stated", async () => {
    await useBackend("wasm");
    const d = digits("image");
    const model = digitsCnn({ size: 8, seed: 1, filters: [16, 32] });
    model.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    await fit(model, d.x, d.y, { epochs: 8, batchSize: 32, seed: 1, progress: false });
    const before = modelAccuracy(model, d.xTest, d.labels);
    const { model: small, table } = pruneUnits(model, { fraction: 0.5, criterion: "l1" });
    console.log(table);
    const pruned = modelAccuracy(small, d.xTest, d.labels);
    small.compile({ optimizer: tf.train.adam(0.003), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    await fit(small, d.x, d.y, { epochs: 4, batchSize: 32, seed: 2, progress: false });
    const tuned = modelAccuracy(small, d.xTest, d.labels);
    const qa = quantizeModel(model, d.x);
    const qb = quantizeModel(small, d.x);
    const r = compressionReport([{ name: "int8 CNN 16/32", graph: qa.graph }, { name: "int8 CNN 8/16 (pruned)", graph: qb.graph }], {
      test: { samples: toSamples(d.xTest), labels: d.labels },
      latencyRuns: 0,
    });
    console.log(r.table);
    console.log(`float accuracy ${pct(before)} → pruned ${pct(pruned)} → fine-tuned ${pct(tuned)} (loss ${(100 * (before - tuned)).toFixed(2)} pt)`);
    const [pa, pb] = [planMemory(qa.graph), planMemory(qb.graph)];
    expect(pb.arenaBytes).toBeLessThan(pa.arenaBytes);
    expect(pb.flashBytes.total).toBeLessThan(pa.flashBytes.total / 2);
    expect(countMacs(qb.graph)).toBeLessThan(countMacs(qa.graph) / 2);
    expect(tuned).toBeGreaterThan(before - 0.05);
    // The pruned int8 model loads in TFLite's runtime and agrees (logits within 2 LSB).
    const inputs = quantizeInputs(qb.graph, toSamples(d.xTest).slice(0, 100));
    const logits = dropFinalSoftmax(qb.graph);
    const rt = await loadTfliteRuntime(writeTflite(logits));
    const ours = invokeInt8(logits, inputs);
    const worst = Math.max(...inputs.map((x, i) => Math.max(...Array.from(rt.run([x])[0] as Int8Array, (v, j) => Math.abs(v - ours[i][j])))));
    rt.dispose();
    console.log(`pruned CNN vs tfjs-tflite: logits max ${worst} LSB apart`);
    expect(worst).toBeLessThanOrEqual(2);
  }, 90_000);
});
