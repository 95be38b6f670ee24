/** Kernel tests on hand-built graphs: hand-computed values, and independent float/BigInt models. */
import { describe, expect, test } from "vitest";
import {
  DTypeError,
  GraphError,
  Interpreter,
  prepareOp,
  ShapeMismatchError,
  UnsupportedOpError,
} from "../../lib/int8/mod.ts";
import { multiplyByQuantizedMultiplierBigInt, quantizeMultiplier } from "../../lib/quant/mod.ts";
import type { Graph } from "../../lib/graph/types.ts";
import { oneOp, q, randInt32, randInt8, tensor } from "./build.ts";

const run = (g: Graph, ...inputs: ArrayLike<number>[]) => Array.from(new Interpreter(g).invoke(inputs)[0] as Int8Array);

describe("FULLY_CONNECTED", () => {
  test("hand-computed", () => {
    const g = oneOp(
      { op: "FULLY_CONNECTED", fusedActivation: "NONE", keepNumDims: false },
      [
        tensor("x", [1, 2], "int8", q(0.5)),
        tensor("w", [2, 2], "int8", q(0.25), new Int8Array([1, 2, 3, -1])),
        tensor("b", [2], "int32", q(0.125), new Int32Array([4, 0])),
      ],
      tensor("y", [1, 2], "int8", q(1)),
    );
    // acc = [10 − 40 + 4, 30 + 20] = [−26, 50]; × 0.125 → [−3.25, 6.25] → [−3, 6]
    expect(run(g, [10, -20])).toEqual([-3, 6]);
  });
  test("RELU6 clamps at quantized 6 and zero point; batches", () => {
    const g = oneOp(
      { op: "FULLY_CONNECTED", fusedActivation: "RELU6", keepNumDims: false },
      [tensor("x", [2, 1], "int8", q(1, 0)), tensor("w", [1, 1], "int8", q(1), new Int8Array([1])), null],
      tensor("y", [2, 1], "int8", q(0.1, -100)),
    );
    // 100 → 1000+(-100) clamps to quantize(6)=−40; −5 → −150 clamps to zero point −100
    expect(run(g, [100, -5])).toEqual([-40, -100]);
  });
});

/** Independent model of a quantized conv: explicit zero-point padding, BigInt requantization. */
function naiveConv(
  x: Int8Array, [n, h, w, c]: number[], f: Int8Array, [oc, fh, fw]: number[], bias: Int32Array,
  stride: number, dil: number, [padH, padW]: number[], oh: number, ow: number, zpIn: number, zpOut: number,
  mult: { multiplier: number; shift: number }[], depthwise: boolean, dm = 1,
): number[] {
  const ph = h + 2 * padH + 8, pw = w + 2 * padW + 8;
  const padded = new Array(n * ph * pw * c).fill(zpIn);
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let k = 0; k < c; k++) {
    padded[((b * ph + y + padH) * pw + xx + padW) * c + k] = x[((b * h + y) * w + xx) * c + k];
  }
  const out: number[] = [];
  for (let b = 0; b < n; b++) for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) for (let o = 0; o < oc; o++) {
    let acc = 0;
    for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) {
      const py = y * stride + i * dil, px = xx * stride + j * dil;
      if (depthwise) {
        acc += f[(i * fw + j) * oc + o] * (padded[((b * ph + py) * pw + px) * c + Math.floor(o / dm)] - zpIn);
      } else {
        for (let k = 0; k < c; k++) acc += f[((o * fh + i) * fw + j) * c + k] * (padded[((b * ph + py) * pw + px) * c + k] - zpIn);
      }
    }
    const v = multiplyByQuantizedMultiplierBigInt(acc + bias[o], mult[o].multiplier, mult[o].shift) + zpOut;
    out.push(Math.max(-128, Math.min(127, v)));
  }
  return out;
}

