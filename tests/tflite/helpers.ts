// Test helpers: where ../shared is, seeded randomness, and TFLite's runtime for cross-checks.
import { existsSync, readFileSync } from "node:fs";
import type { Graph } from "../../lib/graph/types.ts";
import { loadTfliteRuntime } from "../../lib/tflite_runtime/mod.ts";
import { fileURLToPath } from "node:url";

export const SHARED_DIR = fileURLToPath(new URL("../../../shared/conformance/", import.meta.url));
export const HAVE_SHARED = existsSync(SHARED_DIR + "hello_world_int8.tflite");
if (!HAVE_SHARED) console.warn(`[tests/tflite] ../shared/conformance not found at ${SHARED_DIR}: model tests are SKIPPED`);

/** The runnable conformance models (audio_preprocessor uses custom Signal ops and is read only for errors). */
export const MODELS = ["hello_world_int8", "hello_world_float", "micro_speech_quantized", "person_detect"] as const;

export function loadModel(name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${SHARED_DIR}${name}.tflite`));
}

/** Seeded PRNG (the kit's mulberry32). */
export { mulberry32 as rng } from "../../lib/util/random.ts";

// ---- TFLite's own runtime (tfjs-tflite's wasm), through the kit's loader ----

/** A loaded model: run(inputs) returns plain arrays of each output. */
export async function tfliteRunner(bytes: Uint8Array): Promise<(inputs: ArrayLike<number>[]) => number[][]> {
  const rt = await loadTfliteRuntime(bytes);
  return (inputs) => rt.run(inputs).map((o) => Array.from(o));
}

// ---- fast graph comparison (vitest's deep equality is slow on 100k-element typed arrays) ----


/** The graph with each tensor's data replaced by its array type and length (for a readable toEqual). */
export function graphShape(g: Graph): unknown {
  return { ...g, tensors: g.tensors.map((t) => (t.data ? { ...t, data: `${t.data.constructor.name}(${t.data.length})` } : t)) };
}

/** Whether two graphs' constants hold the same bytes; returns the first differing tensor index, or -1. */
export function firstDataDifference(a: Graph, b: Graph): number {
  for (let i = 0; i < a.tensors.length; i++) {
    const x = a.tensors[i].data, y = b.tensors[i]?.data;
    if (!x && !y) continue;
    if (!x || !y || x.constructor !== y.constructor || x.byteLength !== y.byteLength) return i;
    const bx = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    const by = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
    for (let k = 0; k < bx.length; k++) if (bx[k] !== by[k]) return i;
  }
  return -1;
}
