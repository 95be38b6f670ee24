/** The fast CONV/DEPTHWISE/FC kernels agree bit for bit with the reference kernels on random cases. */
import { describe, expect, test } from "vitest";
import { Interpreter } from "../../lib/int8/mod.ts";
import { wasmSimdAvailable } from "../../lib/int8/wasm/engine.ts";
import { instantiateKernels } from "../../lib/int8/wasm/kernels.ts";
import { multiplyByQuantizedMultiplierBigInt } from "../../lib/quant/mod.ts";
import {
  convInt8,
  convInt8Fast,
  depthwiseConvInt8,
  depthwiseConvInt8Fast,
  fullyConnectedInt8,
  fullyConnectedInt8Fast,
  prepareOp,
} from "../../lib/int8/mod.ts";
import type { ConvParams, FullyConnectedParams } from "../../lib/int8/mod.ts";
import { computeOutSize } from "../../lib/int8/mod.ts";
import type { Padding } from "../../lib/graph/types.ts";
import { ACTIVATIONS as acts, oneOp, q, randInt32, randInt8, rng, tensor } from "./build.ts";

describe("fast kernels ≡ reference kernels", () => {
  test("CONV_2D and DEPTHWISE_CONV_2D: 120 random geometries, scales and activations", () => {
    const r = rng(42);
    let wasmCases = 0;
    for (let t = 0; t < 120; t++) {
      const depthwise = t % 2 === 1;
      // Conv input channels and depthwise output channels often multiples of 8 (the SIMD kernels' shapes).
      const n = 1 + r(2), h = 1 + r(9), w = 1 + r(9), c = r(3) ? 8 * (1 + r(3)) : 1 + r(5);
      const fh = 1 + r(4), fw = 1 + r(4), stride = 1 + r(3), dil = 1 + r(2);
      const padding: Padding = r(2) ? "SAME" : "VALID";
      const m = depthwise ? (r(2) ? 8 / (c % 8 === 0 ? 8 : 1) : 1 + r(3)) : 1;
      const oc = depthwise ? c * m : 1 + r(6);
      const oh = computeOutSize(padding, h, fh, stride, dil), ow = computeOutSize(padding, w, fw, stride, dil);
      if (oh <= 0 || ow <= 0) continue;
      // Scales spanning small and > 1 multipliers so shifts go both ways.
      const sIn = 2 ** -(r(8) + 1), sOut = 2 ** -(r(10)) * (1 + r(100) / 100);
      const sW = Array.from({ length: oc }, () => 2 ** -(r(12) + 2) * (1 + r(50) / 50));
      const fShape = depthwise ? [1, fh, fw, oc] : [oc, fh, fw, c];
      const f = randInt8(fShape.reduce((a, b) => a * b, 1), 1000 + t, -127, 127);
      const bias = randInt32(oc, 2000 + t, 1 << (r(20) + 1));
      const opts = { padding, strideH: stride, strideW: stride, dilationH: dil, dilationW: dil, fusedActivation: acts[r(4)] };
      const g = oneOp(
        depthwise ? { op: "DEPTHWISE_CONV_2D", depthMultiplier: m, ...opts } : { op: "CONV_2D", ...opts },
        [
          tensor("x", [n, h, w, c], "int8", q(sIn, r(256) - 128)),
          tensor("w", fShape, "int8", q(sW, 0, depthwise ? 3 : 0), f),
          r(4) ? tensor("b", [oc], "int32", q(sW.map((s) => s * sIn)), bias) : null,
        ],
        tensor("y", [n, oh, ow, oc], "int8", q(sOut, r(256) - 128)),
      );
      const p = prepareOp(g, 0) as ConvParams;
      const x = randInt8(n * h * w * c, 3000 + t);
      const b = g.operators[0].inputs[2] >= 0 ? bias : null;
      const a = new Int8Array(n * oh * ow * oc), z = new Int8Array(a.length);
      if (depthwise) {
        depthwiseConvInt8(p, x, f, b, a);
        depthwiseConvInt8Fast(p, x, f, b, z);
      } else {
        convInt8(p, x, f, b, a);
        convInt8Fast(p, x, f, b, z);
      }
      expect(Array.from(z), `case ${t}`).toEqual(Array.from(a));
      // The WebAssembly SIMD kernels, through the interpreter (ops whose channels are not multiples of 8
      // fall back to JS; the geometry here is chosen so that many do run on wasm).
      const wasm = new Interpreter(g, { kernels: "wasm", minWasmMacs: 0 });
      const wz = wasm.invoke([x])[0] as Int8Array;
      expect(Array.from(wz), `wasm case ${t}`).toEqual(Array.from(a));
      if (wasm.wasmOps.length) wasmCases++;
    }
    if (wasmSimdAvailable()) expect(wasmCases).toBeGreaterThan(20);
  });

  test("FULLY_CONNECTED: random sizes, including int32 accumulator wrap-around", () => {
    const r = rng(7);
    for (let t = 0; t < 60; t++) {
      const batches = 1 + r(3), depth = r(2) ? 8 * (1 + r(60)) : 1 + r(300), outD = 1 + r(8);
      const sIn = 2 ** -(r(6)), sW = 2 ** -(r(10) + 1), sOut = 2 ** -(r(8)) * (1 + r(9) / 10);
      const f = randInt8(outD * depth, 10 + t, -127, 127);
      // Huge biases make the int32 sum wrap; both kernels must wrap identically.
      const bias = randInt32(outD, 20 + t, t % 5 === 0 ? 2 ** 31 - 1 : 10000);
      const g = oneOp(
        { op: "FULLY_CONNECTED", fusedActivation: acts[r(4)], keepNumDims: false },
        [tensor("x", [batches, depth], "int8", q(sIn, r(256) - 128)), tensor("w", [outD, depth], "int8", q(sW), f), tensor("b", [outD], "int32", q(sW * sIn), bias)],
        tensor("y", [batches, outD], "int8", q(sOut, r(256) - 128)),
      );
      const p = prepareOp(g, 0) as FullyConnectedParams;
      const x = randInt8(batches * depth, 30 + t);
      const a = new Int8Array(batches * outD), z = new Int8Array(a.length);
      fullyConnectedInt8(p, x, f, bias, a);
      fullyConnectedInt8Fast(p, x, f, bias, z);
      expect(Array.from(z), `case ${t}`).toEqual(Array.from(a));
      const wz = new Interpreter(g, { kernels: "wasm", minWasmMacs: 0 }).invoke([x])[0] as Int8Array;
      expect(Array.from(wz), `wasm case ${t}`).toEqual(Array.from(a));
    }
  });
});

describe.skipIf(!wasmSimdAvailable())("wasm requantization", () => {
  test("scalar wasm requant ≡ BigInt MultiplyByQuantizedMultiplier on edge values", () => {
    const k = instantiateKernels(new WebAssembly.Memory({ initial: 1 }))!;
    const xs = [0, 1, -1, 2, -2, 12345, -99999, 2147483647, -2147483648, 1 << 30, -(1 << 30), 77777777, -(2 ** 31) + 5];
    const ms = [0, 1, 1 << 30, 1932201080, 2147483647, -2147483648, 1073741825];
    for (const x of xs) {
      for (const m of ms) {
        for (let shift = -31; shift <= 30; shift += 1) {
          const want = multiplyByQuantizedMultiplierBigInt(x, m, shift);
          expect(k.requant(x, m, shift, 0, -(2 ** 31), 2 ** 31 - 1), `${x} ${m} ${shift}`).toBe(want);
        }
      }
    }
  });
});
