/**
 * Building the engine's {@link Graph} from a lowered model: a float32 graph (for calibration and as the
 * float baseline) and the int8 graph with TFLite's quantization conventions.
 * @module
 */
import type { Graph, OperatorOptions, QuantParams, Tensor } from "../../graph/types.ts";
import { chooseQuantParams, perChannel, perTensor, quantizeBias, quantizeWeightsPerChannel } from "../../quant/params.ts";
import { CompressError } from "../errors.ts";
import type { FloatOp, LoweredModel } from "./lower.ts";

/** A float range per tensor: the graph input, then one per lowered op output. */
export interface ActivationRanges {
  input: [number, number];
  ops: [number, number][];
}

/** Options of {@link buildGraph}. */
export interface BuildGraphOptions {
  /** Quantize FULLY_CONNECTED weights per output channel (default true); false: one scale per tensor. */
  perChannelDense?: boolean;
}

const TFLITE_SOFTMAX_OUT = perTensor(1 / 256, -128);

/** Ops whose int8 output must keep the input's scale and zero point. */
const PASS_THROUGH = new Set(["MAX_POOL_2D", "AVERAGE_POOL_2D", "RESHAPE", "MEAN"]);

function options(op: FloatOp): OperatorOptions {
  switch (op.kind) {
    case "FULLY_CONNECTED":
      return { op: op.kind, fusedActivation: op.act, keepNumDims: false };
    case "CONV_2D":
      return { op: op.kind, padding: op.padding, strideW: op.strideW, strideH: op.strideH, dilationW: op.dilationW, dilationH: op.dilationH, fusedActivation: op.act };
    case "DEPTHWISE_CONV_2D":
      return {
        op: op.kind, padding: op.padding, strideW: op.strideW, strideH: op.strideH, dilationW: op.dilationW, dilationH: op.dilationH,
        depthMultiplier: op.depthMultiplier, fusedActivation: op.act,
      };
    case "MAX_POOL_2D":
    case "AVERAGE_POOL_2D":
      return { op: op.kind, padding: op.padding, strideW: op.strideW, strideH: op.strideH, filterW: op.filterW, filterH: op.filterH, fusedActivation: "NONE" };
    case "MEAN":
      return { op: "MEAN", keepDims: false };
    case "RESHAPE":
      return { op: "RESHAPE", newShape: op.shape.slice() };
    case "SOFTMAX":
      return { op: "SOFTMAX", beta: 1 };
    case "RELU":
    case "RELU6":
      return { op: op.kind };
  }
}

/**
 * The graph of a lowered model. Without `ranges` it is float32 throughout; with them it is int8: activations
 * asymmetric per tensor, weights symmetric per output channel in [−127, 127], int32 biases with scale
 * s_in·s_w, SOFTMAX output (1/256, −128), pools/reshape/mean keeping their input's parameters.
 *
 * @example
 * const g = buildGraph(lowered);                       // float32
 * const q = buildGraph(lowered, calibrate(g, samples)); // int8
 */
export function buildGraph(lowered: LoweredModel, ranges?: ActivationRanges, opts: BuildGraphOptions = {}): Graph {
  const int8 = ranges !== undefined;
  if (ranges && ranges.ops.length !== lowered.ops.length) {
    throw new CompressError(`ranges cover ${ranges.ops.length} ops but the model has ${lowered.ops.length}; calibrate this model`);
  }
  const tensors: Tensor[] = [];
  const add = (t: Tensor) => tensors.push(t) - 1;
  const act = (range: [number, number]): QuantParams => {
    const p = chooseQuantParams(Math.min(range[0], 0), Math.max(range[1], 0));
    return { ...perTensor(p.scale, p.zeroPoint), min: [range[0]], max: [range[1]] };
  };
  let prev = add({ name: "input", shape: lowered.inputShape.slice(), dtype: int8 ? "int8" : "float32", quant: ranges ? act(ranges.input) : undefined });
  const input = prev;
  const operators: Graph["operators"] = [];
  lowered.ops.forEach((op, i) => {
    const inQ = tensors[prev].quant;
    let outQ: QuantParams | undefined;
    if (ranges) {
      if (op.kind === "SOFTMAX") outQ = TFLITE_SOFTMAX_OUT;
      else if (PASS_THROUGH.has(op.kind)) outQ = inQ;
      else outQ = act(ranges.ops[i]);
    }
    const inputs = [prev];
    if (op.kind === "FULLY_CONNECTED" || op.kind === "CONV_2D" || op.kind === "DEPTHWISE_CONV_2D") {
      const axis = op.kind === "DEPTHWISE_CONV_2D" ? 3 : 0;
      if (int8) {
        const perTensorFc = op.kind === "FULLY_CONNECTED" && opts.perChannelDense === false;
        const q = quantizeWeightsPerChannel(op.weights, perTensorFc ? [1, op.weights.length] : op.wShape, perTensorFc ? 0 : axis);
        const wQuant = perTensorFc ? perTensor(q.scales[0], 0) : perChannel(q.scales, axis);
        inputs.push(add({ name: `${op.name}/weights`, shape: op.wShape.slice(), dtype: "int8", quant: wQuant, data: q.data }));
        const sIn = inQ!.scale[0];
        const bias = quantizeBias(op.bias, sIn, q.scales);
        const bScales = q.scales.map((s) => Math.fround(sIn * s));
        inputs.push(add({ name: `${op.name}/bias`, shape: [op.bias.length], dtype: "int32", quant: perChannel(bScales, 0), data: bias }));
      } else {
        inputs.push(add({ name: `${op.name}/weights`, shape: op.wShape.slice(), dtype: "float32", data: op.weights.slice() }));
        inputs.push(add({ name: `${op.name}/bias`, shape: [op.bias.length], dtype: "float32", data: op.bias.slice() }));
      }
    } else if (op.kind === "MEAN") {
      inputs.push(add({ name: `${op.name}/axis`, shape: [2], dtype: "int32", data: Int32Array.from([1, 2]) }));
    } else if (op.kind === "RESHAPE") {
      inputs.push(add({ name: `${op.name}/shape`, shape: [op.shape.length], dtype: "int32", data: Int32Array.from(op.shape) }));
    }
    const out = add({ name: op.name, shape: op.shape.slice(), dtype: int8 ? "int8" : "float32", quant: outQ });
    operators.push({ options: options(op), inputs, outputs: [out] });
    prev = out;
  });
  return { tensors, operators, inputs: [input], outputs: [prev], description: int8 ? "tinyml-kit int8" : "tinyml-kit float32" };
}

/**
 * A copy of the graph without its final SOFTMAX (the logits become the output): handy for comparing runtimes,
 * since softmax turns a 1-LSB difference in the logits into several LSB of probability.
 */
export function dropFinalSoftmax(graph: Graph): Graph {
  const last = graph.operators[graph.operators.length - 1];
  if (!last || last.options.op !== "SOFTMAX" || last.outputs[0] !== graph.outputs[0]) return graph;
  return { ...graph, operators: graph.operators.slice(0, -1), outputs: [last.inputs[0]] };
}
