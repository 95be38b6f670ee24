/**
 * Helpers shared by the int8 conformance tests: locate ../shared, load models and golden vectors.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Graph } from "../../lib/graph/types.ts";
import { readTflite } from "../../lib/tflite/mod.ts";

/** `../shared/conformance/` beside the repository root. */
export const CONFORMANCE_DIR = fileURLToPath(new URL("../../../shared/conformance/", import.meta.url));
export const GOLDEN_DIR = CONFORMANCE_DIR + "golden/";
export const TFLM_DIR = GOLDEN_DIR + "tflm/";

/** True when the shared reference data is present. */
export const HAVE_SHARED = existsSync(GOLDEN_DIR + "manifest.json") && existsSync(TFLM_DIR + "manifest.json");
if (!HAVE_SHARED) {
  console.warn(`[tests/int8] ../shared/conformance/golden not found at ${GOLDEN_DIR}: conformance tests are SKIPPED`);
}

/** Read a file from the conformance folder as bytes. */
export function bytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** Read an int8 file. */
export function int8File(path: string): Int8Array {
  const b = bytes(path);
  return new Int8Array(b.buffer, b.byteOffset, b.length);
}

/** Load one of the conformance models as a Graph. */
export function loadModel(name: string): Graph {
  return readTflite(bytes(CONFORMANCE_DIR + name));
}

/** Split a concatenated file into `count` items of `size` elements. */
export function items(data: Int8Array, size: number): Int8Array[] {
  const out: Int8Array[] = [];
  for (let i = 0; i + size <= data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

/** Index and values of the first mismatch, or null. */
export function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `length ${a.length} ≠ ${b.length}`;
  let n = 0;
  let first = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      n++;
      if (first < 0) first = i;
    }
  }
  return n === 0 ? null : `${n} mismatches; first at ${first}: got ${a[first]}, want ${b[first]}`;
}
