/**
 * `writeTflite`: {@link Graph} → .tflite bytes that TFLite (and TFLite Micro) load.
 *
 * Layout follows the converter's conventions: file identifier "TFL3", schema version 3, buffer 0 the empty
 * sentinel every activation points to, one buffer per constant with its data 16-byte aligned in the file.
 *
 * @module
 */
import { Builder } from "flatbuffers";
import type { DType, Graph, Operator, OperatorOptions, Tensor } from "../graph/types.ts";
import { DTYPE_BYTES, shapeSize, toLittleEndianBytes } from "./data.ts";
import { TfliteError } from "./errors.ts";
import { SUPPORTED_OPS } from "./read.ts";
import {
  ACTIVATIONS,
  AddOptionsF,
  BufferF,
  BuiltinOp,
  BuiltinOptionsType,
  ConcatenationOptionsF,
  Conv2DOptionsF,
  DepthwiseConv2DOptionsF,
  FILE_IDENTIFIER,
  FullyConnectedOptionsF,
  ModelF,
  MulOptionsF,
  OperatorCodeF,
  OperatorF,
  PADDINGS,
  Pool2DOptionsF,
  QuantF,
  ReducerOptionsF,
  ReshapeOptionsF,
  SCHEMA_VERSION,
  SoftmaxOptionsF,
  SubGraphF,
  TensorF,
  TensorType,
} from "./schema.ts";

/** Options for {@link writeTflite}. */
export interface WriteOptions {
  /** Model description (defaults to the graph's; none when both are absent). */
  description?: string;
  /** Validate the graph first (default true). `false` writes inconsistent graphs, e.g. to test readers. */
  validate?: boolean;
  /** Append this many copies of the subgraph (default 0): multi-subgraph files for testing readers. */
  extraSubgraphs?: number;
}

const TYPE_OF_DTYPE: Record<DType, number> = {
  float32: TensorType.FLOAT32,
  int8: TensorType.INT8,
  uint8: TensorType.UINT8,
  int16: TensorType.INT16,
  int32: TensorType.INT32,
  int64: TensorType.INT64,
  bool: TensorType.BOOL,
};

// deno-lint-ignore no-explicit-any
const ARRAY_OF_DTYPE: Record<DType, new (...a: any[]) => ArrayBufferView> = {
  float32: Float32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
};

const CODE_OF_OP: ReadonlyMap<string, number> = new Map([...SUPPORTED_OPS].map(([code, op]) => [op, code]));

function fail(what: string, where: string, hint: string): never {
  throw new TfliteError(what, where, hint);
}

/** Checks that a graph can be written: types, data sizes and indices. */
export function validateGraph(g: Graph): void {
  g.tensors.forEach((t, i) => {
    const where = `graph.tensors[${i}]`;
    if (!(t.dtype in TYPE_OF_DTYPE)) fail(`unknown dtype ${JSON.stringify(t.dtype)}`, `${where}.dtype`, `use one of ${Object.keys(TYPE_OF_DTYPE).join(", ")}`);
    if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isInteger(d) || d < 0 || d > 0x7fffffff)) {
      fail(`invalid shape ${JSON.stringify(t.shape)}`, `${where}.shape`, "dimensions must be integers ≥ 0 (fix the batch size to 1)");
    }
    if (t.data) {
      if (!(t.data instanceof ARRAY_OF_DTYPE[t.dtype])) {
        fail(`data is a ${t.data.constructor.name} but dtype is ${t.dtype}`, `${where}.data`, `store ${t.dtype} data in a ${ARRAY_OF_DTYPE[t.dtype].name}`);
      }
      if (t.data.length !== shapeSize(t.shape)) {
        fail(`data has ${t.data.length} elements but shape [${t.shape}] needs ${shapeSize(t.shape)}`, `${where}.data`, "make the data match the shape");
      }
    }
    const q = t.quant;
    if (q && (q.scale.length !== q.zeroPoint.length || q.scale.length === 0)) {
      fail(`${q.scale.length} scales and ${q.zeroPoint.length} zero points`, `${where}.quant`, "give one zero point per scale (at least one)");
    }
  });
  const checkIdx = (i: number, where: string, absentOk: boolean) => {
    if (!(Number.isInteger(i) && i >= 0 && i < g.tensors.length) && !(absentOk && i === -1)) {
      fail(`tensor index ${i} out of range (graph has ${g.tensors.length} tensors)`, where, "refer to an existing tensor" + (absentOk ? " or -1 for an absent optional input" : ""));
    }
  };
  g.inputs.forEach((t, j) => checkIdx(t, `graph.inputs[${j}]`, false));
  g.outputs.forEach((t, j) => checkIdx(t, `graph.outputs[${j}]`, false));
  g.operators.forEach((op, k) => {
    const where = `graph.operators[${k}]`;
    if (!CODE_OF_OP.has(op.options?.op)) fail(`unsupported op ${JSON.stringify(op.options?.op)}`, `${where}.options.op`, `use one of ${[...CODE_OF_OP.keys()].join(", ")}`);
    op.inputs.forEach((t, j) => checkIdx(t, `${where}.inputs[${j}]`, true));
    op.outputs.forEach((t, j) => checkIdx(t, `${where}.outputs[${j}]`, false));
  });
}

