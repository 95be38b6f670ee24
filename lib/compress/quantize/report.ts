/**
 * The quantization report: float vs int8 accuracy (int8 measured with our engine), float vs int8 .tflite
 * size, and every activation's calibrated range as a figure.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { barChart } from "../../viz/charts.ts";
import type { Figure } from "../../viz/types.ts";
import { textTable } from "../table.ts";
import { graphAccuracy, modelAccuracy, toLabels, toSamples } from "./evaluate.ts";
import type { QuantizedModel } from "./ptq.ts";

/** {@link quantizationReport}'s result. */
export interface QuantizationReport {
  floatAccuracy: number;
  int8Accuracy: number;
  floatBytes: number;
  int8Bytes: number;
  /** floatBytes / int8Bytes. */
  ratio: number;
  /** Per activation tensor: name, calibrated float range, scale and zero point. */
  tensors: { name: string; min: number; max: number; scale: number; zeroPoint: number }[];
  table: string;
  figures: Figure[];
}

/**
 * Compare a float model with its int8 version on a test set.
 *
 * @example
 * const r = quantizationReport(model, quantizeModel(model, xTrain), { x: xTest, y: yTest });
 * console.log(r.table);
 */
export function quantizationReport(model: tf.LayersModel, q: QuantizedModel, test: { x: tf.Tensor; y: tf.Tensor | ArrayLike<number> }): QuantizationReport {
  const labels = toLabels(test.y);
  const floatAccuracy = modelAccuracy(model, test.x, labels);
  const int8Accuracy = graphAccuracy(q.graph, toSamples(test.x), labels);
  const floatBytes = q.floatTflite().length;
  const int8Bytes = q.tflite().length;
  const g = q.graph;
  const tensors = [g.inputs[0], ...g.operators.map((op) => op.outputs[0])].map((i) => {
    const t = g.tensors[i];
    const qp = t.quant!;
    const [lo, hi] = [qp.scale[0] * (-128 - qp.zeroPoint[0]), qp.scale[0] * (127 - qp.zeroPoint[0])];
    return { name: t.name, min: qp.min?.[0] ?? lo, max: qp.max?.[0] ?? hi, scale: qp.scale[0], zeroPoint: qp.zeroPoint[0] };
  });
  const table = [
    textTable(["", "float32", "int8"], [
      ["accuracy", `${(100 * floatAccuracy).toFixed(2)} %`, `${(100 * int8Accuracy).toFixed(2)} %`],
      [".tflite bytes", floatBytes, int8Bytes],
    ]),
    `size ratio ${(floatBytes / int8Bytes).toFixed(2)}×, accuracy change ${(100 * (int8Accuracy - floatAccuracy)).toFixed(2)} pt`,
    "",
    textTable(["tensor", "min", "max", "scale", "zero point"], tensors.map((t) => [t.name, t.min.toFixed(4), t.max.toFixed(4), t.scale.toExponential(3), t.zeroPoint])),
  ].join("\n");
  const names = tensors.map((t) => t.name);
  const figures = [
    barChart({
      title: "Activation ranges (calibrated)",
      labels: names,
      series: [{ name: "min", values: tensors.map((t) => t.min) }, { name: "max", values: tensors.map((t) => t.max) }],
      yLabel: "value",
    }),
    barChart({ title: "Model size", labels: ["float32", "int8"], values: [floatBytes, int8Bytes], yLabel: ".tflite bytes", showValues: true }),
  ];
  return { floatAccuracy, int8Accuracy, floatBytes, int8Bytes, ratio: floatBytes / int8Bytes, tensors, table, figures };
}