describe("CONV_2D / DEPTHWISE_CONV_2D", () => {
  test("CONV_2D per-channel, SAME padding, stride 2, equals an independent model (both kernel sets)", () => {
    const inShape = [1, 7, 6, 3], fShape = [4, 3, 3, 3];
    const x = randInt8(7 * 6 * 3, 1), f = randInt8(4 * 27, 2, -127, 127), b = randInt32(4, 3, 3000);
    const sIn = Math.fround(0.05), sW = [0.01, 0.02, 0.003, 0.04].map(Math.fround), sOut = Math.fround(0.2);
    const g = oneOp(
      { op: "CONV_2D", padding: "SAME", strideH: 2, strideW: 2, dilationH: 1, dilationW: 1, fusedActivation: "NONE" },
      [tensor("x", inShape, "int8", q(0.05, 3)), tensor("w", fShape, "int8", q(sW), f), tensor("b", [4], "int32", q(sW.map((s) => s * sIn)), b)],
      tensor("y", [1, 4, 3, 4], "int8", q(0.2, -5)),
    );
    const p = prepareOp(g, 0);
    // TFLite pads asymmetrically: H (7→4): 1 before; W (6→3): 0 before, 1 after
    expect(p.op === "CONV_2D" && [p.padH, p.padW]).toEqual([1, 0]);
    const mult = sW.map((s) => quantizeMultiplier(sIn * s / sOut));
    const want = naiveConv(x, inShape, f, fShape, b, 2, 1, [1, 0], 4, 3, 3, -5, mult, false);
    for (const kernels of ["reference", "fast"] as const) {
      expect(Array.from(new Interpreter(g, { kernels }).invoke([x])[0] as Int8Array)).toEqual(want);
    }
  });
  test("DEPTHWISE depth multiplier 2, dilation 2, VALID, equals an independent model", () => {
    const inShape = [1, 8, 8, 2], fShape = [1, 3, 3, 4];
    const x = randInt8(128, 4), f = randInt8(36, 5, -127, 127), b = randInt32(4, 6, 2000);
    const sW = [0.01, 0.02, 0.015, 0.03].map(Math.fround);
    const g = oneOp(
      { op: "DEPTHWISE_CONV_2D", padding: "VALID", strideH: 1, strideW: 1, dilationH: 2, dilationW: 2, depthMultiplier: 2, fusedActivation: "NONE" },
      [tensor("x", inShape, "int8", q(0.1, -7)), tensor("w", fShape, "int8", q(sW, 0, 3), f), tensor("b", [4], "int32", q(0.001), b)],
      tensor("y", [1, 4, 4, 4], "int8", q(0.3, 2)),
    );
    const mult = sW.map((s) => quantizeMultiplier(Math.fround(0.1) * s / Math.fround(0.3)));
    const want = naiveConv(x, inShape, f, [4, 3, 3], b, 1, 2, [0, 0], 4, 4, -7, 2, mult, true, 2);
    for (const kernels of ["reference", "fast"] as const) {
      expect(Array.from(new Interpreter(g, { kernels }).invoke([x])[0] as Int8Array)).toEqual(want);
    }
  });
  test("shape mismatch between the graph and the computed output is reported", () => {
    const g = oneOp(
      { op: "CONV_2D", padding: "VALID", strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, fusedActivation: "NONE" },
      [tensor("x", [1, 4, 4, 1], "int8", q(1)), tensor("w", [1, 3, 3, 1], "int8", q(1), new Int8Array(9)), null],
      tensor("y", [1, 4, 4, 1], "int8", q(1)),
    );
    expect(() => new Interpreter(g)).toThrow(ShapeMismatchError);
  });
});

describe("pooling", () => {
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, -10, 11, -12, 13, 14, 15, 16];
  const pool = (op: "AVERAGE_POOL_2D" | "MAX_POOL_2D", padding: "SAME" | "VALID", outHW: number, stride: number) =>
    oneOp(
      { op, padding, strideH: stride, strideW: stride, filterH: 2, filterW: 2, fusedActivation: "NONE" },
      [tensor("x", [1, 4, 4, 1], "int8", q(0.5, 1))],
      tensor("y", [1, outHW, outHW, 1], "int8", q(0.5, 1)),
    );
  test("AVERAGE_POOL_2D rounds half away from zero", () => {
    // windows: (1+2+5+6)/4=3.5→4, (3+4+7+8)/4=5.5→6, (9−10+13+14)/4=6.5→7, (11−12+15+16)/4=7.5→8
    expect(run(pool("AVERAGE_POOL_2D", "VALID", 2, 2), x)).toEqual([4, 6, 7, 8]);
    // SAME, stride 3 (no leading pad): clipped windows divide by their own count:
    // [1,2,5,6]→3.5→4, [4,8]→6, [13,14]→13.5→14, [16]→16
    expect(run(pool("AVERAGE_POOL_2D", "SAME", 2, 3), x)).toEqual([4, 6, 14, 16]);
    // negative halves round away from zero: (−3 −4)/2 = −3.5 → −4
    const g = oneOp(
      { op: "AVERAGE_POOL_2D", padding: "VALID", strideH: 1, strideW: 1, filterH: 1, filterW: 2, fusedActivation: "NONE" },
      [tensor("x", [1, 1, 2, 1], "int8", q(1))],
      tensor("y", [1, 1, 1, 1], "int8", q(1)),
    );
    expect(run(g, [-3, -4])).toEqual([-4]);
  });
  test("MAX_POOL_2D", () => {
    expect(run(pool("MAX_POOL_2D", "VALID", 2, 2), x)).toEqual([6, 8, 14, 16]);
  });
});

