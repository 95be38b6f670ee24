/**
 * Lowering a trained tfjs Sequential model to a list of TFLite-shaped float ops: weights transposed to
 * TFLite layouts (FC [out, in], CONV [out, h, w, in], DEPTHWISE [1, h, w, out]), batch normalisation folded
 * into the preceding conv/dense, ReLU/ReLU6 fused into the op before them, Dropout dropped.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { FusedActivation, Padding } from "../../graph/types.ts";
import { CompressError } from "../errors.ts";
import { layerClass, layerConfig, namedWeights, outputShape1 } from "../layers.ts";

/** Geometry of a conv, depthwise conv or pool. */
export interface Window {
  padding: Padding;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
}

/** One lowered op; `shape` is its output shape with batch 1, `name` the tfjs layer it came from. */
export type FloatOp =
  | { kind: "FULLY_CONNECTED"; name: string; shape: number[]; weights: Float32Array; wShape: number[]; bias: Float32Array; act: FusedActivation }
  | ({ kind: "CONV_2D"; name: string; shape: number[]; weights: Float32Array; wShape: number[]; bias: Float32Array; act: FusedActivation } & Window)
  | ({ kind: "DEPTHWISE_CONV_2D"; name: string; shape: number[]; weights: Float32Array; wShape: number[]; bias: Float32Array; act: FusedActivation; depthMultiplier: number } & Window)
  | { kind: "MAX_POOL_2D" | "AVERAGE_POOL_2D"; name: string; shape: number[]; padding: Padding; strideH: number; strideW: number; filterH: number; filterW: number }
  | { kind: "MEAN"; name: string; shape: number[] }
  | { kind: "RESHAPE"; name: string; shape: number[] }
  | { kind: "SOFTMAX"; name: string; shape: number[] }
  | { kind: "RELU" | "RELU6"; name: string; shape: number[] };

/** A lowered model: input shape and ops in order. */
export interface LoweredModel {
  inputShape: number[];
  ops: FloatOp[];
}

const pair = (v: number | number[] | undefined, dflt: number): [number, number] =>
  v === undefined || v === null ? [dflt, dflt] : Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v];

const padding = (p: string): Padding => {
  if (p === "same") return "SAME";
  if (p === "valid") return "VALID";
  throw new CompressError(`padding "${p}" has no TFLite equivalent; use "same" or "valid"`);
};

function activationOf(name: string | undefined, layer: string): FusedActivation | "SOFTMAX" {
  switch (name ?? "linear") {
    case "linear":
      return "NONE";
    case "relu":
      return "RELU";
    case "relu6":
      return "RELU6";
    case "softmax":
      return "SOFTMAX";
    default:
      throw new CompressError(`layer ${layer}: activation "${name}" is not supported; use relu, relu6, linear or softmax`);
  }
}

/** Transpose a [rows, cols] matrix. */
function transpose2(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}

/** tfjs conv kernel [h, w, in, out] → TFLite [out, h, w, in]. */
function hwioToOhwi(w: Float32Array, [h, kw, i, o]: number[]): Float32Array {
  return transpose2(w, h * kw * i, o);
}

/**
 * Lower a tfjs Sequential model (Dense, Conv2D, DepthwiseConv2D, MaxPooling2D, AveragePooling2D,
 * GlobalAveragePooling2D, Flatten, Reshape, ReLU, Activation, Softmax, BatchNormalization, Dropout).
 *
 * @example
 * const lowered = lowerSequential(model); // lowered.ops[0].kind === "CONV_2D"
 */
