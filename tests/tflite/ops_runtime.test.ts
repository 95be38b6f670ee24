// Every op the writer knows, written by us and run by TFLite's own runtime (tfjs-tflite's wasm): checks that
// each options table (padding, strides, dilation, filter sizes, depth multiplier, axis, keep_dims, fused
// activation, beta) means to TFLite what it means to us, against a small float reference written here.
import { describe, expect, test } from "vitest";
import type { Graph, OperatorOptions, Tensor } from "../../lib/graph/types.ts";
import { readTflite, writeTflite } from "../../lib/tflite/mod.ts";
import { rng, tfliteRunner } from "./helpers.ts";

type Nhwc = { shape: number[]; data: Float64Array };
const at = (t: Nhwc, n: number, y: number, x: number, c: number) =>
  t.data[((n * t.shape[1] + y) * t.shape[2] + x) * t.shape[3] + c];

function samePad(inSize: number, k: number, stride: number, dil: number): [number, number] {
  const eff = (k - 1) * dil + 1;
  const out = Math.ceil(inSize / stride);
  return [out, Math.floor(Math.max((out - 1) * stride + eff - inSize, 0) / 2)];
}
function outAndPad(pad: string, inSize: number, k: number, s: number, d: number): [number, number] {
  return pad === "SAME" ? samePad(inSize, k, s, d) : [Math.floor((inSize - ((k - 1) * d + 1)) / s) + 1, 0];
}

/** Conv over NHWC; `groups` = input channels for depthwise (filter [1,kh,kw,cin*mult]), 1 for CONV_2D. */
function conv(x: Nhwc, w: Nhwc, bias: number[], o: { padding: string; strideH: number; strideW: number; dilationH: number; dilationW: number }, depthwise: boolean): Nhwc {
  const [, H, W, C] = x.shape;
  const kh = w.shape[1], kw = w.shape[2];
  const cout = depthwise ? w.shape[3] : w.shape[0];
  const mult = cout / C;
  const [oh, ph] = outAndPad(o.padding, H, kh, o.strideH, o.dilationH);
  const [ow, pw] = outAndPad(o.padding, W, kw, o.strideW, o.dilationW);
  const out = new Float64Array(oh * ow * cout);
  for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) for (let co = 0; co < cout; co++) {
    let s = bias[co];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const iy = y * o.strideH - ph + i * o.dilationH, ix = xx * o.strideW - pw + j * o.dilationW;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      if (depthwise) s += at(x, 0, iy, ix, Math.floor(co / mult)) * at(w, 0, i, j, co);
      else for (let ci = 0; ci < C; ci++) s += at(x, 0, iy, ix, ci) * at(w, co, i, j, ci);
    }
    out[(y * ow + xx) * cout + co] = s;
  }
  return { shape: [1, oh, ow, cout], data: out };
}

function pool(x: Nhwc, o: { padding: string; strideH: number; strideW: number; filterH: number; filterW: number }, max: boolean): Nhwc {
  const [, H, W, C] = x.shape;
  const [oh, ph] = outAndPad(o.padding, H, o.filterH, o.strideH, 1);
  const [ow, pw] = outAndPad(o.padding, W, o.filterW, o.strideW, 1);
  const out = new Float64Array(oh * ow * C);
  for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) for (let c = 0; c < C; c++) {
    let acc = max ? -Infinity : 0, n = 0;
    for (let i = 0; i < o.filterH; i++) for (let j = 0; j < o.filterW; j++) {
      const iy = y * o.strideH - ph + i, ix = xx * o.strideW - pw + j;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      const v = at(x, 0, iy, ix, c);
      acc = max ? Math.max(acc, v) : acc + v;
      n++;
    }
    out[(y * ow + xx) * C + c] = max ? acc : acc / n; // TFLite averages over the valid (unpadded) cells
  }
  return { shape: [1, oh, ow, C], data: out };
}

const map = (t: Nhwc, f: (v: number, i: number) => number): Nhwc => ({ shape: t.shape, data: t.data.map(f) });
const relu = (v: number) => Math.max(v, 0);

