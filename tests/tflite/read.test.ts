import { describe, expect, test } from "vitest";
import type { Tensor } from "../../lib/graph/types.ts";
import { inspectTflite, parseTflite, readTflite, TfliteError, writeTflite } from "../../lib/tflite/mod.ts";
import { FbReader } from "../../lib/tflite/flatbuf.ts";
import { ModelF, OperatorCodeF } from "../../lib/tflite/schema.ts";
import { HAVE_SHARED, loadModel } from "./helpers.ts";

function expectTfliteError(f: () => unknown, what: RegExp, where?: RegExp): TfliteError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TfliteError);
    const err = e as TfliteError;
    expect(err.what).toMatch(what);
    if (where) expect(err.where).toMatch(where);
    expect(err.message.length).toBeGreaterThan(err.what.length); // carries a hint
    return err;
  }
  throw new Error("expected a TfliteError");
}

describe.skipIf(!HAVE_SHARED)("readTflite on the conformance models", () => {
  test("hello_world_int8: 3 FULLY_CONNECTED, int8 I/O, per-tensor quant", () => {
    const g = readTflite(loadModel("hello_world_int8"));
    expect(g.operators.map((o) => o.options.op)).toEqual(["FULLY_CONNECTED", "FULLY_CONNECTED", "FULLY_CONNECTED"]);
    expect(g.operators.map((o) => o.options.op === "FULLY_CONNECTED" && o.options.fusedActivation)).toEqual(["RELU", "RELU", "NONE"]);
    const input = g.tensors[g.inputs[0]];
    expect(input.dtype).toBe("int8");
    expect(input.shape).toEqual([1, 1]);
    expect(input.quant?.scale.length).toBe(1);
    // First layer: weights [16,1] int8, bias [16] int32, both constants with data.
    const [x, w, bias] = g.operators[0].inputs.map((i) => g.tensors[i]);
    expect(x).toBe(input);
    expect(w.shape).toEqual([16, 1]);
    expect(w.data).toBeInstanceOf(Int8Array);
    expect(bias.data).toBeInstanceOf(Int32Array);
    expect(bias.data!.length).toBe(16);
    expect(g.tensors[g.outputs[0]].data).toBeUndefined();
  });

  test("hello_world_float: float32 weights in aligned Float32Arrays", () => {
    const g = readTflite(loadModel("hello_world_float"));
    for (const t of g.tensors) {
      expect(t.dtype).toBe("float32");
      if (t.data) {
        expect(t.data).toBeInstanceOf(Float32Array);
        expect(t.data.byteOffset % 4).toBe(0);
        expect([...(t.data as Float32Array)].every(Number.isFinite)).toBe(true);
      }
    }
  });

  test("micro_speech: RESHAPE, DEPTHWISE_CONV_2D (per-channel), FULLY_CONNECTED, SOFTMAX", () => {
    const g = readTflite(loadModel("micro_speech_quantized"));
    expect(g.operators.map((o) => o.options.op)).toEqual(["RESHAPE", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "SOFTMAX"]);
    const dw = g.operators[1].options;
    expect(dw).toMatchObject({ op: "DEPTHWISE_CONV_2D", padding: "SAME", strideW: 2, strideH: 2, depthMultiplier: 8 });
    const filter = g.tensors[g.operators[1].inputs[1]];
    expect(filter.shape).toEqual([1, 10, 8, 8]);
    expect(filter.quant?.quantizedDimension).toBe(3);
    expect(filter.quant?.scale.length).toBe(8);
    expect(g.tensors[g.inputs[0]].shape).toEqual([1, 1960]);
    expect(g.operators[3].options).toEqual({ op: "SOFTMAX", beta: 1 });
    expect(g.operators.map((o) => o.version)).toEqual([1, 3, 4, 2]);
  });

  test("person_detect: 31 ops, accepts its per-channel biases that name axis 3", () => {
    const g = readTflite(loadModel("person_detect"));
    expect(g.operators.length).toBe(31);
    const counts: Record<string, number> = {};
    for (const o of g.operators) counts[o.options.op] = (counts[o.options.op] ?? 0) + 1;
    expect(counts).toEqual({ DEPTHWISE_CONV_2D: 14, CONV_2D: 14, AVERAGE_POOL_2D: 1, RESHAPE: 1, SOFTMAX: 1 });
    expect(g.tensors[g.inputs[0]].shape).toEqual([1, 96, 96, 1]);
    const bias = g.tensors.find((t) => t.name === "MobilenetV1/MobilenetV1/Conv2d_0/Conv2D_bias")!;
    expect(bias.quant?.quantizedDimension).toBe(3);
    expect(bias.quant?.scale.length).toBe(8);
  });

  test("audio_preprocessor: custom Signal ops are named in the error", () => {
    const err = expectTfliteError(
      () => readTflite(loadModel("audio_preprocessor_int8")),
      /^unsupported operator CUSTOM 'SignalWindow' v1 at op #0$/,
      /^subgraphs\[0\]\.operators\[0\]$/,
    );
    expect(err.message).toMatch(/supports .*FULLY_CONNECTED/);
  });

  test("parseTflite reads what readTflite refuses; inspectTflite summarises", () => {
    const raw = parseTflite(loadModel("audio_preprocessor_int8"));
    expect(raw.operatorCodes.some((c) => c.customCode === "SignalRfft")).toBe(true);
    const text = inspectTflite(loadModel("micro_speech_quantized"));
    expect(text).toMatch(/DEPTHWISE_CONV_2D v3/);
    expect(text).toMatch(/final_fc_weights\/read\/transpose\s+int8\s+\[4,4000\]\s+16000\s+const/);
  });
});

