/**
 * The subset of TFLite's flatbuffer schema (`schema.fbs`, file identifier "TFL3", schema version 3) the kit
 * reads and writes, as plain constants.
 *
 * In a flatbuffer table, a field's id is its position in the schema's table declaration (0, 1, 2, …), and its
 * vtable slot is at byte `4 + 2 * id`. Enum and union values are positions too (unions start at 1; 0 is NONE).
 *
 * @module
 */

/** The 4 bytes at offset 4 of every .tflite file. */
export const FILE_IDENTIFIER = "TFL3";
/** Schema version the writer records in `Model.version`. */
export const SCHEMA_VERSION = 3;

/** `table Model` field ids. */
export const ModelF = {
  version: 0,
  operatorCodes: 1,
  subgraphs: 2,
  description: 3,
  buffers: 4,
  metadataBuffer: 5,
  metadata: 6,
  signatureDefs: 7,
} as const;

/** `table SubGraph` field ids. */
export const SubGraphF = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 } as const;

/** `table Tensor` field ids. */
export const TensorF = {
  shape: 0,
  type: 1,
  buffer: 2,
  name: 3,
  quantization: 4,
  isVariable: 5,
  sparsity: 6,
  shapeSignature: 7,
  hasRank: 8,
  variantTensors: 9,
} as const;

/** `table QuantizationParameters` field ids (`details` is a union: type at 4, value at 5). */
export const QuantF = {
  min: 0,
  max: 1,
  scale: 2,
  zeroPoint: 3,
  detailsType: 4,
  details: 5,
  quantizedDimension: 6,
} as const;

/** `table Buffer` field ids (`offset`/`size` locate data outside the flatbuffer in >2 GB models). */
export const BufferF = { data: 0, offset: 1, size: 2 } as const;

/** `table OperatorCode` field ids. `deprecated_builtin_code` is a byte; `builtin_code` an int32. */
export const OperatorCodeF = { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 } as const;

/** `table Operator` field ids (`builtin_options` is a union: type at 3, value at 4). */
export const OperatorF = {
  opcodeIndex: 0,
  inputs: 1,
  outputs: 2,
  builtinOptionsType: 3,
  builtinOptions: 4,
  customOptions: 5,
  customOptionsFormat: 6,
  mutatingVariableInputs: 7,
  intermediates: 8,
  largeCustomOptionsOffset: 9,
  largeCustomOptionsSize: 10,
  builtinOptions2Type: 11,
  builtinOptions2: 12,
} as const;

/** `table Metadata` field ids. */
export const MetadataF = { name: 0, buffer: 1 } as const;

/** `table SignatureDef` and `table TensorMap` field ids (id 3 of SignatureDef is deprecated). */
export const SignatureDefF = { inputs: 0, outputs: 1, signatureKey: 2, subgraphIndex: 4 } as const;
export const TensorMapF = { name: 0, tensorIndex: 1 } as const;

/** `enum TensorType : byte`. */
export const TensorType = {
  FLOAT32: 0,
  FLOAT16: 1,
  INT32: 2,
  UINT8: 3,
  INT64: 4,
  STRING: 5,
  BOOL: 6,
  INT16: 7,
  COMPLEX64: 8,
  INT8: 9,
  FLOAT64: 10,
  COMPLEX128: 11,
  UINT64: 12,
  RESOURCE: 13,
  VARIANT: 14,
  UINT32: 15,
  UINT16: 16,
  INT4: 17,
} as const;

/** Name of a TensorType value, for messages. */
export function tensorTypeName(t: number): string {
  const e = Object.entries(TensorType).find(([, v]) => v === t);
  return e ? e[0] : `type#${t}`;
}

/**
 * `enum BuiltinOperator : int32`, by value (index = code). Codes ≥ 127 only fit the newer int32
 * `builtin_code` field; older files store codes < 127 in the byte `deprecated_builtin_code`.
 */