describe("SOFTMAX, LOGISTIC, TANH stay within 1 LSB of the real functions", () => {
  const all = Int8Array.from({ length: 256 }, (_, i) => i - 128);
  test("LOGISTIC over every int8 input", () => {
    const g = oneOp({ op: "LOGISTIC" }, [tensor("x", [256], "int8", q(0.05, 3))], tensor("y", [256], "int8", q(1 / 256, -128)));
    const y = run(g, all);
    all.forEach((v, i) => {
      const want = Math.min(127, Math.round(256 / (1 + Math.exp(-Math.fround(0.05) * (v - 3)))) - 128);
      expect(Math.abs(y[i] - want)).toBeLessThanOrEqual(1);
    });
  });
  test("TANH over every int8 input", () => {
    const g = oneOp({ op: "TANH" }, [tensor("x", [256], "int8", q(0.02, -1))], tensor("y", [256], "int8", q(1 / 128, 0)));
    const y = run(g, all);
    all.forEach((v, i) => {
      const want = Math.max(-128, Math.min(127, Math.round(128 * Math.tanh(Math.fround(0.02) * (v + 1)))));
      expect(Math.abs(y[i] - want)).toBeLessThanOrEqual(1);
    });
  });
  test("SOFTMAX rows", () => {
    const x = randInt8(40, 9);
    const g = oneOp({ op: "SOFTMAX", beta: 1 }, [tensor("x", [4, 10], "int8", q(0.1, 0))], tensor("y", [4, 10], "int8", q(1 / 256, -128)));
    const y = run(g, x);
    for (let r = 0; r < 4; r++) {
      const row = Array.from(x.subarray(r * 10, r * 10 + 10)).map((v) => v * Math.fround(0.1));
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      e.forEach((v, i) => expect(Math.abs(y[r * 10 + i] - Math.min(127, Math.round((v / s) * 256) - 128))).toBeLessThanOrEqual(1));
    }
  });
});

describe("ADD, MUL, MEAN (within 1 LSB of float maths), broadcasting", () => {
  test("ADD with broadcasting and RELU", () => {
    const a = randInt8(24, 11), b = randInt8(4, 12);
    const g = oneOp(
      { op: "ADD", fusedActivation: "RELU" },
      [tensor("a", [2, 3, 4], "int8", q(0.1, 5)), tensor("b", [4], "int8", q(0.07, -3))],
      tensor("y", [2, 3, 4], "int8", q(0.15, -20)),
    );
    const y = run(g, a, b);
    for (let i = 0; i < 24; i++) {
      const real = Math.fround(0.1) * (a[i] - 5) + Math.fround(0.07) * (b[i % 4] + 3);
      const want = Math.max(-20, Math.min(127, Math.round(real / Math.fround(0.15)) - 20));
      expect(Math.abs(y[i] - want), `i=${i}`).toBeLessThanOrEqual(1);
    }
  });
  test("MUL", () => {
    const a = randInt8(16, 13), b = randInt8(16, 14);
    const g = oneOp({ op: "MUL", fusedActivation: "NONE" }, [tensor("a", [16], "int8", q(0.1, 1)), tensor("b", [16], "int8", q(0.05, 0))], tensor("y", [16], "int8", q(0.3, 4)));
    const y = run(g, a, b);
    for (let i = 0; i < 16; i++) {
      const real = Math.fround(0.1) * (a[i] - 1) * Math.fround(0.05) * b[i];
      expect(Math.abs(y[i] - Math.max(-128, Math.min(127, Math.round(real / Math.fround(0.3)) + 4)))).toBeLessThanOrEqual(1);
    }
  });
  test("MEAN over H, W (4-D) and over the last axis", () => {
    const x = randInt8(2 * 3 * 3 * 4, 15);
    const g = oneOp(
      { op: "MEAN", keepDims: true },
      [tensor("x", [2, 3, 3, 4], "int8", q(0.1, 2)), tensor("axis", [2], "int32", undefined, new Int32Array([1, 2]))],
      tensor("y", [2, 1, 1, 4], "int8", q(0.05, -1)),
    );
    const y = run(g, x);
    for (let b = 0; b < 2; b++) for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let i = 0; i < 9; i++) s += x[(b * 9 + i) * 4 + c] - 2;
      const want = Math.max(-128, Math.min(127, Math.round((s / 9) * 2) - 1));
      expect(Math.abs(y[b * 4 + c] - want)).toBeLessThanOrEqual(1);
    }
    const g2 = oneOp(
      { op: "MEAN", keepDims: false },
      [tensor("x", [6, 12], "int8", q(0.1, 2)), tensor("axis", [1], "int32", undefined, new Int32Array([-1]))],
      tensor("y", [6], "int8", q(0.1, 2)),
    );
    const y2 = run(g2, x);
    for (let r = 0; r < 6; r++) {
      const s = Array.from(x.subarray(r * 12, r * 12 + 12)).reduce((a, v) => a + v - 2, 0);
      expect(Math.abs(y2[r] - (Math.round(s / 12) + 2))).toBeLessThanOrEqual(1);
    }
  });
});

