/**
 * Prepare: per-operator parameters computed from the graph's shapes and quantization, the way TFLM's
 * kernel Prepare functions compute them (double-precision effective scales from float32 tensor scales,
 * QuantizeMultiplier, CalculateActivationRangeQuantized).
 *
 * @module
 */
import type { FusedActivation, Graph, Operator, Tensor } from "../graph/types.ts";
import { calculateActivationRangeFloat, calculateActivationRangeQuantized } from "../quant/activation.ts";
import {
  calculateInputRadius,
  frexp,
  preprocessSoftmaxScaling,
  quantizeMultiplier,
  quantizeMultiplierSmallerThanOneExp,
  roundHalfAwayFromZero,
} from "../quant/multiplier.ts";
import { broadcastParams } from "./arithmetic.ts";
import { DTypeError, GraphError, ShapeMismatchError, UnsupportedOpError } from "./errors.ts";
import { computeOutSize, computePadding } from "./padding.ts";
import type {
  AddParams,
  ConcatParams,
  ConvParams,
  DequantizeParams,
  FullyConnectedParams,
  LutActivationParams,
  MeanParams,
  MulParams,
  PadParams,
  PoolParams,
  PreparedOp,
  QuantizeParams,
  ReluParams,
  ReshapeParams,
  Shape4,
  SoftmaxParams,
} from "./params.ts";
import { SOFTMAX_SCALED_DIFF_INTEGER_BITS } from "./softmax.ts";
import { ACTIVATION_INPUT_INTEGER_BITS } from "./activations.ts";

/** Number of elements of a shape. */
export function numElements(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

interface Ctx {
  graph: Graph;
  op: Operator;
  opIndex: number;
  name: string;
}

function tensorAt(c: Ctx, which: "inputs" | "outputs", i: number): Tensor {
  const idx = c.op[which][i];
  const t = idx === undefined || idx < 0 ? undefined : c.graph.tensors[idx];
  if (!t) throw new GraphError(`op ${c.opIndex} (${c.name}): missing ${which.slice(0, -1)} ${i}`);
  return t;
}

function optionalInput(c: Ctx, i: number): Tensor | undefined {
  const idx = c.op.inputs[i];
  return idx === undefined || idx < 0 ? undefined : c.graph.tensors[idx];
}

function scaleOf(c: Ctx, t: Tensor): number {
  if (!t.quant || t.quant.scale.length === 0) {
    throw new GraphError(
      `op ${c.opIndex} (${c.name}): tensor "${t.name}" has no quantization parameters; int8 kernels need scale and zero point`,
    );
  }
  return t.quant.scale[0];
}

function zeroPointOf(c: Ctx, t: Tensor): number {
  scaleOf(c, t);
  return t.quant!.zeroPoint[0] ?? 0;
}

function shape4(c: Ctx, t: Tensor): Shape4 {
  if (t.shape.length !== 4) {
    throw new ShapeMismatchError(`op ${c.opIndex} (${c.name}): tensor "${t.name}" must be 4-D NHWC, got [${t.shape}]`);
  }
  return [t.shape[0], t.shape[1], t.shape[2], t.shape[3]];
}

/** The element type the op runs in: that of its first input; only int8 and float32 are supported. */
function kernelDtype(c: Ctx): "int8" | "float32" {
  const dt = tensorAt(c, "inputs", 0).dtype;
  if (dt !== "int8" && dt !== "float32") {
    throw new DTypeError(`op ${c.opIndex} (${c.name}): input dtype ${dt} is not supported (int8 or float32 only)`);
  }
  return dt;
}

function activationRange(c: Ctx, act: FusedActivation, out: Tensor, dtype: "int8" | "float32") {
  if (act === "TANH" || act === "SIGN_BIT") {
    throw new UnsupportedOpError(`op ${c.opIndex} (${c.name}): fused activation ${act} is not supported`);
  }
  return dtype === "int8"
    ? calculateActivationRangeQuantized(act, scaleOf(c, out), zeroPointOf(c, out))
    : calculateActivationRangeFloat(act);
}

function checkShape(c: Ctx, t: Tensor, expected: number[]): void {
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeMismatchError(
      `op ${c.opIndex} (${c.name}): output "${t.name}" has shape [${t.shape}] but the op computes [${expected}]`,
    );
  }
}

