/**
 * The device side of signed models: the portable C verifier in `lib/security/c/`, firmware that checks a
 * package before using its model, and the tamper experiment (flip every byte, check every one is refused)
 * run on the emulated Cortex-M4 (QEMU) or natively on the host.
 * @module
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cHex, cRows } from "../deploy/codegen/c_source.ts";
import { buildCortexM4, runCortexM4 } from "../deploy/emulate/cortexm4.ts";
import { findExecutable } from "../deploy/arduino/tools.ts";
import { SecurityError } from "./errors.ts";
import { checkPublicKey } from "./keys.ts";

/** The folder holding the C verifier (tinyml_sha512, tinyml_ed25519, tinyml_model_pkg). */
export const SECURITY_C_DIR: string = fileURLToPath(new URL("./c/", import.meta.url));

/** The verifier's C files, by name. */
export const VERIFIER_C_FILES: readonly string[] = ["tinyml_sha512.c", "tinyml_ed25519.c", "tinyml_model_pkg.c"];
export const VERIFIER_H_FILES: readonly string[] = ["tinyml_sha512.h", "tinyml_ed25519.h", "tinyml_model_pkg.h"];

/** The C verifier's status codes, index = tinyml_pkg_status value; the same codes as the TS errors. */
export const PKG_STATUS: readonly string[] = ["ok", "truncated", "bad-magic", "unsupported", "trailing-data", "wrong-key", "bad-signature"];

/** Source text of every verifier file (name → text), e.g. to copy into a sketch. */
export function verifierSources(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of [...VERIFIER_H_FILES, ...VERIFIER_C_FILES]) out[f] = readFileSync(join(SECURITY_C_DIR, f), "utf8");
  return out;
}

/** `static const uint8_t name[n] = {...};` with 16 bytes a line (`qualifier` e.g. "static const" or "static"). */
export function cByteArray(name: string, bytes: Uint8Array, qualifier = "static const"): string {
  return `${qualifier} uint8_t ${name}[${bytes.length}] = {\n${cRows(cHex(bytes), 16)}\n};\n`;
}

/** Options of {@link tamperFirmwareC}. */
export interface TamperOptions {
  /** XOR masks applied to each byte in turn (default [0x01, 0x80]: the lowest and the highest bit). */
  masks?: readonly number[];
  /** Byte positions to try (default: every position of the package). */
  positions?: readonly number[];
}

/**
 * Positions for a quicker sweep of a large package: every header and signature byte, and every `stride`-th
 * model byte (plus the model's first and last).
 */
export function samplePositions(pkgBytes: number, stride: number, headerBytes = 20, signatureBytes = 64): number[] {
  const modelEnd = pkgBytes - signatureBytes;
  const out = new Set<number>();
  for (let i = 0; i < headerBytes; i++) out.add(i);
  for (let i = headerBytes; i < modelEnd; i += Math.max(1, stride)) out.add(i);
  if (modelEnd > headerBytes) out.add(modelEnd - 1);
  for (let i = modelEnd; i < pkgBytes; i++) out.add(i);
  return [...out].sort((a, b) => a - b);
}

/**
 * C for the tamper experiment: main() checks the genuine package, then for every mask and every byte
 * position flips that byte, verifies, restores it, and records the status. It prints
 *   GENUINE <status>
 *   TAMPER <mask hex> <one status digit per position>     (one line per mask)
 *   END
 * All of it in one firmware run, so the emulator starts once.
 */
