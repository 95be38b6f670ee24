/**
 * The specialised WebAssembly kernels (1×1 conv / fully connected as a matrix product, depthwise 3×3,
 * its one-input-channel broadcast form) and every vector requantization mode agree bit for bit with
 * the reference kernels — on shapes chosen to reach each of them, with huge biases so the accumulators
 * span the whole int32 range (saturation, wrap-around, rounding ties at every shift).
 */
import { describe, expect, test } from "vitest";
import { Interpreter } from "../../lib/int8/mod.ts";
import type { ConvParams, FullyConnectedParams } from "../../lib/int8/mod.ts";
import { computeOutSize } from "../../lib/int8/mod.ts";
import { wasmSimdAvailable } from "../../lib/int8/wasm/engine.ts";
import { requantMode, type RequantMode } from "../../lib/int8/wasm/kernels.ts";
import type { Graph, Padding } from "../../lib/graph/types.ts";
import { ACTIVATIONS as acts, oneOp, q, randInt32, randInt8, rng, tensor } from "./build.ts";

type Kind = "conv1x1" | "fc" | "dw3x3" | "dw3x3-broadcast";
const kinds: Kind[] = ["conv1x1", "fc", "dw3x3", "dw3x3-broadcast"];

/** A random one-op graph of `kind` and its input. */
function randomCase(kind: Kind, t: number, r: (n: number) => number): { g: Graph; x: Int8Array } {
  // Scales: weights over 24 octaves so right shifts run from 0 to > 21 ("wide") and some multipliers
  // exceed 1 (left shifts); biases up to 2^31 so accumulators reach every magnitude.
  const sIn = 2 ** -r(6), sOut = 2 ** -r(6) * (1 + r(100) / 100);
  const wScale = () => 2 ** -(r(24) + (r(3) === 0 ? -6 : 0)) * (1 + r(50) / 50);
  const biasRange = 2 ** (r(32));
  const inZp = r(256) - 128, outZp = r(256) - 128;
  const fusedActivation = acts[r(4)];
  if (kind === "fc") {
    const batches = 1 + r(3), depth = 8 * (1 + r(6)), outD = 8 * (1 + r(3));
    const sW = wScale();
    const g = oneOp(
      { op: "FULLY_CONNECTED", fusedActivation, keepNumDims: false },
      [
        tensor("x", [batches, depth], "int8", q(sIn, inZp)),
        tensor("w", [outD, depth], "int8", q(sW), randInt8(outD * depth, 100 + t, -127, 127)),
        tensor("b", [outD], "int32", q(sW * sIn), randInt32(outD, 200 + t, biasRange)),
      ],
      tensor("y", [batches, outD], "int8", q(sOut, outZp)),
    );
    return { g, x: randInt8(batches * depth, 300 + t) };
  }
  const n = 1 + r(2), h = 1 + r(9), w = 1 + r(9);
  if (kind === "conv1x1") {
    const c = 8 * (1 + r(4)), oc = 8 * (1 + r(5));
    const sW = Array.from({ length: oc }, wScale);
    const g = oneOp(
      { op: "CONV_2D", padding: "VALID", strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, fusedActivation },
      [
        tensor("x", [n, h, w, c], "int8", q(sIn, inZp)),
        tensor("w", [oc, 1, 1, c], "int8", q(sW, 0, 0), randInt8(oc * c, 100 + t, -127, 127)),
        r(5) ? tensor("b", [oc], "int32", q(sW.map((s) => s * sIn)), randInt32(oc, 200 + t, biasRange)) : null,
      ],
      tensor("y", [n, h, w, oc], "int8", q(sOut, outZp)),
    );
    return { g, x: randInt8(n * h * w * c, 300 + t) };
  }
  const broadcast = kind === "dw3x3-broadcast";
  // Depthwise: 8k channels, or a depth multiplier (2 or 4 input channels × 4 or 2, and 1 channel × 8k).
  const mult = broadcast ? 8 * (1 + r(2)) : r(4) === 0 ? [2, 4][r(2)] : 1;
  const c = broadcast ? 1 : mult === 1 ? 8 * (1 + r(3)) : 8 / mult, m = mult, oc = c * m;
  const stride = 1 + r(2), dil = 1 + r(2);
  const padding: Padding = r(2) ? "SAME" : "VALID";
  const hh = h + 4, ww = w + 4; // room for the 3×3 window with dilation
  const oh = computeOutSize(padding, hh, 3, stride, dil), ow = computeOutSize(padding, ww, 3, stride, dil);
  const sW = Array.from({ length: oc }, wScale);
  const g = oneOp(
    { op: "DEPTHWISE_CONV_2D", depthMultiplier: m, padding, strideH: stride, strideW: stride, dilationH: dil, dilationW: dil, fusedActivation },
    [
      tensor("x", [n, hh, ww, c], "int8", q(sIn, inZp)),
      tensor("w", [1, 3, 3, oc], "int8", q(sW, 0, 3), randInt8(9 * oc, 100 + t, -127, 127)),
      tensor("b", [oc], "int32", q(sW.map((s) => s * sIn)), randInt32(oc, 200 + t, biasRange)),
    ],
    tensor("y", [n, oh, ow, oc], "int8", q(sOut, outZp)),
  );
  return { g, x: randInt8(n * hh * ww * c, 300 + t) };
}