function i32Vector(b: Builder, v: readonly number[]): number {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addInt32(v[i]);
  return b.endVector();
}

function f32Vector(b: Builder, v: readonly number[]): number {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addFloat32(v[i]);
  return b.endVector();
}

function i64Vector(b: Builder, v: readonly number[]): number {
  b.startVector(8, v.length, 8);
  for (let i = v.length - 1; i >= 0; i--) b.addInt64(BigInt(v[i]));
  return b.endVector();
}

function offsetVector(b: Builder, v: readonly number[]): number {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addOffset(v[i]);
  return b.endVector();
}

/** A byte vector whose first element is 16-byte aligned (TFLite's `force_align: 16` on Buffer.data). */
function alignedBytes(b: Builder, bytes: Uint8Array): number {
  // Pad so that the position after the data is 16-aligned; createByteVector then needs no padding of its own
  // and copies the bytes in one go.
  b.prep(16, bytes.length);
  return b.createByteVector(bytes);
}

function writeBuffer(b: Builder, data?: Uint8Array): number {
  const vec = data && data.length > 0 ? alignedBytes(b, data) : 0;
  b.startObject(3);
  if (vec) b.addFieldOffset(BufferF.data, vec, 0);
  return b.endObject();
}

function writeQuant(b: Builder, t: Tensor): number {
  const q = t.quant;
  if (!q) return 0;
  const scale = f32Vector(b, q.scale);
  const zp = i64Vector(b, q.zeroPoint);
  const min = q.min ? f32Vector(b, q.min) : 0;
  const max = q.max ? f32Vector(b, q.max) : 0;
  b.startObject(7);
  if (min) b.addFieldOffset(QuantF.min, min, 0);
  if (max) b.addFieldOffset(QuantF.max, max, 0);
  b.addFieldOffset(QuantF.scale, scale, 0);
  b.addFieldOffset(QuantF.zeroPoint, zp, 0);
  b.addFieldInt32(QuantF.quantizedDimension, q.quantizedDimension, 0);
  return b.endObject();
}

function writeTensor(b: Builder, t: Tensor, buffer: number): number {
  const name = b.createString(t.name);
  const shape = i32Vector(b, t.shape);
  const quant = writeQuant(b, t);
  b.startObject(10);
  b.addFieldOffset(TensorF.shape, shape, 0);
  b.addFieldInt8(TensorF.type, TYPE_OF_DTYPE[t.dtype], 0);
  b.addFieldInt32(TensorF.buffer, buffer, 0);
  b.addFieldOffset(TensorF.name, name, 0);
  if (quant) b.addFieldOffset(TensorF.quantization, quant, 0);
  b.addFieldInt8(TensorF.isVariable, t.isVariable ? 1 : 0, 0);
  return b.endObject();
}

