/**
 * Turns an int8 graph into C: `<name>_model.c` (weights as const arrays, one kernel call per operator, a static
 * arena) and `<name>.h` (the invoke function, sizes and quantization of input and output).
 *
 * There is no interpreter and no heap: the operators are unrolled into straight-line C in execution order, every
 * parameter TFLite Micro would compute in Prepare is computed here and written as a number, and tensor pointers
 * are fixed offsets into one arena sized by the memory planner.
 *
 * @module
 */
import type { Graph, Operator, Tensor } from "../../graph/types.ts";
import { cRows } from "./c_source.ts";
import { avrConvBias, avrConvFilter, avrConvKernel, avrConvLowSums, planAvrConv } from "./avr_conv.ts";
import { CodegenGraphError, CodegenUnsupportedError } from "./errors.ts";
import { type ArenaPlan, isActivation, planArena, tensorBytes } from "./plan.ts";
import {
  activationRange,
  outSize,
  padBefore,
  quantizeMultiplier,
  sigmoidLikeParams,
  softmaxParams,
} from "./prepare.ts";

/** Options of {@link emitModelC}. */
export interface ModelCOptions {
  /** C identifier used as prefix of every public symbol (`<name>_invoke`, `<NAME>_INPUT_SIZE`, …). */
  name: string;
  /** Precomputed arena plan (e.g. from `lib/plan`); planned internally when absent. */
  plan?: ArenaPlan;
  /**
   * Fuse a CONV_2D/DEPTHWISE_CONV_2D into the FULLY_CONNECTED that alone reads it, so the convolution output
   * is never stored (default true; same bytes out, much less RAM for models like micro_speech).
   */
  fuse?: boolean;
  /**
   * RAM of the AVR board the model is for (default 2048, an Uno). Convolutions whose assembly kernel
   * (lib/deploy/codegen/avr_conv.ts) needs a padded copy of the input get one only while the arena, the copy
   * and the other scratch stay within three quarters of it (the rest is left to the stack and the sketch).
   */
  avrRamBytes?: number;
}

/** What {@link emitModelC} returns: the two files' text and a few figures about them. */
export interface ModelC {
  header: string;
  source: string;
  /** The arena layout the source uses. */
  plan: ArenaPlan;
  arenaBytes: number;
  /** Static RAM besides the arena (sums of fused kernels). */
  scratchBytes: number;
  /** Static RAM besides those, on AVR only: padded input copies of the assembly convolutions. */
  avrScratchBytes: number;
  /** Bytes of constant data (weights, biases, multipliers) the source declares. */
  constBytes: number;
  /** Multiply-accumulates of one inference (FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D). */
  macs: number;
  inputBytes: number;
  outputBytes: number;
}

const C_TYPES: Record<string, string> = { int8: "int8_t", float32: "float", int32: "int32_t" };

/** Checks `name` is a usable C identifier. */
export function checkCName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new CodegenGraphError(`"${name}" is not a C identifier; use letters, digits and _ (e.g. "hello_world")`);
  }
}

const prod = (xs: number[]): number => xs.reduce((a, b) => a * b, 1);

/** An integer as C source; INT32_MIN needs the (-x - 1) form. */
function cInt(v: number): string {
  if (v === -2147483648) return "(-2147483647 - 1)";
  return String(v);
}

/** A float32 value as a C float literal that reads back to the same bits. */
function cFloat(v: number): string {
  const f = Math.fround(v);
  if (Number.isInteger(f)) return `${f}.0f`;
  // Shortest decimal that reads back as the same float32 (9 significant digits always do).
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return `${s}f`;
  }
  return `${f.toPrecision(9)}f`;
}

