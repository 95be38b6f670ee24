import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import type { Graph, Tensor } from "../../lib/graph/types.ts";
import { greedyPlace, lifetimesOverlap, type MemoryPlan, PlanError, planMemory, tensorLifetimes } from "../../lib/plan/mod.ts";
import { readTflite } from "../../lib/tflite/mod.ts";

const SHARED = fileURLToPath(new URL("../../../shared/conformance/", import.meta.url));
const HAVE_SHARED = existsSync(SHARED + "micro_speech_quantized.tflite");
if (!HAVE_SHARED) console.warn(`[tests/plan] ../shared/conformance not found at ${SHARED}: model tests are SKIPPED`);
const load = (name: string) => readTflite(new Uint8Array(readFileSync(`${SHARED}${name}.tflite`)));

/** The invariants every plan must satisfy (plain checks: vitest's expect is slow in hot loops). */
function checkPlan(g: Graph, p: MemoryPlan): void {
  const fail = (msg: string) => {
    throw new Error(`plan invariant broken: ${msg}`);
  };
  const ts = p.tensors;
  for (const t of ts) {
    if (t.offset % p.alignment !== 0) fail(`tensor ${t.tensor} at unaligned offset ${t.offset}`);
    if (t.offset + t.alignedBytes > p.arenaBytes) fail(`tensor ${t.tensor} ends past the arena`);
    if (p.offsets.get(t.tensor) !== t.offset) fail(`offsets map disagrees for tensor ${t.tensor}`);
    if (g.tensors[t.tensor].data) fail(`constant ${t.tensor} placed in the arena`);
  }
  const group = (x: { tensor: number; alias?: number }) => x.alias ?? x.tensor;
  for (let i = 0; i < ts.length; i++) {
    for (let j = i + 1; j < ts.length; j++) {
      const [a, b] = [ts[i], ts[j]];
      if (!lifetimesOverlap(a, b) || group(a) === group(b)) continue; // same group: a RESHAPE sharing its input
      const disjoint = a.offset + a.alignedBytes <= b.offset || b.offset + b.alignedBytes <= a.offset;
      if (!disjoint) fail(`tensors ${a.tensor} and ${b.tensor} are live together and overlap in the arena`);
    }
  }
  // Every op's inputs and outputs are in the arena (or constants) while it runs.
  g.operators.forEach((op, k) => {
    for (const t of [...op.inputs, ...op.outputs]) {
      if (t < 0 || g.tensors[t].data) continue;
      const l = p.lifetimes[t];
      if (!l || l.first > k || k > l.last) fail(`tensor ${t} not live at op ${k}`);
    }
  });
  if (p.arenaBytes < p.maxLiveBytes) fail(`arena ${p.arenaBytes} < peak live set ${p.maxLiveBytes}`);
  if (p.arenaBytes > p.naiveBytes) fail(`arena ${p.arenaBytes} > no-reuse total ${p.naiveBytes}`);
  if (p.arenaBytes % p.alignment !== 0) fail(`arena size ${p.arenaBytes} not aligned`);
}

