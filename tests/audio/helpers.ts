// Test helpers for tests/audio: where ../shared is, and small readers for its files.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const CONFORMANCE = fileURLToPath(new URL("../../../shared/conformance/", import.meta.url));
export const HAVE_SHARED = existsSync(CONFORMANCE);
if (!HAVE_SHARED) console.warn(`[tests/audio] ../shared/conformance not found at ${CONFORMANCE}: golden-data tests are SKIPPED`);

export const CLIPS = ["yes", "no", "silence", "noise"] as const;

export function sharedBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(CONFORMANCE + name));
}

export function sharedUint16(name: string): Uint16Array {
  const b = sharedBytes(name);
  return new Uint16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export function sharedInt8(name: string): Int8Array {
  const b = sharedBytes(name);
  return new Int8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** The int16 samples right after a canonical 44-byte header (what TFLM's python `wave` reader gives). */
export function rawPcmAfterHeader(name: string): Int16Array {
  const b = sharedBytes(name);
  return new Int16Array(b.buffer.slice(b.byteOffset + 44, b.byteOffset + b.byteLength));
}

/** Positions where two arrays differ, as [index, a, b]. */
export function differences(a: ArrayLike<number>, b: ArrayLike<number>): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) out.push([i, a[i], b[i]]);
  return out;
}
