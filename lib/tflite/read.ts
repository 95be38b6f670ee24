/**
 * `readTflite`: .tflite bytes → {@link Graph}, validating everything the kit's interpreter, planner and code
 * generator rely on (indices in range, constant sizes matching shapes, supported ops and types).
 *
 * @module
 */
import type {
  DType,
  FusedActivation,
  Graph,
  Operator,
  OperatorOptions,
  OpCode,
  Padding,
  QuantParams,
  Tensor,
} from "../graph/types.ts";
import { DTYPE_BYTES, toTypedArray } from "./data.ts";
import { TfliteError } from "./errors.ts";
import type { Table } from "./flatbuf.ts";
import { parseTflite, type RawModel, type RawOperator, type RawTensor } from "./parse.ts";
import {
  ACTIVATIONS,
  AddOptionsF,
  BuiltinOp,
  BuiltinOptionsType,
  builtinOperatorName,
  ConcatenationOptionsF,
  Conv2DOptionsF,
  DepthwiseConv2DOptionsF,
  FullyConnectedOptionsF,
  MulOptionsF,
  PADDINGS,
  Pool2DOptionsF,
  ReducerOptionsF,
  ReshapeOptionsF,
  SoftmaxOptionsF,
  TensorType,
  tensorTypeName,
} from "./schema.ts";

/** Options for {@link readTflite}. */
export interface ReadOptions {
  /**
   * Which subgraph to read. By default a model must have exactly one (TFLite Micro's usual case); pass an
   * index to read one subgraph of a multi-subgraph model (ops like WHILE/IF that call others stay unsupported).
   */
  subgraph?: number;
}

const DTYPE_OF_TYPE: ReadonlyMap<number, DType> = new Map<number, DType>([
  [TensorType.FLOAT32, "float32"],
  [TensorType.INT8, "int8"],
  [TensorType.UINT8, "uint8"],
  [TensorType.INT16, "int16"],
  [TensorType.INT32, "int32"],
  [TensorType.INT64, "int64"],
  [TensorType.BOOL, "bool"],
]);

/** Builtin code → kit op name, for the ops the kit supports. */
export const SUPPORTED_OPS: ReadonlyMap<number, OpCode> = new Map<number, OpCode>([
  [BuiltinOp.ADD, "ADD"],
  [BuiltinOp.AVERAGE_POOL_2D, "AVERAGE_POOL_2D"],
  [BuiltinOp.CONCATENATION, "CONCATENATION"],
  [BuiltinOp.CONV_2D, "CONV_2D"],
  [BuiltinOp.DEPTHWISE_CONV_2D, "DEPTHWISE_CONV_2D"],
  [BuiltinOp.DEQUANTIZE, "DEQUANTIZE"],
  [BuiltinOp.FULLY_CONNECTED, "FULLY_CONNECTED"],
  [BuiltinOp.LOGISTIC, "LOGISTIC"],
  [BuiltinOp.MAX_POOL_2D, "MAX_POOL_2D"],
  [BuiltinOp.MUL, "MUL"],
  [BuiltinOp.RELU, "RELU"],
  [BuiltinOp.RELU6, "RELU6"],
  [BuiltinOp.RESHAPE, "RESHAPE"],
  [BuiltinOp.SOFTMAX, "SOFTMAX"],
  [BuiltinOp.TANH, "TANH"],
  [BuiltinOp.PAD, "PAD"],
  [BuiltinOp.MEAN, "MEAN"],
  [BuiltinOp.QUANTIZE, "QUANTIZE"],
]);

/** Largest tensor the reader accepts, in bytes (2 GiB − 1: beyond anything a microcontroller runs). */
export const MAX_TENSOR_BYTES = 0x7fffffff;

/** A name for messages: long (corrupt) names are cut. */
function clip(name: string): string {
  return name.length <= 64 ? name : `${name.slice(0, 61)}…`;
}

/** A shape for messages: at most 8 dimensions shown. */
function fmtShape(shape: readonly number[]): string {
  return shape.length <= 8 ? `[${shape.join(",")}]` : `[${shape.slice(0, 8).join(",")},… (${shape.length} dims)]`;
}

/** Bytes of constant data the conversion may still copy (tensors sharing a buffer each get a copy). */
interface CopyBudget {
  left: number;
}