describe("writeTflite: every supported op runs in TFLite as we mean it", () => {
  test("a float graph with all ops matches the reference", async () => {
    const rand = rng(7);
    const r = (n: number, s = 1) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * s);
    const tensors: Tensor[] = [];
    const add = (name: string, shape: number[], data?: Float32Array | Int32Array, extra: Partial<Tensor> = {}) =>
      tensors.push({ name, shape, dtype: data instanceof Int32Array ? "int32" : "float32", ...(data ? { data } : {}), ...extra }) - 1;
    const operators: Graph["operators"] = [];
    const op = (options: OperatorOptions, inputs: number[], outputs: number[]) => operators.push({ options, inputs, outputs });

    const x = add("x", [1, 7, 6, 2]);
    const w0 = add("w0", [3, 3, 3, 2], r(54, 0.5)), b0 = add("b0", [3], r(3, 0.1));
    const c0 = add("conv", [1, 4, 3, 3]);
    const convOpts = { op: "CONV_2D", padding: "SAME", strideW: 2, strideH: 2, dilationW: 1, dilationH: 1, fusedActivation: "RELU" } as const;
    op(convOpts, [x, w0, b0], [c0]);
    const w1 = add("w1", [1, 3, 3, 6], r(54, 0.5)), b1 = add("b1", [6], r(6, 0.1));
    const d1 = add("dw", [1, 2, 1, 6]);
    const dwOpts = { op: "DEPTHWISE_CONV_2D", padding: "VALID", strideW: 1, strideH: 2, dilationW: 1, dilationH: 1, depthMultiplier: 2, fusedActivation: "NONE" } as const;
    op(dwOpts, [c0, w1, b1], [d1]);
    const w2 = add("w2", [1, 2, 2, 3], r(12, 0.5)), b2 = add("b2", [1], new Float32Array([0.25])); // this TFLite wants a bias
    const c2 = add("conv_dil", [1, 4, 3, 1]);
    const dilOpts = { op: "CONV_2D", padding: "SAME", strideW: 1, strideH: 1, dilationW: 2, dilationH: 1, fusedActivation: "RELU6" } as const;
    op(dilOpts, [c0, w2, b2], [c2]);
    const mp = add("maxpool", [1, 3, 2, 3]);
    const mpOpts = { op: "MAX_POOL_2D", padding: "VALID", strideW: 1, strideH: 1, filterW: 2, filterH: 2, fusedActivation: "NONE" } as const;
    op(mpOpts, [c0], [mp]);
    const ap = add("avgpool", [1, 2, 2, 3]);
    const apOpts = { op: "AVERAGE_POOL_2D", padding: "SAME", strideW: 2, strideH: 2, filterW: 3, filterH: 2, fusedActivation: "NONE" } as const;
    op(apOpts, [c0], [ap]);
    const mp2 = add("maxpool_s", [1, 2, 2, 3]);
    op({ ...mpOpts, strideW: 1, strideH: 2 }, [c0], [mp2]);
    const sum = add("add", [1, 2, 2, 3]);
    op({ op: "ADD", fusedActivation: "RELU" }, [ap, mp2], [sum]);
    const prod = add("mul", [1, 2, 2, 3]);
    op({ op: "MUL", fusedActivation: "NONE" }, [sum, ap], [prod]);
    const cat = add("concat", [1, 2, 2, 6]);
    op({ op: "CONCATENATION", axis: 3, fusedActivation: "NONE" }, [sum, prod], [cat]);
    const axes = add("axes", [2], Int32Array.from([1, 2]));
    const mean = add("mean", [1, 1, 1, 6]);
    op({ op: "MEAN", keepDims: true }, [cat, axes], [mean]);
    const pads = add("paddings", [4, 2], Int32Array.from([0, 0, 0, 0, 0, 0, 1, 2]));
    const padded = add("pad", [1, 1, 1, 9]);
    op({ op: "PAD" }, [mean, pads], [padded]);
    const flat = add("flat", [1, 9]);
    op({ op: "RESHAPE", newShape: [1, 9] }, [padded], [flat]);
    const wf = add("wf", [4, 9], r(36)), bf = add("bf", [4], r(4));
    const fc = add("fc", [1, 4]);
    op({ op: "FULLY_CONNECTED", fusedActivation: "NONE", keepNumDims: false }, [flat, wf, bf], [fc]);
    const sm = add("softmax", [1, 4]);
    op({ op: "SOFTMAX", beta: 0.5 }, [fc], [sm]);
    const lg = add("logistic", [1, 4]), th = add("tanh", [1, 4]), r6 = add("relu6", [1, 4]), rl = add("relu", [1, 4]);
    op({ op: "LOGISTIC" }, [fc], [lg]);
    op({ op: "TANH" }, [fc], [th]);
    op({ op: "RELU6" }, [fc], [r6]);
    op({ op: "RELU" }, [fc], [rl]);
    const quant = { scale: [1 / 256], zeroPoint: [-128], quantizedDimension: 0 };
    const q = tensors.push({ name: "q", shape: [1, 4], dtype: "int8", quant }) - 1;
    op({ op: "QUANTIZE" }, [sm], [q]);
    const dq = add("dq", [1, 4]);
    op({ op: "DEQUANTIZE" }, [q], [dq]);
    const outputs = [c0, d1, c2, mp, ap, mp2, sum, prod, cat, mean, padded, fc, sm, lg, th, r6, rl, dq];
    const g: Graph = { tensors, operators, inputs: [x], outputs };

    // Reference.
    const T = (i: number): Nhwc => ({ shape: tensors[i].shape, data: Float64Array.from(tensors[i].data as Float32Array) });
    const xin = r(7 * 6 * 2, 2);
    const vx: Nhwc = { shape: [1, 7, 6, 2], data: Float64Array.from(xin) };
    const rc0 = map(conv(vx, T(w0), [...T(b0).data], convOpts, false), relu);
    const rd1 = conv(rc0, T(w1), [...T(b1).data], dwOpts, true);
    const rc2 = map(conv(rc0, T(w2), [0.25], dilOpts, false), (v) => Math.min(Math.max(v, 0), 6));
    const rmp = pool(rc0, mpOpts, true);
    const rap = pool(rc0, apOpts, false);
    const rmp2 = pool(rc0, { ...mpOpts, strideW: 1, strideH: 2 }, true);
    const rsum = map(rap, (v, i) => relu(v + rmp2.data[i]));
    const rprod = map(rsum, (v, i) => v * rap.data[i]);
    const rcat = new Float64Array(24);
    for (let p = 0; p < 4; p++) for (let c = 0; c < 3; c++) {
      rcat[p * 6 + c] = rsum.data[p * 3 + c];
      rcat[p * 6 + 3 + c] = rprod.data[p * 3 + c];
    }
    const rmean = Float64Array.from({ length: 6 }, (_, c) => [0, 1, 2, 3].reduce((s, p) => s + rcat[p * 6 + c], 0) / 4);
    const rpad = Float64Array.from([0, ...rmean, 0, 0]);
    const rfc = Float64Array.from({ length: 4 }, (_, o) => T(bf).data[o] + rpad.reduce((s, v, i) => s + v * T(wf).data[o * 9 + i], 0));
    const ex = rfc.map((v) => Math.exp(0.5 * v));
    const rsm = ex.map((v) => v / ex.reduce((a, b) => a + b, 0));
    const rdq = rsm.map((v) => (Math.min(Math.max(Math.round(v * 256) - 128, -128), 127) + 128) / 256);
    const flatRef = [rc0, rd1, rc2, rmp, rap, rmp2, rsum, rprod].map((t) => [...t.data]);
    flatRef.push([...rcat], [...rmean], [...rpad], [...rfc], [...rsm], [...rfc.map((v) => 1 / (1 + Math.exp(-v)))],
      [...rfc.map(Math.tanh)], [...rfc.map((v) => Math.min(Math.max(v, 0), 6))], [...rfc.map(relu)], [...rdq]);


    const bytes = writeTflite(g);
    expect(readTflite(bytes)).toEqual({ ...g, operators: g.operators.map((o) => ({ ...o, version: 1 })) });
    const run = await tfliteRunner(bytes);
    const got = run([xin]);
    expect(got.length).toBe(outputs.length);
    got.forEach((o, k) => {
      const name = tensors[outputs[k]].name;
      expect(o.length, name).toBe(flatRef[k].length);
      o.forEach((v, i) => {
        if (Math.abs(v - flatRef[k][i]) > 1e-4 * (1 + Math.abs(flatRef[k][i]))) {
          throw new Error(`${name}[${i}]: TFLite ${v}, reference ${flatRef[k][i]}`);
        }
      });
    });
    // The graph is not trivial: activations are mostly non-zero.
    expect(got[0].filter((v) => v !== 0).length).toBeGreaterThan(10);
  }, 60_000);
});