function cString(s: string): string {
  return s.replace(/\*\//g, "* /").replace(/[^\x20-\x7e]/g, "?");
}

/** Mutable state shared by the per-operator emitters. */
interface Emitter {
  /** The model's C name (prefix of generated symbols). */
  name: string;
  graph: Graph;
  plan: ArenaPlan;
  consts: string[];
  body: string[];
  constBytes: number;
  /** Largest single constant array, bytes (avr-gcc refuses arrays over 32767 bytes). */
  maxArrayBytes: number;
  /** Intermediate tensors removed by fusion (never stored). */
  fused: Set<number>;
  /** Static RAM outside the arena (fused kernels' sums). */
  scratchBytes: number;
  /** Static RAM of the AVR assembly convolutions, and how much they may take in all. */
  avrScratchBytes: number;
  avrScratchLimit: number;
  macs: number;
}

function tensorOf(e: Emitter, index: number, what: string, opIndex: number): Tensor {
  const t = e.graph.tensors[index];
  if (!t) throw new CodegenGraphError(`op ${opIndex}: ${what} tensor ${index} does not exist`);
  return t;
}

function quantOf(t: Tensor, what: string, opIndex: number): { scale: number; zp: number } {
  if (!t.quant || t.quant.scale.length === 0) {
    throw new CodegenGraphError(`op ${opIndex}: ${what} "${t.name}" has no quantization; the C backend needs an int8 model (convert with full-integer quantization)`);
  }
  return { scale: t.quant.scale[0], zp: t.quant.zeroPoint[0] ?? 0 };
}

function requireInt8(t: Tensor, what: string, opIndex: number): void {
  if (t.dtype !== "int8") {
    throw new CodegenUnsupportedError(`op ${opIndex}: ${what} "${t.name}" is ${t.dtype}; the C kernels take int8 here`);
  }
}

/** The C expression of an activation tensor's pointer. */
function ptr(e: Emitter, index: number): string {
  if (!isActivation(e.graph, index)) throw new CodegenGraphError(`tensor ${index} is a constant where an activation was expected`);
  return `T${index}`;
}

/** Where and how a constant array is declared. */
interface ConstOptions {
  /** Keep it in flash on AVR (kernels read it with TML_RD_*); default true. */
  progmem?: boolean;
  /** Declare it only `#if guard` (one target's variant of the data). */
  guard?: string;
  /** Count its bytes in constBytes (default true; false for AVR-only variants of counted data). */
  counted?: boolean;
}

/** Declares a constant array (see {@link ConstOptions}). */
function constArray(e: Emitter, cName: string, ctype: "int8_t" | "uint8_t" | "int32_t", values: ArrayLike<number>, comment: string, o: ConstOptions = {}): string {
  const { progmem = true, guard, counted = true } = o;
  const perLine = ctype === "int32_t" ? 8 : 20;
  if (guard) e.consts.push(`#if ${guard}`);
  e.consts.push(`/* ${cString(comment)} */`);
  e.consts.push(`static const ${ctype} ${cName}[${values.length}]${progmem ? " TML_CONST" : ""} = {\n${cRows(Array.from(values, (v) => cInt(v)), perLine)}\n};${guard ? "" : "\n"}`);
  if (guard) e.consts.push("#endif\n");
  const bytes = values.length * (ctype === "int32_t" ? 4 : 1);
  if (counted) e.constBytes += bytes;
  e.maxArrayBytes = Math.max(e.maxArrayBytes, bytes);
  return cName;
}

/** Any constant tensor's data as plain numbers. */
function dataOf(t: Tensor, opIndex: number): number[] {
  if (!t.data) throw new CodegenGraphError(`op ${opIndex}: "${t.name}" must be a constant`);
  if (t.data instanceof BigInt64Array) return Array.from(t.data, (v) => Number(v));
  return Array.from(t.data as ArrayLike<number>);
}

function shapeStr(t: Tensor): string {
  return "[" + t.shape.join(",") + "]";
}

/** Struct initializer lines: `{ .a = 1, .b = 2 }` spread over lines of a few fields. */
function struct(type: string, fields: Record<string, number | string>, varName = "p"): string {
  const parts = Object.entries(fields).map(([k, v]) => `.${k} = ${typeof v === "number" ? cInt(v) : v}`);
  return `    const ${type} ${varName} = {\n${cRows(parts, 4, "      ")}\n    };`;
}

/** Height, width, channels of a 4-D NHWC shape (lower ranks padded at the front). */
function nhwc(shape: number[]): [number, number, number, number] {
  const s = [1, 1, 1, 1, ...shape].slice(-4);
  return [s[0], s[1], s[2], s[3]];
}

/** A kernel call being assembled: its comment, parameter struct fields and remaining arguments. */
interface Call {
  comment: string;
  type: string;
  fields: Record<string, number | string>;
  fn: string;
  args: string[];
  /** Another call that computes the same, faster on AVR (compiled instead under `#if <avrGuard>`). */
  avr?: Omit<Call, "comment" | "avr" | "avrGuard">;
  /** The preprocessor condition of the AVR variant (default `defined(__AVR__)`). */
  avrGuard?: string;
  /** Lines before the call (further parameter structs). */
  pre?: string[];
}

/** `lines(call)` once, or twice under `#if defined(__AVR__)` / `#else` when the call has an AVR variant. */
function perTarget(e: Emitter, c: Call, lines: (c: Omit<Call, "comment" | "avr" | "avrGuard">) => string[]): void {
  if (!c.avr) {
    e.body.push(...lines(c));
    return;
  }
  e.body.push(`#if ${c.avrGuard ?? "defined(__AVR__)"}`, ...lines(c.avr), "#else", ...lines(c), "#endif");
}

function emitCall(e: Emitter, c: Call): void {
  e.body.push(c.comment);
  e.body.push("  {");
  perTarget(e, c, (v) => [struct(v.type, v.fields), ...(v.pre ?? []), `    ${v.fn}(&p, ${v.args.join(", ")});`]);
  e.body.push("  }");
}

function emitFullyConnected(e: Emitter, op: Operator, i: number): void {
  emitCall(e, prepareFullyConnected(e, op, i));
}

/**
 * `channelMajor` (fused convolution + FULLY_CONNECTED): each weight row, which follows the convolution output
 * in NHWC order [h][w][c], is stored [c][h][w] instead, the order the fused kernel produces outputs in (one
 * channel, one row of columns at a time), so each span of outputs meets one contiguous run of weights.
 */
function prepareFullyConnected(e: Emitter, op: Operator, i: number, channelMajor?: { h: number; w: number; c: number }, biasGuard?: string): Call {
  if (op.options.op !== "FULLY_CONNECTED") throw new CodegenGraphError(`op ${i} is not FULLY_CONNECTED`);
  const input = tensorOf(e, op.inputs[0], "input", i), filter = tensorOf(e, op.inputs[1], "weights", i);
  const output = tensorOf(e, op.outputs[0], "output", i);
  [input, filter, output].forEach((t, k) => requireInt8(t, ["input", "weights", "output"][k], i));
  const qi = quantOf(input, "input", i), qw = quantOf(filter, "weights", i), qo = quantOf(output, "output", i);
  if (filter.quant!.scale.length > 1) throw new CodegenUnsupportedError(`op ${i}: per-channel FULLY_CONNECTED weights are not supported yet`);
  if (qw.zp !== 0) throw new CodegenUnsupportedError(`op ${i}: int8 weights must be symmetric (zero point 0), got ${qw.zp}`);
  const [outDepth, accum] = filter.shape;
  const batches = prod(input.shape) / accum;
  if (!Number.isInteger(batches)) throw new CodegenGraphError(`op ${i}: input ${shapeStr(input)} is not a multiple of ${accum}`);
  const w = dataOf(filter, i);
  const bias = op.inputs[2] !== undefined && op.inputs[2] >= 0 ? dataOf(tensorOf(e, op.inputs[2], "bias", i), i) : new Array(outDepth).fill(0);
  // Fold input_offset * sum(row) into the bias: exact, and the inner loop becomes a plain int8 dot product.
  const inputOffset = -qi.zp;
  const folded = bias.map((b, c) => {
    let s = 0;
    for (let k = 0; k < accum; k++) s += w[c * accum + k];
    const v = b + inputOffset * s;
    if (v < -(2 ** 31) || v >= 2 ** 31) throw new CodegenUnsupportedError(`op ${i}: folded bias overflows int32`);
    return v;
  });
  const { multiplier, shift } = quantizeMultiplier((qi.scale * qw.scale) / qo.scale);
  const act = activationRange(op.options.fusedActivation, qo.scale, qo.zp);
  const stored = channelMajor ? hwcToChwRows(w, outDepth, channelMajor) : w;
  const order = channelMajor ? `, each row stored [${channelMajor.c}][${channelMajor.h}][${channelMajor.w}] (channel-major)` : "";
  const wName = constArray(e, `op${i}_weights`, "int8_t", stored, `op ${i} FULLY_CONNECTED weights "${filter.name}" ${shapeStr(filter)}${order}`);
  const bName = constArray(e, `op${i}_bias`, "int32_t", folded, `op ${i} bias + input_offset (${inputOffset}) * row sums`, { guard: biasGuard });
  const macs = batches * outDepth * accum;
  e.macs += macs;
  return {
    comment: `  /* op ${i}: FULLY_CONNECTED ${shapeStr(input)} x ${shapeStr(filter)} -> ${shapeStr(output)}, ${op.options.fusedActivation}, ${macs} MACs */`,
    type: "tml_fc_params",
    fields: {
      output_offset: qo.zp, output_multiplier: multiplier, output_shift: shift, act_min: act.min,
      act_max: act.max, batches, accum_depth: accum, output_depth: outDepth,
    },
    fn: "tml_fully_connected_s8",
    args: [e.fused.has(op.inputs[0]) ? "NULL" : ptr(e, op.inputs[0]), wName, bName, ptr(e, op.outputs[0])],
  };
}

function emitConv(e: Emitter, op: Operator, i: number): void {
  emitCall(e, prepareConv(e, op, i));
}

function prepareConv(e: Emitter, op: Operator, i: number): Call {
  const o = op.options;
  if (o.op !== "CONV_2D" && o.op !== "DEPTHWISE_CONV_2D") throw new CodegenGraphError(`op ${i} is not a convolution`);
  const depthwise = o.op === "DEPTHWISE_CONV_2D";
  const input = tensorOf(e, op.inputs[0], "input", i), filter = tensorOf(e, op.inputs[1], "filter", i);
  const output = tensorOf(e, op.outputs[0], "output", i);
  [input, filter, output].forEach((t, k) => requireInt8(t, ["input", "filter", "output"][k], i));
  const qi = quantOf(input, "input", i), qo = quantOf(output, "output", i);
  quantOf(filter, "filter", i);
  const [batches, inH, inW, inC] = nhwc(input.shape);
  const [, outH, outW, outC] = nhwc(output.shape);
  const [fO, fH, fW, fI] = filter.shape;
  const filterInC = depthwise ? 1 : fI;
  if (!depthwise && fO !== outC) throw new CodegenGraphError(`op ${i}: filter has ${fO} outputs, output has ${outC} channels`);
  if (depthwise && fI !== outC) throw new CodegenGraphError(`op ${i}: depthwise filter has ${fI} channels, output has ${outC}`);
  const depthMultiplier = depthwise ? outC / inC : 1;
  const padH = padBefore(o.strideH, o.dilationH, inH, fH, outH);
  const padW = padBefore(o.strideW, o.dilationW, inW, fW, outW);
  if (outSize(o.padding, inH, fH, o.strideH, o.dilationH) !== outH || outSize(o.padding, inW, fW, o.strideW, o.dilationW) !== outW) {
    throw new CodegenGraphError(`op ${i}: output ${shapeStr(output)} does not match ${o.padding} padding of ${shapeStr(input)}`);
  }
  // Per-channel requantization (a per-tensor filter scale is repeated, as TFLM does).
  const ws = filter.quant!.scale;
  const mults: number[] = [], shifts: number[] = [];
  for (let c = 0; c < outC; c++) {
    const { multiplier, shift } = quantizeMultiplier((qi.scale * ws[ws.length > 1 ? c : 0]) / qo.scale);
    mults.push(multiplier);
    shifts.push(shift);
  }
  const act = activationRange(o.fusedActivation, qo.scale, qo.zp);
  const macs = batches * outH * outW * outC * fH * fW * filterInC;
  e.macs += macs;
  const setup: ConvSetup = {
    op, i, depthwise, mults, shifts, macs,
    fields: {
      input_offset: -qi.zp, output_offset: qo.zp, act_min: act.min, act_max: act.max,
      stride_w: o.strideW, stride_h: o.strideH, dilation_w: o.dilationW, dilation_h: o.dilationH,
      pad_w: padW, pad_h: padH, depth_multiplier: depthMultiplier, batches,
      in_h: inH, in_w: inW, in_c: inC, filter_h: fH, filter_w: fW, filter_in_c: filterInC,
      out_h: outH, out_w: outW, out_c: outC,
    },
  };
  const kind = depthwise ? "DEPTHWISE_CONV_2D" : "CONV_2D";
  const hasBias = op.inputs[2] !== undefined && op.inputs[2] >= 0;
  const biasData = hasBias ? dataOf(tensorOf(e, op.inputs[2], "bias", i), i) : undefined;
  // A depthwise convolution of a one-channel input is the CONV_2D with one input channel it is (each output
  // channel filters the one input), with its filter [1][h][w][out_c] transposed to OHWI [out_c][h][w][1].
  const convLike = depthwise ? inC === 1 : filterInC === inC;
  const ohwi = depthwise && convLike ? transposeDepthwiseToOhwi(dataOf(filter, i), fH * fW, outC) : dataOf(filter, i);
  const shape = {
    inH, inW, inC, outH, outW, outC, filterH: fH, filterW: fW, strideH: o.strideH, strideW: o.strideW,
    padH, padW, dilationH: o.dilationH, dilationW: o.dilationW,
  };
  const plan = convLike ? planAvrConv(shape, e.avrScratchLimit - e.avrScratchBytes) : undefined;
  const asm = plan && "cols" in plan ? plan : undefined;
  // AVR: the assembly convolution generated for this shape (avr_conv.ts), with its own filter layout and bias
  // constants. Without it, a one-channel depthwise convolution runs on AVR as CONV_2D on the OHWI filter, whose
  // rows are contiguous runs for the assembly dot products (2x faster there than stepping out_c bytes per tap);
  // Cortex-M keeps the depthwise kernel, whose DSP path is faster. Other targets get the plain filter and bias.
  const avrAsConv = !asm && depthwise && convLike;
  const plainGuard = asm ? `!(${AVR_ASM})` : avrAsConv ? "!defined(__AVR__)" : undefined;
  const fName = constArray(e, `op${i}_filter`, "int8_t", dataOf(filter, i), `op ${i} ${kind} filter "${filter.name}" ${shapeStr(filter)}`, { guard: plainGuard });
  const bName = biasData ? constArray(e, `op${i}_bias`, "int32_t", biasData, `op ${i} bias`, { guard: asm ? plainGuard : undefined }) : "NULL";
  if (asm) {
    constArray(e, `op${i}_avr_filter`, "uint8_t", avrConvFilter(asm, ohwi), `op ${i} the filter as the AVR kernel reads it: w + 128, per channel, row, chunk of taps`, { guard: AVR_ASM, counted: false });
    const offsets = avrConvBias(asm, ohwi, biasData, qi.zp);
    constArray(e, `op${i}_avr_offsets`, "int32_t", offsets, `op ${i} bias - (128 + input zero point) * filter sum - 2^23, per channel`, { guard: AVR_ASM, counted: false });
    constArray(e, `op${i}_avr_low`, "int32_t", avrConvLowSums(offsets, mults, shifts, qo.zp, act.min), `op ${i} kernel sums below these give ${act.min} (no requantization), per channel`, { guard: AVR_ASM, counted: false });
    const symbol = `${e.name}_op${i}_avr_rows`;
    e.consts.push(`#if ${AVR_ASM}`, `/* op ${i}: AVR assembly for ${asm.cols} output columns at a time of this layer's shape (lib/deploy/codegen/avr_conv.ts) */`, avrConvKernel(symbol, asm));
    e.consts.push(`/* op ${i}: the input, padded, as x + 128; the kernel's sums, column sums, a row of outputs${asm.filterInRam ? ", the filter" : ""} */`);
    e.consts.push(`static uint8_t op${i}_avr_scratch[${asm.scratchBytes}];`, "#endif\n");
    e.avrScratchBytes += asm.scratchBytes;
    return convCall(e, setup, fName, bName, {
      avrGuard: AVR_ASM,
      avr: {
        type: "tml_conv_params", fields: {}, fn: "tml_avr_conv_s8", args: [],
        pre: [struct("tml_avr_conv", {
          rows: symbol, filter: `op${i}_avr_filter`, offsets: `op${i}_avr_offsets`, low: `op${i}_avr_low`,
          scratch: `op${i}_avr_scratch`, padded_w: asm.paddedW, padded_h: asm.paddedH, cols: asm.cols, groups: asm.groups,
          filter_in_ram: asm.filterInRam ? 1 : 0,
        }, "a")],
      },
    });
  }
  if (avrAsConv) {
    constArray(e, `op${i}_filter_ohwi`, "int8_t", ohwi, `op ${i} the same filter as CONV_2D [${outC}, ${fH}, ${fW}, 1] (AVR)`, { guard: "defined(__AVR__)", counted: false });
  }
  return convCall(e, setup, fName, bName, avrAsConv ? { avr: { type: "tml_conv_params", fields: {}, fn: "tml_conv_s8", args: [] } } : {});
}

/** The preprocessor condition of the AVR assembly kernels. */
const AVR_ASM = "defined(__AVR__) && defined(__AVR_HAVE_MUL__)";

/** What prepareConv worked out, for {@link convCall}. */
interface ConvSetup {
  op: Operator;
  i: number;
  depthwise: boolean;
  fields: Record<string, number | string>;
  mults: number[];
  shifts: number[];
  macs: number;
}

/**
 * The CONV_2D/DEPTHWISE_CONV_2D call with its multipliers and shifts; `variant.avr`, when given, is completed
 * (parameters, arguments) as the AVR call: tml_conv_s8 on `op<i>_filter_ohwi`, or tml_avr_conv_s8.
 */
function convCall(e: Emitter, c: ConvSetup, fName: string, bName: string, variant: Pick<Call, "avr" | "avrGuard">): Call {
  const { op, i, fields } = c;
  const input = e.graph.tensors[op.inputs[0]], filter = e.graph.tensors[op.inputs[1]], output = e.graph.tensors[op.outputs[0]];
  const o = op.options;
  if (o.op !== "CONV_2D" && o.op !== "DEPTHWISE_CONV_2D") throw new CodegenGraphError(`op ${i} is not a convolution`);
  const mName = constArray(e, `op${i}_multipliers`, "int32_t", c.mults, `op ${i} per-channel output multipliers (Q31)`);
  const sName = constArray(e, `op${i}_shifts`, "int8_t", c.shifts, `op ${i} per-channel output shifts`);
  const kind = c.depthwise ? "DEPTHWISE_CONV_2D" : "CONV_2D";
  const input0 = ptr(e, op.inputs[0]), out = e.fused.has(op.outputs[0]) ? "NULL" : ptr(e, op.outputs[0]);
  const args = [input0, fName, bName, mName, sName, out];
  const v = variant.avr;
  const avr = !v ? undefined : v.fn === "tml_avr_conv_s8"
    ? { ...v, fields, args: ["&a", input0, mName, sName, out] }
    : { ...v, fields: { ...fields, depth_multiplier: 1 }, args: [input0, `op${i}_filter_ohwi`, bName, mName, sName, out] };
  const how = v ? (v.fn === "tml_avr_conv_s8" ? " (AVR: generated assembly)" : " (AVR: as CONV_2D)") : "";
  return {
    comment: `  /* op ${i}: ${kind} ${shapeStr(input)} * ${shapeStr(filter)} -> ${shapeStr(output)}, stride ${o.strideH}x${o.strideW}, ${o.padding} (pad ${fields.pad_h},${fields.pad_w}), ${o.fusedActivation}, ${c.macs} MACs${how} */`,
    type: "tml_conv_params",
    fields,
    fn: c.depthwise ? "tml_depthwise_conv_s8" : "tml_conv_s8",
    args,
    avr,
    avrGuard: variant.avrGuard,
  };
}

/** Rows of [h][w][c] values (NHWC order) -> rows of [c][h][w]. */
function hwcToChwRows(v: number[], rows: number, d: { h: number; w: number; c: number }): number[] {
  const n = d.h * d.w * d.c, out = new Array<number>(v.length);
  for (let r = 0; r < rows; r++) {
    for (let y = 0; y < d.h; y++) {
      for (let x = 0; x < d.w; x++) {
        for (let c = 0; c < d.c; c++) out[r * n + (c * d.h + y) * d.w + x] = v[r * n + (y * d.w + x) * d.c + c];
      }
    }
  }
  return out;
}

/** Depthwise filter [1][taps][channels] -> OHWI [channels][taps][1]. */
function transposeDepthwiseToOhwi(w: number[], taps: number, channels: number): number[] {
  const out = new Array<number>(w.length);
  for (let c = 0; c < channels; c++) for (let t = 0; t < taps; t++) out[c * taps + t] = w[t * channels + c];
  return out;
}

/** A convolution and the FULLY_CONNECTED that alone reads its output, as one fused kernel call. */
function emitConvFc(e: Emitter, conv: Operator, fc: Operator, i: number): void {
  const t = conv.outputs[0];
  const [, h, w, ch] = nhwc(e.graph.tensors[t].shape);
  const c = prepareConv(e, conv, i);
  const asm = c.avr?.fn === "tml_avr_conv_s8";
  const f = prepareFullyConnected(e, fc, i + 1, { h, w, c: ch }, asm ? `!(${AVR_ASM})` : undefined);
  // The AVR assembly path skips convolution outputs at the zero point, so it sums with the plain bias.
  const fcBias = fc.inputs[2] !== undefined && fc.inputs[2] >= 0 ? fc.inputs[2] : -1;
  const plainBias = !asm ? "" : fcBias < 0 ? "NULL" : constArray(e, `op${i + 1}_bias_plain`, "int32_t", dataOf(tensorOf(e, fcBias, "bias", i + 1), i + 1), `op ${i + 1} bias (the AVR assembly path adds input_offset itself)`, { guard: AVR_ASM, counted: false });
  const outDepth = f.fields.output_depth as number;
  e.consts.push(`/* op ${i}+${i + 1}: FULLY_CONNECTED sums while the fused convolution runs */`);
  e.consts.push(`static int32_t op${i + 1}_sums[${outDepth}];\n`);
  e.scratchBytes += 4 * outDepth;
  e.body.push(c.comment);
  e.body.push(f.comment);
  e.body.push(`  /* fused: the ${shapeStr(e.graph.tensors[t])} convolution output goes straight into the FULLY_CONNECTED sums and is never stored */`);
  e.body.push("  {");
  const [, wName, fbName, out] = f.args;
  perTarget(e, c, (v) => {
    if (v.fn === "tml_avr_conv_s8") {
      const [a, input, mName, sName] = v.args;
      return [
        struct(v.type, v.fields, "cp"),
        ...(v.pre ?? []),
        struct(f.type, f.fields, "fp"),
        `    tml_avr_conv_fc_s8(&cp, ${a}, ${input}, ${mName}, ${sName}, &fp, ${wName}, ${plainBias}, op${i + 1}_sums, ${out});`,
      ];
    }
    const [input, fName, bName, mName, sName] = v.args;
    const kernel = v.fn === "tml_depthwise_conv_s8" ? "tml_depthwise_conv_fc_s8" : "tml_conv_fc_s8";
    return [
      struct(v.type, v.fields, "cp"),
      struct(f.type, f.fields, "fp"),
      `    ${kernel}(&cp, ${input}, ${fName}, ${bName}, ${mName}, ${sName},`,
      `    ${" ".repeat(kernel.length)} &fp, ${wName}, ${fbName}, op${i + 1}_sums, ${out});`,
    ];
  });
  e.body.push("  }");
}

/**
 * Convolution outputs that can be fused into the FULLY_CONNECTED right after: read by that op alone, not a
 * graph output, one batch, flattened whole into the FULLY_CONNECTED input.
 */
export function fusableConvFc(graph: Graph): Map<number, number> {
  const pairs = new Map<number, number>(); // conv op index -> intermediate tensor
  graph.operators.forEach((op, i) => {
    const next = graph.operators[i + 1];
    if ((op.options.op !== "CONV_2D" && op.options.op !== "DEPTHWISE_CONV_2D") || next?.options.op !== "FULLY_CONNECTED") return;
    const t = op.outputs[0];
    if (next.inputs[0] !== t || graph.outputs.includes(t)) return;
    const readers = graph.operators.filter((o) => o.inputs.includes(t)).length;
    const tt = graph.tensors[t], w = graph.tensors[next.inputs[1]];
    if (readers !== 1 || tt.shape[0] !== 1 || !w || w.shape[1] !== prod(tt.shape)) return;
    pairs.set(i, t);
  });
  return pairs;
}

function emitPool(e: Emitter, op: Operator, i: number): void {
  const o = op.options;
  if (o.op !== "AVERAGE_POOL_2D" && o.op !== "MAX_POOL_2D") return;
  const input = tensorOf(e, op.inputs[0], "input", i), output = tensorOf(e, op.outputs[0], "output", i);
  requireInt8(input, "input", i);
  requireInt8(output, "output", i);
  const qo = quantOf(output, "output", i);
  const [batches, inH, inW, depth] = nhwc(input.shape);
  const [, outH, outW] = nhwc(output.shape);
  const act = activationRange(o.fusedActivation, qo.scale, qo.zp);
  const padH = padBefore(o.strideH, 1, inH, o.filterH, outH), padW = padBefore(o.strideW, 1, inW, o.filterW, outW);
  e.body.push(`  /* op ${i}: ${o.op} ${shapeStr(input)} -> ${shapeStr(output)}, window ${o.filterH}x${o.filterW}, stride ${o.strideH}x${o.strideW}, ${o.padding} */`);
  e.body.push("  {");
  e.body.push(struct("tml_pool_params", {
    stride_w: o.strideW, stride_h: o.strideH, filter_w: o.filterW, filter_h: o.filterH, pad_w: padW, pad_h: padH,
    act_min: act.min, act_max: act.max, batches, in_h: inH, in_w: inW, depth, out_h: outH, out_w: outW,
  }));
  const fn = o.op === "AVERAGE_POOL_2D" ? "tml_average_pool_s8" : "tml_max_pool_s8";
  e.body.push(`    ${fn}(&p, ${ptr(e, op.inputs[0])}, ${ptr(e, op.outputs[0])});`);
  e.body.push("  }");
}

function emitSoftmax(e: Emitter, op: Operator, i: number): void {
  if (op.options.op !== "SOFTMAX") return;
  const input = tensorOf(e, op.inputs[0], "input", i), output = tensorOf(e, op.outputs[0], "output", i);
  requireInt8(input, "input", i);
  requireInt8(output, "output", i);
  const qi = quantOf(input, "input", i), qo = quantOf(output, "output", i);
  if (Math.abs(qo.scale - 1 / 256) > 1e-9 || qo.zp !== -128) {
    throw new CodegenGraphError(`op ${i}: int8 SOFTMAX output must have scale 1/256 and zero point -128 (TFLM requires it)`);
  }
  const sp = softmaxParams(op.options.beta, qi.scale);
  const depth = input.shape[input.shape.length - 1];
  e.body.push(`  /* op ${i}: SOFTMAX ${shapeStr(input)} -> ${shapeStr(output)}, beta ${op.options.beta} */`);
  e.body.push("  {");
  e.body.push(struct("tml_softmax_params", {
    input_multiplier: sp.inputMultiplier, input_left_shift: sp.inputLeftShift, diff_min: sp.diffMin,
    outer_size: prod(input.shape) / depth, depth,
  }));
  e.body.push(`    tml_softmax_s8(&p, ${ptr(e, op.inputs[0])}, ${ptr(e, op.outputs[0])});`);
  e.body.push("  }");
}

/** Pointer to an operand that may be a constant (then declared in RAM: the elementwise kernels read it plainly). */
function operand(e: Emitter, index: number, i: number, role: string): string {
  if (isActivation(e.graph, index)) return ptr(e, index);
  const t = tensorOf(e, index, role, i);
  requireInt8(t, role, i);
  return constArray(e, `op${i}_${role}`, "int8_t", dataOf(t, i), `op ${i} constant ${role} "${t.name}" ${shapeStr(t)}`, { progmem: false });
}

/** 4-D broadcast strides of `shape` against `out` (stride 0 where the input repeats). */
function broadcastStrides(shape: number[], out: number[]): number[] {
  const s = [1, 1, 1, 1, ...shape].slice(-4), o = [1, 1, 1, 1, ...out].slice(-4);
  const strides = [0, 0, 0, 0];
  let stride = 1;
  for (let d = 3; d >= 0; d--) {
    if (s[d] !== o[d] && s[d] !== 1) throw new CodegenGraphError(`shapes ${shape} and ${out} do not broadcast`);
    strides[d] = s[d] === 1 ? 0 : stride;
    stride *= s[d];
  }
  return strides;
}

function emitBinary(e: Emitter, op: Operator, i: number): void {
  const o = op.options;
  if (o.op !== "ADD" && o.op !== "MUL") return;
  const a = tensorOf(e, op.inputs[0], "input1", i), b = tensorOf(e, op.inputs[1], "input2", i);
  const output = tensorOf(e, op.outputs[0], "output", i);
  [a, b, output].forEach((t, k) => requireInt8(t, ["input1", "input2", "output"][k], i));
  const qa = quantOf(a, "input1", i), qb = quantOf(b, "input2", i), qo = quantOf(output, "output", i);
  if (output.shape.length > 4) throw new CodegenUnsupportedError(`op ${i}: ${o.op} beyond 4-D`);
  const act = activationRange(o.fusedActivation, qo.scale, qo.zp);
  const dims = [1, 1, 1, 1, ...output.shape].slice(-4);
  const fields: Record<string, number | string> = {
    input1_offset: -qa.zp, input2_offset: -qb.zp, output_offset: qo.zp,
  };
  if (o.op === "ADD") {
    // TFLM's Add Prepare: both inputs rescaled to twice the larger scale, with 20 bits of headroom.
    const leftShift = 20;
    const twiceMax = 2 * Math.max(qa.scale, qb.scale);
    const m1 = quantizeMultiplier(qa.scale / twiceMax), m2 = quantizeMultiplier(qb.scale / twiceMax);
    const mo = quantizeMultiplier(twiceMax / (2 ** leftShift * qo.scale));
    Object.assign(fields, {
      left_shift: leftShift, input1_multiplier: m1.multiplier, input1_shift: m1.shift,
      input2_multiplier: m2.multiplier, input2_shift: m2.shift, output_multiplier: mo.multiplier, output_shift: mo.shift,
    });
  } else {
    const m = quantizeMultiplier((qa.scale * qb.scale) / qo.scale);
    Object.assign(fields, { output_multiplier: m.multiplier, output_shift: m.shift });
  }
  const s1 = broadcastStrides(a.shape, output.shape), s2 = broadcastStrides(b.shape, output.shape);
  Object.assign(fields, {
    act_min: act.min, act_max: act.max, dims: `{ ${dims.join(", ")} }`,
    strides1: `{ ${s1.join(", ")} }`, strides2: `{ ${s2.join(", ")} }`,
  });
  const p1 = operand(e, op.inputs[0], i, "input1"), p2 = operand(e, op.inputs[1], i, "input2");
  e.body.push(`  /* op ${i}: ${o.op} ${shapeStr(a)} ${o.op === "ADD" ? "+" : "*"} ${shapeStr(b)} -> ${shapeStr(output)}, ${o.fusedActivation} */`);
  e.body.push("  {");
  e.body.push(struct("tml_binary_params", fields));
  e.body.push(`    ${o.op === "ADD" ? "tml_add_s8" : "tml_mul_s8"}(&p, ${p1}, ${p2}, ${ptr(e, op.outputs[0])});`);
  e.body.push("  }");
}

function emitSigmoidLike(e: Emitter, op: Operator, i: number): void {
  const kind = op.options.op;
  if (kind !== "LOGISTIC" && kind !== "TANH") return;
  const input = tensorOf(e, op.inputs[0], "input", i), output = tensorOf(e, op.outputs[0], "output", i);
  requireInt8(input, "input", i);
  requireInt8(output, "output", i);
  const qi = quantOf(input, "input", i), qo = quantOf(output, "output", i);
  const want = kind === "LOGISTIC" ? { scale: 1 / 256, zp: -128 } : { scale: 1 / 128, zp: 0 };
  if (Math.abs(qo.scale - want.scale) > 1e-9 || qo.zp !== want.zp) {
    throw new CodegenGraphError(`op ${i}: int8 ${kind} output must have scale ${want.scale} and zero point ${want.zp}`);
  }
  const sp = sigmoidLikeParams(qi.scale);
  e.body.push(`  /* op ${i}: ${kind} ${shapeStr(input)} */`);
  e.body.push("  {");
  e.body.push(struct("tml_activation_params", {
    input_zero_point: qi.zp, input_range_radius: sp.radius, input_multiplier: sp.multiplier,
    input_left_shift: sp.leftShift, size: prod(input.shape),
  }));
  e.body.push(`    ${kind === "LOGISTIC" ? "tml_logistic_s8" : "tml_tanh_s8"}(&p, ${ptr(e, op.inputs[0])}, ${ptr(e, op.outputs[0])});`);
  e.body.push("  }");
}

function emitDataMovement(e: Emitter, op: Operator, i: number): void {
  const o = op.options;
  const output = tensorOf(e, op.outputs[0], "output", i);
  if (o.op === "RESHAPE") {
    const input = tensorOf(e, op.inputs[0], "input", i);
    if (e.plan.aliases.get(op.outputs[0]) !== undefined && e.plan.offsets.get(op.inputs[0]) === e.plan.offsets.get(op.outputs[0])) {
      e.body.push(`  /* op ${i}: RESHAPE ${shapeStr(input)} -> ${shapeStr(output)}: same bytes, same arena slot, nothing to do */`);
    } else {
      e.body.push(`  /* op ${i}: RESHAPE ${shapeStr(input)} -> ${shapeStr(output)} */`);
      e.body.push(`  tml_copy(${operand(e, op.inputs[0], i, "input")}, ${ptr(e, op.outputs[0])}, ${tensorBytes(e.graph, op.outputs[0])});`);
    }
  } else if (o.op === "CONCATENATION") {
    requireInt8(output, "output", i);
    const qo = quantOf(output, "output", i);
    const axis = o.axis < 0 ? o.axis + output.shape.length : o.axis;
    const outer = prod(output.shape.slice(0, axis));
    const sizes = op.inputs.map((t) => prod(tensorOf(e, t, "input", i).shape.slice(axis)));
    for (const t of op.inputs) {
      const q = quantOf(tensorOf(e, t, "input", i), "input", i);
      if (q.scale !== qo.scale || q.zp !== qo.zp) throw new CodegenUnsupportedError(`op ${i}: CONCATENATION inputs must share the output's quantization`);
    }
    const ptrs = op.inputs.map((t, k) => operand(e, t, i, `input${k}`));
    e.body.push(`  /* op ${i}: CONCATENATION along axis ${axis} -> ${shapeStr(output)} */`);
    e.body.push("  {");
    e.body.push(`    const int8_t* const inputs[${ptrs.length}] = { ${ptrs.join(", ")} };`);
    e.body.push(`    const int32_t sizes[${sizes.length}] = { ${sizes.join(", ")} };`);
    e.body.push(`    tml_concat_s8(${outer}, ${ptrs.length}, inputs, sizes, ${ptr(e, op.outputs[0])});`);
    e.body.push("  }");
  } else if (o.op === "PAD") {
    const input = tensorOf(e, op.inputs[0], "input", i);
    requireInt8(input, "input", i);
    const pads = dataOf(tensorOf(e, op.inputs[1], "paddings", i), i);
    const rank = input.shape.length;
    if (rank > 4) throw new CodegenUnsupportedError(`op ${i}: PAD beyond 4-D`);
    const before = [0, 0, 0, 0], after = [0, 0, 0, 0];
    for (let d = 0; d < rank; d++) {
      before[4 - rank + d] = pads[2 * d];
      after[4 - rank + d] = pads[2 * d + 1];
    }
    const dims = [1, 1, 1, 1, ...input.shape].slice(-4);
    e.body.push(`  /* op ${i}: PAD ${shapeStr(input)} -> ${shapeStr(output)} with the output zero point */`);
    e.body.push("  {");
    e.body.push(struct("tml_pad_params", {
      in_dims: `{ ${dims.join(", ")} }`, before: `{ ${before.join(", ")} }`, after: `{ ${after.join(", ")} }`,
      pad_value: quantOf(output, "output", i).zp,
    }));
    e.body.push(`    tml_pad_s8(&p, ${ptr(e, op.inputs[0])}, ${ptr(e, op.outputs[0])});`);
    e.body.push("  }");
  } else if (o.op === "QUANTIZE") {
    const input = tensorOf(e, op.inputs[0], "input", i);
    requireInt8(output, "output", i);
    const qo = quantOf(output, "output", i);
    const n = prod(output.shape);
    e.body.push(`  /* op ${i}: QUANTIZE ${input.dtype} ${shapeStr(input)} -> int8 */`);
    if (input.dtype === "float32") {
      e.body.push(`  tml_quantize_f32_s8((const float*)${ptr(e, op.inputs[0])}, ${ptr(e, op.outputs[0])}, ${n}, ${cFloat(qo.scale)}, ${qo.zp});`);
    } else if (input.dtype === "int8") {
      const qi = quantOf(input, "input", i);
      const m = quantizeMultiplier(qi.scale / qo.scale);
      e.body.push(`  tml_requantize_s8(${ptr(e, op.inputs[0])}, ${ptr(e, op.outputs[0])}, ${n}, ${qi.zp}, ${qo.zp}, ${m.multiplier}, ${m.shift});`);
    } else {
      throw new CodegenUnsupportedError(`op ${i}: QUANTIZE from ${input.dtype}`);
    }
  } else if (o.op === "DEQUANTIZE") {
    const input = tensorOf(e, op.inputs[0], "input", i);
    requireInt8(input, "input", i);
    if (output.dtype !== "float32") throw new CodegenUnsupportedError(`op ${i}: DEQUANTIZE to ${output.dtype}`);
    const qi = quantOf(input, "input", i);
    e.body.push(`  /* op ${i}: DEQUANTIZE int8 ${shapeStr(input)} -> float */`);
    e.body.push(`  tml_dequantize_s8_f32(${ptr(e, op.inputs[0])}, (float*)${ptr(e, op.outputs[0])}, ${prod(input.shape)}, ${cFloat(qi.scale)}, ${qi.zp});`);
  }
}

const EMITTERS: Record<string, (e: Emitter, op: Operator, i: number) => void> = {
  FULLY_CONNECTED: emitFullyConnected,
  CONV_2D: emitConv,
  DEPTHWISE_CONV_2D: emitConv,
  AVERAGE_POOL_2D: emitPool,
  MAX_POOL_2D: emitPool,
  SOFTMAX: emitSoftmax,
  ADD: emitBinary,
  MUL: emitBinary,
  LOGISTIC: emitSigmoidLike,
  TANH: emitSigmoidLike,
  RESHAPE: emitDataMovement,
  CONCATENATION: emitDataMovement,
  PAD: emitDataMovement,
  QUANTIZE: emitDataMovement,
  DEQUANTIZE: emitDataMovement,
};

/** An #error for AVR when the constant data cannot be read with 16-bit flash pointers. */
function avrGuard(e: Emitter): string[] {
  const biggest = e.maxArrayBytes;
  if (e.constBytes <= 60_000 && biggest <= 32_767) return [];
  return [
    "#if defined(__AVR__)",
    `#error "this model has ${e.constBytes} bytes of constants (largest array ${biggest}): more than AVR's 16-bit flash pointers (pgm_read_*) reach; use an ARM board"`,
    "#endif",
    "",
  ];
}

/** Ops the C backend can generate. */
export const CODEGEN_OPS: readonly string[] = Object.keys(EMITTERS);

/**
 * Generates `<name>.h` and `<name>_model.c` for a graph with one input and one output.
 *
 * @example
 * const { header, source, arenaBytes } = emitModelC(readTflite(bytes), { name: "hello_world" });
 */
export function emitModelC(graph: Graph, options: ModelCOptions): ModelC {
  const name = options.name;
  checkCName(name);
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) {
    throw new CodegenUnsupportedError(`the model has ${graph.inputs.length} inputs and ${graph.outputs.length} outputs; the C backend handles exactly one of each`);
  }
  for (const [k, op] of graph.operators.entries()) {
    if (!EMITTERS[op.options.op]) {
      throw new CodegenUnsupportedError(`op ${k}: ${op.options.op} has no C kernel; supported: ${CODEGEN_OPS.join(", ")}`);
    }
  }
  const fusions = options.fuse === false ? new Map<number, number>() : fusableConvFc(graph);
  const fused = new Set(fusions.values());
  const plan = options.plan ?? planArena(graph, fusions);
  // the AVR convolutions' padded copies may take what three quarters of the board's RAM leaves
  const avrScratchLimit = Math.floor(0.75 * (options.avrRamBytes ?? 2048)) - plan.arenaBytes;
  const e: Emitter = {
    name, graph, plan, consts: [], body: [], constBytes: 0, maxArrayBytes: 0, fused, scratchBytes: 0,
    avrScratchBytes: 0, avrScratchLimit, macs: 0,
  };
  for (let i = 0; i < graph.operators.length; i++) {
    const op = graph.operators[i];
    if (fusions.has(i)) {
      emitConvFc(e, op, graph.operators[i + 1], i);
      i++;
    } else {
      EMITTERS[op.options.op](e, op, i);
    }
  }

  const inT = graph.tensors[graph.inputs[0]], outT = graph.tensors[graph.outputs[0]];
  const inType = C_TYPES[inT.dtype], outType = C_TYPES[outT.dtype];
  if (!inType || !outType) throw new CodegenUnsupportedError(`input ${inT.dtype} / output ${outT.dtype}: only int8, float32 and int32 model inputs and outputs are supported`);
  const inBytes = tensorBytes(graph, graph.inputs[0]), outBytes = tensorBytes(graph, graph.outputs[0]);
  const N = name.toUpperCase();
  const qIn = inT.quant ?? { scale: [1], zeroPoint: [0] }, qOut = outT.quant ?? { scale: [1], zeroPoint: [0] };

  const header = [
    `/* ${name}.h - generated by tinyml-kit from a TFLite model. Do not edit: regenerate instead. */`,
    `#ifndef ${N}_H`,
    `#define ${N}_H`,
    "",
    "#include <stdint.h>",
    "",
    `/* Input ${shapeStr(inT)} ${inT.dtype}: real = scale * (q - zero_point). */`,
    `#define ${N}_INPUT_SIZE ${prod(inT.shape)}`,
    `#define ${N}_INPUT_SCALE ${cFloat(qIn.scale[0])}`,
    `#define ${N}_INPUT_ZERO_POINT ${qIn.zeroPoint[0] ?? 0}`,
    `/* Output ${shapeStr(outT)} ${outT.dtype}. */`,
    `#define ${N}_OUTPUT_SIZE ${prod(outT.shape)}`,
    `#define ${N}_OUTPUT_SCALE ${cFloat(qOut.scale[0])}`,
    `#define ${N}_OUTPUT_ZERO_POINT ${qOut.zeroPoint[0] ?? 0}`,
    `/* Static RAM the model uses for activations (one arena, planned at generation time). */`,
    `#define ${N}_ARENA_SIZE ${plan.arenaBytes}`,
    `/* Multiply-accumulates per inference. */`,
    `#define ${N}_MACS ${e.macs}UL`,
    "",
    "#ifdef __cplusplus",
    'extern "C" {',
    "#endif",
    "",
    `/** Runs one inference: reads ${N}_INPUT_SIZE values from in, writes ${N}_OUTPUT_SIZE values to out. */`,
    `void ${name}_invoke(const ${inType}* in, ${outType}* out);`,
    "",
    `/* The same without copies (saves ${N}_INPUT_SIZE bytes of RAM on small boards): write the input where`,
    ` * ${name}_input() points, call ${name}_run(), read the result at ${name}_output() (valid until the next run). */`,
    `${inType}* ${name}_input(void);`,
    `void ${name}_run(void);`,
    `const ${outType}* ${name}_output(void);`,
    "",
    "#ifdef __cplusplus",
    "}",
    "#endif",
    "",
    `#endif /* ${N}_H */`,
    "",
  ].join("\n");

  const tensorDefs: string[] = [];
  for (const [t, off] of [...plan.offsets.entries()].sort((a, b) => a[0] - b[0])) {
    const tt = graph.tensors[t];
    const alias = plan.aliases.get(t);
    tensorDefs.push(`#define T${t} (arena.bytes + ${off}) /* ${shapeStr(tt)} ${tt.dtype} "${cString(tt.name)}"${alias !== undefined ? `, shares T${alias}` : ""} */`);
  }
  const ops = graph.operators.map((o) => o.options.op);
  const source = [
    `/*`,
    ` * ${name}_model.c - generated by tinyml-kit. Do not edit: regenerate instead.`,
    ` *`,
    ` * ${graph.operators.length} operators: ${[...new Set(ops)].join(", ")}.`,
    ` * Constant data: ${e.constBytes} bytes (flash; PROGMEM on AVR). Arena: ${plan.arenaBytes} bytes of RAM` +
      (e.scratchBytes ? ` (+ ${e.scratchBytes} bytes of sums for fused kernels).` : "."),
    ` * ${e.macs} multiply-accumulates per inference.`,
    graph.description ? ` * Source model: ${cString(graph.description)}` : null,
    ` */`,
    `#include "${name}.h"`,
    "",
    "#include <stddef.h>",
    "#include <string.h>",
    "",
    '#include "tinyml_kernels.h"',
    "",
    ...avrGuard(e),
    ...e.consts,
    "/* The arena: every activation tensor lives here at a fixed offset; tensors whose lifetimes do not",
    " * overlap share bytes. The union only forces 4-byte alignment. */",
    `static union {`,
    `  int8_t bytes[${Math.max(plan.arenaBytes, 4)}];`,
    `  int32_t align;`,
    `} arena;`,
    "",
    ...tensorDefs,
    "",
    `${inType}* ${name}_input(void) {`,
    `  return (${inType}*)(void*)T${graph.inputs[0]};`,
    "}",
    "",
    `const ${outType}* ${name}_output(void) {`,
    `  return (const ${outType}*)(const void*)T${graph.outputs[0]};`,
    "}",
    "",
    `void ${name}_run(void) {`,
    ...e.body,
    "}",
    "",
    `void ${name}_invoke(const ${inType}* in, ${outType}* out) {`,
    `  memcpy(T${graph.inputs[0]}, in, ${inBytes});`,
    `  ${name}_run();`,
    `  memcpy(out, T${graph.outputs[0]}, ${outBytes});`,
    "}",
    "",
  ].filter((l) => l !== null).join("\n");
  return { header, source, plan, arenaBytes: plan.arenaBytes, scratchBytes: e.scratchBytes, avrScratchBytes: e.avrScratchBytes, constBytes: e.constBytes, macs: e.macs, inputBytes: inBytes, outputBytes: outBytes };
}
