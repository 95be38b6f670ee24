// Fuzzing the reader: mutated copies of the real models must either read as a Graph or throw TfliteError,
// never another error, never hang, never allocate far beyond the file's size.
import { describe, expect, test } from "vitest";
import { parseTflite, readTflite, TfliteError, validateGraph, writeTflite } from "../../lib/tflite/mod.ts";
import { HAVE_SHARED, loadModel, rng } from "./helpers.ts";

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 100_000);

interface Seed {
  name: string;
  bytes: Uint8Array;
  /** Positions outside constant data: tables, vtables, vectors of indices, strings. */
  structural: number[];
  /** Share of iterations. */
  weight: number;
}

function makeSeed(name: string, weight: number): Seed {
  const bytes = loadModel(name);
  const inData = new Uint8Array(bytes.length);
  for (const b of parseTflite(bytes).buffers) if (b.length) inData.fill(1, b.byteOffset, b.byteOffset + b.length);
  const structural: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (!inData[i]) structural.push(i);
  return { name, bytes, structural, weight };
}

const SPECIAL_U32 = [0xffffffff, 0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffc, 0x10000, 0, 1, 2, 4, 8];

/** Applies 1–3 random mutations; biased towards structural bytes (tables) over weight bytes. */
function mutate(seed: Seed, all: Seed[], rand: () => number): Uint8Array {
  let m = seed.bytes.slice();
  const int = (n: number) => Math.floor(rand() * n);
  const pos = () => (rand() < 0.85 ? seed.structural[int(seed.structural.length)] : int(m.length));
  const count = 1 + int(3);
  for (let k = 0; k < count && m.length > 0; k++) {
    const dv = new DataView(m.buffer, m.byteOffset, m.byteLength);
    switch (int(8)) {
      case 0: { // bit flips
        const p = Math.min(pos(), m.length - 1);
        m[p] ^= 1 << int(8);
        break;
      }
      case 1: { // byte overwrite
        const p = Math.min(pos(), m.length - 1);
        m[p] = [0, 0xff, 0x7f, 0x80, int(256)][int(5)];
        break;
      }
      case 2: // truncation
        m = m.slice(0, int(m.length));
        break;
      case 3: { // offset / length field set to something huge, tiny or just past the end
        const p = Math.min(pos() & ~3, m.length - 4);
        if (p < 0) break;
        const v = rand() < 0.7 ? SPECIAL_U32[int(SPECIAL_U32.length)] : [m.length, m.length - 4, m.length + 4, int(2 ** 32)][int(4)];
        dv.setUint32(p, v >>> 0, true);
        break;
      }
      case 4: { // vtable-sized field (u16) overwrite
        const p = Math.min(pos() & ~1, m.length - 2);
        if (p < 0) break;
        dv.setUint16(p, [0xffff, 0, 4, 6, int(65536), 0x8000][int(6)], true);
        break;
      }
      case 5: { // splice: a chunk of this or another model written over a structural position
        const src = all[int(all.length)].bytes;
        const len = 1 + int(64);
        const from = int(Math.max(src.length - len, 1));
        const to = Math.min(pos(), Math.max(m.length - len, 0));
        m.set(src.subarray(from, from + Math.min(len, m.length - to)), to);
        break;
      }
      case 6: { // insert or delete a few bytes (shifts every offset after them)
        const p = Math.min(pos(), m.length);
        const n = 1 + int(8);
        if (rand() < 0.5) {
          const grown = new Uint8Array(m.length + n);
          grown.set(m.subarray(0, p));
          for (let i = 0; i < n; i++) grown[p + i] = int(256);
          grown.set(m.subarray(p), p + n);
          m = grown;
        } else {
          const shrunk = new Uint8Array(Math.max(m.length - n, p));
          shrunk.set(m.subarray(0, p));
          shrunk.set(m.subarray(p + n), p);
          m = shrunk;
        }
        break;
      }
      case 7: { // small integer overwrite (indices: tensor, buffer, opcode)
        const p = Math.min(pos() & ~3, m.length - 4);
        if (p < 0) break;
        dv.setInt32(p, [-1, -2, 100, 1000, int(40), 127, 128, -128][int(8)], true);
        break;
      }
    }
  }
  return m;
}

describe.skipIf(!HAVE_SHARED)("readTflite fuzzing", () => {
  test(`${ITERATIONS} mutated models: a Graph or a TfliteError, nothing else`, () => {
    const seeds = [
      makeSeed("hello_world_int8", 0.42),
      makeSeed("hello_world_float", 0.2),
      makeSeed("micro_speech_quantized", 0.37),
      makeSeed("person_detect", 0.01),
    ];
    const rand = rng(20261123);
    const whats = new Map<string, number>();
    const perSeed = new Map<string, { ok: number; err: number }>(seeds.map((s) => [s.name, { ok: 0, err: 0 }]));
    let roundTrips = 0;
    for (let it = 0; it < ITERATIONS; it++) {
      let r = rand();
      const seed = seeds.find((s) => (r -= s.weight) < 0) ?? seeds[0];
      const m = mutate(seed, seeds, rand);
      const stats = perSeed.get(seed.name)!;
      let graph;
      try {
        graph = readTflite(m);
      } catch (e) {
        if (!(e instanceof TfliteError)) {
          throw new Error(`iteration ${it} (${seed.name}): ${(e as Error)?.name}: ${(e as Error)?.message}`);
        }
        // The catch-all inside readTflite must never be needed: every failure is diagnosed by the parser.
        if (e.what.startsWith("internal reader error")) throw new Error(`iteration ${it} (${seed.name}): ${e.message}`);
        const kind = e.what.slice(0, 60).replace(/'[^']*'?|"[^"]*"?|\[.*|\(.*/g, "…").replace(/-?\d+/g, "N").trim();
        whats.set(kind, (whats.get(kind) ?? 0) + 1);
        stats.err++;
        continue;
      }
      stats.ok++;
      // What the reader returns is consistent: the writer accepts it, and its constants stay within the file's size.
      validateGraph(graph);
      const dataBytes = graph.tensors.reduce((s, t) => s + (t.data?.byteLength ?? 0), 0);
      if (dataBytes > 4 * m.length + (1 << 20)) throw new Error(`iteration ${it}: ${dataBytes} bytes of constants from a ${m.length}-byte file`);
      if (seed.name !== "person_detect" && stats.ok % 50 === 0) {
        // Round trip through the writer (byte comparison: the writer is deterministic).
        const bytes = writeTflite(graph);
        const again = writeTflite(readTflite(bytes));
        if (again.length !== bytes.length || again.some((v, i) => v !== bytes[i])) {
          throw new Error(`iteration ${it} (${seed.name}): read(write(g)) differs from g`);
        }
        roundTrips++;
      }
    }
    const summary = JSON.stringify({ perSeed: Object.fromEntries(perSeed), roundTrips, kinds: Object.fromEntries(whats) });
    // The mutations reach deep into the parser: many distinct diagnoses, and some mutants still read.
    expect(whats.size, summary).toBeGreaterThanOrEqual(20);
    for (const [name, s] of perSeed) {
      expect(s.err, `${name}: ${summary}`).toBeGreaterThan(0);
      expect(s.ok, `${name}: ${summary}`).toBeGreaterThan(0);
    }
    if (process.env.FUZZ_SUMMARY) console.log(summary);
  }, 240_000); // ~10 s of CPU; the limit allows for a busy shared machine
});
