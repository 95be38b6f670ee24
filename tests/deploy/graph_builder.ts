/** Small hand-made int8 graphs with deterministic data, for the code generator's kernel tests. */
import type { FusedActivation, Graph, Operator, OperatorOptions, Tensor } from "../../lib/graph/types.ts";

/** Deterministic int8 noise (LCG) in [lo, hi]. */
export function noise(n: number, seed: number, lo = -128, hi = 127): Int8Array {
  const out = new Int8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((s >>> 8) % (hi - lo + 1));
  }
  return out;
}

export const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Quantization parameters (scales rounded to float32, as a .tflite stores them). */
export function q(scale: number | number[], zp: number | number[] = 0, axis = 0) {
  const s = Array.isArray(scale) ? scale : [scale];
  const z = Array.isArray(zp) ? zp : s.map(() => zp as number);
  return { scale: s.map((v) => Math.fround(v)), zeroPoint: z, quantizedDimension: axis };
}

/** A tiny graph builder: tensors in order, ops in order; every constant draws the next seed. */
export class GraphBuilder {
  tensors: Tensor[] = [];
  operators: Operator[] = [];
  constructor(public seed = 1) {}
  act(shape: number[], scale: number, zp: number, dtype: "int8" | "float32" = "int8"): number {
    this.tensors.push({ name: `t${this.tensors.length}`, shape, dtype, ...(dtype === "int8" ? { quant: q(scale, zp) } : {}) });
    return this.tensors.length - 1;
  }
  /** int8 weights; `extreme` ones are all -128 or 127 (the worst case for 16-bit partial sums). */
  weights(shape: number[], scale: number | number[], axis = 0, extreme = false): number {
    const data = extreme
      ? Int8Array.from(noise(size(shape), this.seed++), (v) => (v % 7 === 0 ? 127 : -128))
      : noise(size(shape), this.seed++, -127, 127);
    this.tensors.push({ name: `w${this.tensors.length}`, shape, dtype: "int8", data, quant: q(scale, 0, axis) });
    return this.tensors.length - 1;
  }
  bias(n: number, scale: number | number[]): number {
    const data = Int32Array.from(noise(n, this.seed++), (v) => v * 40);
    this.tensors.push({ name: `b${this.tensors.length}`, shape: [n], dtype: "int32", data, quant: q(scale, 0) });
    return this.tensors.length - 1;
  }
  int32s(values: number[]): number {
    this.tensors.push({ name: `c${this.tensors.length}`, shape: [values.length / 2, 2], dtype: "int32", data: Int32Array.from(values) });
    return this.tensors.length - 1;
  }
  constInt8(shape: number[], scale: number, zp: number): number {
    this.tensors.push({ name: `k${this.tensors.length}`, shape, dtype: "int8", data: noise(size(shape), this.seed++), quant: q(scale, zp) });
    return this.tensors.length - 1;
  }
  op(options: OperatorOptions, inputs: number[], outputs: number[]): this {
    this.operators.push({ options, inputs, outputs });
    return this;
  }
  graph(input: number, output: number): Graph {
    return { tensors: this.tensors, operators: this.operators, inputs: [input], outputs: [output] };
  }
}

export const conv = (padding: "SAME" | "VALID", s: number, d: number, act: FusedActivation) =>
  ({ op: "CONV_2D", padding, strideW: s, strideH: s, dilationW: d, dilationH: d, fusedActivation: act }) as const;
export const dw = (padding: "SAME" | "VALID", s: number, d: number, m: number, act: FusedActivation) =>
  ({ op: "DEPTHWISE_CONV_2D", padding, strideW: s, strideH: s, dilationW: d, dilationH: d, depthMultiplier: m, fusedActivation: act }) as const;
export const fc = (act: FusedActivation) => ({ op: "FULLY_CONNECTED", fusedActivation: act, keepNumDims: false }) as const;
