/**
 * Parses a .tflite flatbuffer into a raw, schema-shaped model: every table checked for bounds, nothing
 * interpreted yet. {@link readTflite} turns it into a {@link Graph}; {@link inspectTflite} summarises it.
 *
 * @module
 */
import { TfliteError } from "./errors.ts";
import { FbReader, type Table } from "./flatbuf.ts";
import {
  BufferF,
  FILE_IDENTIFIER,
  MetadataF,
  ModelF,
  OperatorCodeF,
  OperatorF,
  QuantF,
  SignatureDefF,
  SubGraphF,
  TensorF,
  TensorMapF,
} from "./schema.ts";

/** One entry of `Model.operator_codes`. */
export interface RawOperatorCode {
  /** The effective builtin code: max(deprecated_builtin_code, builtin_code), as TFLite resolves it. */
  builtinCode: number;
  customCode?: string;
  version: number;
}

/** `QuantizationParameters`, numbers as read. */
export interface RawQuant {
  scale: number[];
  zeroPoint: number[];
  min?: number[];
  max?: number[];
  quantizedDimension: number;
  /** A `details` union (custom quantization) is present. */
  hasDetails: boolean;
}

/** One `Tensor` table. */
export interface RawTensor {
  name: string;
  shape: number[];
  /** TensorType value. */
  type: number;
  buffer: number;
  quant?: RawQuant;
  isVariable: boolean;
  hasSparsity: boolean;
  shapeSignature?: number[];
}

/** One `Operator` table; `options` is the builtin options table, decoded later per op. */
export interface RawOperator {
  opcodeIndex: number;
  inputs: number[];
  outputs: number[];
  optionsType: number;
  options?: Table;
  customOptions?: Uint8Array;
  intermediates: number[];
}

/** One `SubGraph` table. */
export interface RawSubGraph {
  name?: string;
  tensors: RawTensor[];
  inputs: number[];
  outputs: number[];
  operators: RawOperator[];
}

/** `SignatureDef` with its tensor maps. */
export interface RawSignature {
  key?: string;
  subgraphIndex: number;
  inputs: { name?: string; tensorIndex: number }[];
  outputs: { name?: string; tensorIndex: number }[];
}

/** The whole `Model` table. Buffers are views into the input bytes (not copies). */
export interface RawModel {
  /** Size of the file the model was parsed from. */
  byteLength: number;
  version: number;
  description?: string;
  operatorCodes: RawOperatorCode[];
  subgraphs: RawSubGraph[];
  buffers: Uint8Array[];
  metadata: { name?: string; buffer: number }[];
  signatures: RawSignature[];
}

function int64ToNumber(v: bigint, where: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new TfliteError(`int64 value ${v} too large`, where, "the file is corrupt; re-export the model");
  }
  return Number(v);
}

function parseQuant(t: Table): RawQuant {
  const zp = t.i64s(QuantF.zeroPoint, "zero_point") ?? [];
  return {
    scale: t.f32s(QuantF.scale, "scale") ?? [],
    zeroPoint: zp.map((v, i) => int64ToNumber(v, `${t.where}.zero_point[${i}]`)),
    min: t.f32s(QuantF.min, "min"),
    max: t.f32s(QuantF.max, "max"),
    quantizedDimension: t.i32(QuantF.quantizedDimension, "quantized_dimension"),
    hasDetails: t.u8(QuantF.detailsType, "details_type") !== 0,
  };
}

function parseTensor(t: Table): RawTensor {
  const q = t.table(TensorF.quantization, "quantization");
  return {
    name: t.str(TensorF.name, "name") ?? "",
    shape: t.i32s(TensorF.shape, "shape") ?? [],
    type: t.i8(TensorF.type, "type"),
    buffer: t.u32(TensorF.buffer, "buffer"),
    quant: q ? parseQuant(q) : undefined,
    isVariable: t.bool(TensorF.isVariable, "is_variable"),
    hasSparsity: t.has(TensorF.sparsity),
    shapeSignature: t.i32s(TensorF.shapeSignature, "shape_signature"),
  };
}