export function tamperFirmwareC(pkg: Uint8Array, publicKey: Uint8Array, options: TamperOptions = {}): string {
  checkPublicKey(publicKey);
  const masks = options.masks ?? [0x01, 0x80];
  const positions = options.positions;
  positions?.forEach((p) => {
    if (!Number.isInteger(p) || p < 0 || p >= pkg.length) throw new RangeError(`tamper position ${p} is outside the ${pkg.length}-byte package`);
  });
  const positionTable = positions
    ? `static const uint32_t kPositions[${positions.length}] = {${positions.join(", ")}};\n#define POSITION(i) kPositions[i]\n#define POSITIONS ${positions.length}u`
    : `#define POSITION(i) (i)\n#define POSITIONS sizeof package`;
  return `/* tinyml-kit tamper experiment: every single-byte change of a signed model package must be refused. */
#include <stdio.h>
#include <stdint.h>
#include "tinyml_model_pkg.h"

${cByteArray("kPublicKey", publicKey)}
/* Not const: the experiment flips bytes in place. */
${cByteArray("package", pkg, "static")}
static const uint8_t kMasks[${masks.length}] = {${masks.map((m) => `0x${(m & 0xff).toString(16).padStart(2, "0")}`).join(", ")}};
${positionTable}

int main(void) {
  size_t i, m;
  tinyml_pkg_status s = tinyml_pkg_verify(package, sizeof package, kPublicKey, NULL, NULL);
  printf("GENUINE %s\\n", tinyml_pkg_status_name(s));
  for (m = 0; m < sizeof kMasks; m++) {
    printf("TAMPER %02x ", kMasks[m]);
    for (i = 0; i < POSITIONS; i++) {
      package[POSITION(i)] ^= kMasks[m];
      s = tinyml_pkg_verify(package, sizeof package, kPublicKey, NULL, NULL);
      package[POSITION(i)] ^= kMasks[m];
      putchar('0' + (int)s);
    }
    putchar('\\n');
  }
  puts("END");
  fflush(stdout);
  return 0;
}
`;
}

/** What the tamper experiment found. */
export interface TamperReport {
  /** Where it ran: "cortex-m4 (qemu)" or "host". */
  target: string;
  /** The genuine package's status ("ok" when accepted). */
  genuine: string;
  /** Number of positions tried per mask (the package size for a full sweep). */
  positions: number;
  /** The byte offsets tried, in order (statuses[k][j] is the result for tried[j]). */
  tried: number[];
  masks: number[];
  /** Per mask, the status code of every position (index into PKG_STATUS). */
  statuses: Uint8Array[];
  /** Byte offsets (over all masks) whose tampered package was accepted; empty when every change was caught. */
  accepted: { mask: number; position: number }[];
  /** How often each status came back, over all masks and positions. */
  counts: Record<string, number>;
  /** True when the genuine package was accepted and every tampered one refused. */
  passed: boolean;
  /** Firmware size (Cortex-M4 only). */
  flashBytes: number | null;
  ramBytes: number | null;
  wallMs: number;
}

/** The tamper transcript did not have the expected shape (the firmware crashed or timed out). */
export class TamperRunError extends SecurityError {
  override name = "TamperRunError";
  constructor(what: string, transcript: string) {
    super("tamper-run", `${what}; the firmware printed:\n${transcript.slice(0, 2000)}`);
  }
}

/** Parses the transcript printed by {@link tamperFirmwareC}. */
export function parseTamperTranscript(text: string, tried: readonly number[], target: string): Omit<TamperReport, "flashBytes" | "ramBytes" | "wallMs"> {
  const positions = tried.length;
  const genuine = /^GENUINE (\S+)/m.exec(text);
  if (!genuine || !/^END$/m.test(text)) throw new TamperRunError("the tamper firmware did not finish (no GENUINE/END line)", text);
  const masks: number[] = [];
  const statuses: Uint8Array[] = [];
  for (const m of text.matchAll(/^TAMPER ([0-9a-f]{2}) ([0-9]*)$/gm)) {
    if (m[2].length !== positions) throw new TamperRunError(`mask ${m[1]}: ${m[2].length} results for ${positions} positions`, text);
    masks.push(parseInt(m[1], 16));
    statuses.push(Uint8Array.from(m[2], (c) => c.charCodeAt(0) - 48));
  }
  const accepted: { mask: number; position: number }[] = [];
  const counts: Record<string, number> = {};
  statuses.forEach((row, k) =>
    row.forEach((s, position) => {
      const name = PKG_STATUS[s] ?? `status-${s}`;
      counts[name] = (counts[name] ?? 0) + 1;
      if (s === 0) accepted.push({ mask: masks[k], position: tried[position] });
    })
  );
  return { target, genuine: genuine[1], positions, tried: [...tried], masks, statuses, accepted, counts, passed: genuine[1] === "ok" && accepted.length === 0 && masks.length > 0 };
}