describe("readTflite validation", () => {
  const tiny = () => ({
    tensors: [
      { name: "x", shape: [1, 2], dtype: "float32" as const },
      { name: "w", shape: [3, 2], dtype: "float32" as const, data: new Float32Array(6).fill(0.5) },
      { name: "y", shape: [1, 3], dtype: "float32" as const },
    ],
    operators: [{ options: { op: "FULLY_CONNECTED" as const, fusedActivation: "NONE" as const, keepNumDims: false }, inputs: [0, 1, -1], outputs: [2] }],
    inputs: [0],
    outputs: [2],
  });

  test("a small graph reads back", () => {
    const g = readTflite(writeTflite(tiny()));
    expect(g.operators[0].inputs).toEqual([0, 1, -1]);
    expect([...(g.tensors[1].data as Float32Array)]).toEqual(new Array(6).fill(0.5));
  });

  test("wrong file identifier, empty and truncated files", () => {
    const bytes = writeTflite(tiny());
    const bad = bytes.slice();
    bad.set([0x58, 0x58, 0x58, 0x58], 4);
    expectTfliteError(() => readTflite(bad), /wrong file identifier "XXXX"/, /header/);
    expectTfliteError(() => readTflite(new Uint8Array(0)), /file too small/);
    for (const n of [8, 16, 40, bytes.length / 2, bytes.length - 7]) {
      expectTfliteError(() => readTflite(bytes.subarray(0, n)), /out of bounds|malformed|lies outside/);
    }
    expectTfliteError(() => readTflite("not bytes" as unknown as Uint8Array), /not a Uint8Array/);
  });

  test("root offset pointing past the end", () => {
    const bad = writeTflite(tiny());
    new DataView(bad.buffer).setUint32(0, 0x7ffffff0, true);
    expectTfliteError(() => readTflite(bad), /out of bounds/, /root/);
  });

  test("tensor index out of range, buffer size mismatch, bad arity (unchecked writes)", () => {
    const g1 = tiny();
    g1.operators[0].inputs = [0, 7, -1];
    expectTfliteError(() => readTflite(writeTflite(g1, { validate: false })), /tensor index 7 out of range/, /^subgraphs\[0\]\.operators\[0\]\.inputs\[1\]$/);
    const g2 = tiny();
    g2.tensors[1].data = new Float32Array(5);
    expectTfliteError(() => readTflite(writeTflite(g2, { validate: false })), /buffer 1 holds 20 bytes but .* needs 24/, /tensors\[1\]\.buffer/);
    const g3 = tiny();
    g3.operators[0].inputs = [0];
    expectTfliteError(() => readTflite(writeTflite(g3, { validate: false })), /FULLY_CONNECTED at op #0 has 1 inputs/);
    const g4 = tiny();
    g4.outputs = [3];
    expectTfliteError(() => readTflite(writeTflite(g4, { validate: false })), /out of range/, /^subgraphs\[0\]\.outputs\[0\]$/);
    const g5 = tiny();
    g5.tensors[1].shape = [3, 2, 1, 1, 1];
    g5.tensors[1].data = new Float32Array(6);
    expectTfliteError(() => readTflite(writeTflite(g5, { validate: false })), /needs a rank-2 input 1/);
  });

  test("the writer refuses inconsistent graphs with a TfliteError", () => {
    const g = tiny();
    g.tensors[1].data = new Float32Array(5);
    expectTfliteError(() => writeTflite(g), /data has 5 elements but shape \[3,2\] needs 6/, /graph\.tensors\[1\]\.data/);
    const h = tiny();
    (h.tensors[1] as Tensor).data = new Int8Array(6);
    expectTfliteError(() => writeTflite(h), /Int8Array but dtype is float32/);
  });

  test("several subgraphs need an explicit choice", () => {
    const bytes = writeTflite(tiny(), { extraSubgraphs: 1 });
    expectTfliteError(() => readTflite(bytes), /model has 2 subgraphs/, /model\.subgraphs/);
    expect(readTflite(bytes, { subgraph: 0 }).operators.length).toBe(1);
    expectTfliteError(() => readTflite(bytes, { subgraph: 5 }), /subgraph 5 does not exist/);
  });
});

describe("readTflite against crafted (hostile) files", () => {
  /** A model whose subgraph lists the same Tensor table `copies` times (flatbuffers allow shared references). */
  async function craft(shapeLen: number, copies: number, dataBytes: number): Promise<Uint8Array> {
    const { Builder } = await import("flatbuffers");
    const b = new Builder(1024);
    const data = dataBytes ? b.createByteVector(new Uint8Array(dataBytes)) : 0;
    b.startObject(1);
    if (data) b.addFieldOffset(0, data, 0);
    const buffer1 = b.endObject();
    b.startObject(1);
    const buffer0 = b.endObject();
    b.startVector(4, shapeLen, 4);
    for (let i = 0; i < shapeLen; i++) b.addInt32(i === 0 ? dataBytes || 1 : 1);
    const shape = b.endVector();
    b.startObject(4);
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, 9, 0); // INT8
    b.addFieldInt32(2, dataBytes ? 1 : 0, 0);
    const tensor = b.endObject();
    b.startVector(4, copies, 4);
    for (let i = 0; i < copies; i++) b.addOffset(tensor);
    const tensors = b.endVector();
    b.startObject(5);
    b.addFieldOffset(0, tensors, 0);
    const sg = b.endObject();
    b.startVector(4, 1, 4);
    b.addOffset(sg);
    const sgs = b.endVector();
    b.startVector(4, 2, 4);
    b.addOffset(buffer1);
    b.addOffset(buffer0);
    const bufs = b.endVector();
    b.startObject(5);
    b.addFieldInt32(0, 3, 0);
    b.addFieldOffset(2, sgs, 0);
    b.addFieldOffset(4, bufs, 0);
    b.finish(b.endObject(), "TFL3");
    return b.asUint8Array().slice();
  }

  test("shared tables cannot expand a small file into huge decoded arrays", async () => {
    const ok = await craft(4, 3, 0);
    expect(readTflite(ok).tensors.length).toBe(3);
    const bomb = await craft(10_000, 5_000, 0); // 60 KB file, 50 M shape entries if decoded naively
    expectTfliteError(() => readTflite(bomb), /decoding budget exceeded/);
  });

  test("many tensors sharing one big constant buffer cannot multiply memory", async () => {
    const ok = await craft(1, 2, 100_000);
    const g = readTflite(ok);
    expect(g.tensors[1].data!.length).toBe(100_000);
    expect(g.tensors[0].data === g.tensors[1].data).toBe(false); // copies, not one shared array
    const bomb = await craft(1, 400, 100_000); // 100 KB file, 40 MB of copies
    expectTfliteError(() => readTflite(bomb), /constant data referenced too many times/);
  });
});

