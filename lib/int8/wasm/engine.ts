/**
 * Runs the heavy ops of a prepared graph (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, and the int8
 * AVERAGE_POOL_2D between them) with the WebAssembly SIMD kernels. Weights (repacked into the order each
 * kernel streams them), biases and requantization parameters are copied into wasm memory once; per call
 * the int8 input is copied in (skipped when it is the previous wasm op's output, still resident),
 * padded/offset into int16 where the kernel needs it, convolved, and the int8 output copied out.
 * Ops whose shapes do not fit the SIMD kernels (channel counts not multiples of 8) are left to the JS
 * kernels (`run` returns false).
 *
 * @module
 */
import type { Graph, TensorData } from "../../graph/types.ts";
import type { ConvParams, FullyConnectedParams, PoolParams, PreparedOp } from "../params.ts";
import {
  instantiateKernels,
  kernelModule,
  kernelName,
  type KernelKind,
  requantMode,
  type RequantMode,
  packConv1x1Weights,
  packDw3x3Weights,
  packConvWeights,
  REQUANT4_BYTES,
  requant4Params,
  type WasmKernelExports,
} from "./kernels.ts";

interface OpPlan {
  kind: KernelKind | "avgpool";
  /** Export name of the kernel (kind + requantization mode). */
  kernel: string;
  /** Arguments of pad() after (src, dst). */
  padArgs: number[];
  /** Where pad() writes (the shared padded buffer). */
  padPtr: number;
  /** Arguments of conv()/dwconv() after xp. */
  kernelArgs: number[];
  /** Repacked conv weights (see packConvWeights); the plain weights for depthwise. */
  wpk: number;
  inSize: number;
  outSize: number;
  /** Index in kernelArgs of the output pointer. */
  outArg: number;
  /** The kernel call(s) with every argument bound, per activation buffer holding the input (built on first use). */
  exec: (() => void)[];
  /** Views of the output in wasm memory, per activation buffer holding the input (made on first use). */
  outView: Int8Array[];
}

/** Ops with fewer multiply-accumulates stay on the JS kernels. */
export const MIN_WASM_MACS = 4096;