function parseOperator(t: Table): RawOperator {
  const optionsType = t.u8(OperatorF.builtinOptionsType, "builtin_options_type");
  return {
    opcodeIndex: t.u32(OperatorF.opcodeIndex, "opcode_index"),
    inputs: t.i32s(OperatorF.inputs, "inputs") ?? [],
    outputs: t.i32s(OperatorF.outputs, "outputs") ?? [],
    optionsType,
    options: optionsType ? t.table(OperatorF.builtinOptions, "builtin_options") : undefined,
    customOptions: t.bytes(OperatorF.customOptions, "custom_options"),
    intermediates: t.i32s(OperatorF.intermediates, "intermediates") ?? [],
  };
}

function parseSubGraph(t: Table): RawSubGraph {
  return {
    name: t.str(SubGraphF.name, "name"),
    tensors: t.tables(SubGraphF.tensors, "tensors").map(parseTensor),
    inputs: t.i32s(SubGraphF.inputs, "inputs") ?? [],
    outputs: t.i32s(SubGraphF.outputs, "outputs") ?? [],
    operators: t.tables(SubGraphF.operators, "operators").map(parseOperator),
  };
}

function parseOperatorCode(t: Table): RawOperatorCode {
  const deprecated = t.i8(OperatorCodeF.deprecatedBuiltinCode, "deprecated_builtin_code");
  const builtin = t.i32(OperatorCodeF.builtinCode, "builtin_code");
  return {
    // Old files only have the byte field; new ones write both (byte = min(code, 127)). TFLite takes the max.
    builtinCode: Math.max(deprecated, builtin),
    customCode: t.str(OperatorCodeF.customCode, "custom_code"),
    version: t.i32(OperatorCodeF.version, "version", 1),
  };
}

function parseBuffer(t: Table, r: FbReader): Uint8Array {
  const data = t.bytes(BufferF.data, "data");
  if (data && data.length > 0) return data;
  // Models over 2 GB keep data after the flatbuffer: offset (> 1) and size relative to the file start.
  const offset = t.i64(BufferF.offset, "offset");
  const size = t.i64(BufferF.size, "size");
  if (offset > 1n) {
    const o = int64ToNumber(offset, t.path("offset"));
    const n = int64ToNumber(size, t.path("size"));
    r.need(o, n, t.path("offset"), "external buffer");
    r.charge(n, t.where, o);
    return r.bytes.subarray(o, o + n);
  }
  return data ?? new Uint8Array(0);
}

function parseSignature(t: Table): RawSignature {
  const map = (m: Table) => ({
    name: m.str(TensorMapF.name, "name"),
    tensorIndex: m.u32(TensorMapF.tensorIndex, "tensor_index"),
  });
  return {
    key: t.str(SignatureDefF.signatureKey, "signature_key"),
    subgraphIndex: t.u32(SignatureDefF.subgraphIndex, "subgraph_index"),
    inputs: t.tables(SignatureDefF.inputs, "inputs").map(map),
    outputs: t.tables(SignatureDefF.outputs, "outputs").map(map),
  };
}

/**
 * Parses the flatbuffer structure of a .tflite file without interpreting it.
 * Throws {@link TfliteError} for anything out of bounds or malformed.
 */
export function parseTflite(bytes: Uint8Array): RawModel {
  if (!(bytes instanceof Uint8Array)) {
    throw new TfliteError("input is not a Uint8Array", "input", "pass the file's bytes, e.g. fs.readFileSync(path)");
  }
  const r = new FbReader(bytes);
  const m = r.root(FILE_IDENTIFIER);
  return {
    byteLength: bytes.length,
    version: m.u32(ModelF.version, "version"),
    description: m.str(ModelF.description, "description"),
    operatorCodes: m.tables(ModelF.operatorCodes, "operator_codes").map(parseOperatorCode),
    subgraphs: m.tables(ModelF.subgraphs, "subgraphs").map(parseSubGraph),
    buffers: m.tables(ModelF.buffers, "buffers").map((t) => parseBuffer(t, r)),
    metadata: m.tables(ModelF.metadata, "metadata").map((t) => ({
      name: t.str(MetadataF.name, "name"),
      buffer: t.u32(MetadataF.buffer, "buffer"),
    })),
    signatures: m.tables(ModelF.signatureDefs, "signature_defs").map(parseSignature),
  };
}
