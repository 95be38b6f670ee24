/**
 * Instructions per inference on a Cortex-M4 (QEMU's mps2-an386): the same pin-toggle idea as the AVR timing,
 * but QEMU is not cycle-accurate, so we count executed instructions instead. Two tiny marker functions frame
 * every `invoke`; QEMU logs each executed translation block (`-d in_asm,exec,nochain`), and the instructions
 * between a "begin" marker and the next "end" marker are one run's count.
 *
 * On a real Cortex-M4 most of these instructions take one cycle (loads, multiplies and taken branches take
 * 2–3), so the count is a lower bound on cycles and a good guide to relative speed.
 *
 * @module
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import type { Graph } from "../../graph/types.ts";
import { kernelDir } from "../../deploy/codegen/kernels.ts";
import { emitModelC } from "../../deploy/codegen/model.ts";
import { buildCortexM4 } from "../../deploy/emulate/cortexm4.ts";
import { HARNESS_C_SNIPPET, parseHarness } from "../../deploy/emulate/harness.ts";
import { runTool } from "../../deploy/arduino/tools.ts";
import { cRows } from "../../deploy/codegen/c_source.ts";
import { DeploymentLessonError } from "./errors.ts";

/** Options of {@link measureCortexM4Inference}. */
export interface CortexM4TimingOptions {
  /** Timed inferences (default 5); the samples are used in turn. */
  runs?: number;
  name?: string;
  outDir?: string;
  /** QEMU wall-clock limit in ms (default 120 s). Logging every block is slow: keep runs × model small. */
  timeoutMs?: number;
}

/** What {@link measureCortexM4Inference} measured. */
export interface CortexM4Timing {
  /** Executed instructions of each timed `invoke`, in run order. */
  instructions: number[];
  /** Each run's output bytes as the firmware printed them. */
  outputs: Uint8Array[];
  flashBytes: number;
  ramBytes: number;
  buildDir: string;
}

/**
 * Splits a QEMU `-d in_asm,exec,nochain` log into runs: the instructions executed from each execution of the
 * block at `beginPc` up to the next execution of the block at `endPc` (the begin marker's own block counted,
 * the end marker's not). Returns one count per begin/end pair.
 */
export function countInstructionsBetween(log: string, beginPc: number, endPc: number): number[] {
  const blockSize = new Map<number, number>();
  let current: number | null = null;
  let inBlock = 0;
  let counting = false;
  let total = 0;
  const counts: number[] = [];
  for (const line of log.split("\n")) {
    if (line.startsWith("IN:")) {
      current = null;
      inBlock = 0;
      continue;
    }
    const insn = /^0x([0-9a-f]+):\s/.exec(line);
    if (insn) {
      if (current === null) current = parseInt(insn[1], 16);
      blockSize.set(current, ++inBlock);
      continue;
    }
    const trace = /^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+\/([0-9a-f]+)\//.exec(line);
    if (!trace) continue;
    const pc = parseInt(trace[1], 16);
    if (pc === beginPc) {
      counting = true;
      total = 0;
    } else if (pc === endPc && counting) {
      counts.push(total);
      counting = false;
      continue;
    }
    if (counting) total += blockSize.get(pc) ?? 0;
  }
  return counts;
}

/** Address of a function symbol in an ELF (Thumb bit cleared), from arm-none-eabi-nm. */
async function symbolAddress(elf: string, symbol: string): Promise<number> {
  const nm = await runTool("arm-none-eabi-nm", [elf]);
  const m = new RegExp(`^([0-9a-f]+) [Tt] ${symbol}$`, "m").exec(nm.stdout);
  if (!m) throw new DeploymentLessonError(`symbol ${symbol} not found in ${elf}`);
  return parseInt(m[1], 16) & ~1;
}

/**
 * Builds the model for a Cortex-M4 and runs it `runs` times in QEMU, counting each `invoke`'s executed
 * instructions. Needs arm-none-eabi-gcc and qemu-system-arm.
 *
 * @example
 * const t = await measureCortexM4Inference(q.graph, samples, { runs: 5 });
 * t.instructions // e.g. [61234, 61234, …]
 */
