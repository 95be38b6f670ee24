/**
 * Throughput of the int8 engine (lib/int8) against TensorFlow Lite's own WebAssembly runtime
 * (@tensorflow/tfjs-tflite 0.0.1-alpha.10: TFLite C++ + XNNPACK, SIMD build, 1 thread), measured in the
 * same run:
 *
 *   node_modules/.bin/deno run -A bench/engine.ts [--quick] [--ops]
 *
 * Method: each engine is warmed up for a fixed time first (V8 tiers WebAssembly up lazily; tfjs-tflite's
 * 3.6 MB module needs ~1 s to reach full speed), then ours and the peer are timed in alternating batches
 * (so load changes on a shared machine hit both), and the medians of invocations per wall-clock second
 * and per CPU second (process.cpuUsage, less sensitive to other processes) are printed with their ratios.
 *
 * person_detect.tflite is refused by full TFLite (per-axis bias quantized_dimension 3); for the peer only,
 * a copy with that field set to 0 is written (no numeric data changes; TFLM ignores the field). Our engine
 * always runs the original model.
 *
 * `--ops` also prints, per model, where our wasm engine spends its time: each operator run alone many
 * times (best of several batches), the kernel that ran it (wasm or JS) and its share of the sum.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { evalOp, Interpreter } from "../lib/int8/mod.ts";
import { WasmKernels } from "../lib/int8/wasm/engine.ts";
import type { KernelSet } from "../lib/int8/mod.ts";
import { readTflite, writeTflite } from "../lib/tflite/mod.ts";
import { loadTfliteRuntime } from "../lib/tflite_runtime/mod.ts";
import type { Graph } from "../lib/graph/types.ts";

const CONFORMANCE = fileURLToPath(new URL("../../shared/conformance/", import.meta.url));
const quick = process.argv.includes("--quick");
const perOp = process.argv.includes("--ops");
const REPEATS = quick ? 5 : 9;
const BATCH_MS = quick ? 150 : 300;
const WARMUP_MS = quick ? 1000 : 2000;

interface Rate {
  wall: number;
  cpu: number;
}

/** Run `fn` for about `ms` milliseconds; invocations per wall second and per CPU second. */
function batch(fn: () => void, ms: number): Rate {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 4; i++) fn();
    n += 4;
    t = performance.now();
  }
  const c = process.cpuUsage(c0);
  return { wall: n / ((t - t0) / 1000), cpu: n / ((c.user + c.system) / 1e6) };
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Alternate batches of every engine; medians per engine. */
function compare(engines: Record<string, () => void>): Record<string, Rate> {
  for (const fn of Object.values(engines)) batch(fn, WARMUP_MS);
  const samples: Record<string, Rate[]> = {};
  for (let r = 0; r < REPEATS; r++) {
    for (const [name, fn] of Object.entries(engines)) (samples[name] ??= []).push(batch(fn, BATCH_MS));
  }
  const out: Record<string, Rate> = {};
  for (const [name, s] of Object.entries(samples)) {
    out[name] = { wall: median(s.map((x) => x.wall)), cpu: median(s.map((x) => x.cpu)) };
  }
  return out;
}

function randomInt8(n: number, seed: number): Int8Array {
  const out = new Int8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 24) - 128;
  }
  return out;
}

/** person_detect for full TFLite: per-axis bias tensors get quantized_dimension 0. */
function tfliteCompatible(graph: Graph): Uint8Array {
  const g: Graph = structuredClone(graph);
  for (const t of g.tensors) {
    if (t.quant && t.quant.quantizedDimension >= t.shape.length) t.quant.quantizedDimension = 0;
  }
  return writeTflite(g);
}