/** One row of {@link tamperSummary}. */
export interface TamperRegionRow {
  region: "header" | "model" | "signature";
  tried: number;
  refused: number;
  /** Status name -> count. */
  byStatus: Record<string, number>;
}

/** The tamper results per package region (header, model, signature), over all masks. */
export function tamperSummary(report: TamperReport, pkgBytes: number, headerBytes = 20, signatureBytes = 64): TamperRegionRow[] {
  const rows: TamperRegionRow[] = (["header", "model", "signature"] as const).map((region) => ({ region, tried: 0, refused: 0, byStatus: {} }));
  report.statuses.forEach((row) => row.forEach((s, j) => {
    const pos = report.tried[j];
    const r = rows[pos < headerBytes ? 0 : pos < pkgBytes - signatureBytes ? 1 : 2];
    const name = PKG_STATUS[s] ?? `status-${s}`;
    r.tried++;
    if (s !== 0) r.refused++;
    r.byStatus[name] = (r.byStatus[name] ?? 0) + 1;
  }));
  return rows;
}

/** True when arm-none-eabi-gcc and qemu-system-arm are both installed. */
export function cortexM4Available(): boolean {
  return Boolean(findExecutable("arm-none-eabi-gcc") && findExecutable("qemu-system-arm"));
}

/** Options of {@link runTamperOnCortexM4}. */
export interface TamperRunOptions extends TamperOptions {
  /** Wall-clock limit of the QEMU run (default 300 s). */
  timeoutMs?: number;
  /** Where the firmware is built (default: a temp folder, removed afterwards). */
  outDir?: string;
}

/**
 * The tamper experiment on the emulated Cortex-M4F (arm-none-eabi-gcc -O2, QEMU mps2-an386): the C verifier
 * must accept the genuine package and refuse every single-byte change.
 * @example
 * const r = await runTamperOnCortexM4(pkg, key.publicKey);
 * r.passed // true
 */
