import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, test } from "vitest";
import { quantizeModel } from "../../lib/compress/mod.ts";
import {
  accuracyOf,
  adversarialTrain,
  AttackOptionsError,
  deviceInputs,
  hitRate,
  int8ToUnit,
  modelLogits,
  perturbationSize,
  pgdAttack,
  predictFloat,
  predictInt8,
  randomSearchAttack,
  unitToInt8,
} from "../../lib/security/mod.ts";
import { denseNet, fit, useBackend } from "../../lib/train/mod.ts";
import { mulberry32 } from "../../lib/util/random.ts";

// A toy 3-class problem on 16 features in [0, 1]: the class is which quarter of the features is brightest.
function toyData(n: number, seed: number): { x: Float32Array[]; y: number[] } {
  const rng = mulberry32(seed);
  const x: Float32Array[] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x.push(Float32Array.from({ length: 16 }, (_, k) => Math.min(1, 0.2 * rng() + (Math.floor(k / 4) === c ? 0.6 : 0.1))));
    y.push(c);
  }
  return { x, y };
}

const train = toyData(240, 1), held = toyData(60, 2);
let model: tf.LayersModel;

beforeAll(async () => {
  await useBackend("cpu");
  model = denseNet({ inputs: 16, hidden: [12], outputs: 3, outputActivation: "softmax", seed: 3 });
  model.compile({ optimizer: tf.train.adam(0.02), loss: "sparseCategoricalCrossentropy" });
  await fit(model, tf.tensor2d(train.x.map((v) => Array.from(v))), tf.tensor1d(train.y, "float32"), { epochs: 30, batchSize: 32, progress: false });
}, 60_000);

describe("adversarial examples", () => {
  test("the toy model learns its task", () => {
    expect(accuracyOf(predictFloat(model, held.x), held.y)).toBeGreaterThan(0.95);
  });

  test("modelLogits are the softmax's pre-activation", () => {
    const x = tf.tensor2d(held.x.slice(0, 5).map((v) => Array.from(v)));
    const p = (model.predict(x) as tf.Tensor).arraySync() as number[][];
    const softmaxOfLogits = tf.softmax(modelLogits(model, x)).arraySync() as number[][];
    p.forEach((row, i) => row.forEach((v, k) => expect(softmaxOfLogits[i][k]).toBeCloseTo(v, 5)));
  });

  test("targeted PGD stays in the epsilon ball and the valid range, and succeeds more with a bigger budget", () => {
    const victims = held.x.filter((_, i) => held.y[i] !== 0);
    const rates = [0.02, 0.1, 0.4].map((epsilon) => {
      const adv = pgdAttack(model, victims, { epsilon, target: 0, steps: 20 });
      const size = perturbationSize(victims, adv);
      expect(size.max).toBeLessThanOrEqual(epsilon + 1e-6);
      adv.forEach((a) => a.forEach((v) => expect(v >= 0 && v <= 1).toBe(true)));
      return hitRate(predictFloat(model, adv), 0);
    });
    expect(rates[0]).toBeLessThan(0.2);
    expect(rates[2]).toBeGreaterThan(0.9);
    expect(rates[1]).toBeGreaterThanOrEqual(rates[0]);
  });

  test("untargeted PGD lowers accuracy; epsilon 0 changes nothing", () => {
    const adv = pgdAttack(model, held.x, { epsilon: 0.4, labels: held.y, steps: 20 });
    expect(accuracyOf(predictFloat(model, adv), held.y)).toBeLessThan(0.2);
    const same = pgdAttack(model, held.x, { epsilon: 0, target: 1 });
    expect(perturbationSize(held.x, same).max).toBe(0);
  });

  test("the attack transfers to the int8 model", () => {
    const q = quantizeModel(model, train.x, { perChannelDense: false });
    expect(accuracyOf(predictInt8(q.graph, held.x), held.y)).toBeGreaterThan(0.9);
    const victims = held.x.filter((_, i) => held.y[i] !== 0);
    const adv = pgdAttack(model, victims, { epsilon: 0.4, target: 0, steps: 20 });
    expect(hitRate(predictInt8(q.graph, adv), 0)).toBeGreaterThan(0.8);
    expect(deviceInputs(q.graph, victims)[0]).toBeInstanceOf(Int8Array);
  });

  test("black-box block search needs only the int8 scores and respects epsilon", () => {
    const q = quantizeModel(model, train.x, { perChannelDense: false });
    const victims = deviceInputs(q.graph, held.x.filter((_, i) => held.y[i] !== 0).slice(0, 8));
    const results = victims.map((x, i) => randomSearchAttack(q.graph, x, 0, { epsilon: 100, queries: 60, shape: [4, 4], block: [1, 4], seed: i }));
    results.forEach((r, i) => {
      expect(r.queries).toBeLessThanOrEqual(60);
      r.adversarial.forEach((v, k) => expect(Math.abs(v - victims[i][k])).toBeLessThanOrEqual(100));
    });
    expect(results.filter((r) => r.success).length).toBeGreaterThanOrEqual(4);
    const won = results.filter((r) => r.success).map((r) => r.adversarial);
    expect(won.every((a) => predictInt8(q.graph, [int8ToUnitFor(q.graph, a)])[0] === 0)).toBe(true);
    expect(() => randomSearchAttack(q.graph, victims[0], 0, { epsilon: 4, shape: [5, 5] })).toThrow(AttackOptionsError);
  });

  test("adversarial training makes the same attack succeed less, keeping clean accuracy", async () => {
    const robust = denseNet({ inputs: 16, hidden: [12], outputs: 3, outputActivation: "softmax", seed: 3 });
    robust.setWeights(model.getWeights());
    const victims = held.x.filter((_, i) => held.y[i] !== 0);
    const rate = (m: tf.LayersModel, epsilon: number) => hitRate(predictFloat(m, pgdAttack(m, victims, { epsilon, target: 0, steps: 20 })), 0);
    const losses = await adversarialTrain(robust, train.x, train.y, { epochs: 6, epsilon: 0.3, steps: 5, seed: 1, learningRate: 0.01 });
    expect(losses.length).toBe(6);
    // Measured: 0.875 -> 0.275 at epsilon 0.25.
    expect(rate(model, 0.25)).toBeGreaterThan(0.6);
    expect(rate(robust, 0.25)).toBeLessThan(rate(model, 0.25) - 0.3);
    expect(accuracyOf(predictFloat(robust, held.x), held.y)).toBeGreaterThan(0.9);
  }, 60_000);

  test("bad options are typed errors", () => {
    expect(() => pgdAttack(model, held.x, { epsilon: 0.1 })).toThrow(AttackOptionsError);
    expect(() => pgdAttack(model, held.x, { epsilon: -1, target: 0 })).toThrow(AttackOptionsError);
    expect(() => pgdAttack(model, [new Float32Array(3)], { epsilon: 0.1, target: 0 })).toThrow(/takes 16/);
  });

  test("int8 feature conversions round-trip", () => {
    const q = Int8Array.from({ length: 256 }, (_, i) => i - 128);
    expect(unitToInt8(int8ToUnit(q))).toEqual(q);
  });
});

/** int8 model input -> a float example that quantizes back to it (for predictInt8). */
function int8ToUnitFor(graph: ReturnType<typeof quantizeModel>["graph"], a: Int8Array): Float32Array {
  const qp = graph.tensors[graph.inputs[0]].quant!;
  return Float32Array.from(a, (v) => (v - qp.zeroPoint[0]) * qp.scale[0]);
}
