/**
 * Per-example losses and accuracy of a tfjs classifier: what DP training reports and what a membership attacker
 * looks at.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { require } from "./errors.ts";

/** The per-example losses DP-SGD and the attacks support. */
export type ExampleLoss = "sparseCategoricalCrossentropy" | "meanSquaredError";

/** Labels as a plain array (from a 1-D tensor or an array). */
export function labelArray(y: tf.Tensor | ArrayLike<number>): number[] {
  return y instanceof tf.Tensor ? Array.from(y.dataSync()) : Array.from(y);
}

/**
 * Per-example loss of model outputs against targets, as a [B] tensor. For cross-entropy, `outputs` are
 * probabilities (a softmax output layer) and `y` holds class indices.
 */
export function lossPerExample(outputs: tf.Tensor, y: tf.Tensor, loss: ExampleLoss): tf.Tensor1D {
  return tf.tidy(() => {
    if (loss === "meanSquaredError") {
      require(y.size === outputs.size, `meanSquaredError: targets have ${y.size} values, outputs ${outputs.size}`);
      const b = outputs.shape[0];
      return tf.squaredDifference(outputs.reshape([b, -1]), y.reshape([b, -1]).toFloat()).mean(1) as tf.Tensor1D;
    }
    require(
      outputs.rank === 2,
      `sparseCategoricalCrossentropy needs [batch, classes] outputs, got shape [${outputs.shape}]`,
    );
    const oneHot = tf.oneHot(y.toInt().reshape([-1]), outputs.shape[1]!);
    const p = tf.clipByValue(outputs, 1e-7, 1 - 1e-7);
    return tf.neg(tf.sum(tf.mul(oneHot, tf.log(p)), 1)) as tf.Tensor1D;
  });
}

/**
 * The model's loss on every example, as numbers (batched prediction).
 * @example const losses = exampleLosses(model, xTest, yTest);
 */
export function exampleLosses(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor | ArrayLike<number>,
  loss: ExampleLoss = "sparseCategoricalCrossentropy",
): Float32Array {
  return tf.tidy(() => {
    const yt = y instanceof tf.Tensor ? y : tf.tensor1d(Array.from(y), "float32");
    return lossPerExample(model.predict(x) as tf.Tensor, yt, loss).dataSync() as Float32Array;
  });
}

/**
 * Top-1 accuracy of a classifier on labelled examples.
 * @example const acc = accuracy(model, xTest, test.labels);
 */
export function accuracy(model: tf.LayersModel, x: tf.Tensor, labels: tf.Tensor | ArrayLike<number>): number {
  const truth = labelArray(labels);
  const pred = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, -1).dataSync());
  require(pred.length === truth.length, `${pred.length} examples but ${truth.length} labels`);
  let ok = 0;
  pred.forEach((p, i) => (ok += p === truth[i] ? 1 : 0));
  return ok / pred.length;
}
