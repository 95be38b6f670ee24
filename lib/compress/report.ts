/**
 * The compression report: for each variant of a model (float, pruned, int8, …) its flash and .tflite bytes,
 * arena bytes (the memory planner), MACs (counted from shapes), accuracy and latency in our engine.
 * @module
 */
import type { Graph } from "../graph/types.ts";
import type { KernelSet } from "../int8/eval.ts";
import { Interpreter } from "../int8/interpreter.ts";
import { planMemory } from "../plan/plan.ts";
import { writeTflite } from "../tflite/write.ts";
import { barChart } from "../viz/charts.ts";
import type { Figure } from "../viz/types.ts";
import { CompressError } from "./errors.ts";
import { graphAccuracy, quantizeInputs } from "./quantize/evaluate.ts";
import { textTable } from "./table.ts";

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Multiply-accumulates of one inference: FC in·out, CONV outH·outW·outC·kh·kw·inC, DEPTHWISE outH·outW·outC·kh·kw. */
export function countMacs(graph: Graph): number {
  let macs = 0;
  for (const op of graph.operators) {
    const out = graph.tensors[op.outputs[0]].shape;
    const o = op.options.op;
    if (o === "FULLY_CONNECTED") {
      const [units, depth] = graph.tensors[op.inputs[1]].shape;
      macs += (size(out) / units) * units * depth;
    } else if (o === "CONV_2D") {
      const [, kh, kw, inC] = graph.tensors[op.inputs[1]].shape;
      macs += size(out) * kh * kw * inC;
    } else if (o === "DEPTHWISE_CONV_2D") {
      const [, kh, kw] = graph.tensors[op.inputs[1]].shape;
      macs += size(out) * kh * kw;
    }
  }
  return macs;
}

/** Median wall time (ms) of one `invoke` in our engine over `runs` runs (after `warmup` runs), cycling the inputs. */
export function measureLatency(graph: Graph, inputs: ArrayLike<number>[], opts: { runs?: number; warmup?: number; kernels?: KernelSet } = {}): number {
  if (inputs.length === 0) throw new CompressError("measureLatency needs at least one input");
  const interp = new Interpreter(graph, { kernels: opts.kernels ?? "fast" });
  const int8 = graph.tensors[graph.inputs[0]].dtype === "int8";
  const xs = int8 ? quantizeInputs(graph, inputs) : inputs.map((x) => Float32Array.from(x));
  const runs = opts.runs ?? 200;
  for (let i = 0; i < (opts.warmup ?? 20); i++) interp.invoke([xs[i % xs.length]]);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    interp.invoke([xs[i % xs.length]]);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** One model variant to compare. */
export interface Variant {
  name: string;
  /** The variant as an engine graph (float32 or int8). */
  graph: Graph;
  /** Accuracy measured elsewhere (e.g. the tfjs model's); otherwise measured in our engine on `test`. */
  accuracy?: number;
}

/** Measurements of one variant. */
export interface VariantMetrics {
  name: string;
  /** Constant bytes (weights + biases + quantization parameters), the planner's flash estimate. */
  flashBytes: number;
  /** Size of the .tflite file. */
  tfliteBytes: number;
  arenaBytes: number;
  macs: number;
  accuracy: number;
  /** Median ms per inference in our engine. */
  latencyMs: number;
}

/** Options of {@link compressionReport}. */
export interface CompressionReportOptions {
  /** Test set for accuracy (when a variant gives none) and inputs for latency. */
  test: { samples: ArrayLike<number>[]; labels: ArrayLike<number> };
  /** Runs per latency measurement (default 200; 0 skips latency). */
  latencyRuns?: number;
  kernels?: KernelSet;
}

/** {@link compressionReport}'s result. */
export interface CompressionReport {
  rows: VariantMetrics[];
  table: string;
  figures: Figure[];
}

/**
 * Measure every variant and lay the numbers out as a table and bar charts.
 *
 * @example
 * const r = compressionReport([{ name: "float", graph: q.floatGraph }, { name: "int8", graph: q.graph }], { test });
 * console.log(r.table); for (const f of r.figures) await show(f);
 */
export function compressionReport(variants: Variant[], opts: CompressionReportOptions): CompressionReport {
  const rows = variants.map((v): VariantMetrics => {
    const plan = planMemory(v.graph);
    return {
      name: v.name,
      flashBytes: plan.flashBytes.total,
      tfliteBytes: writeTflite(v.graph).length,
      arenaBytes: plan.arenaBytes,
      macs: countMacs(v.graph),
      accuracy: v.accuracy ?? graphAccuracy(v.graph, opts.test.samples, opts.test.labels, opts.kernels),
      latencyMs: opts.latencyRuns === 0 ? NaN : measureLatency(v.graph, opts.test.samples.slice(0, 64), { runs: opts.latencyRuns, kernels: opts.kernels }),
    };
  });
  const table = textTable(
    ["variant", "flash B", ".tflite B", "arena B", "MACs", "accuracy", "latency ms"],
    rows.map((r) => [r.name, r.flashBytes, r.tfliteBytes, r.arenaBytes, r.macs, `${(100 * r.accuracy).toFixed(2)} %`, Number.isNaN(r.latencyMs) ? "-" : r.latencyMs.toFixed(4)]),
  );
  const labels = rows.map((r) => r.name);
  const chart = (title: string, yLabel: string, values: number[]) => barChart({ title, labels, values, yLabel, showValues: true });
  const figures = [
    chart("Flash (constants)", "bytes", rows.map((r) => r.flashBytes)),
    chart("Tensor arena", "bytes", rows.map((r) => r.arenaBytes)),
    chart("Multiply-accumulates per inference", "MACs", rows.map((r) => r.macs)),
    chart("Accuracy", "accuracy (%)", rows.map((r) => 100 * r.accuracy)),
  ];
  if (opts.latencyRuns !== 0) figures.push(chart("Latency in our engine (median)", "ms", rows.map((r) => r.latencyMs)));
  return { rows, table, figures };
}