describe("operator codes: deprecated_builtin_code (byte) and builtin_code (int32)", () => {
  /** One FULLY_CONNECTED-shaped op (x[1,2], w[3,2] const, y[1,3]) whose OperatorCode has the given fields. */
  async function modelWithCode(code: { deprecated?: number; builtin?: number; custom?: string; version?: number }) {
    const { Builder } = await import("flatbuffers");
    const b = new Builder(1024);
    const wdata = b.createByteVector(new Uint8Array(new Float32Array(6).fill(1).buffer));
    b.startObject(1);
    b.addFieldOffset(0, wdata, 0);
    const buf1 = b.endObject();
    b.startObject(1);
    const buf0 = b.endObject();
    const vec = (v: number[]) => {
      b.startVector(4, v.length, 4);
      for (let i = v.length - 1; i >= 0; i--) b.addInt32(v[i]);
      return b.endVector();
    };
    const tensor = (shape: number[], buffer: number) => {
      const s = vec(shape);
      b.startObject(4);
      b.addFieldOffset(0, s, 0);
      b.addFieldInt32(2, buffer, 0);
      return b.endObject();
    };
    const ts = [tensor([1, 2], 0), tensor([3, 2], 1), tensor([1, 3], 0)];
    const ins = vec([0, 1, -1]);
    const outs = vec([2]);
    b.startObject(5);
    b.addFieldOffset(1, ins, 0);
    b.addFieldOffset(2, outs, 0);
    const op = b.endObject();
    const offs = (v: number[]) => {
      b.startVector(4, v.length, 4);
      for (let i = v.length - 1; i >= 0; i--) b.addOffset(v[i]);
      return b.endVector();
    };
    const tv = offs(ts);
    const ov = offs([op]);
    const gi = vec([0]);
    const go = vec([2]);
    b.startObject(5);
    b.addFieldOffset(0, tv, 0);
    b.addFieldOffset(1, gi, 0);
    b.addFieldOffset(2, go, 0);
    b.addFieldOffset(3, ov, 0);
    const sg = b.endObject();
    const custom = code.custom !== undefined ? b.createString(code.custom) : 0;
    b.startObject(4);
    if (code.deprecated !== undefined) b.addFieldInt8(0, code.deprecated, -1);
    if (custom) b.addFieldOffset(1, custom, 0);
    if (code.version !== undefined) b.addFieldInt32(2, code.version, -1);
    if (code.builtin !== undefined) b.addFieldInt32(3, code.builtin, -1);
    const oc = b.endObject();
    const ocs = offs([oc]);
    const sgs = offs([sg]);
    const bufs = offs([buf0, buf1]);
    b.startObject(5);
    b.addFieldInt32(0, 3, 0);
    b.addFieldOffset(1, ocs, 0);
    b.addFieldOffset(2, sgs, 0);
    b.addFieldOffset(4, bufs, 0);
    b.finish(b.endObject(), "TFL3");
    return b.asUint8Array().slice();
  }

  test("old files: only the byte field", async () => {
    const g = readTflite(await modelWithCode({ deprecated: 9 }));
    expect(g.operators[0].options.op).toBe("FULLY_CONNECTED");
    expect(g.operators[0].version).toBe(1); // schema default
  });

  test("new files: both fields; codes ≥ 127 saturate the byte at 127", async () => {
    expect(readTflite(await modelWithCode({ deprecated: 9, builtin: 9, version: 4 })).operators[0].version).toBe(4);
    const gelu = await modelWithCode({ deprecated: 127, builtin: 150, version: 2 });
    expectTfliteError(() => readTflite(gelu), /^unsupported operator GELU v2 at op #0$/, /operators\[0\]/);
    const custom = await modelWithCode({ deprecated: 32, custom: "SignalRfft" });
    expectTfliteError(() => readTflite(custom), /^unsupported operator CUSTOM 'SignalRfft' v1 at op #0$/);
  });

  test("the writer sets both fields (byte = min(code, 127)), and QUANTIZE (114) round-trips", () => {
    const g = {
      tensors: [{ name: "x", shape: [4], dtype: "float32" as const }, { name: "q", shape: [4], dtype: "int8" as const }],
      operators: [{ options: { op: "QUANTIZE" as const }, inputs: [0], outputs: [1], version: 2 }],
      inputs: [0],
      outputs: [1],
    };
    const bytes = writeTflite(g);
    const codes = new FbReader(bytes).root("TFL3").tables(ModelF.operatorCodes, "operator_codes");
    expect(codes.length).toBe(1);
    expect(codes[0].i8(OperatorCodeF.deprecatedBuiltinCode, "d")).toBe(114);
    expect(codes[0].i32(OperatorCodeF.builtinCode, "b")).toBe(114);
    expect(codes[0].i32(OperatorCodeF.version, "v")).toBe(2);
    expect(readTflite(bytes)).toEqual(g);
  });
});