function convertTensor(t: RawTensor, i: number, model: RawModel, sg: number, budget: CopyBudget): Tensor {
  const where = `subgraphs[${sg}].tensors[${i}]`;
  const label = `tensor #${i} '${clip(t.name)}'`;
  const dtype = DTYPE_OF_TYPE.get(t.type);
  if (!dtype) {
    throw new TfliteError(
      `unsupported tensor type ${tensorTypeName(t.type)} for ${label}`,
      `${where}.type`,
      "tinyml-kit handles float32, int8, uint8, int16, int32, int64 and bool tensors; convert with full-integer (int8) or float32 quantization",
    );
  }
  if (t.hasSparsity) {
    throw new TfliteError(`sparse ${label}`, `${where}.sparsity`, "sparse tensors are not supported; convert without sparsity");
  }
  let bytes = DTYPE_BYTES[dtype];
  t.shape.forEach((d, k) => {
    if (!Number.isInteger(d) || d < 0) {
      throw new TfliteError(
        `invalid dimension ${d} in shape ${fmtShape(t.shape)} of ${label}`,
        `${where}.shape[${k}]`,
        "dimensions must be ≥ 0; give the model a fixed input shape (e.g. batch 1) before converting",
      );
    }
    bytes *= d;
  });
  if (bytes > MAX_TENSOR_BYTES) {
    throw new TfliteError(`${label} is too large (${bytes} bytes)`, `${where}.shape`, "tensors must be < 2 GiB; the shape is corrupt or the model far too big for a microcontroller");
  }
  if (t.buffer >= model.buffers.length) {
    throw new TfliteError(
      `buffer index ${t.buffer} out of range (model has ${model.buffers.length} buffers) for ${label}`,
      `${where}.buffer`,
      "the file is corrupt; re-export the model",
    );
  }
  const out: Tensor = { name: t.name, shape: [...t.shape], dtype };
  const raw = model.buffers[t.buffer];
  if (t.buffer !== 0 && raw.length > 0) {
    if (raw.length !== bytes) {
      throw new TfliteError(
        `buffer ${t.buffer} holds ${raw.length} bytes but ${label} of shape ${fmtShape(t.shape)} ${dtype} needs ${bytes}`,
        `${where}.buffer`,
        "the constant's data does not match its shape and type; the file is corrupt or was edited by hand",
      );
    }
    budget.left -= raw.length;
    if (budget.left < 0) {
      throw new TfliteError(
        "constant data referenced too many times",
        `${where}.buffer`,
        "many tensors share the same buffers, far beyond the file's size; the file is corrupt or crafted",
      );
    }
    out.data = toTypedArray(raw, dtype);
  }
  if (t.isVariable) out.isVariable = true;
  const q = t.quant;
  if (q && q.hasDetails) {
    throw new TfliteError(`custom quantization on ${label}`, `${where}.quantization.details`, "only affine (scale/zero-point) quantization is supported");
  }
  if (q && q.scale.length > 0) {
    const qwhere = `${where}.quantization`;
    if (q.zeroPoint.length !== q.scale.length) {
      throw new TfliteError(
        `${q.scale.length} scales but ${q.zeroPoint.length} zero points on ${label}`,
        `${qwhere}.zero_point`,
        "each scale needs a zero point; the file is corrupt",
      );
    }
    if (q.scale.length > 1) {
      const axis = q.quantizedDimension;
      // TFLM's person_detect records axis 3 on its rank-1 per-channel biases; TFLite Micro accepts that, so
      // a rank-1 tensor with one scale per element is accepted whatever axis it names (and the axis is kept).
      const fits = (axis >= 0 && axis < t.shape.length && t.shape[axis] === q.scale.length) ||
        (t.shape.length === 1 && t.shape[0] === q.scale.length && axis >= 0);
      if (!fits) {
        throw new TfliteError(
          `per-channel quantization with ${q.scale.length} scales along axis ${axis} does not fit shape ${fmtShape(t.shape)} of ${label}`,
          `${qwhere}.quantized_dimension`,
          "the number of scales must equal the size of the quantized dimension; the file is corrupt",
        );
      }
    }
    const badScale = q.scale.findIndex((v) => !Number.isFinite(v) || v < 0);
    if (badScale >= 0) {
      throw new TfliteError(
        `quantization scale ${q.scale[badScale]} on ${label}`,
        `${qwhere}.scale[${badScale}]`,
        "scales must be finite and ≥ 0; the file is corrupt",
      );
    }
    const badZp = q.zeroPoint.findIndex((v) => v < -0x80000000 || v > 0x7fffffff);
    if (badZp >= 0) {
      throw new TfliteError(
        `zero point ${q.zeroPoint[badZp]} on ${label} does not fit int32`,
        `${qwhere}.zero_point[${badZp}]`,
        "the file is corrupt; re-export the model",
      );
    }
    const quant: QuantParams = { scale: q.scale, zeroPoint: q.zeroPoint, quantizedDimension: q.quantizedDimension };
    if (q.min) quant.min = q.min;
    if (q.max) quant.max = q.max;
    out.quant = quant;
  }
  return out;
}