export async function measureCortexM4Inference(graph: Graph, samples: readonly (Int8Array | Uint8Array)[], options: CortexM4TimingOptions = {}): Promise<CortexM4Timing> {
  const runs = options.runs ?? 5;
  if (!Number.isInteger(runs) || runs < 1 || runs > 1000) throw new DeploymentLessonError(`runs must be an integer in 1..1000, got ${runs}`);
  if (samples.length === 0) throw new DeploymentLessonError("measureCortexM4Inference needs at least one sample (a quantized input)");
  const name = options.name ?? "timed";
  const model = emitModelC(graph, { name });
  samples.forEach((s, i) => {
    if (s.length !== model.inputBytes) throw new DeploymentLessonError(`sample ${i} has ${s.length} values; the model takes ${model.inputBytes}`);
  });
  const dir = resolve(options.outDir ?? mkdtempSync(join(tmpdir(), "tinyml-m4-timing-")));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.h`), model.header);
  writeFileSync(join(dir, `${name}_model.c`), model.source);
  const outType = graph.tensors[graph.outputs[0]].dtype === "float32" ? "float" : "int8_t";
  writeFileSync(join(dir, "main.c"), [
    `#include "${name}.h"`,
    HARNESS_C_SNIPPET,
    "/* The markers: empty, never inlined, so each is its own block in QEMU's log. */",
    `__attribute__((noinline)) void tinyml_begin(void) { __asm volatile(""); }`,
    `__attribute__((noinline)) void tinyml_end_run(void) { __asm volatile(""); }`,
    `static const uint8_t samples[${samples.length}][${model.inputBytes}] = {`,
    ...samples.map((s) => `  {\n${cRows(new Uint8Array(s.buffer, s.byteOffset, s.byteLength), 24, "    ")}\n  },`),
    "};",
    `static ${outType} output[${name.toUpperCase()}_OUTPUT_SIZE];`,
    "int main(void) {",
    `  for (int r = 0; r < ${runs}; r++) {`,
    "    tinyml_begin();",
    `    ${name}_invoke((const void*)samples[r % ${samples.length}], output);`,
    "    tinyml_end_run();",
    "    tinyml_out((const uint8_t*)(const void*)output, sizeof output);",
    "  }",
    "  tinyml_end();",
    "  return 0;",
    "}",
    "",
  ].join("\n"));
  const build = await buildCortexM4([join(dir, "main.c"), join(dir, `${name}_model.c`), join(kernelDir(), "tinyml_kernels.c")], [dir, kernelDir()], { outDir: dir });
  const [beginPc, endPc] = await Promise.all([symbolAddress(build.elfPath, "tinyml_begin"), symbolAddress(build.elfPath, "tinyml_end_run")]);
  const logPath = join(dir, "exec.log");
  const result = await execa("qemu-system-arm", [
    "-M", "mps2-an386", "-cpu", "cortex-m4", "-display", "none", "-monitor", "none", "-serial", "none",
    "-semihosting-config", "enable=on,target=native", "-kernel", build.elfPath,
    "-d", "in_asm,exec,nochain", "-D", logPath,
  ], { reject: false, timeout: options.timeoutMs ?? 120_000, stdin: "ignore" });
  if ((result as { code?: string }).code === "ENOENT") throw new DeploymentLessonError("qemu-system-arm is not installed (Debian: apt-get install qemu-system-arm)");
  const parsed = parseHarness(String(result.stdout ?? ""));
  if (result.timedOut || !parsed.ended) {
    throw new DeploymentLessonError(`QEMU ${result.timedOut ? "timed out" : "stopped early"} after ${parsed.outputs.length} of ${runs} runs; use fewer runs or a smaller model`);
  }
  const instructions = countInstructionsBetween(readFileSync(logPath, "utf8"), beginPc, endPc);
  rmSync(logPath, { force: true });
  if (instructions.length !== runs) throw new DeploymentLessonError(`found ${instructions.length} timed runs in QEMU's log, expected ${runs}`);
  return { instructions, outputs: parsed.outputs, flashBytes: build.flashBytes, ramBytes: build.ramBytes, buildDir: dir };
}
