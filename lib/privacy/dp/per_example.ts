/**
 * Per-example gradients of a tfjs model: the ingredient of DP-SGD, which must bound each example's influence.
 *
 * Two ways:
 * - "vectorized" (Sequential models of Dense / Conv2D layers and weight-free layers such as pooling, flatten,
 *   dropout): one batched forward pass in which every Dense/Conv2D pre-activation z gets a zero "probe" added.
 *   The gradient of the summed loss with respect to the probe is dL_i/dz_i for every example i at once (loss i
 *   depends only on example i), and a layer's weight gradient for one example is an outer product:
 *   Dense dW_i = a_i ⊗ g_i; Conv2D dW_i = patches_iᵀ g_i, with the patches (im2col) taken by a convolution
 *   with an identity filter. A handful of batched ops instead of one backward pass per example.
 * - "loop": one backward pass per example, for any model (slow but general; the reference in tests).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { PrivacyInputError, require } from "../errors.ts";
import { type ExampleLoss, lossPerExample } from "../metrics.ts";

/** How per-example gradients are computed ("auto": vectorized when the model allows, else loop). */
export type PerExampleMethod = "auto" | "vectorized" | "loop";

/** Per-example gradients and losses of one batch. */
export interface PerExampleGradients {
  /** One tensor [B, …weight shape] per trainable weight, in `model.trainableWeights` order. */
  grads: tf.Tensor[];
  /** Loss of each example, [B]. */
  losses: tf.Tensor1D;
}

const ACTIVATIONS: Record<string, (z: tf.Tensor) => tf.Tensor> = {
  linear: (z) => z,
  relu: (z) => tf.relu(z),
  relu6: (z) => tf.relu6(z),
  sigmoid: (z) => tf.sigmoid(z),
  tanh: (z) => tf.tanh(z),
  softmax: (z) => tf.softmax(z),
  elu: (z) => tf.elu(z),
  selu: (z) => tf.selu(z),
};

interface LayerConfigLike {
  activation?: string;
  useBias?: boolean;
  strides?: number | number[];
  padding?: string;
  dilationRate?: number | number[];
  dataFormat?: string;
  kernelSize?: number | number[];
}

/** Whether the vectorized path handles this model (and, if not, why). */
export function vectorizedSupport(model: tf.LayersModel): { ok: true } | { ok: false; reason: string } {
  if (!(model instanceof tf.Sequential)) return { ok: false, reason: "not a Sequential model" };
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as LayerConfigLike;
    if (cls === "Dense") {
      const rank = (layer.input as tf.SymbolicTensor).shape.length;
      if (rank !== 2) return { ok: false, reason: `${layer.name}: Dense on a rank-${rank} input` };
    } else if (cls === "Conv2D") {
      const dil = [cfg.dilationRate ?? 1].flat();
      if (dil.some((d) => d !== 1)) return { ok: false, reason: `${layer.name}: dilated convolution` };
      if ((cfg.dataFormat ?? "channelsLast") !== "channelsLast") {
        return { ok: false, reason: `${layer.name}: channelsFirst` };
      }
    } else if (layer.weights.length > 0) {
      return { ok: false, reason: `${layer.name} (${cls}) has weights and is not Dense or Conv2D` };
    }
    if (cls === "Dense" || cls === "Conv2D") {
      const act = cfg.activation ?? "linear";
      if (!(act in ACTIVATIONS)) return { ok: false, reason: `${layer.name}: activation "${act}"` };
    }
  }
  return { ok: true };
}

/** Cross-entropy from the logits of a final softmax layer (log-softmax: stable for confident predictions). */
function crossEntropyFromLogits(logits: tf.Tensor, y: tf.Tensor): tf.Tensor1D {
  const oneHot = tf.oneHot(y.toInt().reshape([-1]), logits.shape[1]!);
  return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;
}

interface Captured {
  kind: "Dense" | "Conv2D";
  layer: tf.layers.Layer;
  input: tf.Tensor;
  trainable: boolean;
}

/** The identity filter that turns a convolution into patch extraction: output channel (i·kw + j)·C + c. */
function identityFilter(kh: number, kw: number, channels: number): tf.Tensor4D {
  const k = kh * kw * channels;
  return tf.tidy(() => tf.eye(k).reshape([kh, kw, channels, k]) as tf.Tensor4D);
}

