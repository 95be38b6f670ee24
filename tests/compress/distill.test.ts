/**
 * Knowledge distillation on the 8×8 digits: a teacher trained on the full training set; a tiny student
 * given only 300 labelled images learns better from the teacher's softened outputs on those images than from
 * the labels alone — averaged over three seeds, same data, same loop, same epochs.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, test } from "vitest";
import { denseNet, fit, useBackend } from "../../lib/train/mod.ts";
import { distill, distillationLoss, logitsOf, modelAccuracy, trainStudentAlone } from "../../lib/compress/mod.ts";
import { digits, HAVE_DIGITS, pct } from "./helpers.ts";

describe("distillation loss", () => {
  test("α = 1 is cross-entropy; equal logits give zero KL; T² scaling", async () => {
    await useBackend("wasm");
    const y = tf.tensor2d([[0, 1, 0]]);
    const s = tf.tensor2d([[1, 2, 0.5]]);
    const ce = -Math.log(Math.exp(2) / (Math.exp(1) + Math.exp(2) + Math.exp(0.5)));
    expect(distillationLoss(y, s, s, 4, 1).dataSync()[0]).toBeCloseTo(ce, 5);
    expect(distillationLoss(y, s, s, 4, 0).dataSync()[0]).toBeCloseTo(0, 6);
    const t = tf.tensor2d([[0, 3, -1]]);
    const kl = (T: number) => distillationLoss(y, s, t, T, 0).dataSync()[0];
    expect(kl(2)).toBeGreaterThan(0);
    // Mixed: α·CE + (1−α)·T²·KL.
    expect(distillationLoss(y, s, t, 2, 0.3).dataSync()[0]).toBeCloseTo(0.3 * ce + 0.7 * kl(2), 5);
  });

  test("logitsOf recovers the pre-softmax values of a softmax Dense", async () => {
    await useBackend("wasm");
    const m = denseNet({ inputs: 4, hidden: [3], outputs: 3, outputActivation: "softmax", seed: 1 });
    const x = tf.randomUniform([5, 4], 0, 1, "float32", 3);
    const p = tf.softmax(logitsOf(m, x));
    expect(tf.max(tf.abs(tf.sub(p, m.predict(x) as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-6);
  });
});

describe.skipIf(!HAVE_DIGITS)("distillation on the digits", () => {
  test("the distilled student beats the same student trained alone (mean of 3 seeds)", async () => {
    await useBackend("wasm");
    const d = digits("flat");
    const teacher = denseNet({ inputs: 64, hidden: [64, 32], outputs: 10, outputActivation: "softmax", seed: 1 });
    teacher.compile({ optimizer: tf.train.adam(0.005), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    await fit(teacher, d.x, d.y, { epochs: 15, batchSize: 64, seed: 1, progress: false });
    const teacherAcc = modelAccuracy(teacher, d.xTest, d.labels);
    const [xs, ys] = [d.x.slice(0, 300), d.y.slice(0, 300)];
    const opts = { epochs: 30, batchSize: 32, temperature: 4, alpha: 0.1 };
    const alone: number[] = [];
    const distilled: number[] = [];
    for (const seed of [1, 2, 3]) {
      const a = denseNet({ inputs: 64, hidden: [16], outputs: 10, outputActivation: "softmax", seed });
      await trainStudentAlone(a, xs, ys, { ...opts, seed });
      alone.push(modelAccuracy(a, d.xTest, d.labels));
      const b = denseNet({ inputs: 64, hidden: [16], outputs: 10, outputActivation: "softmax", seed });
      const h = await distill(teacher, b, xs, ys, { ...opts, seed });
      expect(h.loss[h.loss.length - 1]).toBeLessThan(h.loss[0]);
      distilled.push(modelAccuracy(b, d.xTest, d.labels));
    }
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    console.log(
      `teacher (64-64-32-10, 1437 images) ${pct(teacherAcc)}; student 64-16-10 on 300 images, T=4, α=0.1:\n` +
        `  alone     ${alone.map(pct).join(", ")} → mean ${pct(mean(alone))}\n` +
        `  distilled ${distilled.map(pct).join(", ")} → mean ${pct(mean(distilled))}`,
    );
    expect(mean(distilled)).toBeGreaterThan(mean(alone));
  }, 90_000);
});
