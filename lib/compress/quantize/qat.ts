/**
 * Quantization-aware training: fine-tune with the forward pass seeing int8 rounding — weights fake-quantized
 * symmetric per output channel, activations fake-quantized asymmetric with ranges tracked by an exponential
 * moving average — and gradients passed straight through the rounding (STE), clipped outside the range.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { History } from "../../train/fit.ts";
import { mulberry32, shuffle } from "../../util/random.ts";
import { CompressError } from "../errors.ts";
import { kernelOf, layerClass } from "../layers.ts";

/**
 * Asymmetric int8 fake quantization of `x` to the range [min, max] (widened to include 0): round to the grid,
 * clamp, back to float. Gradient: straight through inside the range, zero outside.
 *
 * @example fakeQuantize(tf.tensor([0.1, 0.5, 2]), -1, 1) // ≈ [0.102, 0.502, 1.0]
 */
export function fakeQuantize(x: tf.Tensor, min: number, max: number): tf.Tensor {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (hi === lo) return x.clone();
  const scale = (hi - lo) / 255;
  const zp = Math.round(-128 - lo / scale);
  // The representable range after nudging the zero point.
  const qlo = (-128 - zp) * scale;
  const qhi = (127 - zp) * scale;
  const body = (input: tf.Tensor, save: tf.GradSaveFunc) => {
    const t = input;
    save([t]);
    const value = tf.tidy(() => tf.mul(tf.sub(tf.clipByValue(tf.round(tf.add(tf.div(t, scale), zp)), -128, 127), zp), scale));
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const s = saved[0];
        return tf.mul(dy as tf.Tensor, tf.cast(tf.logicalAnd(tf.greaterEqual(s, qlo), tf.lessEqual(s, qhi)), "float32"));
      },
    };
  };
  const f = tf.customGrad(body as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor;
}

/**
 * Symmetric per-channel int8 fake quantization of a tfjs kernel (output channels on the last axis, or the
 * last two for a depthwise kernel [h, w, in, mult]): scale max|w|/127, values rounded into [−127, 127].
 */
export function fakeQuantizeKernel(w: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const channels = w.shape[w.rank - 1];
    const flat = w.reshape([-1, channels]);
    const scale = tf.maximum(tf.div(tf.max(tf.abs(flat), 0), 127), 1e-12);
    return tf.mul(tf.clipByValue(tf.round(tf.div(flat, scale)), -127, 127), scale).reshape(w.shape);
  });
}

/** Options of {@link qatFit}. */
export interface QatOptions {
  epochs: number;
  batchSize?: number;
  seed?: number;
  /** Adam learning rate (default 0.001) when no optimizer is given. */
  learningRate?: number;
  optimizer?: tf.Optimizer;
  /** EMA decay of the activation ranges (default 0.99). */
  emaDecay?: number;
}

/**
 * {@link qatFit}'s result: the history and the activation range learned per int8 op output (keyed by the name
 * of the op's first layer); pass them to `quantizeModel`'s `fixedRanges`.
 */
export interface QatResult {
  history: History;
  ranges: Map<string, [number, number]>;
}

/** Layers fused into the op before them: their input is not an int8 tensor of the converted graph. */
const FUSED_AFTER = new Set(["BatchNormalization", "ReLU", "Activation", "Softmax"]);
const PASS = new Set(["MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "Flatten", "Reshape", "Dropout"]);

/**
 * Fine-tune a Sequential classifier (softmax output, one-hot labels) with fake quantization. Kernels keep
 * their float "shadow" values: each step writes the fake-quantized kernels into the model, takes gradients
 * there (the STE), restores the float values and applies the update to them.
 *
 * @example
 * await qatFit(model, xTrain, yTrain, { epochs: 3 });
 * const q = quantizeModel(model, xTrain); // PTQ of the QAT-tuned weights
 */
export async function qatFit(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, opts: QatOptions): Promise<QatResult> {
  const layers = model.layers;
  const kernels = layers.map((l) => kernelOf(l)).filter((v): v is tf.LayerVariable => v !== undefined);
  if (kernels.length === 0) throw new CompressError("the model has no Dense/Conv2D/DepthwiseConv2D kernel to quantize");
  const quantizeOutput = layers.map((l, i) => i < layers.length - 1 && !PASS.has(layerClass(l)) && !FUSED_AFTER.has(layerClass(layers[i + 1])));
  const ranges = new Map<string, [number, number]>();
  const decay = opts.emaDecay ?? 0.99;
  const optimizer = opts.optimizer ?? tf.train.adam(opts.learningRate ?? 0.001);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const rng = mulberry32(opts.seed ?? 0);
  const n = x.shape[0];
  const bs = opts.batchSize ?? 32;
  const history: History = { loss: [], acc: [], valLoss: [], valAcc: [] };
  const track = (name: string, t: tf.Tensor): [number, number] => {
    const [mn, mx] = [t.min().dataSync()[0], t.max().dataSync()[0]];
    const r = ranges.get(name);
    const next: [number, number] = r ? [decay * r[0] + (1 - decay) * mn, decay * r[1] + (1 - decay) * mx] : [mn, mx];
    ranges.set(name, next);
    return next;
  };
  // Ranges are keyed by the layer that starts a fused chain (conv → BN → ReLU is one int8 op named after
  // the conv), so that `quantizeModel(model, x, { fixedRanges: ranges })` finds them.
  const keys: string[] = [];
  layers.forEach((l, i) => keys.push(i > 0 && FUSED_AFTER.has(layerClass(l)) ? keys[i - 1] : l.name));
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const order = shuffle(Array.from({ length: n }, (_, i) => i), rng);
    let lossSum = 0;
    for (let s = 0; s < n; s += bs) {
      const idx = tf.tensor1d(order.slice(s, s + bs), "int32");
      const [xb, yb] = [tf.gather(x, idx), tf.gather(y, idx)];
      const shadow = kernels.map((k) => k.read().clone());
      kernels.forEach((k, i) => {
        const q = fakeQuantizeKernel(shadow[i]);
        k.write(q);
        q.dispose();
      });
      const { value, grads } = tf.variableGrads(() => {
        let h: tf.Tensor = xb;
        layers.forEach((l, i) => {
          h = l.apply(h, { training: true }) as tf.Tensor;
          if (quantizeOutput[i]) {
            const [lo, hi] = tf.tidy(() => track(keys[i], h));
            h = fakeQuantize(h, lo, hi);
          }
        });
        const p = tf.clipByValue(h, 1e-7, 1);
        return tf.neg(tf.mean(tf.sum(tf.mul(yb, tf.log(p)), -1))) as tf.Scalar;
      }, vars);
      kernels.forEach((k, i) => k.write(shadow[i]));
      optimizer.applyGradients(grads);
      lossSum += value.dataSync()[0] * idx.shape[0];
      tf.dispose([idx, xb, yb, value, ...shadow, ...Object.values(grads)]);
    }
    history.loss.push(lossSum / n);
    // Let the event loop run between epochs (progress displays, notebook output).
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return { history, ranges };
}
