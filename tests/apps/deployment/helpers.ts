/** A small hand-made int8 MLP for the deployment helpers' tests: FC(16→8, ReLU) → FC(8→4) → SOFTMAX. */
import { execFileSync } from "node:child_process";
import type { Graph, QuantParams, Tensor } from "../../../lib/graph/types.ts";

/** Deterministic int8 values in [lo, hi] (xorshift). */
export function randInt8(n: number, seed: number, lo = -128, hi = 127): Int8Array {
  const out = new Int8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = lo + ((s >>> 0) % (hi - lo + 1));
  }
  return out;
}

const q = (scale: number, zeroPoint = 0): QuantParams => ({ scale: [Math.fround(scale)], zeroPoint: [zeroPoint], quantizedDimension: 0 });

/** The MLP; `seed` changes the weights. */
export function smallMlp(seed = 1): Graph {
  const sIn = 0.05, sW1 = 0.01, sH = 0.04, sW2 = 0.02, sOut = 0.1;
  const bias = (n: number, s: number) => Int32Array.from(randInt8(n, s), (v) => v * 40);
  const tensors: Tensor[] = [
    { name: "input", shape: [1, 16], dtype: "int8", quant: q(sIn, -3) },
    { name: "w1", shape: [8, 16], dtype: "int8", quant: q(sW1), data: randInt8(128, seed * 7 + 1, -127, 127) },
    { name: "b1", shape: [8], dtype: "int32", quant: q(sIn * sW1), data: bias(8, seed * 7 + 2) },
    { name: "hidden", shape: [1, 8], dtype: "int8", quant: q(sH, -128) },
    { name: "w2", shape: [4, 8], dtype: "int8", quant: q(sW2), data: randInt8(32, seed * 7 + 3, -127, 127) },
    { name: "b2", shape: [4], dtype: "int32", quant: q(sH * sW2), data: bias(4, seed * 7 + 4) },
    { name: "logits", shape: [1, 4], dtype: "int8", quant: q(sOut, 5) },
    { name: "probs", shape: [1, 4], dtype: "int8", quant: q(1 / 256, -128) },
  ];
  return {
    tensors,
    operators: [
      { options: { op: "FULLY_CONNECTED", fusedActivation: "RELU", keepNumDims: false }, inputs: [0, 1, 2], outputs: [3] },
      { options: { op: "FULLY_CONNECTED", fusedActivation: "NONE", keepNumDims: false }, inputs: [3, 4, 5], outputs: [6] },
      { options: { op: "SOFTMAX", beta: 1 }, inputs: [6], outputs: [7] },
    ],
    inputs: [0],
    outputs: [7],
  };
}

/** True when a command is on PATH. */
export function hasTool(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
