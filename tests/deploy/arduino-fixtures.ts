/** Shared helpers for the deploy tests: the checksum fixture sketch and the values it must print. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";

export const CHECKSUM_SKETCH = fileURLToPath(new URL("../fixtures/sketches/checksum/", import.meta.url));

/** True when a program is on PATH. */
export function has(tool: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The bytes of the TABLE literal in a sketch's source. */
export function tableFromSource(source: string): Uint8Array {
  const body = /TABLE\[\] PROGMEM = \{([^}]*)\}/.exec(source)![1];
  return Uint8Array.from(body.split(",").map((s) => s.trim()).filter(Boolean).map((s) => parseInt(s, 16)));
}

export function fixtureTable(): Uint8Array {
  return tableFromSource(readFileSync(`${CHECKSUM_SKETCH}/checksum.ino`, "utf8"));
}

/** CRC-32 (IEEE, reflected) — independent of the firmware's bitwise version: table-driven. */
export function crc32(data: Uint8Array): number {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  let crc = 0xffffffff;
  for (const b of data) crc = table[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** What the checksum sketch prints for a table: { LEN, SUM, OUT bytes, HALF }. */
export function expectedChecksum(table: Uint8Array): { len: number; sum: number; crcBytes: number[]; half: string } {
  let sum = 0;
  table.forEach((b, i) => (sum = (sum + b * (i + 1)) >>> 0));
  const crc = crc32(table);
  return {
    len: table.length,
    sum,
    crcBytes: [crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24],
    half: (Math.fround(sum / 2)).toFixed(1),
  };
}

/** A copy of the checksum sketch with a different table (so results cannot be hard-coded). */
export function checksumSketchWith(table: Uint8Array): string {
  const source = readFileSync(`${CHECKSUM_SKETCH}/checksum.ino`, "utf8");
  const literal = Array.from(table, (b) => `0x${b.toString(16).padStart(2, "0")}`).join(", ");
  return source.replace(/(TABLE\[\] PROGMEM = \{)[^}]*(\})/, `$1\n  ${literal}\n$2`);
}

/**
 * Point os.tmpdir() (TMPDIR) at a fresh folder for this test file and delete it afterwards, so the build
 * folders the library and the tests create do not pile up in /tmp.
 */
export function useTempRoot(): void {
  const previous = process.env.TMPDIR;
  let root = "";
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "tinyml-deploy-test-"));
    process.env.TMPDIR = root;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  });
}