describe.skipIf(!wasmSimdAvailable())("specialised wasm kernels ≡ reference kernels", () => {
  test("1×1 conv, fully connected, depthwise 3×3 (and broadcast), all requantization modes", () => {
    const r = rng(2024);
    const modes: Record<RequantMode, number> = { uniform: 0, "uniform-left": 0, wide: 0 };
    let onWasm = 0;
    for (let t = 0; t < 240; t++) {
      const kind = kinds[t % kinds.length];
      const { g, x } = randomCase(kind, t, r);
      const want = new Interpreter(g, { kernels: "reference" }).invoke([x])[0] as Int8Array;
      const wasm = new Interpreter(g, { kernels: "wasm", minWasmMacs: 0 });
      const got = wasm.invoke([x])[0] as Int8Array;
      expect(Array.from(got), `case ${t} (${kind})`).toEqual(Array.from(want));
      if (wasm.wasmOps.length) {
        onWasm++;
        const p = wasm.prepared[0] as ConvParams | FullyConnectedParams;
        const mode = requantMode(p.outputMultiplier, p.outputShift, p.outputOffset, p.actMin, p.actMax);
        if (mode) modes[mode]++;
      }
    }
    // Every shape above fits the SIMD kernels; each requantization mode was exercised.
    expect(onWasm).toBeGreaterThan(200);
    expect(modes.uniform).toBeGreaterThan(10);
    expect(modes["uniform-left"]).toBeGreaterThan(3);
    expect(modes.wide).toBeGreaterThan(3);
  }, 60_000);
});

describe.skipIf(!wasmSimdAvailable())("wasm AVERAGE_POOL_2D ≡ reference", () => {
  test("random windows, strides, padding and activations", () => {
    const r = rng(77);
    let onWasm = 0;
    for (let t = 0; t < 80; t++) {
      const n = 1 + r(2), h = 1 + r(9), w = 1 + r(9), c = 1 + r(20);
      const fh = 1 + r(4), fw = 1 + r(4), stride = 1 + r(3);
      const padding: Padding = r(2) ? "SAME" : "VALID";
      const oh = computeOutSize(padding, h, fh, stride, 1), ow = computeOutSize(padding, w, fw, stride, 1);
      if (oh <= 0 || ow <= 0) continue;
      const zp = r(256) - 128;
      const g = oneOp(
        { op: "AVERAGE_POOL_2D", padding, strideH: stride, strideW: stride, filterH: fh, filterW: fw, fusedActivation: acts[r(4)] },
        [tensor("x", [n, h, w, c], "int8", q(0.05, zp))],
        tensor("y", [n, oh, ow, c], "int8", q(0.05, zp)),
      );
      const x = randInt8(n * h * w * c, 500 + t);
      const want = new Interpreter(g, { kernels: "reference" }).invoke([x])[0] as Int8Array;
      const wasm = new Interpreter(g, { kernels: "wasm" });
      expect(Array.from(wasm.invoke([x])[0] as Int8Array), `case ${t}`).toEqual(Array.from(want));
      if (wasm.wasmOps.length) onWasm++;
    }
    expect(onWasm).toBeGreaterThan(40);
  });
});
