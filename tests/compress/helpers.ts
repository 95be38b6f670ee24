/** Shared set-up of the compression tests: the 8×8 digits as tensors, and small comparison helpers. */
import * as tf from "@tensorflow/tfjs";
import { findDigits8x8, loadDigits8x8 } from "../../lib/data/mod.ts";

export const HAVE_DIGITS = findDigits8x8() !== undefined;
if (!HAVE_DIGITS) console.warn("8×8 digits missing (apt-get install python3-sklearn): compression tests skipped");

export interface Digits {
  x: tf.Tensor;
  y: tf.Tensor;
  xTest: tf.Tensor;
  yTest: tf.Tensor;
  labels: number[];
  n: number;
}

/** The digits split (seed 0), images flat [n, 64] or as [n, 8, 8, 1]. */
export function digits(shape: "flat" | "image"): Digits {
  const { train, test } = loadDigits8x8({ seed: 0 });
  const s = (n: number) => (shape === "flat" ? [n, 64] : [n, 8, 8, 1]);
  return {
    x: tf.tensor(train.images, s(train.n)),
    y: tf.oneHot(tf.tensor1d(train.labels, "int32"), 10).toFloat(),
    xTest: tf.tensor(test.images, s(test.n)),
    yTest: tf.oneHot(tf.tensor1d(test.labels, "int32"), 10).toFloat(),
    labels: Array.from(test.labels),
    n: train.n,
  };
}

/** Largest absolute difference and number of differing elements. */
export function diff(a: ArrayLike<number>[], b: ArrayLike<number>[]): { max: number; count: number; total: number } {
  let max = 0, count = 0, total = 0;
  a.forEach((v, i) => {
    for (let j = 0; j < v.length; j++) {
      const d = Math.abs(v[j] - b[i][j]);
      if (d > 0) count++;
      max = Math.max(max, d);
      total++;
    }
  });
  return { max, count, total };
}

export const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
