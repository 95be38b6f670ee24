/**
 * Training-step speed of the wasm backend (with tinyml-kit's gradient kernels) against tfjs' cpu backend, on
 * micro_speech's tiny_conv (49×40 input, 10×8 conv) and a small DS-CNN. Both are measured in this run.
 *
 *   node_modules/.bin/deno run -A bench/train_backends.ts
 *
 * Goal (issue 4): wasm ≥ 10× faster than cpu per training step on the 49×40 conv net.
 */
import * as tf from "@tensorflow/tfjs";
import { dsCnn, tinyConv, useBackend } from "../lib/train/mod.ts";
import type { TrainingBackend } from "../lib/train/mod.ts";

const BATCH = 32;

async function stepMillis(backend: TrainingBackend, build: () => tf.Sequential, repeats: number): Promise<number> {
  await useBackend(backend);
  const model = build();
  model.compile({ optimizer: tf.train.sgd(0.01), loss: "categoricalCrossentropy" });
  const [, h, w] = model.inputs[0].shape as number[];
  const classes = (model.outputs[0].shape as number[])[1];
  const x = tf.randomNormal([BATCH, h, w, 1], 0, 1, "float32", 1);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, classes, "int32", 2) as tf.Tensor1D, classes);
  await model.trainOnBatch(x, y); // warm-up: kernel compilation, allocation
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await model.trainOnBatch(x, y);
    times.push(performance.now() - t0);
  }
  tf.dispose([x, y]);
  model.dispose();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const nets: [string, () => tf.Sequential][] = [
  ["tiny_conv 49×40", () => tinyConv({ seed: 1 })],
  ["ds_cnn 49×10, 32 filters", () => dsCnn({ channels: 10, filters: 32, seed: 1 })],
];
console.log(`training step, batch ${BATCH}: median milliseconds`);
console.log("net                          cpu ms   wasm ms   wasm speed-up");
for (const [name, build] of nets) {
  const cpu = await stepMillis("cpu", build, 5);
  const wasm = await stepMillis("wasm", build, 15);
  console.log(`${name.padEnd(28)} ${cpu.toFixed(1).padStart(6)}  ${wasm.toFixed(1).padStart(8)}   ${(cpu / wasm).toFixed(1).padStart(6)}×`);
}