/**
 * Per-channel multipliers as TFLite's PopulateConvolutionQuantizationParams: for each channel,
 * `(double)s_in · (double)s_w[c] / (double)s_out`, then QuantizeMultiplier.
 */
export function perChannelMultipliers(
  inputScale: number,
  filterScales: number[],
  outputScale: number,
  channels: number,
): { multiplier: Int32Array; shift: Int32Array } {
  const multiplier = new Int32Array(channels);
  const shift = new Int32Array(channels);
  for (let ch = 0; ch < channels; ch++) {
    const s = filterScales.length > 1 ? filterScales[ch] : filterScales[0];
    const q = quantizeMultiplier(inputScale * s / outputScale);
    multiplier[ch] = q.multiplier;
    shift[ch] = q.shift;
  }
  return { multiplier, shift };
}

function prepareFullyConnected(c: Ctx, dtype: "int8" | "float32"): FullyConnectedParams {
  if (c.op.options.op !== "FULLY_CONNECTED") throw new Error("unreachable");
  const input = tensorAt(c, "inputs", 0);
  const filter = tensorAt(c, "inputs", 1);
  const output = tensorAt(c, "outputs", 0);
  if (filter.shape.length !== 2) {
    throw new ShapeMismatchError(`op ${c.opIndex} (${c.name}): filter must be 2-D [out, in], got [${filter.shape}]`);
  }
  const [outputDepth, accumDepth] = filter.shape;
  const inputSize = numElements(input.shape);
  if (inputSize % accumDepth !== 0) {
    throw new ShapeMismatchError(
      `op ${c.opIndex} (${c.name}): input has ${inputSize} elements, not a multiple of the filter depth ${accumDepth}`,
    );
  }
  const batches = inputSize / accumDepth;
  if (numElements(output.shape) !== batches * outputDepth) {
    throw new ShapeMismatchError(
      `op ${c.opIndex} (${c.name}): output [${output.shape}] should hold ${batches}×${outputDepth} values`,
    );
  }
  const range = activationRange(c, c.op.options.fusedActivation, output, dtype);
  const base = { op: "FULLY_CONNECTED" as const, opIndex: c.opIndex, dtype, batches, accumDepth, outputDepth };
  if (dtype === "float32") {
    return {
      ...base,
      inputOffset: 0,
      filterOffset: 0,
      outputOffset: 0,
      outputMultiplier: new Int32Array(0),
      outputShift: new Int32Array(0),
      actMin: range.min,
      actMax: range.max,
    };
  }
  if (filter.dtype !== "int8") {
    throw new DTypeError(`op ${c.opIndex} (${c.name}): int8 FULLY_CONNECTED needs int8 weights, got ${filter.dtype}`);
  }
  const m = perChannelMultipliers(scaleOf(c, input), filter.quant!.scale, scaleOf(c, output), outputDepth);
  return {
    ...base,
    inputOffset: -zeroPointOf(c, input),
    filterOffset: -zeroPointOf(c, filter),
    outputOffset: zeroPointOf(c, output),
    outputMultiplier: m.multiplier,
    outputShift: m.shift,
    actMin: range.min,
    actMax: range.max,
  };
}