export async function runTamperOnCortexM4(pkg: Uint8Array, publicKey: Uint8Array, options: TamperRunOptions = {}): Promise<TamperReport> {
  const dir = options.outDir ?? mkdtempSync(join(tmpdir(), "tinyml-tamper-"));
  mkdirSync(dir, { recursive: true });
  try {
    const main = join(dir, "tamper_main.c");
    writeFileSync(main, tamperFirmwareC(pkg, publicKey, options));
    const build = await buildCortexM4([main, ...VERIFIER_C_FILES.map((f) => join(SECURITY_C_DIR, f))], [SECURITY_C_DIR], { outDir: dir, cflags: ["-std=c99"] });
    const run = await runCortexM4(build.elfPath, { timeoutMs: options.timeoutMs ?? 300_000 });
    if (run.timedOut) throw new TamperRunError(`QEMU run timed out after ${run.wallMs} ms`, run.output);
    return { ...parseTamperTranscript(run.output, options.positions ?? Array.from(pkg, (_, i) => i), "cortex-m4 (qemu)"), flashBytes: build.flashBytes, ramBytes: build.ramBytes, wallMs: run.wallMs };
  } finally {
    if (!options.outDir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same experiment compiled with the host's C compiler (fast; for comparing and for machines without QEMU).
 */
export function runTamperOnHost(pkg: Uint8Array, publicKey: Uint8Array, options: TamperOptions & { cc?: string } = {}): TamperReport {
  const dir = mkdtempSync(join(tmpdir(), "tinyml-tamper-host-"));
  try {
    const main = join(dir, "tamper_main.c");
    writeFileSync(main, tamperFirmwareC(pkg, publicKey, options));
    const exe = join(dir, "tamper");
    execFileSync(options.cc ?? "cc", ["-std=c99", "-O2", "-Wall", `-I${SECURITY_C_DIR}`, main, ...VERIFIER_C_FILES.map((f) => join(SECURITY_C_DIR, f)), "-o", exe]);
    const started = Date.now();
    const out = execFileSync(exe, { encoding: "utf8", maxBuffer: 64 << 20 });
    return { ...parseTamperTranscript(out, options.positions ?? Array.from(pkg, (_, i) => i), "host"), flashBytes: null, ramBytes: null, wallMs: Date.now() - started };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The C verifier compiled for the host, driven line by line (see c/host/verify_cli.c). */
export interface HostVerifier {
  /** tinyml_ed25519_verify on each (publicKey, signature, message). */
  verify(items: readonly { publicKey: Uint8Array; signature: Uint8Array; message: Uint8Array }[]): boolean[];
  /** tinyml_pkg_verify's status name for each package. */
  checkPackages(publicKey: Uint8Array, packages: readonly Uint8Array[]): string[];
  /** tinyml_sha512 of each input. */
  sha512(inputs: readonly Uint8Array[]): Uint8Array[];
  /** tinyml_ed25519_selftest: the built-in curve constants match their definitions. */
  selftest(): boolean;
  /**
   * Field arithmetic mod 2^255 - 19 on raw 256-bit little-endian inputs (test hook): op "+", "-", "*",
   * "s" (square), "i" (inverse), "q" (a^((p-5)/8)); results canonical.
   */
  field(ops: readonly { op: "+" | "-" | "*" | "s" | "i" | "q"; a: Uint8Array; b: Uint8Array }[]): Uint8Array[];
  /** Removes the compiled program. */
  dispose(): void;
}

function hexOf(b: Uint8Array): string {
  return b.length ? Array.from(b, (v) => v.toString(16).padStart(2, "0")).join("") : "-";
}

/**
 * Compiles the C verifier with the host compiler (`cc`, C99, -Wall -Wextra -Werror) into a small test driver.
 * @example
 * const v = buildHostVerifier();
 * v.verify([{ publicKey, signature, message }]) // [true]
 */
export function buildHostVerifier(cc = "cc"): HostVerifier {
  const dir = mkdtempSync(join(tmpdir(), "tinyml-verify-cli-"));
  const exe = join(dir, "verify_cli");
  execFileSync(cc, [
    "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic", "-DTINYML_ED25519_TESTING", `-I${SECURITY_C_DIR}`,
    join(SECURITY_C_DIR, "host", "verify_cli.c"), ...VERIFIER_C_FILES.map((f) => join(SECURITY_C_DIR, f)), "-o", exe,
  ], { stdio: "pipe" });
  // Commands and answers go through files: piping large inputs through execFileSync can stall in some runtimes.
  const run = (lines: string[]): string[] => {
    if (lines.length === 0) return [];
    const inFile = join(dir, "in.txt"), outFile = join(dir, "out.txt");
    writeFileSync(inFile, lines.join("\n") + "\n");
    execFileSync(exe, [inFile, outFile], { stdio: "ignore" });
    return readFileSync(outFile, "utf8").trimEnd().split("\n");
  };
  return {
    verify: (items) => run(items.map((it) => `V ${hexOf(it.publicKey)} ${hexOf(it.signature)} ${hexOf(it.message)}`)).map((l) => l === "1"),
    checkPackages: (publicKey, packages) => run(packages.map((p) => `P ${hexOf(publicKey)} ${hexOf(p)}`)),
    sha512: (inputs) => run(inputs.map((d) => `H ${hexOf(d)}`)).map((l) => Uint8Array.from(l.match(/../g)!, (x) => parseInt(x, 16))),
    selftest: () => run(["S"])[0] === "1",
    field: (ops) => run(ops.map((o) => `F ${o.op} ${hexOf(o.a)} ${hexOf(o.b)}`)).map((l) => Uint8Array.from(l.match(/../g)!, (x) => parseInt(x, 16))),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
