/**
 * Shared helpers of the codegen tests (and bench/deploy.ts): golden data from ../shared, host compilation of
 * generated C, tool detection.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Graph } from "../../lib/graph/types.ts";
import { readTflite } from "../../lib/tflite/mod.ts";
import { generateArduinoLibrary } from "../../lib/deploy/codegen/mod.ts";

/** `../shared/conformance/` next to the repository. */
export const CONFORMANCE = fileURLToPath(new URL("../../../shared/conformance/", import.meta.url));
export const GOLDEN = join(CONFORMANCE, "golden");
export const HAVE_SHARED = existsSync(join(GOLDEN, "manifest.json"));
if (!HAVE_SHARED) console.warn(`codegen tests: ${CONFORMANCE} is absent; golden-data tests are skipped`);

/** Is an executable on PATH? */
export function hasTool(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).status === 0;
}

export function loadModel(file: string): Graph {
  return readTflite(new Uint8Array(readFileSync(join(CONFORMANCE, file))));
}

export function golden(file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(GOLDEN, file)));
}

/** The golden test cases: model file, golden input/output files, input and output bytes per example. */
export const CASES = [
  { model: "hello_world_int8.tflite", name: "hello_world", input: "hello_world_int8.input.bin", output: "hello_world_int8.output.bin", inBytes: 1, outBytes: 1 },
  { model: "micro_speech_quantized.tflite", name: "micro_speech", input: "micro_speech_quantized.input.bin", output: "micro_speech_quantized.output.bin", inBytes: 1960, outBytes: 4 },
  { model: "person_detect.tflite", name: "person_detect", input: "person_detect.input.bin", output: "person_detect.output.bin", inBytes: 9216, outBytes: 2 },
  { model: "person_detect.tflite", name: "person_detect", input: "person_detect.images.input.bin", output: "person_detect.images.output.bin", inBytes: 9216, outBytes: 2 },
] as const;

/** Strict flags every generated file must compile cleanly with. */
export const STRICT = ["-Wall", "-Wextra", "-Werror", "-std=c99", "-pedantic"];

const C_TYPE: Record<string, string> = { int8: "int8_t", float32: "float", int32: "int32_t" };

/** A stdin -> stdout runner around a generated model: reads whole inputs, writes whole outputs (raw bytes). */
export function hostMain(name: string, inDtype = "int8", outDtype = "int8"): string {
  const N = name.toUpperCase();
  return `#include <stdio.h>
#include "${name}.h"
int main(void) {
  static ${C_TYPE[inDtype]} in[${N}_INPUT_SIZE];
  static ${C_TYPE[outDtype]} out[${N}_OUTPUT_SIZE];
  while (fread(in, 1, sizeof in, stdin) == sizeof in) {
    ${name}_invoke(in, out);
    if (fwrite(out, 1, sizeof out, stdout) != sizeof out) return 1;
  }
  return 0;
}
`;
}

/** Generates the library for a graph in a temp dir and builds the host runner with gcc; returns its path. */
export function buildHostRunner(graph: Graph, name: string, options: { fuse?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "tinyml-codegen-"));
  const lib = generateArduinoLibrary(graph, { name, outDir: join(dir, name), fuse: options.fuse });
  const dt = (t: number) => graph.tensors[t].dtype;
  writeFileSync(join(dir, "main.c"), hostMain(name, dt(graph.inputs[0]), dt(graph.outputs[0])));
  const exe = join(dir, "run");
  const r = spawnSync("gcc", [
    ...STRICT, "-O2", `-I${lib.srcDir}`, join(dir, "main.c"), join(lib.srcDir, `${name}_model.c`),
    join(lib.srcDir, "tinyml_kernels.c"), "-lm", "-o", exe,
  ], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`gcc failed:\n${r.stderr}`);
  return exe;
}

/** Runs a host runner on concatenated inputs; returns concatenated outputs. */
export function runHost(exe: string, input: Uint8Array): Uint8Array {
  const r = spawnSync(exe, [], { input, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${exe} exited with ${r.status}: ${r.stderr}`);
  return new Uint8Array(r.stdout);
}

/** Indices where two byte arrays differ (first few), for readable failures. */
export function diffs(a: Uint8Array, b: Uint8Array, max = 8): string[] {
  const out: string[] = [];
  if (a.length !== b.length) out.push(`length ${a.length} vs ${b.length}`);
  for (let i = 0; i < Math.min(a.length, b.length) && out.length < max; i++) {
    if (a[i] !== b[i]) out.push(`[${i}] ${(a[i] << 24) >> 24} vs ${(b[i] << 24) >> 24}`);
  }
  return out;
}