function vectorized(model: tf.Sequential, x: tf.Tensor, y: tf.Tensor, loss: ExampleLoss): PerExampleGradients {
  const b = x.shape[0];
  const layers = model.layers;
  const parametric = layers.filter((l) => ["Dense", "Conv2D"].includes(l.getClassName()));
  // Probe shapes: one forward pass without probes (cheap next to the gradients).
  const outShapes = tf.tidy(() => {
    const shapes: number[][] = [];
    let a = x;
    for (const layer of layers) {
      a = layer.apply(a) as tf.Tensor;
      if (parametric.includes(layer)) shapes.push(a.shape);
    }
    return shapes;
  });
  const probes = outShapes.map((s) => tf.zeros(s));
  const captured: Captured[] = [];
  let losses: tf.Tensor1D | undefined;
  const forward = (...zs: tf.Tensor[]): tf.Scalar => {
    let a = x;
    let p = 0;
    for (const [li, layer] of layers.entries()) {
      const cls = layer.getClassName();
      if (cls !== "Dense" && cls !== "Conv2D") {
        a = layer.apply(a) as tf.Tensor;
        continue;
      }
      const cfg = layer.getConfig() as LayerConfigLike;
      const [kernel, bias] = layer.weights.map((w) => w.read());
      captured.push({ kind: cls, layer, input: tf.keep(tf.clone(a)), trainable: layer.trainable });
      let z = cls === "Dense" ? tf.matMul(a, kernel) : tf.conv2d(
        a as tf.Tensor4D,
        kernel as tf.Tensor4D,
        [cfg.strides ?? 1].flat() as [number, number],
        cfg.padding as "same" | "valid",
      );
      if (cfg.useBias !== false) z = tf.add(z, bias);
      z = tf.add(z, zs[p++]);
      const act = cfg.activation ?? "linear";
      const last = li === layers.length - 1;
      if (last && act === "softmax" && loss === "sparseCategoricalCrossentropy") {
        losses = tf.keep(crossEntropyFromLogits(z, y));
        return tf.sum(losses);
      }
      a = ACTIVATIONS[act](z);
    }
    losses = tf.keep(lossPerExample(a, y, loss));
    return tf.sum(losses);
  };
  const dz = tf.grads(forward)(probes);
  tf.dispose(probes);
  const grads: tf.Tensor[] = [];
  tf.tidy(() => {
    captured.forEach((c, i) => {
      const g = dz[i];
      if (!c.trainable) return;
      const hasBias = c.layer.weights.length > 1;
      if (c.kind === "Dense") {
        grads.push(tf.keep(tf.matMul(c.input.expandDims(2), g.expandDims(1)))); // [B, in, out]
        if (hasBias) grads.push(tf.keep(g.clone()));
      } else {
        const cfg = c.layer.getConfig() as LayerConfigLike;
        const kernelShape = c.layer.weights[0].shape as number[];
        const [kh, kw, ch, out] = kernelShape;
        const eye = identityFilter(kh, kw, ch);
        const patches = tf.conv2d(
          c.input as tf.Tensor4D,
          eye,
          [cfg.strides ?? 1].flat() as [number, number],
          cfg.padding as "same" | "valid",
        );
        const positions = patches.shape[1] * patches.shape[2];
        const dW = tf.matMul(
          patches.reshape([b, positions, kh * kw * ch]),
          g.reshape([b, positions, out]),
          true,
          false,
        );
        grads.push(tf.keep(dW.reshape([b, kh, kw, ch, out])));
        if (hasBias) grads.push(tf.keep(g.sum([1, 2])));
      }
    });
  });
  tf.dispose(dz);
  tf.dispose(captured.map((c) => c.input));
  return { grads, losses: losses! };
}

function loop(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, loss: ExampleLoss): PerExampleGradients {
  const b = x.shape[0];
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const perWeight: tf.Tensor[][] = vars.map(() => []);
  const lossValues: tf.Scalar[] = [];
  for (let i = 0; i < b; i++) {
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const xi = x.slice(i, 1);
        const yi = y.slice(i, 1);
        return tf.sum(lossPerExample(model.apply(xi) as tf.Tensor, yi, loss)) as tf.Scalar;
      }), vars);
    vars.forEach((v, k) => perWeight[k].push(grads[v.name]));
    lossValues.push(value);
  }
  const grads = perWeight.map((gs) => {
    const stacked = tf.stack(gs);
    tf.dispose(gs);
    return stacked;
  });
  const losses = tf.stack(lossValues) as tf.Tensor1D;
  tf.dispose(lossValues);
  return { grads, losses };
}

/**
 * Gradients of each example's loss with respect to every trainable weight. The caller disposes the tensors.
 *
 * @example
 * const { grads, losses } = perExampleGradients(model, xBatch, yBatch);
 * // grads[k].shape = [batch, ...model.trainableWeights[k].shape]
 */
export function perExampleGradients(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  opts: { loss?: ExampleLoss; method?: PerExampleMethod } = {},
): PerExampleGradients {
  const loss = opts.loss ?? "sparseCategoricalCrossentropy";
  const method = opts.method ?? "auto";
  require(x.shape[0] === y.shape[0], `x has ${x.shape[0]} examples but y has ${y.shape[0]}`);
  require(x.shape[0] > 0, "perExampleGradients needs at least one example");
  const support = vectorizedSupport(model);
  if (method === "vectorized" && !support.ok) {
    throw new PrivacyInputError(
      `vectorized per-example gradients do not support this model: ${support.reason}; use method "loop"`,
    );
  }
  if (method === "loop" || !support.ok) return loop(model, x, y, loss);
  return vectorized(model as tf.Sequential, x, y, loss);
}
