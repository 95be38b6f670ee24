/**
 * Build and run plain C/C++ programs for a Cortex-M4F under QEMU's `mps2-an386` board (ARM's Cortex-M4 FPGA
 * image), with semihosting for stdout and exit.
 *
 * We bring our own vector table, reset handler (copy .data, zero .bss, enable the FPU, run constructors)
 * and linker script for the AN386 memory map: 4 MB SSRAM at 0x00000000 for code, 4 MB at 0x20000000 for data.
 * newlib's rdimon library turns printf/puts/exit into semihosting calls that QEMU answers.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { execa } from "execa";
import { ToolFailedError, ToolMissingError } from "../arduino/errors.ts";
import { readElfSizes } from "../arduino/size.ts";
import { runTool } from "../arduino/tools.ts";

/** Compiler flags for the Cortex-M4F with its single-precision FPU (as on the nRF52840). */
export const CORTEX_M4_FLAGS: readonly string[] = [
  "-mcpu=cortex-m4",
  "-mthumb",
  "-mfloat-abi=hard",
  "-mfpu=fpv4-sp-d16",
];

/** Startup code: vector table and reset handler. Faults print a line and exit with status 1. */
export const CORTEX_M4_STARTUP_C = String.raw`/* tinyml-kit minimal Cortex-M4 startup for QEMU mps2-an386 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
extern int main(void);
extern void __libc_init_array(void);
extern void initialise_monitor_handles(void);

/* Keep GCC from turning the copy loops into memcpy/memset calls made before .data exists. */
__attribute__((optimize("no-tree-loop-distribute-patterns"), noreturn))
void Reset_Handler(void) {
  /* CP10/CP11 full access: the FPU must be on before any float instruction. */
  *(volatile uint32_t *)0xE000ED88u |= (0xFu << 20);
  __asm volatile("dsb\n isb");
  uint32_t *src = &_sidata, *dst = &_sdata;
  while (dst < &_edata) *dst++ = *src++;
  for (dst = &_sbss; dst < &_ebss;) *dst++ = 0;
  initialise_monitor_handles();
  __libc_init_array();
  exit(main());
}

/* -nostartfiles drops crti/crtn; constructors run from .init_array, so these stay empty. */
void _init(void) {}
void _fini(void) {}
/* Static C++ objects with destructors register them against __dso_handle (normally from crtbegin.o). */
__attribute__((weak)) void *__dso_handle = 0;

static void fault(const char *what) {
  printf("FAULT %s\n", what);
  exit(1);
}
void NMI_Handler(void) { fault("NMI"); }
void HardFault_Handler(void) { fault("HardFault"); }
void MemManage_Handler(void) { fault("MemManage"); }
void BusFault_Handler(void) { fault("BusFault"); }
void UsageFault_Handler(void) { fault("UsageFault"); }
void Default_Handler(void) { fault("unexpected interrupt"); }

__attribute__((section(".isr_vector"), used))
void (*const tinyml_vectors[16])(void) = {
  (void (*)(void))&_estack, Reset_Handler, NMI_Handler, HardFault_Handler,
  MemManage_Handler, BusFault_Handler, UsageFault_Handler, 0, 0, 0, 0,
  Default_Handler, Default_Handler, 0, Default_Handler, Default_Handler,
};
`;

/** Linker script for the AN386 memory map. */
export const CORTEX_M4_LINKER_SCRIPT = `/* tinyml-kit: QEMU mps2-an386 (Cortex-M4F) */
MEMORY
{
  FLASH (rx)  : ORIGIN = 0x00000000, LENGTH = 4M
  RAM   (rwx) : ORIGIN = 0x20000000, LENGTH = 4M
}
ENTRY(Reset_Handler)
_estack = ORIGIN(RAM) + LENGTH(RAM);
SECTIONS
{
  .isr_vector : { KEEP(*(.isr_vector)) } > FLASH
  .text : {
    *(.text*) *(.rodata*)
    KEEP(*(.init)) KEEP(*(.fini))
    . = ALIGN(4);
  } > FLASH
  .ARM.extab : { *(.ARM.extab* .gnu.linkonce.armextab.*) } > FLASH
  .ARM.exidx : { __exidx_start = .; *(.ARM.exidx* .gnu.linkonce.armexidx.*) __exidx_end = .; } > FLASH
  .preinit_array : {
    PROVIDE_HIDDEN(__preinit_array_start = .); KEEP(*(.preinit_array*)); PROVIDE_HIDDEN(__preinit_array_end = .);
  } > FLASH
  .init_array : {
    PROVIDE_HIDDEN(__init_array_start = .); KEEP(*(SORT(.init_array.*))) KEEP(*(.init_array*)); PROVIDE_HIDDEN(__init_array_end = .);
  } > FLASH
  .fini_array : {
    PROVIDE_HIDDEN(__fini_array_start = .); KEEP(*(SORT(.fini_array.*))) KEEP(*(.fini_array*)); PROVIDE_HIDDEN(__fini_array_end = .);
  } > FLASH
  _sidata = LOADADDR(.data);
  .data : { . = ALIGN(4); _sdata = .; *(.data*) . = ALIGN(4); _edata = .; } > RAM AT > FLASH
  .bss (NOLOAD) : { . = ALIGN(4); _sbss = .; *(.bss*) *(COMMON) . = ALIGN(4); _ebss = .; } > RAM
  . = ALIGN(8);
  PROVIDE(end = .);
  PROVIDE(_end = .);
  PROVIDE(__end__ = .);
}
`;

