/**
 * Knowledge distillation: a small student learns from a trained teacher's softened outputs as well as from
 * the labels, with loss = α·CE(labels, student) + (1 − α)·T²·KL(teacher_T ‖ student_T), where `_T` is the
 * softmax at temperature T. A custom, seeded training loop (tf.variableGrads + optimizer).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { History } from "../../train/fit.ts";
import { mulberry32, shuffle } from "../../util/random.ts";
import { CompressError } from "../errors.ts";

/**
 * The logits of a classifier whose last layer is a softmax Dense (or a Softmax/Activation("softmax") layer):
 * the layers run one by one and the final softmax left out. Other models: log of the outputs.
 * Softened targets need the logits: a softmax output underflows to 0 for confident classes and loses
 * exactly the "dark knowledge" distillation passes on.
 */
export function logitsOf(model: tf.LayersModel, x: tf.Tensor, training = false): tf.Tensor {
  return tf.tidy(() => {
    const layers = model.layers;
    const last = layers[layers.length - 1];
    const cls = last.getClassName();
    const act = (last.getConfig() as { activation?: string }).activation;
    const body = (n: number) => layers.slice(0, n).reduce((h, l) => l.apply(h, { training }) as tf.Tensor, x);
    if (cls === "Dense" && act === "softmax") {
      const [kernel, bias] = last.trainableWeights.map((w) => w.read());
      const h = body(layers.length - 1);
      return bias ? tf.add(tf.matMul(h, kernel), bias) : tf.matMul(h, kernel);
    }
    if (cls === "Softmax" || (cls === "Activation" && act === "softmax")) return body(layers.length - 1);
    return tf.log(tf.clipByValue(body(layers.length), 1e-30, 1));
  });
}

/**
 * The distillation loss of one batch from logits; `yTrue` one-hot.
 *
 * @example distillationLoss(y, logitsOf(student, x, true), logitsOf(teacher, x), 4, 0.1)
 */
export function distillationLoss(yTrue: tf.Tensor, studentLogits: tf.Tensor, teacherLogits: tf.Tensor, temperature: number, alpha: number): tf.Scalar {
  return tf.tidy(() => {
    const hard = tf.neg(tf.mean(tf.sum(tf.mul(yTrue, tf.logSoftmax(studentLogits)), -1)));
    if (alpha >= 1) return hard as tf.Scalar;
    const lt = tf.logSoftmax(tf.div(teacherLogits, temperature));
    const ls = tf.logSoftmax(tf.div(studentLogits, temperature));
    const kl = tf.mean(tf.sum(tf.mul(tf.exp(lt), tf.sub(lt, ls)), -1));
    return tf.add(tf.mul(alpha, hard), tf.mul((1 - alpha) * temperature * temperature, kl)) as tf.Scalar;
  });
}

/** Options of {@link distill} and {@link trainStudentAlone}. */
export interface DistillOptions {
  epochs: number;
  batchSize?: number;
  /** Temperature T (default 4). */
  temperature?: number;
  /** Weight α of the hard-label loss (default 0.1). */
  alpha?: number;
  /** Seed of the per-epoch shuffling (default 0); weights are seeded by the model builders. */
  seed?: number;
  /** Adam learning rate (default 0.01) when no optimizer is given. */
  learningRate?: number;
  optimizer?: tf.Optimizer;
  validation?: { x: tf.Tensor; y: tf.Tensor };
}

/**
 * Train `student` against labels `y` (one-hot) and the teacher's outputs on `x`.
 *
 * @example
 * const student = denseNet({ inputs: 64, hidden: [8], outputs: 10, outputActivation: "softmax", seed: 1 });
 * await distill(teacher, student, xTrain, yTrain, { epochs: 30, temperature: 4, alpha: 0.1 });
 */
export async function distill(teacher: tf.LayersModel | null, student: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, opts: DistillOptions): Promise<History> {
  const alpha = teacher ? opts.alpha ?? 0.1 : 1;
  const T = opts.temperature ?? 4;
  if (!(alpha >= 0 && alpha <= 1)) throw new CompressError(`alpha ${alpha} must be in [0, 1]`);
  if (!(T > 0)) throw new CompressError(`temperature ${T} must be > 0`);
  const optimizer = opts.optimizer ?? tf.train.adam(opts.learningRate ?? 0.01);
  const teacherLogits = teacher ? logitsOf(teacher, x) : tf.zerosLike(y);
  const vars = student.trainableWeights.map((w) => w.read() as tf.Variable);
  const rng = mulberry32(opts.seed ?? 0);
  const n = x.shape[0];
  const bs = opts.batchSize ?? 32;
  const history: History = { loss: [], acc: [], valLoss: [], valAcc: [] };
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const order = shuffle(Array.from({ length: n }, (_, i) => i), rng);
    let lossSum = 0;
    for (let s = 0; s < n; s += bs) {
      const idx = tf.tensor1d(order.slice(s, s + bs), "int32");
      const [xb, yb, tb] = [tf.gather(x, idx), tf.gather(y, idx), tf.gather(teacherLogits, idx)];
      const { value, grads } = tf.variableGrads(
        () => distillationLoss(yb, logitsOf(student, xb, true), tb, T, alpha),
        vars,
      );
      optimizer.applyGradients(grads);
      lossSum += value.dataSync()[0] * (idx.shape[0]);
      tf.dispose([idx, xb, yb, tb, value, ...Object.values(grads)]);
    }
    history.loss.push(lossSum / n);
    // Let the event loop run between epochs (progress displays, notebook output).
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (opts.validation) {
      const { x: vx, y: vy } = opts.validation;
      const acc = tf.tidy(() => tf.mean(tf.equal(tf.argMax(student.predict(vx) as tf.Tensor, -1), tf.argMax(vy, -1))).dataSync()[0]);
      history.valAcc.push(acc);
    }
  }
  teacherLogits.dispose();
  return history;
}

/** The baseline: the same loop with labels only (α = 1), for a fair comparison with {@link distill}. */
export function trainStudentAlone(student: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, opts: DistillOptions): Promise<History> {
  return distill(null, student, x, y, { ...opts, alpha: 1 });
}