function prepareConv(c: Ctx, dtype: "int8" | "float32"): ConvParams {
  const o = c.op.options;
  if (o.op !== "CONV_2D" && o.op !== "DEPTHWISE_CONV_2D") throw new Error("unreachable");
  const input = tensorAt(c, "inputs", 0);
  const filter = tensorAt(c, "inputs", 1);
  const output = tensorAt(c, "outputs", 0);
  const inputShape = shape4(c, input);
  const filterShape = shape4(c, filter);
  const [batches, inH, inW, inDepth] = inputShape;
  const [, fH, fW] = filterShape;
  const depthwise = o.op === "DEPTHWISE_CONV_2D";
  const outDepth = depthwise ? filterShape[3] : filterShape[0];
  const depthMultiplier = depthwise ? outDepth / inDepth : 1;
  if (depthwise && !Number.isInteger(depthMultiplier)) {
    throw new ShapeMismatchError(
      `op ${c.opIndex} (${c.name}): depthwise filter has ${outDepth} channels, not a multiple of input depth ${inDepth}`,
    );
  }
  if (!depthwise && inDepth % filterShape[3] !== 0) {
    throw new ShapeMismatchError(
      `op ${c.opIndex} (${c.name}): input depth ${inDepth} is not a multiple of filter depth ${filterShape[3]}`,
    );
  }
  const outH = computeOutSize(o.padding, inH, fH, o.strideH, o.dilationH);
  const outW = computeOutSize(o.padding, inW, fW, o.strideW, o.dilationW);
  const outputShape: Shape4 = [batches, outH, outW, outDepth];
  checkShape(c, output, outputShape);
  const padH = o.padding === "SAME" ? computePadding(o.strideH, o.dilationH, inH, fH, outH) : 0;
  const padW = o.padding === "SAME" ? computePadding(o.strideW, o.dilationW, inW, fW, outW) : 0;
  const range = activationRange(c, o.fusedActivation, output, dtype);
  const base = {
    op: o.op,
    opIndex: c.opIndex,
    dtype,
    inputShape,
    filterShape,
    outputShape,
    strideH: o.strideH,
    strideW: o.strideW,
    dilationH: o.dilationH,
    dilationW: o.dilationW,
    padH,
    padW,
    depthMultiplier,
    actMin: range.min,
    actMax: range.max,
  };
  if (dtype === "float32") {
    return { ...base, inputOffset: 0, outputOffset: 0, outputMultiplier: new Int32Array(0), outputShift: new Int32Array(0) };
  }
  if (filter.dtype !== "int8") {
    throw new DTypeError(`op ${c.opIndex} (${c.name}): int8 ${o.op} needs int8 weights, got ${filter.dtype}`);
  }
  const m = perChannelMultipliers(scaleOf(c, input), filter.quant!.scale, scaleOf(c, output), outDepth);
  return {
    ...base,
    inputOffset: -zeroPointOf(c, input),
    outputOffset: zeroPointOf(c, output),
    outputMultiplier: m.multiplier,
    outputShift: m.shift,
  };
}

function preparePool(c: Ctx, dtype: "int8" | "float32"): PoolParams {
  const o = c.op.options;
  if (o.op !== "AVERAGE_POOL_2D" && o.op !== "MAX_POOL_2D") throw new Error("unreachable");
  const input = tensorAt(c, "inputs", 0);
  const output = tensorAt(c, "outputs", 0);
  const inputShape = shape4(c, input);
  const [batches, inH, inW, depth] = inputShape;
  const outH = computeOutSize(o.padding, inH, o.filterH, o.strideH);
  const outW = computeOutSize(o.padding, inW, o.filterW, o.strideW);
  const outputShape: Shape4 = [batches, outH, outW, depth];
  checkShape(c, output, outputShape);
  if (dtype === "int8" && (scaleOf(c, input) !== scaleOf(c, output) || zeroPointOf(c, input) !== zeroPointOf(c, output))) {
    throw new GraphError(`op ${c.opIndex} (${c.name}): int8 pooling needs equal input and output quantization`);
  }
  const range = activationRange(c, o.fusedActivation, output, dtype);
  return {
    op: o.op,
    opIndex: c.opIndex,
    dtype,
    inputShape,
    outputShape,
    filterH: o.filterH,
    filterW: o.filterW,
    strideH: o.strideH,
    strideW: o.strideW,
    padH: o.padding === "SAME" ? computePadding(o.strideH, 1, inH, o.filterH, outH) : 0,
    padW: o.padding === "SAME" ? computePadding(o.strideW, 1, inW, o.filterW, outW) : 0,
    actMin: range.min,
    actMax: range.max,
  };
}

