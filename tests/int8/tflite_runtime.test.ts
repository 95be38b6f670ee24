/**
 * Cross-check against TensorFlow Lite's own runtime (tfjs-tflite WASM, XNNPACK). XNNPACK requantizes in
 * floating point, so it may differ from TFLM's integer reference by a few LSB; the bound is asserted.
 */
import { describe, expect, test } from "vitest";
import { Interpreter } from "../../lib/int8/mod.ts";
import { loadTfliteRuntime, TfliteRuntimeError } from "../../lib/tflite_runtime/mod.ts";
import { bytes, CONFORMANCE_DIR, GOLDEN_DIR, HAVE_SHARED, int8File, items, loadModel } from "./golden.ts";
import { oneOp, q, randInt8, tensor } from "./build.ts";
import { writeTflite } from "../../lib/tflite/mod.ts";
import type { Graph } from "../../lib/graph/types.ts";

const MAX_LSB = 3;

function compare(a: ArrayLike<number>, b: ArrayLike<number>) {
  let maxDiff = 0, mismatches = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d) mismatches++;
    maxDiff = Math.max(maxDiff, d);
  }
  return { maxDiff, mismatches };
}

describe.skipIf(!HAVE_SHARED)("our engine vs tfjs-tflite", () => {
  test("hello_world_int8: all 256 inputs within 3 LSB", async () => {
    const rt = await loadTfliteRuntime(bytes(CONFORMANCE_DIR + "hello_world_int8.tflite"));
    const ours = new Interpreter(loadModel("hello_world_int8.tflite"));
    const a: number[] = [], b: number[] = [];
    for (let v = -128; v < 128; v++) {
      a.push((ours.invoke([[v]])[0] as Int8Array)[0]);
      b.push((rt.run([[v]])[0] as Int8Array)[0]);
    }
    const { maxDiff, mismatches } = compare(a, b);
    console.log(`hello_world_int8 vs tfjs-tflite: ${mismatches}/256 differ, max ${maxDiff} LSB`);
    expect(maxDiff).toBeLessThanOrEqual(MAX_LSB);
    expect(mismatches).toBeLessThan(64); // mostly identical; the shared README measured 23
    rt.dispose();
  }, 30_000);

  test("micro_speech: golden inputs and 64 more random ones within 3 LSB", async () => {
    const rt = await loadTfliteRuntime(bytes(CONFORMANCE_DIR + "micro_speech_quantized.tflite"));
    expect(rt.inputs[0].shape).toEqual([1, 1960]);
    const ours = new Interpreter(loadModel("micro_speech_quantized.tflite"), { kernels: "fast" });
    const inputs = [
      ...items(int8File(GOLDEN_DIR + "micro_speech_quantized.input.bin"), 1960),
      ...Array.from({ length: 64 }, (_, i) => randInt8(1960, 77 + i)),
    ];
    let maxDiff = 0, mismatches = 0;
    for (const x of inputs) {
      const r = compare(ours.invoke([x])[0] as Int8Array, rt.run([x])[0] as Int8Array);
      maxDiff = Math.max(maxDiff, r.maxDiff);
      mismatches += r.mismatches;
    }
    console.log(`micro_speech vs tfjs-tflite: ${mismatches}/${inputs.length * 4} differ, max ${maxDiff} LSB`);
    expect(maxDiff).toBeLessThanOrEqual(MAX_LSB);
    rt.dispose();
  }, 30_000);

  test("hello_world_float: float32 path within 1e-5 of TFLite", async () => {
    const rt = await loadTfliteRuntime(bytes(CONFORMANCE_DIR + "hello_world_float.tflite"));
    const ours = new Interpreter(loadModel("hello_world_float.tflite"));
    let maxErr = 0, maxSinErr = 0;
    for (let i = 0; i <= 100; i++) {
      const x = new Float32Array([(i / 100) * 2 * Math.PI]);
      const a = (ours.invoke([x])[0] as Float32Array)[0];
      const b = (rt.run([x])[0] as Float32Array)[0];
      maxErr = Math.max(maxErr, Math.abs(a - b));
      maxSinErr = Math.max(maxSinErr, Math.abs(a - Math.sin(x[0])));
    }
    expect(maxErr).toBeLessThan(1e-5);
    expect(maxSinErr).toBeLessThan(0.25); // the model approximates sin
    rt.dispose();
  }, 30_000);

  test("person_detect is refused by full TFLite (per-axis bias on dimension 3)", async () => {
    await expect(loadTfliteRuntime(bytes(CONFORMANCE_DIR + "person_detect.tflite"))).rejects.toThrow(TfliteRuntimeError);
  }, 30_000);
});