/** Options for {@link buildCortexM4}. */
export interface BuildCortexM4Options {
  /** Where objects and the ELF go (default: a fresh temp dir). */
  outDir?: string;
  /** ELF file name (default "firmware.elf"). */
  name?: string;
  /** Extra flags for every compile (e.g. "-O3", "-DNDEBUG"). Default optimisation is -O2. */
  cflags?: readonly string[];
  /** Leave out our startup (when the sources bring their own vector table and Reset_Handler). */
  noStartup?: boolean;
  gcc?: string;
}

/** A linked Cortex-M4 image. */
export interface CortexM4Build {
  elfPath: string;
  /** Code + read-only data + initial values of .data. */
  flashBytes: number;
  /** .data + .bss (the 4 MB stack/heap region comes on top). */
  ramBytes: number;
  sections: Record<string, number>;
  /** What the compiler printed (warnings). */
  log: string;
}

/**
 * Compile and link C/C++ files into an ELF for QEMU mps2-an386.
 * @example
 * const b = await buildCortexM4(["hello.c"], []);
 * const r = await runCortexM4(b.elfPath); // r.output === "hello\n"
 */
export async function buildCortexM4(
  cFiles: readonly string[],
  includeDirs: readonly string[] = [],
  options: BuildCortexM4Options = {},
): Promise<CortexM4Build> {
  const outDir = resolve(options.outDir ?? mkdtempSync(join(tmpdir(), "tinyml-m4-")));
  mkdirSync(outDir, { recursive: true });
  const startup = join(outDir, "tinyml_startup.c");
  const ld = join(outDir, "an386.ld");
  writeFileSync(startup, CORTEX_M4_STARTUP_C);
  writeFileSync(ld, CORTEX_M4_LINKER_SCRIPT);
  const sources = [...cFiles.map((f) => resolve(f)), ...(options.noStartup ? [] : [startup])];
  // Always the C driver: it compiles .cpp as C++ too, and does not link libstdc++, which Debian ships in a
  // separate package (libstdc++-arm-none-eabi-newlib). Code that needs the C++ library must add it itself.
  const gcc = options.gcc ?? "arm-none-eabi-gcc";
  const elfPath = join(outDir, options.name ?? "firmware.elf");
  const common = [...CORTEX_M4_FLAGS, "-O2", "-g", "-ffunction-sections", "-fdata-sections"];
  const includes = includeDirs.map((d) => `-I${resolve(d)}`);
  let log = "";
  const objects: string[] = [];
  try {
    // One compile per file, so C++-only flags reach only C++ files (and .ino is compiled as C++).
    for (const [i, src] of sources.entries()) {
      const isCpp = /\.(cpp|cc|cxx|ino)$/.test(src);
      const obj = join(outDir, `${i}_${basename(src).replace(/\W/g, "_")}.o`);
      const lang = src.endsWith(".ino") ? ["-x", "c++"] : [];
      const cxx = isCpp ? ["-fno-exceptions", "-fno-rtti", "-fno-threadsafe-statics"] : [];
      const run = await runTool(gcc, [...common, ...cxx, ...(options.cflags ?? []), ...includes, "-c", ...lang, src, "-o", obj], {
        cwd: outDir,
        timeoutMs: 300_000,
      });
      log += run.stdout + run.stderr;
      objects.push(obj);
    }
    const link = await runTool(gcc, [
      ...common,
      ...objects,
      "--specs=nano.specs",
      "--specs=rdimon.specs",
      "-nostartfiles",
      `-T${ld}`,
      "-Wl,--gc-sections",
      "-o",
      elfPath,
      "-lm",
    ], { cwd: outDir, timeoutMs: 300_000 });
    log += link.stdout + link.stderr;
  } catch (e) {
    if (e instanceof ToolMissingError) throw new ToolMissingError("arm-none-eabi-gcc");
    throw e;
  }
  const sizes = await readElfSizes(elfPath, "arm-none-eabi-size");
  return { elfPath, flashBytes: sizes.flashBytes, ramBytes: sizes.ramBytes, sections: sizes.sections, log };
}