/** Reads the builtin options table of one operator with typed defaults. */
class OptionsReader {
  constructor(readonly t: Table | undefined, readonly where: string) {}
  int(id: number, name: string, def = 0): number {
    return this.t ? this.t.i32(id, name, def) : def;
  }
  float(id: number, name: string, def = 0): number {
    return this.t ? this.t.f32(id, name, def) : def;
  }
  bool(id: number, name: string): boolean {
    return this.t ? this.t.bool(id, name) : false;
  }
  byte(id: number, name: string): number {
    return this.t ? this.t.i8(id, name) : 0;
  }
  activation(id: number): FusedActivation {
    const v = this.byte(id, "fused_activation_function");
    const a = ACTIVATIONS[v];
    if (a === undefined) {
      throw new TfliteError(`unknown fused activation ${v}`, `${this.where}.fused_activation_function`, "the file is corrupt; re-export the model");
    }
    return a;
  }
  padding(id: number): Padding {
    const v = this.byte(id, "padding");
    const p = PADDINGS[v];
    if (p === undefined) {
      throw new TfliteError(`unknown padding ${v}`, `${this.where}.padding`, "the file is corrupt; re-export the model");
    }
    return p;
  }
  /** A stride/dilation/filter size that must be ≥ 1. */
  positive(id: number, name: string, def: number): number {
    const v = this.int(id, name, def);
    if (v < 1) {
      throw new TfliteError(`${name} is ${v}`, `${this.where}.${name}`, `${name} must be ≥ 1; the file is corrupt or the op lacks its options`);
    }
    return v;
  }
}

const OPTIONS_TYPE_OF: Partial<Record<OpCode, number>> = {
  CONV_2D: BuiltinOptionsType.Conv2DOptions,
  DEPTHWISE_CONV_2D: BuiltinOptionsType.DepthwiseConv2DOptions,
  AVERAGE_POOL_2D: BuiltinOptionsType.Pool2DOptions,
  MAX_POOL_2D: BuiltinOptionsType.Pool2DOptions,
  FULLY_CONNECTED: BuiltinOptionsType.FullyConnectedOptions,
  SOFTMAX: BuiltinOptionsType.SoftmaxOptions,
  CONCATENATION: BuiltinOptionsType.ConcatenationOptions,
  ADD: BuiltinOptionsType.AddOptions,
  RESHAPE: BuiltinOptionsType.ReshapeOptions,
  MUL: BuiltinOptionsType.MulOptions,
  PAD: BuiltinOptionsType.PadOptions,
  MEAN: BuiltinOptionsType.ReducerOptions,
  DEQUANTIZE: BuiltinOptionsType.DequantizeOptions,
  QUANTIZE: BuiltinOptionsType.QuantizeOptions,
};

