/**
 * What the keyword spotter costs the Cortex-M4: instructions per frontend frame and per model inference.
 *
 * QEMU runs with `-icount shift=0`, so its virtual clock advances exactly 1 ns per executed instruction, and the
 * Cortex-M4's SysTick timer (clocked at the mps2-an386's 25 MHz) then ticks once every 40 instructions. The
 * programs read SysTick around the measured code: exact to ±40 instructions, deterministic, and without the huge
 * execution trace that counting by log needs. A Cortex-M4 runs roughly one instruction per cycle on this kind of
 * integer code, so instructions / clock approximates the time on the board.
 *
 * @module
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { ToolMissingError } from "../arduino/errors.ts";
import { buildCortexM4 } from "../emulate/cortexm4.ts";
import { parseHarness } from "../emulate/harness.ts";
import type { Graph } from "../../graph/types.ts";
import { cRows } from "../codegen/c_source.ts";
import { generateArduinoLibrary } from "../codegen/library.ts";
import { writeFrontendC } from "./frontend_c.ts";
import { KwsCheckError, KwsInputError } from "./errors.ts";
import { KwsStreamer, type KwsStreamSettings } from "./stream.ts";

/** Instructions per SysTick tick under `-icount shift=0` on mps2-an386 (1 ns per instruction, 25 MHz SysTick). */
export const INSTRUCTIONS_PER_TICK = 40;

/** Instruction counts of the spotter's two parts and what they mean per 20 ms hop. */
export interface KwsCost {
  frontendInstructionsPerFrame: number;
  modelInstructionsPerInference: number;
  /** Frontend every hop + the model every `strideFrames` hops, averaged per hop. */
  instructionsPerHop: number;
  /** instructionsPerHop at one instruction per cycle, as a share of the hop at the board's clock (1 = 100%). */
  cpuShare: number;
}

const SYSTICK_C = String.raw`#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
static void systick_start(void) { SYST_RVR = 0xFFFFFFu; SYST_CVR = 0; SYST_CSR = 5u; }
/* SysTick counts down from 0xFFFFFF; the difference of two reads, modulo 2^24. */
static uint32_t ticks_since(uint32_t start) { return (start - SYST_CVR) & 0xFFFFFFu; }
`;

/** Runs an ELF in QEMU with the instruction-counting clock; returns its transcript's fields. */
async function runIcount(elfPath: string, timeoutMs: number): Promise<Record<string, string>> {
  const result = await execa("qemu-system-arm", [
    "-M", "mps2-an386", "-cpu", "cortex-m4", "-display", "none", "-monitor", "none", "-serial", "none",
    "-semihosting-config", "enable=on,target=native", "-icount", "shift=0,align=off,sleep=off", "-kernel", resolve(elfPath),
  ], { reject: false, timeout: timeoutMs, stdin: "ignore" });
  if ((result as { code?: string }).code === "ENOENT") throw new ToolMissingError("qemu-system-arm");
  const parsed = parseHarness(String(result.stdout ?? ""));
  if (result.exitCode !== 0 || !parsed.ended) {
    throw new KwsCheckError(`the profiling program did not finish (exit ${result.exitCode}): ${String(result.stdout).slice(-300)} ${String(result.stderr).slice(-300)}`);
  }
  return parsed.fields;
}

function cArray(type: string, name: string, values: ArrayLike<number>): string {
  return `static const ${type} ${name}[${Math.max(1, values.length)}] = {\n${cRows(values, 24) || "  0,"}\n};`;
}