describe("data movement and (de)quantization", () => {
  test("CONCATENATION along the last axis", () => {
    const g = oneOp(
      { op: "CONCATENATION", axis: -1, fusedActivation: "NONE" },
      [tensor("a", [2, 2], "int8", q(0.1)), tensor("b", [2, 1], "int8", q(0.1))],
      tensor("y", [2, 3], "int8", q(0.1)),
    );
    expect(run(g, [1, 2, 3, 4], [9, 8])).toEqual([1, 2, 9, 3, 4, 8]);
  });
  test("PAD with the zero point", () => {
    const g = oneOp(
      { op: "PAD" },
      [tensor("x", [1, 2], "int8", q(0.1, -3)), tensor("p", [2, 2], "int32", undefined, new Int32Array([0, 1, 1, 2]))],
      tensor("y", [2, 5], "int8", q(0.1, -3)),
    );
    expect(run(g, [5, 6])).toEqual([-3, 5, 6, -3, -3, -3, -3, -3, -3, -3]);
  });
  test("RESHAPE copies", () => {
    const g = oneOp({ op: "RESHAPE", newShape: [4] }, [tensor("x", [2, 2], "int8", q(1))], tensor("y", [4], "int8", q(1)));
    expect(run(g, [1, -2, 3, -4])).toEqual([1, -2, 3, -4]);
  });
  test("QUANTIZE float → int8 and DEQUANTIZE int8 → float", () => {
    const gq = oneOp({ op: "QUANTIZE" }, [tensor("x", [4], "float32")], tensor("y", [4], "int8", q(0.5, 10)));
    expect(Array.from(new Interpreter(gq).invoke([new Float32Array([0, 0.25, -0.25, 100])])[0] as Int8Array)).toEqual([10, 11, 9, 127]);
    const gd = oneOp({ op: "DEQUANTIZE" }, [tensor("x", [3], "int8", q(0.5, 10))], tensor("y", [3], "float32"));
    expect(Array.from(new Interpreter(gd).invoke([new Int8Array([10, 12, -128])])[0] as Float32Array)).toEqual([0, 1, -69]);
  });
  test("QUANTIZE int8 → int8 requantizes", () => {
    const g = oneOp({ op: "QUANTIZE" }, [tensor("x", [3], "int8", q(0.5, 0))], tensor("y", [3], "int8", q(0.25, 1)));
    expect(run(g, [1, -3, 100])).toEqual([3, -5, 127]);
  });
  test("RELU6 standalone", () => {
    const g = oneOp({ op: "RELU6" }, [tensor("x", [4], "int8", q(0.1, 0))], tensor("y", [4], "int8", q(0.1, 0)));
    expect(run(g, [-5, 0, 30, 100])).toEqual([0, 0, 30, 60]);
  });
});

describe("interpreter", () => {
  const fc = () =>
    oneOp(
      { op: "FULLY_CONNECTED", fusedActivation: "NONE", keepNumDims: false },
      [tensor("x", [1, 2], "int8", q(0.5)), tensor("w", [2, 2], "int8", q(0.25), new Int8Array([1, 2, 3, -1])), null],
      tensor("y", [1, 2], "int8", q(1)),
    );
  test("typed errors for bad inputs", () => {
    const it = new Interpreter(fc());
    expect(() => it.invoke([[1, 2, 3]])).toThrow(ShapeMismatchError);
    expect(() => it.invoke([])).toThrow(ShapeMismatchError);
    expect(() => it.invoke([new Uint8Array(2)])).toThrow(DTypeError);
    expect(() => it.invoke([new Int8Array(2)])).not.toThrow();
  });
  test("typed errors for unsupported ops and missing quantization", () => {
    const g = fc();
    (g.operators[0].options as { op: string }).op = "LSTM";
    expect(() => new Interpreter(g)).toThrow(UnsupportedOpError);
    const g2 = fc();
    g2.tensors[0].quant = undefined;
    expect(() => new Interpreter(g2)).toThrow(GraphError);
    const g3 = fc();
    g3.tensors[0].dtype = "int16";
    expect(() => new Interpreter(g3)).toThrow(DTypeError);
  });
  test("trace lists every op output with a copy of its data", () => {
    const { outputs, trace } = new Interpreter(fc()).invoke([[2, 4]], { trace: true });
    expect(trace).toHaveLength(1);
    expect(trace[0]).toMatchObject({ opIndex: 0, opName: "FULLY_CONNECTED", tensorName: "y", shape: [1, 2], dtype: "int8" });
    expect(Array.from(trace[0].data as Int8Array)).toEqual(Array.from(outputs[0] as Int8Array));
  });
});