function decodeOptions(op: OpCode, raw: RawOperator, where: string): OperatorOptions {
  const expected = OPTIONS_TYPE_OF[op] ?? BuiltinOptionsType.NONE;
  if (raw.optionsType !== BuiltinOptionsType.NONE && raw.optionsType !== expected) {
    throw new TfliteError(
      `${op} carries builtin options of union type ${raw.optionsType} (expected ${expected})`,
      `${where}.builtin_options_type`,
      "the options do not belong to this operator; the file is corrupt",
    );
  }
  const o = new OptionsReader(raw.options, `${where}.builtin_options`);
  switch (op) {
    case "FULLY_CONNECTED": {
      const format = o.byte(FullyConnectedOptionsF.weightsFormat, "weights_format");
      if (format !== 0) {
        throw new TfliteError(`FULLY_CONNECTED with shuffled weights (format ${format})`, `${where}.builtin_options.weights_format`, "only the default weights format is supported; convert without weight shuffling");
      }
      return {
        op,
        fusedActivation: o.activation(FullyConnectedOptionsF.fusedActivation),
        keepNumDims: o.bool(FullyConnectedOptionsF.keepNumDims, "keep_num_dims"),
      };
    }
    case "CONV_2D":
      return {
        op,
        padding: o.padding(Conv2DOptionsF.padding),
        strideW: o.positive(Conv2DOptionsF.strideW, "stride_w", 0),
        strideH: o.positive(Conv2DOptionsF.strideH, "stride_h", 0),
        dilationW: o.positive(Conv2DOptionsF.dilationW, "dilation_w_factor", 1),
        dilationH: o.positive(Conv2DOptionsF.dilationH, "dilation_h_factor", 1),
        fusedActivation: o.activation(Conv2DOptionsF.fusedActivation),
      };
    case "DEPTHWISE_CONV_2D":
      return {
        op,
        padding: o.padding(DepthwiseConv2DOptionsF.padding),
        strideW: o.positive(DepthwiseConv2DOptionsF.strideW, "stride_w", 0),
        strideH: o.positive(DepthwiseConv2DOptionsF.strideH, "stride_h", 0),
        dilationW: o.positive(DepthwiseConv2DOptionsF.dilationW, "dilation_w_factor", 1),
        dilationH: o.positive(DepthwiseConv2DOptionsF.dilationH, "dilation_h_factor", 1),
        depthMultiplier: o.int(DepthwiseConv2DOptionsF.depthMultiplier, "depth_multiplier"),
        fusedActivation: o.activation(DepthwiseConv2DOptionsF.fusedActivation),
      };
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D":
      return {
        op,
        padding: o.padding(Pool2DOptionsF.padding),
        strideW: o.positive(Pool2DOptionsF.strideW, "stride_w", 0),
        strideH: o.positive(Pool2DOptionsF.strideH, "stride_h", 0),
        filterW: o.positive(Pool2DOptionsF.filterW, "filter_width", 0),
        filterH: o.positive(Pool2DOptionsF.filterH, "filter_height", 0),
        fusedActivation: o.activation(Pool2DOptionsF.fusedActivation),
      };
    case "RESHAPE": {
      const newShape = raw.options?.i32s(ReshapeOptionsF.newShape, "new_shape");
      return newShape ? { op, newShape } : { op };
    }
    case "SOFTMAX": {
      const beta = o.float(SoftmaxOptionsF.beta, "beta");
      if (!Number.isFinite(beta)) {
        throw new TfliteError(`SOFTMAX beta is ${beta}`, `${where}.builtin_options.beta`, "beta must be a finite number; the file is corrupt");
      }
      return { op, beta };
    }
    case "ADD":
      return { op, fusedActivation: o.activation(AddOptionsF.fusedActivation) };
    case "MUL":
      return { op, fusedActivation: o.activation(MulOptionsF.fusedActivation) };
    case "MEAN":
      return { op, keepDims: o.bool(ReducerOptionsF.keepDims, "keep_dims") };
    case "CONCATENATION":
      return {
        op,
        axis: o.int(ConcatenationOptionsF.axis, "axis"),
        fusedActivation: o.activation(ConcatenationOptionsF.fusedActivation),
      };
    case "LOGISTIC":
    case "TANH":
    case "PAD":
    case "QUANTIZE":
    case "DEQUANTIZE":
    case "RELU":
    case "RELU6":
      return { op };
  }
}

/** [min inputs, max inputs, outputs] per op (bias and the like count as optional inputs). */
const ARITY: Record<OpCode, [number, number, number]> = {
  FULLY_CONNECTED: [2, 3, 1],
  CONV_2D: [2, 3, 1],
  DEPTHWISE_CONV_2D: [2, 3, 1],
  AVERAGE_POOL_2D: [1, 1, 1],
  MAX_POOL_2D: [1, 1, 1],
  RESHAPE: [1, 2, 1],
  SOFTMAX: [1, 1, 1],
  ADD: [2, 2, 1],
  MUL: [2, 2, 1],
  MEAN: [2, 2, 1],
  CONCATENATION: [1, Infinity, 1],
  LOGISTIC: [1, 1, 1],
  TANH: [1, 1, 1],
  PAD: [2, 3, 1],
  QUANTIZE: [1, 1, 1],
  DEQUANTIZE: [1, 1, 1],
  RELU: [1, 1, 1],
  RELU6: [1, 1, 1],
};

