/** Tiny helpers to build hand-made graphs for kernel tests. */
import type { DType, Graph, OperatorOptions, QuantParams, Tensor, TensorData } from "../../lib/graph/types.ts";

export function q(scale: number | number[], zeroPoint = 0, quantizedDimension = 0): QuantParams {
  const s = Array.isArray(scale) ? scale.map(Math.fround) : [Math.fround(scale)];
  return { scale: s, zeroPoint: s.map(() => zeroPoint), quantizedDimension };
}

export function tensor(name: string, shape: number[], dtype: DType, quant?: QuantParams, data?: TensorData): Tensor {
  return { name, shape, dtype, quant, data };
}

/** One-op graph: inputs listed with `data` are constants, the others are graph inputs. */
export function oneOp(options: OperatorOptions, inputs: (Tensor | null)[], output: Tensor): Graph {
  const tensors: Tensor[] = [];
  const idx = inputs.map((t) => (t ? tensors.push(t) - 1 : -1));
  const out = tensors.push(output) - 1;
  return {
    tensors,
    operators: [{ options, inputs: idx, outputs: [out] }],
    inputs: idx.filter((i) => i >= 0 && !tensors[i].data),
    outputs: [out],
  };
}

/** A seeded xorshift generator: `r(n)` is a pseudo-random integer in [0, n). */
export function rng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

/** Every fused activation the int8 kernels take. */
export const ACTIVATIONS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"] as const;

/** Deterministic pseudo-random int8 values. */
export function randInt8(n: number, seed: number, lo = -128, hi = 127): Int8Array {
  const r = rng(seed);
  return Int8Array.from({ length: n }, () => lo + r(hi - lo + 1));
}

export function randInt32(n: number, seed: number, range: number): Int32Array {
  const b = randInt8(n * 3, seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(((b[3 * i] * 256 + b[3 * i + 1]) / 32768) * range);
  return out;
}