describe.skipIf(!HAVE_SHARED)("planMemory on the conformance models", () => {
  test("micro_speech: lifetimes follow the op order; greedy reaches the peak live set", () => {
    const g = load("micro_speech_quantized");
    const p = planMemory(g);
    checkPlan(g, p);
    const byName = (n: string) => p.tensors.find((t) => t.name === n)!;
    expect(byName("Reshape_1")).toMatchObject({ first: 0, last: 0, bytes: 1960, alignedBytes: 1968 }); // graph input
    expect(byName("Reshape_2")).toMatchObject({ first: 0, last: 1 });
    expect(byName("Relu")).toMatchObject({ first: 1, last: 2, bytes: 4000 });
    expect(byName("labels_softmax")).toMatchObject({ first: 3, last: 3 }); // graph output, to the end
    // Peak: op 1 reads Reshape_2 (1968) and writes Relu (4000). This chain model packs perfectly.
    expect(p.maxLiveBytes).toBe(1968 + 4000);
    expect(p.arenaBytes).toBe(p.maxLiveBytes);
    expect(p.naiveBytes).toBe(1968 + 1968 + 4000 + 16 + 16);
    // TFLM's micro_speech example ships a 10 KB arena, which also holds its persistent structures.
    expect(p.arenaBytes).toBeLessThan(10 * 1024);
    // Flash: the 4×4000 FC weights + 1×10×8×8 filter + the reshape shape; biases 8 + 4 int32.
    expect(p.flashBytes.biases).toBe((8 + 4) * 4);
    expect(p.flashBytes.weights).toBe(16000 + 640 + 16);
    expect(p.flashBytes.total).toBe(p.flashBytes.weights + p.flashBytes.biases + p.flashBytes.quantParams);
    const expectedQuant = g.tensors.reduce((s, t) => s + (t.quant ? 8 * t.quant.scale.length : 0), 0);
    expect(p.flashBytes.quantParams).toBe(expectedQuant);
  });

  test("person_detect and hello_world: invariants, big reuse, within TFLM's example arenas", () => {
    const pd = load("person_detect");
    const p = planMemory(pd);
    checkPlan(pd, p);
    expect(p.arenaBytes).toBe(p.maxLiveBytes);
    expect(p.naiveBytes / p.arenaBytes).toBeGreaterThan(3);
    expect(p.arenaBytes).toBeLessThan(136 * 1024); // TFLM's person_detection example arena
    const input = p.tensors.find((t) => t.tensor === pd.inputs[0])!;
    expect(input.first).toBe(0);
    const out = p.tensors.find((t) => t.tensor === pd.outputs[0])!;
    expect(out.last).toBe(pd.operators.length - 1);
    const weightBytes = pd.tensors.reduce((s, t) => s + (t.data ? t.data.byteLength : 0), 0);
    expect(p.flashBytes.weights + p.flashBytes.biases).toBe(weightBytes);

    const hw = load("hello_world_int8");
    const q = planMemory(hw);
    checkPlan(hw, q);
    expect(q.arenaBytes).toBe(32); // two 16-element activations at a time, 16-byte aligned
    expect(q.naiveBytes).toBe(64);
  });

  test("shareReshape: a RESHAPE output shares its input's buffer (as generated C code can)", () => {
    const g = load("micro_speech_quantized");
    const p = planMemory(g, { alignment: 4, shareReshape: true });
    checkPlan(g, p);
    const id = (n: string) => g.tensors.findIndex((t) => t.name === n);
    expect(p.aliases.get(id("Reshape_2"))).toBe(id("Reshape_1"));
    expect(p.offsets.get(id("Reshape_2"))).toBe(p.offsets.get(id("Reshape_1")));
    expect(p.arenaBytes).toBe(1960 + 4000); // the shared input buffer + Relu, at 4-byte alignment
    expect(p.table()).toMatch(/Reshape_2 .*= #3/);
    expect(planMemory(g).aliases.size).toBe(0); // TFLM-like default: no sharing
  });

  test("table() prints every arena tensor with offsets and the totals", () => {
    const p = planMemory(load("micro_speech_quantized"));
    const text = p.table();
    for (const t of p.tensors) expect(text).toContain(t.name);
    expect(text).toMatch(/Relu\s+int8\[1×25×20×8\]\s+4000\s+1\s+2\s+0\s+4000/);
    expect(text).toContain(`arena: ${p.arenaBytes} bytes`);
    expect(text).toContain(`no reuse: ${p.naiveBytes}`);
  });
});

// ---- synthetic graphs ----

function t(name: string, n: number, data = false): Tensor {
  return data ? { name, shape: [n], dtype: "int8", data: new Int8Array(n) } : { name, shape: [n], dtype: "int8" };
}

/** A random DAG: each op reads 1–2 earlier activations (or a constant) and writes one new tensor. */
function randomGraph(seed: number): Graph {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const tensors: Tensor[] = [t("in", 1 + Math.floor(rand() * 500)), t("w", 10, true)];
  const operators: Graph["operators"] = [];
  const nOps = 1 + Math.floor(rand() * 12);
  for (let k = 0; k < nOps; k++) {
    const avail = tensors.map((_, i) => i).filter((i) => i !== 1);
    const a = avail[Math.floor(rand() * avail.length)];
    const b = rand() < 0.5 ? avail[Math.floor(rand() * avail.length)] : 1;
    if (rand() < 0.3) { // a RESHAPE: same bytes, new shape
      const n = tensors[a].shape[0];
      tensors.push({ name: `r${k}`, shape: [1, n], dtype: "int8" });
      operators.push({ options: { op: "RESHAPE" }, inputs: [a], outputs: [tensors.length - 1] });
      continue;
    }
    tensors.push(t(`t${k}`, 1 + Math.floor(rand() * 700)));
    operators.push({ options: { op: "ADD", fusedActivation: "NONE" }, inputs: [a, b], outputs: [tensors.length - 1] });
  }
  return { tensors, operators, inputs: [0], outputs: [tensors.length - 1] };
}

describe("planMemory on synthetic graphs", () => {
  test("300 random DAGs satisfy the invariants, with and without RESHAPE sharing", () => {
    let shared = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const g = randomGraph(seed);
      checkPlan(g, planMemory(g));
      const p = planMemory(g, { shareReshape: true, alignment: 4 });
      checkPlan(g, p);
      shared += p.aliases.size;
    }
    expect(shared).toBeGreaterThan(50);
  });

  test("a chain reuses memory: arena = the two largest neighbours, not the sum", () => {
    const g: Graph = {
      tensors: [t("a", 100), t("b", 1000), t("c", 200), t("d", 900), t("e", 50)],
      operators: [0, 1, 2, 3].map((k) => ({ options: { op: "RELU" as const }, inputs: [k], outputs: [k + 1] })),
      inputs: [0],
      outputs: [4],
    };
    const p = planMemory(g);
    checkPlan(g, p);
    // Pairs alive together: (a,b) 112+1008, (b,c) 1008+208, (c,d) 208+912, (d,e) 912+64.
    expect(p.maxLiveBytes).toBe(1008 + 208);
    expect(p.arenaBytes).toBe(1008 + 208);
    expect(p.naiveBytes).toBe(112 + 1008 + 208 + 912 + 64);
    expect(p.flashBytes.total).toBe(0);
  });

  test("graph inputs live from op 0 and outputs to the last op even when used only in the middle", () => {
    const g: Graph = {
      tensors: [t("x", 16), t("y", 16), t("mid", 16), t("z", 16), t("late_in", 16)],
      operators: [
        { options: { op: "RELU" }, inputs: [0], outputs: [1] },
        { options: { op: "RELU" }, inputs: [1], outputs: [2] },
        { options: { op: "ADD", fusedActivation: "NONE" }, inputs: [2, 4], outputs: [3] },
      ],
      inputs: [0, 4],
      outputs: [1, 3],
    };
    const life = tensorLifetimes(g);
    expect(life[4]).toEqual({ first: 0, last: 2 }); // second input, first read at op 2
    expect(life[1]).toEqual({ first: 0, last: 2 }); // output produced at op 0 kept to the end
    checkPlan(g, planMemory(g));
  });

  test("constants are flash, not arena; reading an unwritten activation is a PlanError", () => {
    const g: Graph = {
      tensors: [t("x", 8), t("w", 32, true), t("y", 8), t("ghost", 8)],
      operators: [{ options: { op: "ADD", fusedActivation: "NONE" }, inputs: [0, 1], outputs: [2] }],
      inputs: [0],
      outputs: [2],
    };
    const p = planMemory(g);
    expect([...p.offsets.entries()]).toEqual([[0, 0], [2, 16]]);
    expect(p.flashBytes.weights).toBe(32);
    g.operators.push({ options: { op: "RELU" }, inputs: [3], outputs: [2] });
    expect(() => planMemory(g)).toThrow(PlanError);
  });

  test("greedyPlace fills a gap left by a finished buffer", () => {
    // A (0–1, 64) and B (0–3, 32) overlap; C (2–3, 48) may reuse A's space.
    const off = greedyPlace([{ size: 64, first: 0, last: 1 }, { size: 32, first: 0, last: 3 }, { size: 48, first: 2, last: 3 }], 16);
    expect(off).toEqual([0, 64, 0]);
  });
});
