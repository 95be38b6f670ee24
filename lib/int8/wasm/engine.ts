/**
 * Runs the heavy ops of a prepared graph (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED) with the
 * WebAssembly SIMD kernels. Weights, biases and multipliers are copied into wasm memory once; per call
 * the int8 input is copied in, padded/offset into int16, convolved, and the int8 output copied out.
 * Ops whose shapes do not fit the SIMD kernels (channel counts not multiples of 8) are left to the JS
 * kernels (`run` returns false).
 *
 * @module
 */
import type { Graph, TensorData } from "../../graph/types.ts";
import type { ConvParams, FullyConnectedParams, PreparedOp } from "../params.ts";
import {
  instantiateKernels,
  kernelModule,
  packConvWeights,
  REQUANT4_BYTES,
  requant4Params,
  type WasmKernelExports,
} from "./kernels.ts";

interface OpPlan {
  kind: "conv" | "dwconv";
  /** Arguments of pad() after (src, dst). */
  padArgs: number[];
  /** Arguments of conv()/dwconv() after xp. */
  kernelArgs: number[];
  /** Repacked conv weights (see packConvWeights); the plain weights for depthwise. */
  wpk: number;
  inSize: number;
  outSize: number;
}

/** Ops with fewer multiply-accumulates stay on the JS kernels. */
export const MIN_WASM_MACS = 4096;

/** True when this runtime can run the SIMD kernels. */
export function wasmSimdAvailable(): boolean {
  return kernelModule() !== null;
}

/** Wasm-backed kernels for one graph. */
export class WasmKernels {
  private readonly k: WasmKernelExports;
  private readonly memory: WebAssembly.Memory;
  private readonly plans = new Map<number, OpPlan>();
  private readonly srcPtr: number;
  private readonly padPtr: number;
  private readonly outPtr: number;
  private readonly scratchPtr: number;

  private constructor(k: WasmKernelExports, memory: WebAssembly.Memory, layout: { src: number; pad: number; out: number; scratch: number }) {
    this.k = k;
    this.memory = memory;
    this.srcPtr = layout.src;
    this.padPtr = layout.pad;
    this.outPtr = layout.out;
    this.scratchPtr = layout.scratch;
  }