/** Instructions per frame of the C frontend on `clip` (the mean over every frame of the clip). */
export async function countFrontendInstructions(clip: Int16Array, timeoutMs = 120_000): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "tinyml-kws-fe-cost-"));
  try {
    const files = writeFrontendC(dir);
    const main = join(dir, "cost_main.c");
    writeFileSync(main, [
      "#include <stdio.h>", "#include <stdint.h>", '#include "tinyml_frontend.h"', SYSTICK_C,
      cArray("int16_t", "kClip", clip),
      "static tmlf_state st;",
      "int main(void) {",
      "  uint16_t feat[TMLF_NUM_CHANNELS];",
      "  uint32_t ticks = 0, frames = 0, pos = 0;",
      "  tmlf_reset(&st);",
      "  systick_start();",
      `  while (pos < ${clip.length}u) {`,
      "    size_t read = 0;",
      "    uint32_t t0 = SYST_CVR;",
      `    int ready = tmlf_process_samples(&st, kClip + pos, ${clip.length}u - pos, &read, feat);`,
      "    ticks += ticks_since(t0);",
      "    pos += (uint32_t)read;",
      "    frames += (uint32_t)ready;",
      "  }",
      '  printf("FRAMES %lu\\nTICKS %lu\\nEND\\n", (unsigned long)frames, (unsigned long)ticks);',
      "  return 0;",
      "}", "",
    ].join("\n"));
    const build = await buildCortexM4([main, ...files.filter((f) => f.endsWith(".c"))], [dir], { outDir: join(dir, "m4") });
    const f = await runIcount(build.elfPath, timeoutMs);
    const frames = Number(f.FRAMES);
    if (!(frames > 0)) throw new KwsCheckError(`the clip of ${clip.length} samples gave no frame to measure`);
    return Math.round((Number(f.TICKS) * INSTRUCTIONS_PER_TICK) / frames);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Instructions of one inference of a generated model library (`libSrcDir` holds `<model>.h`, `<model>_model.c`
 * and the kernels) on `input`.
 */
export async function countModelInstructions(libSrcDir: string, model: string, input: Int8Array, timeoutMs = 120_000): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "tinyml-kws-cost-"));
  try {
    mkdirSync(dir, { recursive: true });
    const main = join(dir, "cost_main.c");
    writeFileSync(main, [
      "#include <stdio.h>", "#include <stdint.h>", "#include <string.h>", `#include "${model}.h"`, SYSTICK_C,
      cArray("int8_t", "kInput", input),
      "int main(void) {",
      "  systick_start();",
      `  memcpy(${model}_input(), kInput, sizeof kInput);`,
      "  uint32_t t0 = SYST_CVR;",
      `  ${model}_run();`,
      "  uint32_t ticks = ticks_since(t0);",
      `  printf("TICKS %lu\\nOUT %02x\\nEND\\n", (unsigned long)ticks, (unsigned)(uint8_t)${model}_output()[0]);`,
      "  return 0;",
      "}", "",
    ].join("\n"));
    const libC = readdirSync(libSrcDir).filter((f) => f.endsWith(".c")).map((f) => join(libSrcDir, f));
    const build = await buildCortexM4([main, ...libC], [libSrcDir], { outDir: join(dir, "m4") });
    const f = await runIcount(build.elfPath, timeoutMs);
    return Number(f.TICKS) * INSTRUCTIONS_PER_TICK;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Counts the frontend's instructions per frame (on `clip`) and the model's per inference (on `input`), and
 * what they take of each hop when the model runs every `strideFrames` hops.
 * @example
 * const cost = await measureKwsCost({ libSrcDir, model: "deploy_kws", clip, input, strideFrames: 3, clockHz: 64e6 });
 * cost.cpuShare // e.g. 0.6
 */
export async function measureKwsCost(o: {
  libSrcDir: string;
  model: string;
  clip: Int16Array;
  input: Int8Array;
  strideFrames: number;
  clockHz: number;
  hopMs?: number;
}): Promise<KwsCost> {
  const frontend = await countFrontendInstructions(o.clip);
  const modelInstr = await countModelInstructions(o.libSrcDir, o.model, o.input);
  const perHop = frontend + modelInstr / o.strideFrames;
  const hopCycles = (o.clockHz * (o.hopMs ?? 20)) / 1000;
  return {
    frontendInstructionsPerFrame: frontend,
    modelInstructionsPerInference: modelInstr,
    instructionsPerHop: Math.round(perHop),
    cpuShare: perHop / hopCycles,
  };
}

/** Instructions of the two parts, before choosing how often the model runs. */
export interface KwsWork {
  frontendInstructionsPerFrame: number;
  modelInstructionsPerInference: number;
}

/**
 * Counts a model's instructions per inference (its generated C library, built for the Cortex-M4) and the
 * frontend's per frame, on `clip`'s window: what a stride decision needs, before deploying.
 * @example
 * const work = await profileKws(q.graph, clip);
 * const stride = strideForBudget(work, 64e6); // smallest stride that leaves 20% of the CPU free
 */
export async function profileKws(graph: Graph, clip: Int16Array, settings?: KwsStreamSettings): Promise<KwsWork> {
  const dir = mkdtempSync(join(tmpdir(), "tinyml-kws-profile-"));
  try {
    const lib = generateArduinoLibrary(graph, { name: "kws_profile", outDir: dir });
    const s = settings ?? { frames: lib.inputBytes / 40, channels: 40 };
    const ks = new KwsStreamer(graph, { ...streamSettingsFor(graph, s.frames, s.channels), strideFrames: 1 << 30 });
    ks.push(clip);
    return {
      frontendInstructionsPerFrame: await countFrontendInstructions(clip),
      modelInstructionsPerInference: await countModelInstructions(lib.srcDir, "kws_profile", ks.window()),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The CPU share (1 = 100%) of the spotter when the model runs every `strideFrames` hops. */
export function cpuShare(work: KwsWork, strideFrames: number, clockHz: number, hopMs = 20): number {
  return (work.frontendInstructionsPerFrame + work.modelInstructionsPerInference / strideFrames) / ((clockHz * hopMs) / 1000);
}

/**
 * The smallest inference stride (in hops) whose CPU share stays within `budget` (default 0.8: leave a fifth of the
 * CPU for the microphone, Serial and mbed OS). Throws KwsInputError when even the frontend alone does not fit.
 */
export function strideForBudget(work: KwsWork, clockHz: number, budget = 0.8, hopMs = 20, maxStride = 49): number {
  for (let stride = 1; stride <= maxStride; stride++) if (cpuShare(work, stride, clockHz, hopMs) <= budget) return stride;
  throw new KwsInputError(
    `the spotter needs more than ${Math.round(100 * budget)}% of the ${clockHz / 1e6} MHz CPU even with one inference per second ` +
      `(frontend ${work.frontendInstructionsPerFrame} instructions per frame, model ${work.modelInstructionsPerInference} per inference): use a smaller model`,
  );
}

/** Stream settings with only what the profiler needs (frames, channels); the rest are defaults. */
function streamSettingsFor(graph: Graph, frames: number, channels: number): KwsStreamSettings {
  const outSize = graph.tensors[graph.outputs[0]].shape.reduce((a, b) => a * b, 1);
  return { strideFrames: 1, averageWindow: 1, thresholdCode: 255, suppressFrames: 0, isKeyword: new Array(outSize).fill(1), frames, channels, hopMs: 20, inputLut: null };
}
