import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, test } from "vitest";
import { autoencoder, digitsCnn, dsCnn, fit, sineNet, tinyConv, trainingCurves, useBackend } from "../../lib/train/mod.ts";

describe("model builders and seeded training", () => {
  beforeAll(async () => {
    expect(await useBackend("wasm")).toBe("wasm");
  });

  test("builders give the course's shapes", () => {
    const cases: [tf.Sequential, number[], number[]][] = [
      [sineNet(), [1, 1], [1, 1]],
      [digitsCnn({ size: 8 }), [1, 8, 8, 1], [1, 10]],
      [digitsCnn({ size: 28 }), [1, 28, 28, 1], [1, 10]],
      [tinyConv(), [1, 49, 40, 1], [1, 4]],
      [dsCnn({ channels: 10, filters: 16 }), [1, 49, 10, 1], [1, 12]],
      [autoencoder({ inputs: 64 }), [1, 64], [1, 64]],
    ];
    for (const [model, inShape, outShape] of cases) {
      const y = model.predict(tf.zeros(inShape)) as tf.Tensor;
      expect(y.shape).toEqual(outShape);
      tf.dispose(y);
    }
    // tiny_conv: 10·8·8 + 8 conv weights, 25·20·8·4 + 4 dense weights
    expect(tinyConv().countParams()).toBe(10 * 8 * 8 + 8 + 25 * 20 * 8 * 4 + 4);
  });

  test("same seed → same weights and the same training history; another seed differs", async () => {
    const xs = tf.linspace(0, 2 * Math.PI, 64).reshape([64, 1]);
    const ys = tf.sin(xs);
    const run = async (seed: number) => {
      const model = sineNet({ seed });
      model.compile({ optimizer: tf.train.adam(0.02), loss: "meanSquaredError" });
      const history = await fit(model, xs, ys, { epochs: 30, batchSize: 16, seed, progress: false });
      return { history, weights: Array.from(model.getWeights()[0].dataSync()) };
    };
    const a = await run(3);
    const b = await run(3);
    const c = await run(4);
    expect(b.weights).toEqual(a.weights);
    expect(b.history.loss).toEqual(a.history.loss);
    expect(c.weights).not.toEqual(a.weights);
    // and training does learn
    expect(a.history.loss.at(-1)!).toBeLessThan(a.history.loss[0] / 2);
    const fig = trainingCurves(a.history);
    expect(fig.data).toHaveLength(1);
    expect(fig.data[0].y).toHaveLength(30);
  });

  test("a conv net trains on the wasm backend with our gradient kernels", async () => {
    // two classes of 8×8 images: bright top half vs bright bottom half
    const n = 64;
    const images = new Float32Array(n * 64);
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const top = i % 2;
      labels.push(top);
      for (let p = 0; p < 64; p++) images[i * 64 + p] = ((p < 32) === (top === 1) ? 1 : 0) + 0.1 * Math.sin(i * 7 + p);
    }
    const x = tf.tensor4d(images, [n, 8, 8, 1]);
    const y = tf.oneHot(tf.tensor1d(labels, "int32"), 2);
    const model = digitsCnn({ size: 8, classes: 2, seed: 1 });
    model.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    const history = await fit(model, x, y, { epochs: 8, batchSize: 16, progress: false });
    expect(history.acc.at(-1)!).toBeGreaterThan(0.95);
  });
});
