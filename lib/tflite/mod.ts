/**
 * Reading, writing and inspecting TFLite flatbuffer models (.tflite).
 *
 * - {@link readTflite}: bytes → {@link Graph} (validated; throws {@link TfliteError} for bad or unsupported input)
 * - {@link writeTflite}: {@link Graph} → bytes that TFLite and TFLite Micro load
 * - {@link inspectTflite}: a readable text summary, also of models the kit cannot run
 * - {@link parseTflite}: the raw, schema-shaped model (all subgraphs, custom ops, metadata)
 *
 * @module
 */
export { TfliteError } from "./errors.ts";
export { DTYPE_BYTES, shapeSize, toLittleEndianBytes, toTypedArray } from "./data.ts";
export { MAX_TENSOR_BYTES, modelToGraph, readTflite, SUPPORTED_OPS } from "./read.ts";
export type { ReadOptions } from "./read.ts";
export { parseTflite } from "./parse.ts";
export type { RawModel, RawOperator, RawOperatorCode, RawQuant, RawSignature, RawSubGraph, RawTensor } from "./parse.ts";
export { validateGraph, writeTflite } from "./write.ts";
export type { WriteOptions } from "./write.ts";
export { inspectTflite } from "./inspect.ts";
export { BUILTIN_OPERATOR_NAMES, builtinOperatorName, FILE_IDENTIFIER, SCHEMA_VERSION, TensorType, tensorTypeName } from "./schema.ts";
