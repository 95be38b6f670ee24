/**
 * Every op the C backend supports, on small synthetic graphs with random data, against the TypeScript int8
 * engine (lib/int8, TFLite Micro's reference kernels written independently): the generated C compiled with
 * the host gcc must give the same bytes. Covers the ops and options the golden models do not (ADD, MUL,
 * LOGISTIC, TANH, MAX_POOL, PAD, CONCATENATION, QUANTIZE, DEQUANTIZE, dilation, groups of outputs…).
 */
import { describe, expect, test } from "vitest";
import type { Graph } from "../../lib/graph/types.ts";
import { Interpreter } from "../../lib/int8/mod.ts";
import { buildHostRunner, diffs, hasTool, runHost } from "./codegen_helpers.ts";
import { conv, GraphBuilder, noise, size } from "./graph_builder.ts";

/** The graphs: each a few ops; names say what they exercise. */
function cases(): Record<string, Graph> {
  const out: Record<string, Graph> = {};
  {
    const g = new GraphBuilder();
    const x = g.act([2, 40], 0.05, -3), y = g.act([2, 12], 0.3, 4);
    g.op({ op: "FULLY_CONNECTED", fusedActivation: "RELU6", keepNumDims: false }, [x, g.weights([12, 40], 0.01), g.bias(12, 0.0005)], [y]);
    out["FULLY_CONNECTED batch 2, RELU6"] = g.graph(x, y);
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 9, 11, 3], 0.05, 2), y = g.act([1, 5, 6, 6], 0.08, -10), z = g.act([1, 5, 6, 6], 0.1, 3);
    g.op(conv("SAME", 2, 1, "RELU"), [x, g.weights([6, 3, 3, 3], [0.01, 0.012, 0.008, 0.02, 0.011, 0.009]), g.bias(6, 0.0005)], [y]);
    g.op(conv("SAME", 1, 2, "NONE"), [y, g.weights([6, 3, 3, 6], 0.01), -1], [z]);
    out["CONV_2D SAME stride 2 per-channel, then dilation 2 without bias"] = g.graph(x, z);
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 7, 8, 3], 0.05, -1), y = g.act([1, 7, 8, 6], 0.02, 0), z = g.act([1, 3, 3, 6], 0.02, 0);
    g.op({ op: "DEPTHWISE_CONV_2D", padding: "SAME", strideW: 1, strideH: 1, dilationW: 1, dilationH: 1, depthMultiplier: 2, fusedActivation: "RELU_N1_TO_1" },
      [x, g.weights([1, 3, 3, 6], [0.01, 0.02, 0.015, 0.01, 0.012, 0.03], 3), g.bias(6, 0.0005)], [y]);
    g.op({ op: "DEPTHWISE_CONV_2D", padding: "VALID", strideW: 2, strideH: 2, dilationW: 1, dilationH: 1, depthMultiplier: 1, fusedActivation: "NONE" },
      [y, g.weights([1, 3, 3, 6], 0.02, 3), g.bias(6, 0.0004)], [z]);
    out["DEPTHWISE_CONV_2D multiplier 2 RELU_N1_TO_1, then VALID stride 2"] = g.graph(x, z);
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 9, 7, 4], 0.05, -2), y = g.act([1, 5, 4, 4], 0.05, -2), z = g.act([1, 3, 2, 4], 0.05, -2);
    g.op({ op: "MAX_POOL_2D", padding: "SAME", strideW: 2, strideH: 2, filterW: 3, filterH: 3, fusedActivation: "RELU" }, [x], [y]);
    g.op({ op: "AVERAGE_POOL_2D", padding: "SAME", strideW: 2, strideH: 2, filterW: 3, filterH: 2, fusedActivation: "NONE" }, [y], [z]);
    out["MAX_POOL_2D SAME + RELU, AVERAGE_POOL_2D SAME with partial windows"] = g.graph(x, z);
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 4, 5, 3], 0.05, -2), y = g.act([1, 4, 5, 3], 0.07, 1), z = g.act([1, 4, 5, 3], 0.1, -5);
    g.op({ op: "ADD", fusedActivation: "RELU" }, [x, g.constInt8([1, 1, 1, 3], 0.03, 4)], [y]);
    g.op({ op: "MUL", fusedActivation: "NONE" }, [y, g.constInt8([1, 4, 1, 3], 0.02, -3)], [z]);
    out["ADD and MUL with broadcast constants"] = g.graph(x, z);
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 4, 5, 3], 0.05, -2), y = g.act([1, 4, 5, 3], 0.08, 3);
    g.op({ op: "ADD", fusedActivation: "NONE" }, [x, x], [y]);
    out["ADD of a tensor to itself"] = g.graph(x, y);
  }
  for (const kind of ["LOGISTIC", "TANH"] as const) {
    const g = new GraphBuilder();
    const x = g.act([1, 256], 0.04, 7);
    const y = kind === "LOGISTIC" ? g.act([1, 256], 1 / 256, -128) : g.act([1, 256], 1 / 128, 0);
    g.op({ op: kind }, [x], [y]);
    out[kind] = g.graph(x, y);
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 3, 4, 2], 0.05, -2), p = g.act([1, 5, 5, 2], 0.05, -2), c = g.act([1, 5, 5, 4], 0.05, -2);
    g.op({ op: "PAD" }, [x, g.int32s([0, 0, 1, 1, 0, 1, 0, 0])], [p]);
    g.op({ op: "CONCATENATION", axis: -1, fusedActivation: "NONE" }, [p, p], [c]);
    out["PAD then CONCATENATION on the last axis"] = g.graph(x, c);
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 3, 10], 0.3, 1), y = g.act([1, 3, 10], 1 / 256, -128), r = g.act([1, 30], 1 / 256, -128), s = g.act([1, 30], 0.01, 5);
    g.op({ op: "SOFTMAX", beta: 1 }, [x], [y]);
    g.op({ op: "RESHAPE", newShape: [1, 30] }, [y, g.int32s([1, 30])], [r]);
    g.op({ op: "QUANTIZE" }, [r], [s]);
    out["SOFTMAX over 3 rows, RESHAPE, QUANTIZE int8 -> int8"] = g.graph(x, s);
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 16], 0, 0, "float32"), y = g.act([1, 16], 0.05, 3), z = g.act([1, 16], 0, 0, "float32");
    g.op({ op: "QUANTIZE" }, [x], [y]);
    g.op({ op: "DEQUANTIZE" }, [y], [z]);
    out["QUANTIZE float -> int8, DEQUANTIZE"] = g.graph(x, z);
  }
  return out;
}

function bytesOf(a: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

describe.skipIf(!hasTool("gcc"))("generated C matches the TypeScript int8 engine op by op", () => {
  for (const [label, graph] of Object.entries(cases())) {
    test(label, () => {
      const inT = graph.tensors[graph.inputs[0]];
      const n = size(inT.shape);
      // Three different inputs per graph, run through both implementations.
      const inputs = [1, 2, 3].map((seed) =>
        inT.dtype === "float32" ? Float32Array.from(noise(n, 100 + seed), (v, i) => v / 20 + (i % 3) * 0.013) : noise(n, 100 + seed)
      );
      const interp = new Interpreter(graph);
      const want = inputs.map((x) => bytesOf(interp.invoke([x])[0] as Int8Array));
      const exe = buildHostRunner(graph, "m");
      const all = new Uint8Array(inputs.flatMap((x) => Array.from(bytesOf(x))));
      const got = runHost(exe, all);
      const wantAll = new Uint8Array(want.flatMap((w) => Array.from(w)));
      expect(diffs(got, wantAll)).toEqual([]);
      // Not a trivial check: outputs vary.
      expect(new Set(wantAll).size).toBeGreaterThan(2);
    }, 30_000);
  }
});
