/**
 * ADD and MUL with NumPy-style broadcasting (TFLite reference_integer_ops add.h / mul.h and the float
 * versions).
 *
 * @module
 */
import {
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierSmallerThanOneExp,
} from "../quant/fixed_point.ts";
import type { AddParams, BroadcastParams, MulParams } from "./params.ts";
import { ShapeMismatchError } from "./errors.ts";

/**
 * Broadcast strides of two input shapes against their common output shape (right-aligned, size-1 axes
 * get stride 0).
 */
export function broadcastParams(shape1: number[], shape2: number[]): BroadcastParams {
  const rank = Math.max(shape1.length, shape2.length);
  const pad = (s: number[]) => [...new Array(rank - s.length).fill(1), ...s];
  const s1 = pad(shape1);
  const s2 = pad(shape2);
  const outputShape = s1.map((d, i) => {
    if (d !== s2[i] && d !== 1 && s2[i] !== 1) {
      throw new ShapeMismatchError(`cannot broadcast shapes [${shape1}] and [${shape2}] (axis ${i}: ${d} vs ${s2[i]})`);
    }
    return Math.max(d, s2[i]);
  });
  const strides = (s: number[]) => {
    const st = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = rank - 1; i >= 0; i--) {
      st[i] = s[i] === 1 ? 0 : acc;
      acc *= s[i];
    }
    return st;
  };
  const same = (s: number[]) => s.every((d, i) => d === outputShape[i]);
  return {
    outputShape,
    input1Strides: strides(s1),
    input2Strides: strides(s2),
    elementwise: same(s1) && same(s2),
  };
}

/** Visit every output element with the flat indices of both inputs. */
function forEachBroadcast(p: BroadcastParams, visit: (out: number, i1: number, i2: number) => void): void {
  const size = p.outputShape.reduce((a, b) => a * b, 1);
  if (p.elementwise) {
    for (let i = 0; i < size; i++) visit(i, i, i);
    return;
  }
  const rank = p.outputShape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let out = 0; out < size; out++) {
    let i1 = 0;
    let i2 = 0;
    for (let d = 0; d < rank; d++) {
      i1 += idx[d] * p.input1Strides[d];
      i2 += idx[d] * p.input2Strides[d];
    }
    visit(out, i1, i2);
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < p.outputShape[d]) break;
      idx[d] = 0;
    }
  }
}

/** int8 ADD: both inputs rescaled to a common scale (× 2^leftShift), summed, requantized. */
export function addInt8(p: AddParams, in1: Int8Array, in2: Int8Array, output: Int8Array): void {
  forEachBroadcast(p, (o, i1, i2) => {
    const a = (p.input1Offset + in1[i1]) * (1 << p.leftShift);
    const b = (p.input2Offset + in2[i2]) * (1 << p.leftShift);
    const sa = multiplyByQuantizedMultiplierSmallerThanOneExp(a, p.input1Multiplier, p.input1Shift);
    const sb = multiplyByQuantizedMultiplierSmallerThanOneExp(b, p.input2Multiplier, p.input2Shift);
    const raw = multiplyByQuantizedMultiplierSmallerThanOneExp((sa + sb) | 0, p.outputMultiplier, p.outputShift) +
      p.outputOffset;
    output[o] = Math.min(p.actMax, Math.max(p.actMin, raw));
  });
}

/** int8 MUL: `(x1 − zp1)(x2 − zp2)` requantized by `s1·s2/s_out`. */
export function mulInt8(p: MulParams, in1: Int8Array, in2: Int8Array, output: Int8Array): void {
  forEachBroadcast(p, (o, i1, i2) => {
    const prod = (p.input1Offset + in1[i1]) * (p.input2Offset + in2[i2]);
    const raw = p.outputOffset + multiplyByQuantizedMultiplier(prod, p.outputMultiplier, p.outputShift);
    output[o] = Math.min(p.actMax, Math.max(p.actMin, raw));
  });
}

/** float32 ADD. */
export function addFloat(p: AddParams, in1: Float32Array, in2: Float32Array, output: Float32Array): void {
  forEachBroadcast(p, (o, i1, i2) => {
    output[o] = Math.min(p.actMax, Math.max(p.actMin, Math.fround(in1[i1] + in2[i2])));
  });
}

/** float32 MUL. */
export function mulFloat(p: MulParams, in1: Float32Array, in2: Float32Array, output: Float32Array): void {
  forEachBroadcast(p, (o, i1, i2) => {
    output[o] = Math.min(p.actMax, Math.max(p.actMin, Math.fround(in1[i1] * in2[i2])));
  });
}
