/**
 * Structured pruning makes inference faster in our engine: each model's int8 graph against the same model with
 * 50 % of its neurons/filters removed (lib/compress `pruneUnits`), measured in the same run.
 *
 *   node_modules/.bin/deno run -A bench/compress.ts [--quick]
 *
 * Method: seeded, untrained weights (latency does not depend on the values), int8 graphs calibrated on random
 * images; each engine warmed up, then original and pruned timed in alternating batches (so load changes on a
 * shared machine hit both); medians of invocations per CPU second (process.cpuUsage) and per wall second, and
 * the speed-up ratio. Also printed: arena and flash bytes (planner) and MACs.
 *
 * @module
 */
import process from "node:process";
import * as tf from "@tensorflow/tfjs";
import { countMacs, pruneUnits, quantizeInputs, quantizeModel } from "../lib/compress/mod.ts";
import type { Graph } from "../lib/graph/types.ts";
import { Interpreter, type KernelSet } from "../lib/int8/mod.ts";
import { planMemory } from "../lib/plan/mod.ts";
import { denseNet, digitsCnn, useBackend } from "../lib/train/mod.ts";

const quick = process.argv.includes("--quick");
const REPEATS = quick ? 5 : 9;
const BATCH_MS = quick ? 100 : 250;
const WARMUP_MS = quick ? 300 : 1000;

/** Invocations per CPU second and per wall second of `fn`, run for about `ms`. */
function batch(fn: () => void, ms: number): { cpu: number; wall: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < ms) {
    fn();
    n++;
  }
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { cpu: n / ((c.user + c.system) / 1e6), wall: n / wall };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

function runner(graph: Graph, kernels: KernelSet, input: Int8Array): () => void {
  const interp = new Interpreter(graph, { kernels });
  return () => interp.invoke([input]);
}

await useBackend("wasm");
const cases: { name: string; model: tf.Sequential; shape: number[] }[] = [
  { name: "digits CNN 8×8 (16/32 filters)", model: digitsCnn({ size: 8, filters: [16, 32], seed: 1 }), shape: [8, 8, 1] },
  { name: "digits CNN 28×28 (16/32 filters)", model: digitsCnn({ size: 28, filters: [16, 32], seed: 1 }), shape: [28, 28, 1] },
  { name: "dense 64-256-128-10", model: denseNet({ inputs: 64, hidden: [256, 128], outputs: 10, outputActivation: "softmax", seed: 1 }), shape: [64] },
];
console.log(`structured pruning 50 %: int8 latency in our engine (median of ${REPEATS} alternating batches of ${BATCH_MS} ms)\n`);
const rows: string[] = [];
for (const c of cases) {
  const x = tf.randomUniform([32, ...c.shape], 0, 1, "float32", 1);
  const small = pruneUnits(c.model, { fraction: 0.5, criterion: "l1" }).model;
  const [qa, qb] = [quantizeModel(c.model, x, { samples: 32 }), quantizeModel(small, x, { samples: 32 })];
  const [pa, pb] = [planMemory(qa.graph), planMemory(qb.graph)];
  console.log(
    `${c.name}: arena ${pa.arenaBytes} → ${pb.arenaBytes} B, flash ${pa.flashBytes.total} → ${pb.flashBytes.total} B, ` +
      `MACs ${countMacs(qa.graph)} → ${countMacs(qb.graph)}`,
  );
  const input = quantizeInputs(qa.graph, [x.slice(0, 1).dataSync()])[0];
  for (const kernels of ["fast", "wasm"] as KernelSet[]) {
    const [fa, fb] = [runner(qa.graph, kernels, input), runner(qb.graph, kernels, input)];
    batch(fa, WARMUP_MS);
    batch(fb, WARMUP_MS);
    const ra: { cpu: number; wall: number }[] = [];
    const rb: { cpu: number; wall: number }[] = [];
    for (let r = 0; r < REPEATS; r++) {
      ra.push(batch(fa, BATCH_MS));
      rb.push(batch(fb, BATCH_MS));
    }
    const [a, b] = [median(ra.map((r) => r.cpu)), median(rb.map((r) => r.cpu))];
    const [aw, bw] = [median(ra.map((r) => r.wall)), median(rb.map((r) => r.wall))];
    rows.push(
      `${c.name.padEnd(34)} ${kernels.padEnd(5)} ${(1000 / a).toFixed(4).padStart(9)} ms → ${(1000 / b).toFixed(4).padStart(9)} ms per inference (CPU)` +
        `  speed-up ×${(b / a).toFixed(2)} CPU, ×${(bw / aw).toFixed(2)} wall`,
    );
    console.log(rows[rows.length - 1]);
  }
}