function prepareSoftmax(c: Ctx, dtype: "int8" | "float32"): SoftmaxParams {
  if (c.op.options.op !== "SOFTMAX") throw new Error("unreachable");
  const input = tensorAt(c, "inputs", 0);
  const output = tensorAt(c, "outputs", 0);
  const depth = input.shape[input.shape.length - 1];
  const size = numElements(input.shape);
  checkShape(c, output, input.shape);
  const beta = c.op.options.beta;
  const base = { op: "SOFTMAX" as const, opIndex: c.opIndex, dtype, outerSize: size / depth, depth, beta };
  if (dtype === "float32") return { ...base, inputMultiplier: 0, inputLeftShift: 0, diffMin: 0 };
  if (Math.abs(scaleOf(c, output) - 1 / 256) > 1e-9 || zeroPointOf(c, output) !== -128) {
    throw new GraphError(`op ${c.opIndex} (${c.name}): int8 SOFTMAX output must be quantized (1/256, -128)`);
  }
  const { multiplier, leftShift } = preprocessSoftmaxScaling(beta, scaleOf(c, input), SOFTMAX_SCALED_DIFF_INTEGER_BITS);
  const diffMin = -calculateInputRadius(SOFTMAX_SCALED_DIFF_INTEGER_BITS, leftShift);
  return { ...base, inputMultiplier: multiplier, inputLeftShift: leftShift, diffMin };
}

function prepareAddMul(c: Ctx, dtype: "int8" | "float32"): AddParams | MulParams {
  const o = c.op.options;
  if (o.op !== "ADD" && o.op !== "MUL") throw new Error("unreachable");
  const in1 = tensorAt(c, "inputs", 0);
  const in2 = tensorAt(c, "inputs", 1);
  const output = tensorAt(c, "outputs", 0);
  if (in2.dtype !== in1.dtype) {
    throw new DTypeError(`op ${c.opIndex} (${c.name}): inputs have different dtypes ${in1.dtype} and ${in2.dtype}`);
  }
  const b = broadcastParams(in1.shape, in2.shape);
  if (numElements(b.outputShape) !== numElements(output.shape)) {
    throw new ShapeMismatchError(`op ${c.opIndex} (${c.name}): output [${output.shape}] ≠ broadcast [${b.outputShape}]`);
  }
  const range = activationRange(c, o.fusedActivation, output, dtype);
  const common = { opIndex: c.opIndex, dtype, ...b, actMin: range.min, actMax: range.max };
  if (o.op === "MUL") {
    if (dtype === "float32") {
      return { op: "MUL", ...common, input1Offset: 0, input2Offset: 0, outputOffset: 0, outputMultiplier: 0, outputShift: 0 };
    }
    const q = quantizeMultiplier(scaleOf(c, in1) * scaleOf(c, in2) / scaleOf(c, output));
    return {
      op: "MUL",
      ...common,
      input1Offset: -zeroPointOf(c, in1),
      input2Offset: -zeroPointOf(c, in2),
      outputOffset: zeroPointOf(c, output),
      outputMultiplier: q.multiplier,
      outputShift: q.shift,
    };
  }
  if (dtype === "float32") {
    return {
      op: "ADD",
      ...common,
      leftShift: 0,
      input1Offset: 0,
      input2Offset: 0,
      outputOffset: 0,
      input1Multiplier: 0,
      input1Shift: 0,
      input2Multiplier: 0,
      input2Shift: 0,
      outputMultiplier: 0,
      outputShift: 0,
    };
  }
  const leftShift = 20;
  const s1 = scaleOf(c, in1);
  const s2 = scaleOf(c, in2);
  const twiceMaxInputScale = 2 * Math.max(s1, s2);
  const m1 = quantizeMultiplierSmallerThanOneExp(s1 / twiceMaxInputScale);
  const m2 = quantizeMultiplierSmallerThanOneExp(s2 / twiceMaxInputScale);
  const mo = quantizeMultiplierSmallerThanOneExp(twiceMaxInputScale / (2 ** leftShift * scaleOf(c, output)));
  return {
    op: "ADD",
    ...common,
    leftShift,
    input1Offset: -zeroPointOf(c, in1),
    input2Offset: -zeroPointOf(c, in2),
    outputOffset: zeroPointOf(c, output),
    input1Multiplier: m1.multiplier,
    input1Shift: m1.shift,
    input2Multiplier: m2.multiplier,
    input2Shift: m2.shift,
    outputMultiplier: mo.multiplier,
    outputShift: mo.shift,
  };
}

