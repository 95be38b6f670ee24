/**
 * Seeded training with a progress display, and the training curves as a figure.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { mulberry32, shuffle } from "../util/random.ts";
import { progress } from "../viz/progress.ts";
import { lineChart } from "../viz/charts.ts";
import type { Figure } from "../viz/types.ts";

/** Options of {@link fit}. */
export interface FitOptions {
  epochs: number;
  /** Mini-batch size (default 32). */
  batchSize?: number;
  /** Held-out data evaluated after each epoch. */
  validation?: { x: tf.Tensor; y: tf.Tensor };
  /** Seed of the per-epoch shuffling (default 0). Weights are seeded by the model builders. */
  seed?: number;
  /** Label of the progress display (default "training"); `false` hides it. */
  progress?: string | false;
  /** Called after each epoch, e.g. to apply pruning masks or to log. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
  /** Called before / after every mini-batch (e.g. pruning masks updated and re-applied per batch). */
  onBatchBegin?: () => void;
  onBatchEnd?: () => void;
}

/** What one epoch measured. Accuracy is present when the model was compiled with the "accuracy" metric. */
export interface EpochLogs {
  loss: number;
  acc?: number;
  valLoss?: number;
  valAcc?: number;
}

/** Per-epoch measurements, one array entry per epoch. */
export interface History {
  loss: number[];
  acc: number[];
  valLoss: number[];
  valAcc: number[];
}

/**
 * Trains a compiled model, shuffling the examples with a seeded permutation each epoch (tfjs' own shuffle uses
 * Math.random), showing progress, and returning the history.
 *
 * @example
 * ```ts
 * model.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
 * const history = await fit(model, xTrain, yTrain, { epochs: 10, validation: { x: xTest, y: yTest } });
 * await show(trainingCurves(history));
 * ```
 */
export async function fit(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, opts: FitOptions): Promise<History> {
  const history: History = { loss: [], acc: [], valLoss: [], valAcc: [] };
  const rng = mulberry32(opts.seed ?? 0);
  const n = x.shape[0];
  const bar = opts.progress === false ? undefined : progress(opts.epochs, { label: opts.progress ?? "training" });
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const order = tf.tensor1d(shuffle(Array.from({ length: n }, (_, i) => i), rng), "int32");
    const [xs, ys] = [tf.gather(x, order), tf.gather(y, order)];
    const result = await model.fit(xs, ys, {
      epochs: 1,
      batchSize: opts.batchSize ?? 32,
      shuffle: false,
      verbose: 0,
      validationData: opts.validation ? [opts.validation.x, opts.validation.y] : undefined,
      callbacks: opts.onBatchBegin || opts.onBatchEnd ? { onBatchBegin: opts.onBatchBegin, onBatchEnd: opts.onBatchEnd } : undefined,
    });
    tf.dispose([order, xs, ys]);
    const last = (key: string) => {
      const values = result.history[key];
      return values === undefined ? undefined : Number(values[values.length - 1]);
    };
    const logs: EpochLogs = { loss: last("loss")!, acc: last("acc"), valLoss: last("val_loss"), valAcc: last("val_acc") };
    history.loss.push(logs.loss);
    if (logs.acc !== undefined) history.acc.push(logs.acc);
    if (logs.valLoss !== undefined) history.valLoss.push(logs.valLoss);
    if (logs.valAcc !== undefined) history.valAcc.push(logs.valAcc);
    await opts.onEpochEnd?.(epoch, logs);
    bar?.tick(1, describeLogs(logs));
  }
  await bar?.done();
  return history;
}

function describeLogs(logs: EpochLogs): string {
  const parts = [`loss ${logs.loss.toFixed(4)}`];
  if (logs.acc !== undefined) parts.push(`acc ${(100 * logs.acc).toFixed(1)}%`);
  if (logs.valAcc !== undefined) parts.push(`val acc ${(100 * logs.valAcc).toFixed(1)}%`);
  return parts.join(", ");
}

/** Loss (and accuracy, when measured) per epoch, training and validation, as one figure. */
export function trainingCurves(history: History, title = "Training curves"): Figure {
  const series = [{ name: "training loss", y: history.loss }];
  if (history.valLoss.length) series.push({ name: "validation loss", y: history.valLoss });
  if (history.acc.length) series.push({ name: "training accuracy", y: history.acc });
  if (history.valAcc.length) series.push({ name: "validation accuracy", y: history.valAcc });
  return lineChart({ title, xLabel: "epoch", yLabel: "loss / accuracy", series });
}