export const BUILTIN_OPERATOR_NAMES: readonly string[] = [
  "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE", "DEQUANTIZE",
  "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP", "L2_NORMALIZATION", "L2_POOL_2D",
  "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC", "LSH_PROJECTION", "LSTM", "MAX_POOL_2D", "MUL", "RELU",
  "RELU_N1_TO_1", "RELU6", "RESHAPE", "RESIZE_BILINEAR", "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH",
  "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL", "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD",
  "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN", "SUB",
  "DIV", "SQUEEZE", "UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP",
  "TOPK_V2", "SPLIT", "LOG_SOFTMAX", "DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM",
  "ARG_MAX", "MINIMUM", "LESS", "NEG", "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL", "SELECT", "SLICE",
  "SIN", "TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL", "NOT_EQUAL", "LOG", "SUM", "SQRT",
  "RSQRT", "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT", "REDUCE_PROD", "REDUCE_MAX", "PACK", "LOGICAL_OR",
  "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT", "UNPACK", "REDUCE_MIN", "FLOOR_DIV", "REDUCE_ANY", "SQUARE",
  "ZEROS_LIKE", "FILL", "FLOOR_MOD", "RANGE", "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU", "SQUARED_DIFFERENCE",
  "MIRROR_PAD", "ABS", "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND", "COS", "WHERE", "RANK",
  "ELU", "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG", "ROUND", "HARD_SWISH", "IF",
  "WHILE", "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5", "SCATTER_ND", "SELECT_V2", "DENSIFY",
  "SEGMENT_SUM", "BATCH_MATMUL", "PLACEHOLDER_FOR_GREATER_OP_CODES", "CUMSUM", "CALL_ONCE", "BROADCAST_TO",
  "RFFT2D", "CONV_3D", "IMAG", "REAL", "COMPLEX_ABS", "HASHTABLE", "HASHTABLE_FIND", "HASHTABLE_IMPORT",
  "HASHTABLE_SIZE", "REDUCE_ALL", "CONV_3D_TRANSPOSE", "VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE",
  "BROADCAST_ARGS", "RANDOM_STANDARD_NORMAL", "BUCKETIZE", "RANDOM_UNIFORM", "MULTINOMIAL", "GELU",
  "DYNAMIC_UPDATE_SLICE", "RELU_0_TO_1", "UNSORTED_SEGMENT_PROD", "UNSORTED_SEGMENT_MAX", "UNSORTED_SEGMENT_SUM",
  "ATAN2", "UNSORTED_SEGMENT_MIN", "SIGN", "BITCAST", "BITWISE_XOR", "RIGHT_SHIFT",
];

/** Name of a builtin operator code, for messages. */
export function builtinOperatorName(code: number): string {
  return BUILTIN_OPERATOR_NAMES[code] ?? `BUILTIN#${code}`;
}

/** The builtin codes of the operators the kit supports. */
export const BuiltinOp = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  LOGISTIC: 14,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  SOFTMAX: 25,
  TANH: 28,
  CUSTOM: 32,
  PAD: 34,
  MEAN: 40,
  QUANTIZE: 114,
  /** Codes below this fit in `deprecated_builtin_code`. */
  PLACEHOLDER_FOR_GREATER_OP_CODES: 127,
} as const;

/** `union BuiltinOptions` type tags for the options tables the kit reads and writes (0 = NONE). */
export const BuiltinOptionsType = {
  NONE: 0,
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  AddOptions: 11,
  ReshapeOptions: 17,
  MulOptions: 21,
  PadOptions: 22,
  ReducerOptions: 27,
  DequantizeOptions: 38,
  QuantizeOptions: 89,
} as const;

/** Options table field ids. */
export const Conv2DOptionsF = {
  padding: 0,
  strideW: 1,
  strideH: 2,
  fusedActivation: 3,
  dilationW: 4,
  dilationH: 5,
  quantizedBiasType: 6,
} as const;
export const DepthwiseConv2DOptionsF = {
  padding: 0,
  strideW: 1,
  strideH: 2,
  depthMultiplier: 3,
  fusedActivation: 4,
  dilationW: 5,
  dilationH: 6,
} as const;
export const Pool2DOptionsF = { padding: 0, strideW: 1, strideH: 2, filterW: 3, filterH: 4, fusedActivation: 5 } as const;
export const FullyConnectedOptionsF = {
  fusedActivation: 0,
  weightsFormat: 1,
  keepNumDims: 2,
  asymmetricQuantizeInputs: 3,
  quantizedBiasType: 4,
} as const;
export const SoftmaxOptionsF = { beta: 0 } as const;
export const ConcatenationOptionsF = { axis: 0, fusedActivation: 1 } as const;
export const AddOptionsF = { fusedActivation: 0, potScaleInt16: 1 } as const;
export const MulOptionsF = { fusedActivation: 0 } as const;
export const ReshapeOptionsF = { newShape: 0 } as const;
export const ReducerOptionsF = { keepDims: 0 } as const;

/** `enum Padding : byte`. */
export const PADDINGS = ["SAME", "VALID"] as const;
/** `enum ActivationFunctionType : byte`. */
export const ACTIVATIONS = ["NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT"] as const;
