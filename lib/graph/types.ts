/**
 * The in-memory model graph shared by the .tflite reader/writer (`lib/tflite`), the int8 interpreter
 * (`lib/int8`), the memory planner and C code generation (`lib/deploy/codegen`).
 *
 * It mirrors the parts of TFLite's flatbuffer schema the kit uses, in plain typed objects: a flat list of
 * tensors (constants carry their data), a list of operators in execution order, and the graph's inputs and
 * outputs as tensor indices.
 *
 * @module
 */

/** Element types the kit understands (TFLite's TensorType names, lower-cased). */
export type DType = "float32" | "int8" | "uint8" | "int16" | "int32" | "int64" | "bool";

/** Typed array that holds a tensor's data for each {@link DType}. */
export type TensorData =
  | Float32Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | BigInt64Array;

/**
 * Affine quantization: `real = scale * (q - zeroPoint)`.
 * Per-tensor when `scale.length === 1`; per-channel along `quantizedDimension` otherwise.
 */
export interface QuantParams {
  scale: number[];
  zeroPoint: number[];
  /** Axis the per-channel parameters run along (0 for most weights; 3 for depthwise filters). */
  quantizedDimension: number;
  /** Float range recorded by the converter, when present (informational only). */
  min?: number[];
  max?: number[];
}

/** One tensor of the graph. Constant tensors (weights, biases, shapes) carry `data`. */
export interface Tensor {
  name: string;
  shape: number[];
  dtype: DType;
  quant?: QuantParams;
  /** Present for constants stored in the model (weights, biases); absent for activations. */
  data?: TensorData;
  /** TFLite's `is_variable`: state kept between invocations. */
  isVariable?: boolean;
}

/** Fused activation functions, as TFLite names them. */
export type FusedActivation = "NONE" | "RELU" | "RELU_N1_TO_1" | "RELU6" | "TANH" | "SIGN_BIT";

/** Padding schemes of convolutions and pools. */
export type Padding = "SAME" | "VALID";

/** Options of each builtin operator the kit supports; one variant per op code. */
export type OperatorOptions =
  | { op: "FULLY_CONNECTED"; fusedActivation: FusedActivation; keepNumDims: boolean }
  | {
    op: "CONV_2D";
    padding: Padding;
    strideW: number;
    strideH: number;
    dilationW: number;
    dilationH: number;
    fusedActivation: FusedActivation;
  }
  | {
    op: "DEPTHWISE_CONV_2D";
    padding: Padding;
    strideW: number;
    strideH: number;
    dilationW: number;
    dilationH: number;
    depthMultiplier: number;
    fusedActivation: FusedActivation;
  }
  | {
    op: "AVERAGE_POOL_2D" | "MAX_POOL_2D";
    padding: Padding;
    strideW: number;
    strideH: number;
    filterW: number;
    filterH: number;
    fusedActivation: FusedActivation;
  }
  | { op: "RESHAPE"; newShape?: number[] }
  | { op: "SOFTMAX"; beta: number }
  | { op: "ADD" | "MUL"; fusedActivation: FusedActivation }
  | { op: "MEAN"; keepDims: boolean }
  | { op: "CONCATENATION"; axis: number; fusedActivation: FusedActivation }
  | { op: "LOGISTIC" | "TANH" | "PAD" | "QUANTIZE" | "DEQUANTIZE" | "RELU" | "RELU6" };

/** Builtin operator codes the kit supports. */
export type OpCode = OperatorOptions["op"];

/** One operator: which tensors it reads and writes, and its options. */
export interface Operator {
  /** Options; `options.op` is the operator code. */
  options: OperatorOptions;
  /** Tensor indices read; -1 marks an optional input that is absent (e.g. no bias). */
  inputs: number[];
  /** Tensor indices written. */
  outputs: number[];
  /** Operator version recorded in the model's operator_codes (1 if unknown). */
  version?: number;
}

/** A whole model: one subgraph, as TFLite Micro runs it. */
export interface Graph {
  tensors: Tensor[];
  operators: Operator[];
  inputs: number[];
  outputs: number[];
  /** Free text, e.g. the converter's description. */
  description?: string;
  /** Name of the subgraph, when the file gives one. */
  name?: string;
}