describe("single ops vs tfjs-tflite (hand-built graphs written with lib/tflite)", () => {
  const all = Int8Array.from({ length: 256 }, (_, i) => i - 128);
  const pool = (op: "AVERAGE_POOL_2D" | "MAX_POOL_2D") =>
    oneOp(
      { op, padding: "SAME", strideH: 2, strideW: 2, filterH: 3, filterW: 3, fusedActivation: "RELU6" },
      [tensor("x", [1, 9, 7, 8], "int8", q(0.05, -3))],
      tensor("y", [1, 5, 4, 8], "int8", q(0.05, -3)),
    );
  // [name, graph, max LSB allowed]: exact where TFLite's kernel is the same integer algorithm.
  const cases: [string, Graph, number][] = [
    ["LOGISTIC", oneOp({ op: "LOGISTIC" }, [tensor("x", [1, 256], "int8", q(0.05, 3))], tensor("y", [1, 256], "int8", q(1 / 256, -128))), 0],
    ["TANH", oneOp({ op: "TANH" }, [tensor("x", [1, 256], "int8", q(0.02, -1))], tensor("y", [1, 256], "int8", q(1 / 128, 0))), 0],
    ["ADD", oneOp({ op: "ADD", fusedActivation: "NONE" }, [tensor("a", [1, 256], "int8", q(0.1, 5)), tensor("b", [1, 256], "int8", q(0.07, -3))], tensor("y", [1, 256], "int8", q(0.15, -20))), 0],
    ["SOFTMAX", oneOp({ op: "SOFTMAX", beta: 1 }, [tensor("x", [16, 16], "int8", q(0.1, 0))], tensor("y", [16, 16], "int8", q(1 / 256, -128))), 0],
    ["AVERAGE_POOL_2D", pool("AVERAGE_POOL_2D"), 0],
    ["MAX_POOL_2D", pool("MAX_POOL_2D"), 0],
    ["MUL", oneOp({ op: "MUL", fusedActivation: "NONE" }, [tensor("a", [1, 256], "int8", q(0.1, 5)), tensor("b", [1, 256], "int8", q(0.07, -3))], tensor("y", [1, 256], "int8", q(0.3, 4))), 1],
    ["MEAN", oneOp({ op: "MEAN", keepDims: true }, [tensor("x", [1, 4, 4, 16], "int8", q(0.1, 2)), tensor("axis", [2], "int32", undefined, new Int32Array([1, 2]))], tensor("y", [1, 1, 1, 16], "int8", q(0.05, -1))), 1],
  ];
  for (const [name, g, bound] of cases) {
    test(`${name} within ${bound} LSB of TFLite`, async () => {
      const rt = await loadTfliteRuntime(writeTflite(g));
      const inputs = g.inputs.map((t, k) => randInt8(g.tensors[t].shape.reduce((a, b) => a * b, 1), 5 + k));
      if (name === "LOGISTIC" || name === "TANH") inputs[0] = all;
      const { maxDiff } = compare(new Interpreter(g).invoke(inputs)[0] as Int8Array, rt.run(inputs)[0] as Int8Array);
      expect(maxDiff).toBeLessThanOrEqual(bound);
      rt.dispose();
    }, 30_000);
  }
});
