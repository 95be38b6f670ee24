import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { beforeAll, describe, expect, test } from "vitest";
import { registerWasmGradients } from "../../lib/train/mod.ts";

/** Gradients of sum(f(x, w) * r) w.r.t. x and w on one backend, as plain arrays. */
async function grads(
  backend: string,
  f: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor,
  x: number[] | Float32Array,
  xShape: number[],
  w: Float32Array,
  wShape: number[],
  r: Float32Array,
): Promise<{ dx: Float32Array; dw: Float32Array }> {
  await tf.setBackend(backend);
  const xt = tf.tensor4d(x, xShape as [number, number, number, number]);
  const wt = tf.tensor4d(w, wShape as [number, number, number, number]);
  const loss = (a: tf.Tensor4D, b: tf.Tensor4D) => {
    const y = f(a, b);
    return y.mul(tf.tensor(r.subarray(0, y.size), y.shape)).sum();
  };
  const [dx, dw] = tf.grads(loss as (...args: tf.Tensor[]) => tf.Tensor)([xt, wt]);
  const out = { dx: (await dx.data()) as Float32Array, dw: (await dw.data()) as Float32Array };
  tf.dispose([xt, wt, dx, dw]);
  return out;
}

function random(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

function maxRelErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let scale = 1e-6;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return err / scale;
}

const cases: { name: string; x: number[]; w: number[]; f: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor }[] = [
  { name: "conv2d 3x3 same stride 1", x: [2, 7, 6, 3], w: [3, 3, 3, 4], f: (x, w) => tf.conv2d(x, w, 1, "same") },
  { name: "conv2d 10x8 same stride 2 (tiny_conv)", x: [2, 49, 40, 1], w: [10, 8, 1, 8], f: (x, w) => tf.conv2d(x, w, [2, 2], "same") },
  { name: "conv2d 3x2 valid stride (2,1)", x: [1, 9, 8, 2], w: [3, 2, 2, 3], f: (x, w) => tf.conv2d(x, w, [2, 1], "valid") },
  { name: "depthwise 3x3 same stride 1", x: [2, 6, 5, 4], w: [3, 3, 4, 1], f: (x, w) => tf.depthwiseConv2d(x, w, 1, "same") },
  { name: "depthwise 3x3 same stride 2 multiplier 2", x: [1, 9, 7, 3], w: [3, 3, 3, 2], f: (x, w) => tf.depthwiseConv2d(x, w, 2, "same") },
  { name: "depthwise 2x3 valid stride (1,2)", x: [1, 8, 9, 2], w: [2, 3, 2, 1], f: (x, w) => tf.depthwiseConv2d(x, w, [1, 2], "valid") },
];

describe("wasm gradient kernels agree with the cpu backend", () => {
  beforeAll(() => registerWasmGradients());

  for (const [i, c] of cases.entries()) {
    test(c.name, async () => {
      const xs = random(c.x.reduce((a, b) => a * b), 10 + i);
      const ws = random(c.w.reduce((a, b) => a * b), 20 + i);
      const r = random(1 << 16, 30 + i);
      const cpu = await grads("cpu", c.f, xs, c.x, ws, c.w, r);
      const wasm = await grads("wasm", c.f, xs, c.x, ws, c.w, r);
      expect(maxRelErr(wasm.dw, cpu.dw)).toBeLessThan(1e-5);
      expect(maxRelErr(wasm.dx, cpu.dx)).toBeLessThan(1e-5);
      // and the gradient is not trivially zero
      expect(Math.max(...cpu.dw.map(Math.abs))).toBeGreaterThan(1e-3);
    });
  }

  test("no tensors leak through the kernels", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor4d(random(2 * 9 * 8 * 3, 1), [2, 9, 8, 3]);
    const w = tf.tensor4d(random(3 * 3 * 3 * 2, 2), [3, 3, 3, 2]);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) {
      tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, "same").sum())([x, w]));
      tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same").sum())([x, w]));
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });
});
