/**
 * Prepared per-operator parameters: everything a kernel needs besides the tensors' data, as TFLM's
 * kernel Prepare computes it. Plain objects of numbers and typed arrays, so the C code generator can
 * emit them unchanged.
 *
 * @module
 */

/** NHWC shape of a 4-D tensor. */
export type Shape4 = [number, number, number, number];

/** Fields every prepared op has. */
export interface PreparedBase {
  /** Index of the operator in `graph.operators`. */
  opIndex: number;
  /** Element type the kernel runs in. */
  dtype: "int8" | "float32";
}

/** FULLY_CONNECTED. Multipliers are per output channel (all equal for per-tensor filters). */
export interface FullyConnectedParams extends PreparedBase {
  op: "FULLY_CONNECTED";
  batches: number;
  accumDepth: number;
  outputDepth: number;
  /** `−input zero point`. */
  inputOffset: number;
  /** `−filter zero point` (0 for symmetric int8 weights). */
  filterOffset: number;
  /** Output zero point. */
  outputOffset: number;
  outputMultiplier: Int32Array;
  outputShift: Int32Array;
  actMin: number;
  actMax: number;
}

/** CONV_2D / DEPTHWISE_CONV_2D geometry and requantization. */
export interface ConvParams extends PreparedBase {
  op: "CONV_2D" | "DEPTHWISE_CONV_2D";
  inputShape: Shape4;
  /** CONV: [outC, fh, fw, inC]; DEPTHWISE: [1, fh, fw, outC]. */
  filterShape: Shape4;
  outputShape: Shape4;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padH: number;
  padW: number;
  /** DEPTHWISE only (1 for CONV). */
  depthMultiplier: number;
  inputOffset: number;
  outputOffset: number;
  outputMultiplier: Int32Array;
  outputShift: Int32Array;
  actMin: number;
  actMax: number;
}

/** AVERAGE_POOL_2D / MAX_POOL_2D. */
export interface PoolParams extends PreparedBase {
  op: "AVERAGE_POOL_2D" | "MAX_POOL_2D";
  inputShape: Shape4;
  outputShape: Shape4;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  actMin: number;
  actMax: number;
}

/** SOFTMAX (int8: TFLite's fixed-point algorithm; output is (1/256, −128)). */
export interface SoftmaxParams extends PreparedBase {
  op: "SOFTMAX";
  outerSize: number;
  depth: number;
  beta: number;
  inputMultiplier: number;
  inputLeftShift: number;
  diffMin: number;
}

/** Strides for broadcasting one input against the output shape (0 along broadcast axes). */
export interface BroadcastParams {
  outputShape: number[];
  input1Strides: number[];
  input2Strides: number[];
  /** True when both inputs have the output's shape: a flat loop suffices. */
  elementwise: boolean;
}

/** ADD (int8: TFLite's rescale-to-common-scale with left_shift 20). */
export interface AddParams extends PreparedBase, BroadcastParams {
  op: "ADD";
  leftShift: number;
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  input1Multiplier: number;
  input1Shift: number;
  input2Multiplier: number;
  input2Shift: number;
  outputMultiplier: number;
  outputShift: number;
  actMin: number;
  actMax: number;
}

/** MUL. */
export interface MulParams extends PreparedBase, BroadcastParams {
  op: "MUL";
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  outputMultiplier: number;
  outputShift: number;
  actMin: number;
  actMax: number;
}

/** MEAN over some axes. */
export interface MeanParams extends PreparedBase {
  op: "MEAN";
  inputShape: number[];
  outputShape: number[];
  /** Sorted, de-duplicated, non-negative axes. */
  axes: number[];
  inputZeroPoint: number;
  outputZeroPoint: number;
  multiplier: number;
  shift: number;
}

/** LOGISTIC / TANH (int8: gemmlowp fixed point on a Q4 input). */
export interface LutActivationParams extends PreparedBase {
  op: "LOGISTIC" | "TANH";
  size: number;
  inputZeroPoint: number;
  inputRangeRadius: number;
  inputMultiplier: number;
  inputLeftShift: number;
}

/** Standalone RELU / RELU6 (int8 requantizes input → output like TFLM's ReluQuantized). */
export interface ReluParams extends PreparedBase {
  op: "RELU" | "RELU6";
  size: number;
  inputZeroPoint: number;
  outputZeroPoint: number;
  outputMultiplier: number;
  outputShift: number;
  actMin: number;
  actMax: number;
}

/** CONCATENATION: inputs copied side by side along `axis`. */
export interface ConcatParams extends PreparedBase {
  op: "CONCATENATION";
  outerSize: number;
  /** Per input: elements copied per outer step (its axis size × inner size). */
  copySizes: number[];
  actMin: number;
  actMax: number;
}

/** PAD: constant padding with the output zero point (int8) or 0 (float). */
export interface PadParams extends PreparedBase {
  op: "PAD";
  inputShape: number[];
  outputShape: number[];
  /** Leading padding per axis. */
  before: number[];
  padValue: number;
}

/** QUANTIZE (float → int8, or int8 → int8 requantization). */
export interface QuantizeParams extends PreparedBase {
  op: "QUANTIZE";
  size: number;
  inputDtype: "float32" | "int8";
  scale: number;
  zeroPoint: number;
  /** int8 → int8 only. */
  inputZeroPoint: number;
  multiplier: number;
  shift: number;
}

/** DEQUANTIZE (int8 → float). */
export interface DequantizeParams extends PreparedBase {
  op: "DEQUANTIZE";
  size: number;
  scale: number;
  zeroPoint: number;
}

/** RESHAPE: a copy of `size` elements. */
export interface ReshapeParams extends PreparedBase {
  op: "RESHAPE";
  size: number;
}

/** Prepared parameters of any supported operator. */
export type PreparedOp =
  | FullyConnectedParams
  | ConvParams
  | PoolParams
  | SoftmaxParams
  | AddParams
  | MulParams
  | MeanParams
  | LutActivationParams
  | ReluParams
  | ConcatParams
  | PadParams
  | QuantizeParams
  | DequantizeParams
  | ReshapeParams;
