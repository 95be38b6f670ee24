/**
 * The small dense classifier the data lessons train again and again (clean data, dirty data, fixed data,
 * before and after a mitigation): one call to train, one to predict, same seed → same model.
 */
import * as tf from "@tensorflow/tfjs";
import { fit } from "../../train/fit.ts";
import { denseNet } from "../../train/models.ts";
import { DataLessonError } from "./errors.ts";

/** Options of {@link trainClassifier}. */
export interface ClassifierOptions {
  /** Hidden layer widths (default [32]). */
  hidden?: number[];
  /** Number of classes (default: largest label + 1). */
  classes?: number;
  /** Epochs (default 30). */
  epochs?: number;
  /** Mini-batch size (default 64). */
  batchSize?: number;
  /** Adam learning rate (default 0.005). */
  learningRate?: number;
  seed?: number;
}

/** Stack equal-length feature vectors into an n × d tensor. */
export function featureTensor(x: readonly Float32Array[]): tf.Tensor2D {
  if (x.length === 0) throw new DataLessonError("no examples: pass at least one feature vector");
  const d = x[0].length;
  const flat = new Float32Array(x.length * d);
  x.forEach((v, i) => {
    if (v.length !== d) throw new DataLessonError(`example ${i} has ${v.length} features, expected ${d}`);
    flat.set(v, i * d);
  });
  return tf.tensor2d(flat, [x.length, d]);
}

/**
 * Train a seeded dense softmax classifier on feature vectors.
 * @example
 * const model = await trainClassifier(features, labels, { hidden: [32], epochs: 30, seed: 1 });
 * const pred = predictClasses(model, testFeatures);
 */
export async function trainClassifier(x: readonly Float32Array[], y: ArrayLike<number>, opts: ClassifierOptions = {}): Promise<tf.Sequential> {
  if (x.length !== y.length) throw new DataLessonError(`${x.length} examples but ${y.length} labels`);
  const classes = opts.classes ?? Math.max(...Array.from(y)) + 1;
  const model = denseNet({ inputs: x[0]?.length ?? 0, hidden: opts.hidden ?? [32], outputs: classes, outputActivation: "softmax", seed: opts.seed ?? 0 });
  model.compile({ optimizer: tf.train.adam(opts.learningRate ?? 0.005), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  const xs = featureTensor(x), ys = tf.tensor1d(Array.from(y), "float32");
  await fit(model, xs, ys, { epochs: opts.epochs ?? 30, batchSize: opts.batchSize ?? 64, seed: opts.seed ?? 0, progress: false });
  tf.dispose([xs, ys]);
  return model;
}

/**
 * The predicted class of every example.
 * @example
 * const pred = predictClasses(model, xTest);
 */
export function predictClasses(model: tf.LayersModel, x: readonly Float32Array[]): number[] {
  return tf.tidy(() => Array.from(tf.argMax(model.predict(featureTensor(x)) as tf.Tensor, -1).dataSync()));
}

/**
 * Fraction of predictions equal to the labels (optionally only at the indices `subset`).
 * @example
 * accuracyOf(pred, labels);
 */
export function accuracyOf(pred: ArrayLike<number>, labels: ArrayLike<number>, subset?: readonly number[]): number {
  if (pred.length !== labels.length) throw new DataLessonError(`${pred.length} predictions but ${labels.length} labels`);
  const idx = subset ?? Array.from({ length: pred.length }, (_, i) => i);
  if (idx.length === 0) return NaN;
  let ok = 0;
  for (const i of idx) if (pred[i] === labels[i]) ok++;
  return ok / idx.length;
}