/** Writes the builtin options table of an op; returns [union type, offset] ([0, 0] for none). */
function writeOptions(b: Builder, o: OperatorOptions): [number, number] {
  const act = (a: string) => ACTIVATIONS.indexOf(a as (typeof ACTIVATIONS)[number]);
  const pad = (p: string) => PADDINGS.indexOf(p as (typeof PADDINGS)[number]);
  switch (o.op) {
    case "FULLY_CONNECTED":
      b.startObject(5);
      b.addFieldInt8(FullyConnectedOptionsF.fusedActivation, act(o.fusedActivation), 0);
      b.addFieldInt8(FullyConnectedOptionsF.keepNumDims, o.keepNumDims ? 1 : 0, 0);
      return [BuiltinOptionsType.FullyConnectedOptions, b.endObject()];
    case "CONV_2D":
      b.startObject(7);
      b.addFieldInt8(Conv2DOptionsF.padding, pad(o.padding), 0);
      b.addFieldInt32(Conv2DOptionsF.strideW, o.strideW, 0);
      b.addFieldInt32(Conv2DOptionsF.strideH, o.strideH, 0);
      b.addFieldInt8(Conv2DOptionsF.fusedActivation, act(o.fusedActivation), 0);
      b.addFieldInt32(Conv2DOptionsF.dilationW, o.dilationW, 1);
      b.addFieldInt32(Conv2DOptionsF.dilationH, o.dilationH, 1);
      return [BuiltinOptionsType.Conv2DOptions, b.endObject()];
    case "DEPTHWISE_CONV_2D":
      b.startObject(7);
      b.addFieldInt8(DepthwiseConv2DOptionsF.padding, pad(o.padding), 0);
      b.addFieldInt32(DepthwiseConv2DOptionsF.strideW, o.strideW, 0);
      b.addFieldInt32(DepthwiseConv2DOptionsF.strideH, o.strideH, 0);
      b.addFieldInt32(DepthwiseConv2DOptionsF.depthMultiplier, o.depthMultiplier, 0);
      b.addFieldInt8(DepthwiseConv2DOptionsF.fusedActivation, act(o.fusedActivation), 0);
      b.addFieldInt32(DepthwiseConv2DOptionsF.dilationW, o.dilationW, 1);
      b.addFieldInt32(DepthwiseConv2DOptionsF.dilationH, o.dilationH, 1);
      return [BuiltinOptionsType.DepthwiseConv2DOptions, b.endObject()];
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D":
      b.startObject(6);
      b.addFieldInt8(Pool2DOptionsF.padding, pad(o.padding), 0);
      b.addFieldInt32(Pool2DOptionsF.strideW, o.strideW, 0);
      b.addFieldInt32(Pool2DOptionsF.strideH, o.strideH, 0);
      b.addFieldInt32(Pool2DOptionsF.filterW, o.filterW, 0);
      b.addFieldInt32(Pool2DOptionsF.filterH, o.filterH, 0);
      b.addFieldInt8(Pool2DOptionsF.fusedActivation, act(o.fusedActivation), 0);
      return [BuiltinOptionsType.Pool2DOptions, b.endObject()];
    case "RESHAPE": {
      if (!o.newShape) return [BuiltinOptionsType.NONE, 0];
      const shape = i32Vector(b, o.newShape);
      b.startObject(1);
      b.addFieldOffset(ReshapeOptionsF.newShape, shape, 0);
      return [BuiltinOptionsType.ReshapeOptions, b.endObject()];
    }
    case "SOFTMAX":
      b.startObject(1);
      b.addFieldFloat32(SoftmaxOptionsF.beta, o.beta, 0);
      return [BuiltinOptionsType.SoftmaxOptions, b.endObject()];
    case "ADD":
      b.startObject(2);
      b.addFieldInt8(AddOptionsF.fusedActivation, act(o.fusedActivation), 0);
      return [BuiltinOptionsType.AddOptions, b.endObject()];
    case "MUL":
      b.startObject(1);
      b.addFieldInt8(MulOptionsF.fusedActivation, act(o.fusedActivation), 0);
      return [BuiltinOptionsType.MulOptions, b.endObject()];
    case "MEAN":
      b.startObject(1);
      b.addFieldInt8(ReducerOptionsF.keepDims, o.keepDims ? 1 : 0, 0);
      return [BuiltinOptionsType.ReducerOptions, b.endObject()];
    case "CONCATENATION":
      b.startObject(2);
      b.addFieldInt32(ConcatenationOptionsF.axis, o.axis, 0);
      b.addFieldInt8(ConcatenationOptionsF.fusedActivation, act(o.fusedActivation), 0);
      return [BuiltinOptionsType.ConcatenationOptions, b.endObject()];
    default:
      // LOGISTIC, TANH, PAD, QUANTIZE, DEQUANTIZE, RELU, RELU6: no options worth a table.
      return [BuiltinOptionsType.NONE, 0];
  }
}