/** Options for {@link runCortexM4}. */
export interface RunCortexM4Options {
  /** Wall-clock limit (default 30 s). */
  timeoutMs?: number;
  /**
   * Count executed instructions from QEMU's `-d in_asm,exec,nochain` log. The log grows by ~16 MB per
   * million instructions and slows QEMU down a lot: use it for small programs. Off by default.
   */
  countInstructions?: boolean;
  qemu?: string;
}

/** What a QEMU run printed and how it ended. */
export interface CortexM4Run {
  /** Everything the program wrote through semihosting (stdout). */
  output: string;
  /** The program's exit status (main's return value; 1 after a fault), passed through by semihosting. */
  exitCode: number;
  /** QEMU's stderr (normally empty). */
  stderr: string;
  timedOut: boolean;
  /** Guest instructions executed, when counted. */
  instructions: number | null;
  wallMs: number;
}

/**
 * Run an ELF on QEMU's mps2-an386 (Cortex-M4F) and capture its semihosted output.
 * @example const r = await runCortexM4(elf, { timeoutMs: 10_000 });
 */
export async function runCortexM4(elfPath: string, options: RunCortexM4Options = {}): Promise<CortexM4Run> {
  const qemu = options.qemu ?? "qemu-system-arm";
  const traceDir = options.countInstructions ? mkdtempSync(join(tmpdir(), "tinyml-qemu-trace-")) : null;
  const args = [
    "-M", "mps2-an386",
    "-cpu", "cortex-m4",
    "-display", "none",
    "-monitor", "none",
    "-serial", "none",
    "-semihosting-config", "enable=on,target=native",
    "-kernel", resolve(elfPath),
    ...(traceDir ? ["-d", "in_asm,exec,nochain", "-D", join(traceDir, "exec.log")] : []),
  ];
  const started = Date.now();
  const result = await execa(qemu, args, {
    reject: false,
    timeout: options.timeoutMs ?? 30_000,
    stdin: "ignore",
    stripFinalNewline: false,
  });
  if ((result as { code?: string }).code === "ENOENT") throw new ToolMissingError("qemu-system-arm");
  const wallMs = Date.now() - started;
  const stderr = String(result.stderr ?? "");
  // QEMU's own failures (bad ELF, unknown machine) print "qemu-system-arm: …"; the guest's exit codes do not.
  if (!result.timedOut && /^qemu-system-arm: /m.test(stderr)) {
    throw new ToolFailedError("qemu-system-arm", args, result.exitCode, String(result.stdout), stderr);
  }
  let instructions: number | null = null;
  if (traceDir) {
    instructions = countTraceInstructions(readFileSync(join(traceDir, "exec.log"), "utf8"));
    rmSync(traceDir, { recursive: true, force: true });
  }
  return {
    output: String(result.stdout ?? ""),
    exitCode: result.exitCode ?? -1,
    stderr,
    timedOut: Boolean(result.timedOut),
    instructions,
    wallMs,
  };
}

/**
 * Count executed guest instructions in a QEMU log made with `-d in_asm,exec,nochain`: the `IN:` sections list
 * each translated block's instructions once; every `Trace` line is one execution of the block at that PC
 * (nochain makes QEMU log every execution). A block cut short by an exception still counts in full, so
 * the count can be a few instructions high per semihosting call or fault.
 */
export function countTraceInstructions(log: string): number {
  const blockSize = new Map<number, number>();
  let current: number | null = null;
  let count = 0;
  let total = 0;
  for (const line of log.split("\n")) {
    if (line.startsWith("IN:")) {
      current = null;
      count = 0;
      continue;
    }
    const insn = /^0x([0-9a-f]+):\s/.exec(line);
    if (insn) {
      if (current === null) current = parseInt(insn[1], 16);
      count++;
      blockSize.set(current, count);
      continue;
    }
    const trace = /^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+\/([0-9a-f]+)\//.exec(line);
    if (trace) total += blockSize.get(parseInt(trace[1], 16)) ?? 0;
  }
  return total;
}