/** Time every operator of `graph` alone (µs, best of 15 batches) on our wasm engine; print a table. */
function profileOps(graph: Graph, x: Int8Array): void {
  const interp = new Interpreter(graph, { kernels: "wasm" });
  interp.invoke([x]);
  const wasm = WasmKernels.create(graph, interp.prepared);
  const rows: { name: string; us: number; where: string }[] = [];
  graph.operators.forEach((op, i) => {
    const ins = op.inputs.map((t) => (t < 0 ? null : interp.tensorData(t)));
    const outs = op.outputs.map((t) => interp.tensorData(t)!);
    let where = "js";
    const once = () => {
      if (wasm?.run(i, ins[0]!, outs[0])) where = "wasm";
      else evalOp(interp.prepared[i], ins, outs, "fast");
    };
    for (let k = 0; k < 20; k++) once();
    let best = Infinity;
    for (let b = 0; b < 15; b++) {
      const t0 = performance.now();
      for (let k = 0; k < 10; k++) once();
      best = Math.min(best, (performance.now() - t0) * 100);
    }
    const t = graph.tensors[op.outputs[0]];
    rows.push({ name: `${i} ${op.options.op} → [${t.shape}]`, us: best, where });
  });
  const total = rows.reduce((a, r) => a + r.us, 0);
  console.log(`  per operator (ours:wasm, each run alone; sum ${total.toFixed(0)} µs):`);
  for (const r of rows) {
    console.log(`    ${r.name.padEnd(44)} ${r.us.toFixed(1).padStart(7)} µs  ${(100 * r.us / total).toFixed(1).padStart(5)} %  ${r.where}`);
  }
}

const models = ["hello_world_int8.tflite", "micro_speech_quantized.tflite", "person_detect.tflite"];
const fmt = (x: number | undefined) => (x === undefined ? "—" : x >= 1000 ? x.toFixed(0) : x.toFixed(1));

console.log(
  `int8 engine (lib/int8) vs tfjs-tflite 0.0.1-alpha.10 (TFLite+XNNPACK, WASM SIMD, 1 thread)\n` +
    `invocations/s: median of ${REPEATS} alternating ${BATCH_MS} ms batches after ${WARMUP_MS} ms warm-up each`,
);
for (const file of models) {
  const bytes = new Uint8Array(readFileSync(CONFORMANCE + file));
  const graph = readTflite(bytes);
  const size = graph.tensors[graph.inputs[0]].shape.reduce((a, b) => a * b, 1);
  const inputs = Array.from({ length: 8 }, (_, i) => randomInt8(size, 1234 + i));
  const engines: Record<string, () => void> = {};
  const ours = (kernels: KernelSet) => {
    const interp = new Interpreter(graph, { kernels });
    let k = 0;
    return () => void interp.invoke([inputs[k++ & 7]]);
  };
  engines["ours:wasm"] = ours("wasm");
  let note = "";
  let maxDiff: number | null = null;
  let rt;
  try {
    try {
      rt = await loadTfliteRuntime(bytes);
    } catch {
      rt = await loadTfliteRuntime(tfliteCompatible(graph));
      note = "tfjs-tflite refuses the original (per-axis bias quantized_dimension 3); peer runs a copy with it set to 0";
    }
    const peer = rt;
    let k = 0;
    engines["tfjs-tflite"] = () => void peer.run([inputs[k++ & 7]]);
    const check = new Interpreter(graph, { kernels: "wasm" });
    maxDiff = 0;
    for (const x of inputs) {
      const a = check.invoke([x])[0] as Int8Array;
      const b = peer.run([x])[0] as Int8Array;
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    }
  } catch (e) {
    note = `tfjs-tflite could not run it: ${(e as Error).message}`;
  }
  engines["ours:fast-js"] = ours("fast");
  if (!quick || !file.startsWith("person")) engines["ours:reference"] = ours("reference");
  const r = compare(engines);
  rt?.dispose();
  const peer = r["tfjs-tflite"];
  console.log(`\n${file}${note ? `\n  note: ${note}` : ""}`);
  console.log("  engine            inv/s (wall)   inv/s (CPU)   ratio vs tfjs-tflite (wall / CPU)");
  for (const [name, rate] of Object.entries(r)) {
    const ratio = peer && name !== "tfjs-tflite"
      ? `${(rate.wall / peer.wall).toFixed(2)}× / ${(rate.cpu / peer.cpu).toFixed(2)}×`
      : "";
    console.log(`  ${name.padEnd(16)} ${fmt(rate.wall).padStart(13)} ${fmt(rate.cpu).padStart(13)}   ${ratio}`);
  }
  if (maxDiff !== null) console.log(`  max |ours − tfjs-tflite| on 8 random inputs: ${maxDiff} LSB`);
  if (perOp) profileOps(graph, inputs[0]);
}
