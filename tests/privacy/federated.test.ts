import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, test } from "vitest";
import { loadDigits8x8 } from "../../lib/data/mod.ts";
import {
  classCounts,
  dirichletSplit,
  featureBytes,
  fedAvg,
  getFlatWeights,
  iidSplit,
  imuBytes,
  labelSkewSplit,
  lossPerExample,
  modelUpdateBytes,
  payloadTable,
  PrivacyInputError,
  rawAudioBytes,
  setFlatWeights,
  weightedAverage,
} from "../../lib/privacy/mod.ts";
import { denseNet, useBackend } from "../../lib/train/mod.ts";

const digits = loadDigits8x8({ seed: 5 });
const labels = digits.train.labels;

function isPartition(split: number[][], n: number): boolean {
  const all = split.flat().sort((a, b) => a - b);
  return all.length === n && all.every((v, i) => v === i);
}

describe("client splits", () => {
  test("IID: a partition into equal parts, every client sees every class", () => {
    const split = iidSplit(labels, 10, 1);
    expect(isPartition(split, labels.length)).toBe(true);
    const sizes = split.map((s) => s.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const row of classCounts(labels, split)) expect(row.every((c) => c > 0)).toBe(true);
    expect(iidSplit(labels, 10, 1)).toEqual(split);
    expect(iidSplit(labels, 10, 2)).not.toEqual(split);
  });

  test("label skew: each client holds exactly k classes; a class is shared equally by its holders", () => {
    for (const k of [1, 2, 3]) {
      const split = labelSkewSplit(labels, 10, k, 4);
      expect(isPartition(split, labels.length)).toBe(true);
      const counts = classCounts(labels, split);
      for (const row of counts) expect(row.filter((c) => c > 0).length).toBe(k);
      for (let cls = 0; cls < 10; cls++) {
        const held = counts.map((r) => r[cls]).filter((c) => c > 0);
        expect(Math.max(...held) - Math.min(...held)).toBeLessThanOrEqual(1);
      }
    }
    expect(() => labelSkewSplit(labels, 3, 2)).toThrow(PrivacyInputError); // 6 slots cannot cover 10 classes
  });

  test("Dirichlet: a partition; small α concentrates each client on few classes, large α is near IID", () => {
    const topShare = (alpha: number) => {
      const split = dirichletSplit(labels, 10, alpha, 3);
      expect(isPartition(split, labels.length)).toBe(true);
      const rows = classCounts(labels, split).filter((r) => r.some((c) => c > 0));
      return rows.reduce((a, r) => a + Math.max(...r) / r.reduce((s, c) => s + c, 0), 0) / rows.length;
    };
    const [skewed, middle, even] = [0.1, 1, 100].map(topShare);
    expect(skewed).toBeGreaterThan(middle);
    expect(middle).toBeGreaterThan(even);
    expect(skewed).toBeGreaterThan(0.5);
    expect(even).toBeLessThan(0.2);
  });
});