function writeOperator(b: Builder, op: Operator, opcodeIndex: number): number {
  const inputs = i32Vector(b, op.inputs);
  const outputs = i32Vector(b, op.outputs);
  const [type, options] = writeOptions(b, op.options);
  b.startObject(13);
  b.addFieldInt32(OperatorF.opcodeIndex, opcodeIndex, 0);
  b.addFieldOffset(OperatorF.inputs, inputs, 0);
  b.addFieldOffset(OperatorF.outputs, outputs, 0);
  if (type) {
    b.addFieldInt8(OperatorF.builtinOptionsType, type, 0);
    b.addFieldOffset(OperatorF.builtinOptions, options, 0);
  }
  return b.endObject();
}

function writeOperatorCode(b: Builder, code: number, version: number): number {
  b.startObject(4);
  // Both fields, as current converters write them: the byte saturates at 127 for newer codes.
  b.addFieldInt8(OperatorCodeF.deprecatedBuiltinCode, Math.min(code, BuiltinOp.PLACEHOLDER_FOR_GREATER_OP_CODES), 0);
  b.addFieldInt32(OperatorCodeF.version, version, 1);
  b.addFieldInt32(OperatorCodeF.builtinCode, code, 0);
  return b.endObject();
}

/**
 * Serialises a {@link Graph} as a .tflite flatbuffer (one subgraph). Validates the graph first and throws
 * {@link TfliteError} for anything that cannot be written.
 *
 * @example
 * ```ts
 * const bytes = writeTflite(readTflite(original));
 * writeFileSync("copy.tflite", bytes);
 * ```
 */
export function writeTflite(graph: Graph, opts: WriteOptions = {}): Uint8Array {
  if (opts.validate !== false) validateGraph(graph);
  const dataBytes = graph.tensors.reduce((n, t) => n + (t.data ? t.data.length * DTYPE_BYTES[t.dtype] + 32 : 0), 0);
  const b = new Builder(4096 + dataBytes + 256 * graph.tensors.length);

  // Buffers first: built back to front, so their data ends up at the end of the file as the converter does.
  const bufferOfTensor = new Array<number>(graph.tensors.length).fill(0);
  const buffers: number[] = [writeBuffer(b)];
  graph.tensors.forEach((t, i) => {
    if (!t.data || t.data.length === 0) return;
    bufferOfTensor[i] = buffers.length;
    buffers.push(writeBuffer(b, toLittleEndianBytes(t.data)));
  });

  // One operator code per (op, version), in first-use order.
  const codes: { code: number; version: number }[] = [];
  const opcodeIndex = graph.operators.map((op) => {
    const code = CODE_OF_OP.get(op.options?.op) ?? BuiltinOp.CUSTOM;
    const version = op.version ?? 1;
    let k = codes.findIndex((c) => c.code === code && c.version === version);
    if (k < 0) k = codes.push({ code, version }) - 1;
    return k;
  });

  const tensors = graph.tensors.map((t, i) => writeTensor(b, t, bufferOfTensor[i]));
  const operators = graph.operators.map((op, k) => writeOperator(b, op, opcodeIndex[k]));
  const tensorsVec = offsetVector(b, tensors);
  const operatorsVec = offsetVector(b, operators);
  const inputsVec = i32Vector(b, graph.inputs);
  const outputsVec = i32Vector(b, graph.outputs);
  const sgName = graph.name !== undefined ? b.createString(graph.name) : 0;
  b.startObject(5);
  b.addFieldOffset(SubGraphF.tensors, tensorsVec, 0);
  b.addFieldOffset(SubGraphF.inputs, inputsVec, 0);
  b.addFieldOffset(SubGraphF.outputs, outputsVec, 0);
  b.addFieldOffset(SubGraphF.operators, operatorsVec, 0);
  if (sgName) b.addFieldOffset(SubGraphF.name, sgName, 0);
  const subgraph = b.endObject();

  const codesVec = offsetVector(b, codes.map((c) => writeOperatorCode(b, c.code, c.version)));
  const subgraphsVec = offsetVector(b, new Array(1 + (opts.extraSubgraphs ?? 0)).fill(subgraph));
  const buffersVec = offsetVector(b, buffers);
  const descText = opts.description ?? graph.description;
  const description = descText !== undefined ? b.createString(descText) : 0;
  b.startObject(8);
  b.addFieldInt32(ModelF.version, SCHEMA_VERSION, 0);
  b.addFieldOffset(ModelF.operatorCodes, codesVec, 0);
  b.addFieldOffset(ModelF.subgraphs, subgraphsVec, 0);
  if (description) b.addFieldOffset(ModelF.description, description, 0);
  b.addFieldOffset(ModelF.buffers, buffersVec, 0);
  const model = b.endObject();
  b.finish(model, FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}