function constantInts(c: Ctx, i: number, what: string): number[] {
  const t = tensorAt(c, "inputs", i);
  if (!t.data || t.data instanceof BigInt64Array) {
    throw new GraphError(`op ${c.opIndex} (${c.name}): ${what} (input ${i}) must be a constant int32 tensor`);
  }
  return Array.from(t.data as ArrayLike<number>);
}

function prepareMean(c: Ctx, dtype: "int8" | "float32"): MeanParams {
  const input = tensorAt(c, "inputs", 0);
  const output = tensorAt(c, "outputs", 0);
  const rank = input.shape.length;
  const axes = [...new Set(constantInts(c, 1, "axis").map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  if (axes.some((a) => a < 0 || a >= rank)) {
    throw new ShapeMismatchError(`op ${c.opIndex} (${c.name}): axis out of range for rank ${rank}`);
  }
  const kept = input.shape.filter((_, i) => !axes.includes(i));
  if (numElements(kept) !== numElements(output.shape)) {
    throw new ShapeMismatchError(`op ${c.opIndex} (${c.name}): output [${output.shape}] does not match the reduction`);
  }
  const base = { op: "MEAN" as const, opIndex: c.opIndex, dtype, inputShape: input.shape.slice(), outputShape: output.shape.slice(), axes };
  if (dtype === "float32") return { ...base, inputZeroPoint: 0, outputZeroPoint: 0, multiplier: 0, shift: 0 };
  const q = quantizeMultiplier(scaleOf(c, input) / scaleOf(c, output));
  return {
    ...base,
    inputZeroPoint: zeroPointOf(c, input),
    outputZeroPoint: zeroPointOf(c, output),
    multiplier: q.multiplier,
    shift: q.shift,
  };
}

function prepareLogisticTanh(c: Ctx, dtype: "int8" | "float32"): LutActivationParams {
  const o = c.op.options.op as "LOGISTIC" | "TANH";
  const input = tensorAt(c, "inputs", 0);
  const output = tensorAt(c, "outputs", 0);
  const size = numElements(input.shape);
  const base = { op: o, opIndex: c.opIndex, dtype, size };
  if (dtype === "float32") return { ...base, inputZeroPoint: 0, inputRangeRadius: 0, inputMultiplier: 0, inputLeftShift: 0 };
  const [wantScale, wantZp] = o === "LOGISTIC" ? [1 / 256, -128] : [1 / 128, 0];
  if (Math.abs(scaleOf(c, output) - wantScale) > 1e-9 || zeroPointOf(c, output) !== wantZp) {
    throw new GraphError(`op ${c.opIndex} (${c.name}): int8 ${o} output must be quantized (${wantScale}, ${wantZp})`);
  }
  // TFLM: frexp of s_in · 2^(31−4), rounded to Q31 without the 2^31 renormalisation.
  const { fraction, exponent } = frexp(scaleOf(c, input) * 2 ** (31 - ACTIVATION_INPUT_INTEGER_BITS));
  return {
    ...base,
    inputZeroPoint: zeroPointOf(c, input),
    inputMultiplier: roundHalfAwayFromZero(fraction * 2147483648),
    inputLeftShift: exponent,
    inputRangeRadius: calculateInputRadius(ACTIVATION_INPUT_INTEGER_BITS, exponent, 31),
  };
}

function prepareRelu(c: Ctx, dtype: "int8" | "float32"): ReluParams {
  const o = c.op.options.op as "RELU" | "RELU6";
  const input = tensorAt(c, "inputs", 0);
  const output = tensorAt(c, "outputs", 0);
  const size = numElements(input.shape);
  const range = activationRange(c, o, output, dtype);
  const base = { op: o, opIndex: c.opIndex, dtype, size, actMin: range.min, actMax: range.max };
  if (dtype === "float32") return { ...base, inputZeroPoint: 0, outputZeroPoint: 0, outputMultiplier: 0, outputShift: 0 };
  const q = quantizeMultiplier(scaleOf(c, input) / scaleOf(c, output));
  return {
    ...base,
    inputZeroPoint: zeroPointOf(c, input),
    outputZeroPoint: zeroPointOf(c, output),
    outputMultiplier: q.multiplier,
    outputShift: q.shift,
  };
}

function prepareConcat(c: Ctx, dtype: "int8" | "float32"): ConcatParams {
  if (c.op.options.op !== "CONCATENATION") throw new Error("unreachable");
  const output = tensorAt(c, "outputs", 0);
  const rank = output.shape.length;
  const axis = c.op.options.axis < 0 ? c.op.options.axis + rank : c.op.options.axis;
  const inputs = c.op.inputs.map((_, i) => tensorAt(c, "inputs", i));
  const inner = numElements(output.shape.slice(axis + 1));
  for (const t of inputs) {
    if (t.shape.length !== rank || t.shape.some((d, i) => i !== axis && d !== output.shape[i])) {
      throw new ShapeMismatchError(`op ${c.opIndex} (${c.name}): input [${t.shape}] does not fit output [${output.shape}] on axis ${axis}`);
    }
    if (dtype === "int8" && (scaleOf(c, t) !== scaleOf(c, output) || zeroPointOf(c, t) !== zeroPointOf(c, output))) {
      throw new GraphError(
        `op ${c.opIndex} (${c.name}): int8 CONCATENATION needs every input quantized like the output (as TFLM requires)`,
      );
    }
  }
  const range = activationRange(c, c.op.options.fusedActivation, output, dtype);
  return {
    op: "CONCATENATION",
    opIndex: c.opIndex,
    dtype,
    outerSize: numElements(output.shape.slice(0, axis)),
    copySizes: inputs.map((t) => t.shape[axis] * inner),
    actMin: range.min,
    actMax: range.max,
  };
}

function preparePad(c: Ctx, dtype: "int8" | "float32"): PadParams {
  const input = tensorAt(c, "inputs", 0);
  const output = tensorAt(c, "outputs", 0);
  const paddings = constantInts(c, 1, "paddings");
  const rank = input.shape.length;
  if (paddings.length !== 2 * rank) {
    throw new ShapeMismatchError(`op ${c.opIndex} (${c.name}): paddings must be [${rank}, 2], got ${paddings.length} values`);
  }
  const before = input.shape.map((_, d) => paddings[2 * d]);
  const outputShape = input.shape.map((s, d) => s + paddings[2 * d] + paddings[2 * d + 1]);
  checkShape(c, output, outputShape);
  let padValue = 0;
  if (dtype === "int8") {
    const constant = optionalInput(c, 2);
    padValue = constant?.data ? Number((constant.data as Int8Array)[0]) : zeroPointOf(c, output);
  }
  return { op: "PAD", opIndex: c.opIndex, dtype, inputShape: input.shape.slice(), outputShape, before, padValue };
}

function prepareQuantize(c: Ctx, dtype: "int8" | "float32"): QuantizeParams {
  const input = tensorAt(c, "inputs", 0);
  const output = tensorAt(c, "outputs", 0);
  if (output.dtype !== "int8") throw new DTypeError(`op ${c.opIndex} (${c.name}): QUANTIZE output must be int8, got ${output.dtype}`);
  const base = {
    op: "QUANTIZE" as const,
    opIndex: c.opIndex,
    dtype: "int8" as const,
    size: numElements(input.shape),
    inputDtype: dtype,
    scale: scaleOf(c, output),
    zeroPoint: zeroPointOf(c, output),
  };
  if (dtype === "float32") return { ...base, inputZeroPoint: 0, multiplier: 0, shift: 0 };
  const q = quantizeMultiplier(scaleOf(c, input) / scaleOf(c, output));
  return { ...base, inputZeroPoint: zeroPointOf(c, input), multiplier: q.multiplier, shift: q.shift };
}

function prepareDequantize(c: Ctx, dtype: "int8" | "float32"): DequantizeParams {
  const input = tensorAt(c, "inputs", 0);
  if (dtype !== "int8") throw new DTypeError(`op ${c.opIndex} (${c.name}): DEQUANTIZE input must be int8, got ${dtype}`);
  return {
    op: "DEQUANTIZE",
    opIndex: c.opIndex,
    dtype: "float32",
    size: numElements(input.shape),
    scale: scaleOf(c, input),
    zeroPoint: zeroPointOf(c, input),
  };
}

function prepareReshape(c: Ctx, dtype: "int8" | "float32"): ReshapeParams {
  const input = tensorAt(c, "inputs", 0);
  const output = tensorAt(c, "outputs", 0);
  if (numElements(input.shape) !== numElements(output.shape)) {
    throw new ShapeMismatchError(`op ${c.opIndex} (${c.name}): cannot reshape [${input.shape}] into [${output.shape}]`);
  }
  return { op: "RESHAPE", opIndex: c.opIndex, dtype, size: numElements(output.shape) };
}

/**
 * Compute the kernel parameters of operator `opIndex` from the graph, like TFLM's Prepare.
 *
 * @example
 * const p = prepareOp(graph, 2); // e.g. { op: "FULLY_CONNECTED", outputMultiplier: Int32Array [1932201080, …], … }
 */
export function prepareOp(graph: Graph, opIndex: number): PreparedOp {
  const op = graph.operators[opIndex];
  if (!op) throw new GraphError(`operator ${opIndex} does not exist (graph has ${graph.operators.length})`);
  const c: Ctx = { graph, op, opIndex, name: op.options.op };
  const dtype = kernelDtype(c);
  switch (op.options.op) {
    case "FULLY_CONNECTED":
      return prepareFullyConnected(c, dtype);
    case "CONV_2D":
    case "DEPTHWISE_CONV_2D":
      return prepareConv(c, dtype);
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D":
      return preparePool(c, dtype);
    case "SOFTMAX":
      return prepareSoftmax(c, dtype);
    case "ADD":
    case "MUL":
      return prepareAddMul(c, dtype);
    case "MEAN":
      return prepareMean(c, dtype);
    case "LOGISTIC":
    case "TANH":
      return prepareLogisticTanh(c, dtype);
    case "RELU":
    case "RELU6":
      return prepareRelu(c, dtype);
    case "CONCATENATION":
      return prepareConcat(c, dtype);
    case "PAD":
      return preparePad(c, dtype);
    case "QUANTIZE":
      return prepareQuantize(c, dtype);
    case "DEQUANTIZE":
      return prepareDequantize(c, dtype);
    case "RESHAPE":
      return prepareReshape(c, dtype);
    default:
      throw new UnsupportedOpError(
        `op ${opIndex}: operator ${(op.options as { op: string }).op} is not supported by the int8 engine`,
      );
  }
}