/** Rank each present input must have, where the op requires it. */
const INPUT_RANKS: Partial<Record<OpCode, (number | undefined)[]>> = {
  CONV_2D: [4, 4, 1],
  DEPTHWISE_CONV_2D: [4, 4, 1],
  AVERAGE_POOL_2D: [4],
  MAX_POOL_2D: [4],
  FULLY_CONNECTED: [undefined, 2, 1],
};

function checkIndex(i: number, n: number, where: string, allowAbsent: boolean): void {
  if (!(i >= 0 && i < n) && !(allowAbsent && i === -1)) {
    throw new TfliteError(
      `tensor index ${i} out of range (subgraph has ${n} tensors)`,
      where,
      allowAbsent ? "indices must be -1 (absent) or a valid tensor index; the file is corrupt" : "the file is corrupt; re-export the model",
    );
  }
}

/** The kit's name for an operator's op code; throws for unknown or unsupported ones. */
function supportedOp(raw: RawOperator, k: number, model: RawModel, sg: number): OpCode {
  const where = `subgraphs[${sg}].operators[${k}]`;
  const code = model.operatorCodes[raw.opcodeIndex];
  if (!code) {
    throw new TfliteError(
      `opcode index ${raw.opcodeIndex} out of range (model has ${model.operatorCodes.length} operator codes)`,
      `${where}.opcode_index`,
      "the file is corrupt; re-export the model",
    );
  }
  const op = SUPPORTED_OPS.get(code.builtinCode);
  if (!op) {
    const name = code.builtinCode === BuiltinOp.CUSTOM ? `CUSTOM '${clip(code.customCode ?? "")}'` : builtinOperatorName(code.builtinCode);
    throw new TfliteError(
      `unsupported operator ${name} v${code.version} at op #${k}`,
      where,
      `tinyml-kit supports ${[...SUPPORTED_OPS.values()].join(", ")}; rewrite the model with these ops or run it elsewhere`,
    );
  }
  return op;
}

function convertOperator(raw: RawOperator, k: number, model: RawModel, sg: number, tensors: Tensor[]): Operator {
  const where = `subgraphs[${sg}].operators[${k}]`;
  const op = supportedOp(raw, k, model, sg);
  const version = model.operatorCodes[raw.opcodeIndex].version;
  raw.inputs.forEach((t, j) => checkIndex(t, tensors.length, `${where}.inputs[${j}]`, true));
  raw.outputs.forEach((t, j) => checkIndex(t, tensors.length, `${where}.outputs[${j}]`, false));
  const [minIn, maxIn, nOut] = ARITY[op];
  const nIn = raw.inputs.length;
  if (nIn < minIn || nIn > maxIn || raw.outputs.length !== nOut || raw.inputs.slice(0, minIn).includes(-1)) {
    throw new TfliteError(
      `${op} at op #${k} has ${nIn} inputs and ${raw.outputs.length} outputs (expects ${minIn === maxIn ? minIn : `${minIn}–${maxIn}`} required inputs and ${nOut} output)`,
      where,
      "the operator's tensors do not match what the op needs; the file is corrupt",
    );
  }
  raw.outputs.forEach((t, j) => {
    if (tensors[t].data) {
      throw new TfliteError(
        `${op} at op #${k} writes into constant tensor #${t} ('${clip(tensors[t].name)}')`,
        `${where}.outputs[${j}]`,
        "an operator's outputs must be activations (no buffer data); the file is corrupt",
      );
    }
  });
  (INPUT_RANKS[op] ?? []).forEach((rank, j) => {
    const t = raw.inputs[j];
    if (rank === undefined || t === undefined || t < 0) return;
    if (tensors[t].shape.length !== rank) {
      throw new TfliteError(
        `${op} at op #${k} needs a rank-${rank} input ${j}, got shape ${fmtShape(tensors[t].shape)} ('${clip(tensors[t].name)}')`,
        `${where}.inputs[${j}]`,
        "the tensor's shape does not fit the operator; the file is corrupt or the converter produced an unusual layout",
      );
    }
  });
  const options = decodeOptions(op, raw, where);
  if (options.op === "CONCATENATION") {
    const rank = tensors[raw.outputs[0]].shape.length;
    if (options.axis < -rank || options.axis >= Math.max(rank, 1)) {
      throw new TfliteError(
        `CONCATENATION axis ${options.axis} out of range for rank ${rank}`,
        `${where}.builtin_options.axis`,
        `the axis must lie in [-${rank}, ${rank}); the file is corrupt`,
      );
    }
  }
  return {
    options,
    inputs: [...raw.inputs],
    outputs: [...raw.outputs],
    version,
  };
}