describe("federated averaging", () => {
  beforeAll(async () => {
    expect(await useBackend("wasm")).toBe("wasm");
  });

  test("the server's average is weighted by sample count (hand-checked)", () => {
    const avg = weightedAverage([
      { weights: [Float32Array.of(1, 2), Float32Array.of(10)], n: 1 },
      { weights: [Float32Array.of(5, 10), Float32Array.of(-2)], n: 3 },
    ]);
    expect(Array.from(avg[0])).toEqual([4, 8]);
    expect(Array.from(avg[1])).toEqual([1]);
    // Equal counts: the plain mean.
    const plain = weightedAverage([{ weights: [Float32Array.of(1, 3)], n: 7 }, {
      weights: [Float32Array.of(3, 5)],
      n: 7,
    }]);
    expect(Array.from(plain[0])).toEqual([2, 4]);
    expect(() => weightedAverage([])).toThrow(PrivacyInputError);
  });

  test("one round of one full-batch local step equals one centralised gradient step on all the data", async () => {
    const x = tf.tensor2d(digits.train.images.slice(0, 30 * 64), [30, 64]);
    const y = tf.tensor1d(Array.from(labels.slice(0, 30)), "float32");
    const clients = [
      [0, 1, 2, 3, 4],
      Array.from({ length: 10 }, (_, i) => 5 + i),
      Array.from({ length: 15 }, (_, i) => 15 + i),
    ];
    const federated = denseNet({ inputs: 64, hidden: [8], outputs: 10, outputActivation: "softmax", seed: 9 });
    const central = denseNet({ inputs: 64, hidden: [8], outputs: 10, outputActivation: "softmax", seed: 9 });
    await fedAvg(federated, x, y, {
      clients,
      rounds: 1,
      localEpochs: 1,
      batchSize: 100,
      learningRate: 0.5,
      progress: false,
    });
    const sgd = tf.train.sgd(0.5);
    sgd.minimize(() =>
      tf.mean(lossPerExample(central.apply(x) as tf.Tensor, y, "sparseCategoricalCrossentropy")) as tf.Scalar
    );
    const [a, b] = [getFlatWeights(federated), getFlatWeights(central)];
    const start = getFlatWeights(
      denseNet({ inputs: 64, hidden: [8], outputs: 10, outputActivation: "softmax", seed: 9 }),
    );
    a.forEach((w, k) => {
      let moved = 0;
      w.forEach((v, i) => {
        expect(Math.abs(v - b[k][i])).toBeLessThan(1e-5);
        moved = Math.max(moved, Math.abs(v - start[k][i]));
      });
      expect(moved).toBeGreaterThan(1e-4); // it did train
    });
    tf.dispose([x, y]);
  });

  test("IID clients reach a better global model than two-classes-per-client ones; uploads are counted", async () => {
    const x = tf.tensor2d(digits.train.images, [digits.train.n, 64]);
    const y = tf.tensor1d(Array.from(labels), "float32");
    const xTest = tf.tensor2d(digits.test.images, [digits.test.n, 64]);
    const run = async (clients: number[][]) => {
      const model = denseNet({ inputs: 64, hidden: [32], outputs: 10, outputActivation: "softmax", seed: 2 });
      return await fedAvg(model, x, y, {
        clients,
        rounds: 4,
        localEpochs: 2,
        batchSize: 16,
        learningRate: 0.1,
        seed: 1,
        progress: false,
        test: { x: xTest, y: digits.test.labels },
      });
    };
    const iid = await run(iidSplit(labels, 10, 0));
    const skew = await run(labelSkewSplit(labels, 10, 2, 0));
    console.log(
      `FedAvg accuracy per round: IID ${iid.accuracy.map((a) => a.toFixed(3))}, 2 classes/client ${
        skew.accuracy.map((a) => a.toFixed(3))
      }`,
    );
    expect(iid.accuracy.length).toBe(4);
    expect(iid.accuracy.at(-1)!).toBeGreaterThan(0.75);
    expect(iid.accuracy.at(-1)!).toBeGreaterThan(skew.accuracy.at(-1)! + 0.03);
    expect(iid.accuracy.at(-1)!).toBeGreaterThan(iid.accuracy[0]);
    expect(iid.parameters).toBe(64 * 32 + 32 + 32 * 10 + 10);
    expect(iid.uploadedBytes).toEqual(new Array(4).fill(10 * iid.parameters * 4));
    tf.dispose([x, y, xTest]);
  }, 120_000);

  test("setFlatWeights / getFlatWeights round-trip", () => {
    const model = denseNet({ inputs: 4, hidden: [3], outputs: 2, seed: 1 });
    const w = getFlatWeights(model).map((a) => a.map((v, i) => v + i));
    setFlatWeights(model, w);
    expect(getFlatWeights(model)).toEqual(w);
    expect(() => setFlatWeights(model, w.slice(1))).toThrow(PrivacyInputError);
  });
});

describe("what leaves the device", () => {
  test("bytes of raw audio, IMU, features and a model update", () => {
    expect(rawAudioBytes()).toBe(32_000);
    expect(rawAudioBytes(0.5, 8000, 8)).toBe(4000);
    expect(imuBytes()).toBe(2 * 100 * 6 * 2);
    expect(featureBytes()).toBe(49 * 40);
    const model = denseNet({ inputs: 64, hidden: [32], outputs: 10, seed: 0 });
    expect(modelUpdateBytes(model)).toBe(2410 * 4);
    expect(modelUpdateBytes(2410, 1)).toBe(2410);
    const table = payloadTable([{ what: "raw audio", bytes: 32_000 }, { what: "label", bytes: 1 }, {
      what: "features",
      bytes: 1960,
    }]);
    const lines = table.split("\n");
    expect(lines.map((l) => l.split(/\s{2,}/)[0])).toEqual(["raw audio", "features", "label"]);
    expect(lines[2]).toMatch(/1 B/);
  });
});
