/**
 * Model compression: pruning (synapses and neurons/filters), int8 quantization (PTQ with calibration, QAT),
 * knowledge distillation, and a report comparing the variants (flash, arena, MACs, accuracy, latency).
 *
 * @example
 * ```ts
 * import { quantizeModel, compressionReport, toSamples } from "tinyml-kit/compress/mod.ts";
 * const q = quantizeModel(model, xTrain, { method: "mse" });
 * const r = compressionReport([{ name: "float", graph: q.floatGraph }, { name: "int8", graph: q.graph }],
 *   { test: { samples: toSamples(xTest), labels } });
 * console.log(r.table);
 * ```
 * @module
 */
export { CompressError } from "./errors.ts";
export * from "./prune/mod.ts";
export * from "./quantize/mod.ts";
export * from "./distill/mod.ts";
export { compressionReport, countMacs, measureLatency } from "./report.ts";
export type { CompressionReport, CompressionReportOptions, Variant, VariantMetrics } from "./report.ts";
export { textTable } from "./table.ts";