/** 1×1 conv with stride 1 and no padding (or fully connected), channel counts multiples of 8. */
function isPlainMatmul(geo: { kind: string; FH: number; FW: number; SH: number; SW: number; padT: number; padL: number; H: number; W: number; OH: number; OW: number; C: number; OC: number }): boolean {
  return geo.kind === "conv" && geo.FH === 1 && geo.FW === 1 && geo.SH === 1 && geo.SW === 1 && geo.padT === 0 &&
    geo.padL === 0 && geo.OH === geo.H && geo.OW === geo.W && geo.C % 8 === 0 && geo.OC % 8 === 0;
}

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
  private readonly outPtr: number;
  private readonly scratchPtr: number;
  private readonly heap8: Int8Array;
  /** The tensor buffer last written by run(), whose bytes are still in wasm buffer `residentBuffer`. */
  private resident: TensorData | null = null;
  private residentBuffer: 0 | 1 = 1;
  private residentSize = 0;

  private constructor(k: WasmKernelExports, memory: WebAssembly.Memory, layout: { src: number; pad: number; out: number; scratch: number }) {
    this.k = k;
    this.memory = memory;
    this.srcPtr = layout.src;
    this.outPtr = layout.out;
    this.scratchPtr = layout.scratch;
    this.heap8 = new Int8Array(memory.buffer);
  }

  /** Build the wasm state for every op that fits; null when WebAssembly SIMD is unavailable. */
  static create(graph: Graph, prepared: PreparedOp[], minMacs = MIN_WASM_MACS): WasmKernels | null {
    if (!kernelModule()) return null;
    // First pass: which ops fit, and how much memory they need.
    const align = (n: number) => Math.ceil(n / 16) * 16;
    let maxIn = 0, maxPad = 0, maxOut = 0, constBytes = 0;
    type Geo = { p: ConvParams | FullyConnectedParams; kind: "conv" | "dwconv"; N: number; H: number; W: number; C: number; M: number; OC: number; FH: number; FW: number; OH: number; OW: number; SH: number; SW: number; DH: number; DW: number; padT: number; padL: number; PH: number; PW: number; inputOffset: number };
    const geos: Geo[] = [];
    const pools: PoolParams[] = [];
    for (const p of prepared) {
      if (p.dtype !== "int8") continue;
      if (p.op === "AVERAGE_POOL_2D") {
        // Plain scalar wasm: the JS kernel's generic loop costs more than the copies.
        pools.push(p);
        maxIn = Math.max(maxIn, p.inputShape.reduce((a, b) => a * b, 1));
        maxOut = Math.max(maxOut, p.outputShape.reduce((a, b) => a * b, 1));
        continue;
      }
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
      if (!requantMode(geo.p.outputMultiplier, geo.p.outputShift, geo.p.outputOffset, geo.p.actMin, geo.p.actMax)) continue;
      // Tiny ops run faster in JS than through the copy-in/pad/copy-out of the wasm path.
      const macs = geo.N * geo.OH * geo.OW * geo.OC * geo.FH * geo.FW * (geo.kind === "conv" ? geo.C : 1);
      if (macs < minMacs) continue;
      geos.push(geo);
      maxIn = Math.max(maxIn, geo.N * geo.H * geo.W * geo.C);
      maxPad = Math.max(maxPad, geo.N * geo.PH * geo.PW * geo.C * geo.M * 2 + 32);
      maxOut = Math.max(maxOut, geo.N * geo.OH * geo.OW * geo.OC);
      const filterBytes = geo.kind === "conv" ? geo.OC * geo.FH * geo.FW * geo.C : geo.FH * geo.FW * geo.OC;
      constBytes += 3 * align(filterBytes + 16) + align(3 * filterBytes + 16) + align(geo.OC * 4) * 3 + Math.ceil(geo.OC / 4) * REQUANT4_BYTES + 128;
    }
    if (geos.length === 0 && pools.length === 0) return null;
    // scratch: 64 bytes of accumulators + the tap-offset table (4 bytes per filter tap).
    let maxTaps = 0;
    for (const geo of geos) maxTaps = Math.max(maxTaps, geo.FH * geo.FW);
    const layout = { scratch: 16, src: align(16 + 64 + 4 * maxTaps + 16), pad: 0, out: 0 };
    // Two activation buffers (src, out) of the same size: an op's output stays resident and is the
    // next op's input when that op consumes it directly (see run()).
    const maxAct = Math.max(maxIn, maxOut);
    layout.pad = align(layout.src + maxAct + 16);
    layout.out = align(layout.pad + maxPad + 16);
    let next = align(layout.out + maxAct + 16);
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
      const biasPtr = put32(biasT ?? new Int32Array(geo.OC));
      const p = geo.p;
      const mode = requantMode(p.outputMultiplier, p.outputShift, p.outputOffset, p.actMin, p.actMax) as RequantMode;
      const rqPtr = put8(new Int8Array(requant4Params(p.outputMultiplier, p.outputShift, mode, p.outputOffset).buffer));
      if (isPlainMatmul(geo)) {
        // 1×1 conv / fully connected: a matrix product straight from the int8 input.
        const wpk = packConv1x1Weights(filter, geo.OC, geo.C);
        const wpkPtr = put8(wpk);
        const P = geo.N * geo.OH * geo.OW;
        self.plans.set(p.opIndex, {
          kind: "conv1x1",
          kernel: kernelName("conv1x1", mode),
          padArgs: [],
          padPtr: layout.pad,
          kernelArgs: [P, geo.C, geo.OC, wpkPtr, biasPtr, rqPtr, layout.out, geo.inputOffset, p.outputOffset, p.actMin, p.actMax],
          outArg: 6,
          exec: [],
          outView: [],
          wpk: wpkPtr,
          inSize: geo.N * geo.H * geo.W * geo.C,
          outSize: geo.N * geo.OH * geo.OW * geo.OC,
        });
        continue;
      }
      const wPtr = put8(filter);
      const dw3 = geo.kind === "dwconv" && geo.FH === 3 && geo.FW === 3;
      const wpkPtr = geo.kind === "conv"
        ? put8(packConvWeights(filter, geo.OC, geo.FH * geo.FW, geo.C))
        : dw3
        ? put8(packDw3x3Weights(filter, geo.OC))
        : wPtr;
      const multPtr = put32(geo.p.outputMultiplier);
      const shiftPtr = put32(geo.p.outputShift);
      // One input channel, depth multiplier a multiple of 8: pad the single channel, broadcast it in the kernel.
      const splat = geo.kind === "dwconv" && geo.C === 1 && geo.M % 8 === 0;
      const kind: KernelKind = dw3 ? (splat ? "dw3x3s" : "dw3x3") : splat ? "dwconv1" : geo.kind;
      self.plans.set(p.opIndex, {
        kind,
        kernel: kernelName(kind, mode),
        // One padded buffer shared by all ops (small cache footprint); pad() re-zeroes its borders.
        padArgs: [geo.N, geo.H, geo.W, geo.C, splat ? 1 : geo.M, geo.padT, geo.padL, geo.PH, geo.PW, geo.inputOffset, 1],
        padPtr: layout.pad,
        kernelArgs: [
          geo.PH, geo.PW, geo.C * geo.M, wPtr, geo.OC, geo.FH, geo.FW, biasPtr, multPtr, shiftPtr, layout.out,
          geo.N, geo.OH, geo.OW, geo.SH, geo.SW, geo.DH, geo.DW, p.outputOffset, p.actMin, p.actMax, rqPtr,
        ],
        outArg: 10,
        exec: [],
        outView: [],
        wpk: wpkPtr,
        inSize: geo.N * geo.H * geo.W * geo.C,
        outSize: geo.N * geo.OH * geo.OW * geo.OC,
      });
    }
    for (const p of pools) {
      const [N, H, W, C] = p.inputShape;
      const [, OH, OW] = p.outputShape;
      self.plans.set(p.opIndex, {
        kind: "avgpool",
        kernel: "avgpool",
        padArgs: [],
        padPtr: layout.pad,
        kernelArgs: [N, H, W, C, OH, OW, p.filterH, p.filterW, p.strideH, p.strideW, p.padH, p.padW, layout.out, p.actMin, p.actMax],
        outArg: 12,
        exec: [],
        outView: [],
        wpk: 0,
        inSize: N * H * W * C,
        outSize: N * OH * OW * C,
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
    // The memory never grows (sized once in create()), so views of it stay valid.
    const heap8 = this.heap8;
    // The previous wasm op's output is still in wasm memory: when this op reads that very tensor (it is
    // only ever written by its producer), skip the copy in. Buffer 0 = src, 1 = out.
    let from: 0 | 1 = 0;
    const x = input as Int8Array;
    if (input === this.resident && plan.inSize <= this.residentSize) from = this.residentBuffer;
    else heap8.set(x.length === plan.inSize ? x : x.subarray(0, plan.inSize), this.srcPtr);
    (plan.exec[from] ??= this.bind(plan, from))();
    const outPtr = from === 0 ? this.outPtr : this.srcPtr;
    (output as Int8Array).set(plan.outView[from] ??= heap8.subarray(outPtr, outPtr + plan.outSize));
    this.resident = output;
    this.residentBuffer = from === 0 ? 1 : 0;
    this.residentSize = plan.outSize;
    return true;
  }

  /** Bind the plan's kernel calls to their arguments once (spread calls into wasm are slow). */
  private bind(plan: OpPlan, from: 0 | 1): () => void {
    const kernel = this.k[plan.kernel];
    const inPtr = from === 0 ? this.srcPtr : this.outPtr;
    const args = plan.kernelArgs.slice();
    args[plan.outArg] = from === 0 ? this.outPtr : this.srcPtr;
    if (plan.kind === "conv1x1" || plan.kind === "avgpool") return kernel.bind(null, inPtr, ...args) as () => void;
    const pad = this.k.pad.bind(null, inPtr, plan.padPtr, ...plan.padArgs);
    const conv = kernel.bind(null, plan.padPtr, ...args, this.scratchPtr, plan.wpk);
    return () => {
      pad();
      conv();
    };
  }
}