export function lowerSequential(model: tf.LayersModel): LoweredModel {
  const inputShape = (model.inputs[0].shape as (number | null)[]).map((d) => d ?? 1);
  const ops: FloatOp[] = [];
  const last = () => ops[ops.length - 1];
  const fuse = (act: FusedActivation, name: string, shape: number[]) => {
    const prev = last();
    if (act === "NONE") return;
    if (prev && "act" in prev && prev.act === "NONE") prev.act = act;
    else ops.push({ kind: act === "RELU6" ? "RELU6" : "RELU", name, shape });
  };
  for (const layer of model.layers) {
    const cls = layerClass(layer);
    const cfg = layerConfig(layer);
    const name = layer.name;
    const shape = outputShape1(layer);
    const w = namedWeights(layer);
    const bias = (n: number) => w.get("bias")?.value.slice() ?? new Float32Array(n);
    switch (cls) {
      case "InputLayer":
      case "Dropout":
        break;
      case "Dense": {
        const k = w.get("kernel")!;
        const [inN, outN] = k.shape;
        const act = activationOf(cfg.activation, name);
        ops.push({ kind: "FULLY_CONNECTED", name, shape, weights: transpose2(k.value, inN, outN), wShape: [outN, inN], bias: bias(outN), act: "NONE" });
        if (act === "SOFTMAX") ops.push({ kind: "SOFTMAX", name: name + "/softmax", shape });
        else fuse(act, name, shape);
        break;
      }
      case "Conv2D":
      case "DepthwiseConv2D": {
        if (cfg.dataFormat && cfg.dataFormat !== "channelsLast") {
          throw new CompressError(`layer ${name}: dataFormat ${cfg.dataFormat}; TFLite needs channelsLast (NHWC)`);
        }
        const [strideH, strideW] = pair(cfg.strides, 1);
        const [dilationH, dilationW] = pair(cfg.dilationRate, 1);
        const win = { padding: padding(cfg.padding), strideH, strideW, dilationH, dilationW };
        const act = activationOf(cfg.activation, name);
        if (cls === "Conv2D") {
          const k = w.get("kernel")!;
          const [h, kw, i, o] = k.shape;
          ops.push({ kind: "CONV_2D", name, shape, weights: hwioToOhwi(k.value, k.shape), wShape: [o, h, kw, i], bias: bias(o), act: "NONE", ...win });
        } else {
          // [h, w, in, mult] has the same memory order as TFLite's [1, h, w, in·mult].
          const k = w.get("depthwise_kernel")!;
          const [h, kw, i, m] = k.shape;
          ops.push({ kind: "DEPTHWISE_CONV_2D", name, shape, weights: k.value.slice(), wShape: [1, h, kw, i * m], bias: bias(i * m), act: "NONE", depthMultiplier: m, ...win });
        }
        if (act === "SOFTMAX") throw new CompressError(`layer ${name}: softmax after a conv; add Flatten + Dense`);
        fuse(act, name, shape);
        break;
      }
      case "BatchNormalization":
        foldBatchNorm(last(), w, cfg.epsilon ?? 1e-3, name);
        break;
      case "ReLU": {
        const max = cfg.maxValue;
        if (max !== null && max !== undefined && max !== 6) throw new CompressError(`layer ${name}: ReLU maxValue ${max}; only 6 (ReLU6) maps to TFLite`);
        fuse(max === 6 ? "RELU6" : "RELU", name, shape);
        break;
      }
      case "Activation": {
        const act = activationOf(cfg.activation, name);
        if (act === "SOFTMAX") ops.push({ kind: "SOFTMAX", name, shape });
        else fuse(act, name, shape);
        break;
      }
      case "Softmax":
        ops.push({ kind: "SOFTMAX", name, shape });
        break;
      case "MaxPooling2D":
      case "AveragePooling2D": {
        const [filterH, filterW] = pair(cfg.poolSize, 2);
        const [strideH, strideW] = pair(cfg.strides ?? cfg.poolSize, 2);
        const kind = cls === "MaxPooling2D" ? "MAX_POOL_2D" : "AVERAGE_POOL_2D";
        ops.push({ kind, name, shape, padding: padding(cfg.padding ?? "valid"), strideH, strideW, filterH, filterW });
        break;
      }
      case "GlobalAveragePooling2D":
        ops.push({ kind: "MEAN", name, shape });
        break;
      case "Flatten":
      case "Reshape":
        ops.push({ kind: "RESHAPE", name, shape });
        break;
      default:
        throw new CompressError(
          `layer ${name}: ${cls} is not supported by the int8 converter; use Dense, Conv2D, DepthwiseConv2D, pooling, Flatten, ReLU, BatchNormalization`,
        );
    }
  }
  if (ops.length === 0) throw new CompressError("the model has no layers to convert");
  return { inputShape, ops };
}

/** Fold y = γ(x − μ)/√(σ² + ε) + β into the op before: per output channel, w·k and (b − μ)·k + β. */
function foldBatchNorm(
  prev: FloatOp | undefined,
  w: Map<string, { value: Float32Array; shape: number[] }>,
  eps: number,
  name: string,
): void {
  if (!prev || !("weights" in prev) || prev.act !== "NONE") {
    throw new CompressError(`layer ${name}: BatchNormalization must directly follow a Conv2D/DepthwiseConv2D/Dense without activation`);
  }
  const mean = w.get("moving_mean")!.value;
  const variance = w.get("moving_variance")!.value;
  const gamma = w.get("gamma")?.value;
  const beta = w.get("beta")?.value;
  const channels = mean.length;
  const k = Float32Array.from(mean, (_, c) => (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + eps));
  // Output channel of each weight: first axis for FC/CONV, last axis for DEPTHWISE.
  const inner = prev.weights.length / channels;
  for (let i = 0; i < prev.weights.length; i++) {
    const c = prev.kind === "DEPTHWISE_CONV_2D" ? i % channels : Math.floor(i / inner);
    prev.weights[i] *= k[c];
  }
  for (let c = 0; c < channels; c++) prev.bias[c] = (prev.bias[c] - mean[c]) * k[c] + (beta ? beta[c] : 0);
}