  /** Build the wasm state for every op that fits; null when WebAssembly SIMD is unavailable. */
  static create(graph: Graph, prepared: PreparedOp[], minMacs = MIN_WASM_MACS): WasmKernels | null {
    if (!kernelModule()) return null;
    // First pass: which ops fit, and how much memory they need.
    const align = (n: number) => Math.ceil(n / 16) * 16;
    let maxIn = 0, maxPad = 0, maxOut = 0, constBytes = 0;
    type Geo = { p: ConvParams | FullyConnectedParams; kind: "conv" | "dwconv"; N: number; H: number; W: number; C: number; M: number; OC: number; FH: number; FW: number; OH: number; OW: number; SH: number; SW: number; DH: number; DW: number; padT: number; padL: number; PH: number; PW: number; inputOffset: number };
    const geos: Geo[] = [];
    for (const p of prepared) {
      if (p.dtype !== "int8") continue;
      let geo: Geo | null = null;
      if (p.op === "CONV_2D" || p.op === "DEPTHWISE_CONV_2D") {
        const [N, H, W, C] = p.inputShape;
        const [, OH, OW, OC] = p.outputShape;
        const [, FH, FW] = p.filterShape;
        const dw = p.op === "DEPTHWISE_CONV_2D";
        if (dw ? OC % 8 !== 0 : C % 8 !== 0 || p.filterShape[3] !== C) continue;
        const PH = Math.max(H + p.padH, (OH - 1) * p.strideH + (FH - 1) * p.dilationH + 1);
        const PW = Math.max(W + p.padW, (OW - 1) * p.strideW + (FW - 1) * p.dilationW + 1);
        geo = {
          p, kind: dw ? "dwconv" : "conv", N, H, W, C, M: dw ? p.depthMultiplier : 1, OC, FH, FW, OH, OW,
          SH: p.strideH, SW: p.strideW, DH: p.dilationH, DW: p.dilationW, padT: p.padH, padL: p.padW, PH, PW,
          inputOffset: p.inputOffset,
        };
      } else if (p.op === "FULLY_CONNECTED") {
        if (p.accumDepth % 8 !== 0 || p.filterOffset !== 0) continue;
        geo = {
          p, kind: "conv", N: p.batches, H: 1, W: 1, C: p.accumDepth, M: 1, OC: p.outputDepth, FH: 1, FW: 1, OH: 1, OW: 1,
          SH: 1, SW: 1, DH: 1, DW: 1, padT: 0, padL: 0, PH: 1, PW: 1, inputOffset: p.inputOffset,
        };
      }
      if (!geo) continue;
      // The vector requantization assumes non-negative multipliers (positive scales).
      if (geo.p.outputMultiplier.some((m) => m < 0)) continue;
      // Tiny ops run faster in JS than through the copy-in/pad/copy-out of the wasm path.
      const macs = geo.N * geo.OH * geo.OW * geo.OC * geo.FH * geo.FW * (geo.kind === "conv" ? geo.C : 1);
      if (macs < minMacs) continue;
      geos.push(geo);
      maxIn = Math.max(maxIn, geo.N * geo.H * geo.W * geo.C);
      maxPad = Math.max(maxPad, geo.N * geo.PH * geo.PW * geo.C * geo.M * 2 + 32);
      maxOut = Math.max(maxOut, geo.N * geo.OH * geo.OW * geo.OC);
      const filterBytes = geo.kind === "conv" ? geo.OC * geo.FH * geo.FW * geo.C : geo.FH * geo.FW * geo.OC;
      constBytes += 2 * align(filterBytes + 16) + align(geo.OC * 4) * 3 + Math.ceil(geo.OC / 4) * REQUANT4_BYTES + 128;
    }
    if (geos.length === 0) return null;
    // scratch: 64 bytes of accumulators + the tap-offset table (4 bytes per filter tap).
    let maxTaps = 0;
    for (const geo of geos) maxTaps = Math.max(maxTaps, geo.FH * geo.FW);
    const layout = { scratch: 16, src: align(16 + 64 + 4 * maxTaps + 16), pad: 0, out: 0 };
    layout.pad = align(layout.src + maxIn + 16);
    layout.out = align(layout.pad + maxPad + 16);
    let next = align(layout.out + maxOut + 16);
    const total = next + constBytes;
    const memory = new WebAssembly.Memory({ initial: Math.ceil(total / 65536) + 1 });
    const k = instantiateKernels(memory);
    if (!k) return null;
    const self = new WasmKernels(k, memory, layout);
    const heap8 = new Int8Array(memory.buffer);
    const heap32 = new Int32Array(memory.buffer);
    const put8 = (data: Int8Array) => {
      const ptr = next;
      heap8.set(data, ptr);
      next = align(ptr + data.length + 16);
      return ptr;
    };
    const put32 = (data: ArrayLike<number>) => {
      const ptr = next;
      heap32.set(data, ptr / 4);
      next = align(ptr + data.length * 4);
      return ptr;
    };
    for (const geo of geos) {
      const op = graph.operators[geo.p.opIndex];
      const filter = graph.tensors[op.inputs[1]].data as Int8Array | undefined;
      if (!(filter instanceof Int8Array)) continue; // weights not constant: leave to JS
      const biasT = op.inputs[2] >= 0 ? graph.tensors[op.inputs[2]].data : undefined;
      if (biasT && !(biasT instanceof Int32Array)) continue;
      const wPtr = put8(filter);
      const wpkPtr = geo.kind === "conv" ? put8(packConvWeights(filter, geo.OC, geo.FH * geo.FW, geo.C)) : wPtr;
      const biasPtr = put32(biasT ?? new Int32Array(geo.OC));
      const multPtr = put32(geo.p.outputMultiplier);
      const shiftPtr = put32(geo.p.outputShift);
      const rqPtr = put8(new Int8Array(requant4Params(geo.p.outputMultiplier, geo.p.outputShift).buffer));
      const p = geo.p;
      self.plans.set(p.opIndex, {
        kind: geo.kind,
        padArgs: [geo.N, geo.H, geo.W, geo.C, geo.M, geo.padT, geo.padL, geo.PH, geo.PW, geo.inputOffset],
        kernelArgs: [
          geo.PH, geo.PW, geo.C * geo.M, wPtr, geo.OC, geo.FH, geo.FW, biasPtr, multPtr, shiftPtr, layout.out,
          geo.N, geo.OH, geo.OW, geo.SH, geo.SW, geo.DH, geo.DW, p.outputOffset, p.actMin, p.actMax, rqPtr,
        ],
        wpk: wpkPtr,
        inSize: geo.N * geo.H * geo.W * geo.C,
        outSize: geo.N * geo.OH * geo.OW * geo.OC,
      });
    }
    return self;
  }

  /** Op indices this instance runs. */
  get handledOps(): number[] {
    return [...this.plans.keys()];
  }

  /** Run op `opIndex` if it has a wasm plan; returns false otherwise (the caller uses the JS kernels). */
  run(opIndex: number, input: TensorData, output: TensorData): boolean {
    const plan = this.plans.get(opIndex);
    if (!plan) return false;
    const heap8 = new Int8Array(this.memory.buffer);
    heap8.set((input as Int8Array).subarray(0, plan.inSize), this.srcPtr);
    this.k.pad(this.srcPtr, this.padPtr, ...plan.padArgs);
    if (plan.kind === "conv") this.k.conv(this.padPtr, ...plan.kernelArgs, this.scratchPtr, plan.wpk);
    else this.k.dwconv(this.padPtr, ...plan.kernelArgs, this.scratchPtr, plan.wpk);
    (output as Int8Array).set(heap8.subarray(this.outPtr, this.outPtr + plan.outSize));
    return true;
  }
}