/** Converts a parsed model into a Graph (one subgraph), validating it. */
export function modelToGraph(model: RawModel, opts: ReadOptions = {}): Graph {
  const n = model.subgraphs.length;
  if (n === 0) {
    throw new TfliteError("model has no subgraphs", "model.subgraphs", "the file is empty or corrupt; re-export the model");
  }
  if (opts.subgraph === undefined && n > 1) {
    throw new TfliteError(
      `model has ${n} subgraphs`,
      "model.subgraphs",
      "tinyml-kit runs single-subgraph models (as TFLite Micro usually does); pass { subgraph: 0 } to read only the main one",
    );
  }
  const sg = opts.subgraph ?? 0;
  if (!Number.isInteger(sg) || sg < 0 || sg >= n) {
    throw new TfliteError(`subgraph ${sg} does not exist (model has ${n})`, "options.subgraph", `choose a subgraph index from 0 to ${n - 1}`);
  }
  const raw = model.subgraphs[sg];
  if (model.buffers.length === 0 || model.buffers[0].length !== 0) {
    // TFLite's convention: buffer 0 is an empty sentinel that non-constant tensors point to.
    throw new TfliteError(
      model.buffers.length === 0 ? "model has no buffers" : "buffer 0 is not empty",
      "model.buffers[0]",
      "buffer 0 must be the empty sentinel; the file is corrupt or was not written by a TFLite converter",
    );
  }
  // Unsupported ops first: that is the more useful message when a model also has exotic tensor types.
  raw.operators.forEach((o, k) => supportedOp(o, k, model, sg));
  // Legit files share a buffer between a few tensors at most; a crafted one could make every tensor copy it.
  const budget: CopyBudget = { left: (1 << 20) + 4 * model.byteLength };
  const tensors = raw.tensors.map((t, i) => convertTensor(t, i, model, sg, budget));
  raw.inputs.forEach((t, j) => checkIndex(t, tensors.length, `subgraphs[${sg}].inputs[${j}]`, false));
  raw.outputs.forEach((t, j) => checkIndex(t, tensors.length, `subgraphs[${sg}].outputs[${j}]`, false));
  const operators = raw.operators.map((o, k) => convertOperator(o, k, model, sg, tensors));
  const graph: Graph = { tensors, operators, inputs: [...raw.inputs], outputs: [...raw.outputs] };
  if (model.description !== undefined) graph.description = model.description;
  if (raw.name !== undefined) graph.name = raw.name;
  return graph;
}

/**
 * Reads a .tflite model into a {@link Graph}: constants copied into aligned typed arrays, every index and
 * size checked. Throws {@link TfliteError} (with `what`, `where` and a fix) for anything malformed or
 * unsupported; never any other error type.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * const g = readTflite(readFileSync("hello_world_int8.tflite"));
 * console.log(g.operators.map((o) => o.options.op)); // ["FULLY_CONNECTED", "FULLY_CONNECTED", "FULLY_CONNECTED"]
 * ```
 */
export function readTflite(bytes: Uint8Array, opts: ReadOptions = {}): Graph {
  try {
    return modelToGraph(parseTflite(bytes), opts);
  } catch (e) {
    if (e instanceof TfliteError) throw e;
    // Defensive: nothing else should escape, but if it does, keep the promise of one error type.
    throw new TfliteError(`internal reader error: ${(e as Error)?.message ?? e}`, "model", "please report this file; it is malformed in a way the reader did not expect");
  }
}
