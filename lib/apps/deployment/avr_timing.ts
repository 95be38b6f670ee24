/**
 * Cycles per inference on an AVR, measured the way MLPerf Tiny's harness times a real board: a GPIO pin goes
 * high right before `invoke` and low right after. Here the "pin" is PORTB of an emulated ATmega (avr8js,
 * cycle-exact), and a write hook notes the CPU's cycle counter at both edges, so every run's cycles are exact.
 *
 * The firmware is bare (no Arduino core, no timer interrupts): the generated model C, the kernels and a small
 * `main` built with avr-gcc `-Os` (as the Arduino IDE builds sketches).
 *
 * @module
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { avrInstruction, CPU } from "avr8js";
import type { Graph } from "../../graph/types.ts";
import { kernelDir } from "../../deploy/codegen/kernels.ts";
import { emitModelC } from "../../deploy/codegen/model.ts";
import { AVR_MCUS, type AvrMcu } from "../../deploy/emulate/avr.ts";
import { parseIntelHex } from "../../deploy/emulate/intelhex.ts";
import { readElfSizes } from "../../deploy/arduino/size.ts";
import { runTool } from "../../deploy/arduino/tools.ts";
import { cRows } from "../../deploy/codegen/c_source.ts";
import { DeploymentLessonError } from "./errors.ts";

/** Data-space addresses of the I/O registers the timing firmware writes (same on both chips). */
const PORTB = 0x25;
const GPIOR0 = 0x3e;
const GPIOR1 = 0x4a;

/** Options of {@link measureAvrInference}. */
export interface AvrTimingOptions {
  /** Timed inferences (default 10); the samples are used in turn. */
  runs?: number;
  mcu?: AvrMcu;
  /** Clock used to turn cycles into seconds (default 16 MHz). */
  clockHz?: number;
  /** C prefix of the generated model (default "timed"). */
  name?: string;
  /** Where sources, ELF and HEX go (default: a fresh temp folder). */
  outDir?: string;
  /** Give up after this many cycles in all (default 2e9). */
  maxCycles?: number;
}

/** What {@link measureAvrInference} measured. */
export interface AvrTiming {
  mcu: AvrMcu;
  clockHz: number;
  /** Cycles of each timed `invoke`, in run order (pin high → pin low). */
  cycles: number[];
  /** Each run's output bytes, as the firmware wrote them out (to check it computed the right thing). */
  outputs: Uint8Array[];
  /** Flash and static RAM of the timing firmware (model + kernels + a tiny main, no Arduino core). */
  flashBytes: number;
  ramBytes: number;
  buildDir: string;
}

/** The timing firmware's `main.c`. */
export function avrTimingMain(name: string, inputBytes: number, outputBytes: number, samples: readonly Uint8Array[], runs: number): string {
  return [
    `/* Timing firmware: PORTB high during ${name}_invoke, outputs byte by byte to GPIOR0, GPIOR1 = 1 when done. */`,
    "#include <avr/io.h>",
    "#include <avr/pgmspace.h>",
    "#include <string.h>",
    `#include "${name}.h"`,
    "",
    `static const uint8_t samples[${samples.length}][${inputBytes}] PROGMEM = {`,
    ...samples.map((s) => `  {\n${cRows(s, 24, "    ")}\n  },`),
    "};",
    `static int8_t input[${inputBytes}];`,
    `static int8_t output[${outputBytes}];`,
    "",
    "int main(void) {",
    "  DDRB = 0xff;",
    `  for (uint16_t r = 0; r < ${runs}; r++) {`,
    `    memcpy_P(input, samples[r % ${samples.length}], ${inputBytes});`,
    "    PORTB = 1;",
    `    ${name}_invoke(input, output);`,
    "    PORTB = 0;",
    `    for (uint16_t i = 0; i < ${outputBytes}; i++) GPIOR0 = (uint8_t)output[i];`,
    "  }",
    "  GPIOR1 = 1;",
    "  for (;;) {}",
    "}",
    "",
  ].join("\n");
}

function asBytes(a: Int8Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Builds the model for an ATmega with avr-gcc and runs it `runs` times in avr8js, timing each `invoke` by the
 * cycle counter at the pin's edges. Needs avr-gcc and avr-objcopy (Debian gcc-avr).
 *
 * @example
 * const t = await measureAvrInference(q.graph, samples, { runs: 10 });
 * latencySummary(t.cycles, t.clockHz).medianMs
 */
export async function measureAvrInference(graph: Graph, samples: readonly (Int8Array | Uint8Array)[], options: AvrTimingOptions = {}): Promise<AvrTiming> {
  const runs = options.runs ?? 10;
  if (!Number.isInteger(runs) || runs < 1 || runs > 10_000) throw new DeploymentLessonError(`runs must be an integer in 1..10000, got ${runs}`);
  if (samples.length === 0) throw new DeploymentLessonError("measureAvrInference needs at least one sample (a quantized input)");
  const name = options.name ?? "timed";
  const mcu = options.mcu ?? "atmega328p";
  const chip = AVR_MCUS[mcu];
  if (!chip) throw new DeploymentLessonError(`unknown MCU "${mcu}"; use one of ${Object.keys(AVR_MCUS).join(", ")}`);
  const model = emitModelC(graph, { name });
  samples.forEach((s, i) => {
    if (s.length !== model.inputBytes) throw new DeploymentLessonError(`sample ${i} has ${s.length} values; the model takes ${model.inputBytes}`);
  });
  const dir = resolve(options.outDir ?? mkdtempSync(join(tmpdir(), "tinyml-avr-timing-")));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.h`), model.header);
  writeFileSync(join(dir, `${name}_model.c`), model.source);
  writeFileSync(join(dir, "main.c"), avrTimingMain(name, model.inputBytes, model.outputBytes, samples.map(asBytes), runs));
  const elf = join(dir, "timing.elf"), hex = join(dir, "timing.hex");
  await runTool("avr-gcc", [
    `-mmcu=${mcu}`, "-Os", "-std=gnu11", "-ffunction-sections", "-fdata-sections", "-Wl,--gc-sections", `-I${dir}`, `-I${kernelDir()}`,
    join(dir, "main.c"), join(dir, `${name}_model.c`), join(kernelDir(), "tinyml_kernels.c"), "-o", elf,
  ], { cwd: dir, timeoutMs: 300_000 });
  await runTool("avr-objcopy", ["-O", "ihex", "-R", ".eeprom", elf, hex], { cwd: dir });
  const sizes = await readElfSizes(elf, "avr-size");
  if (sizes.ramBytes + 64 > chip.sramBytes) {
    throw new DeploymentLessonError(`the model needs ${sizes.ramBytes} bytes of static RAM; the ${mcu} has ${chip.sramBytes} (try a smaller model or a bigger chip)`);
  }

  const image = parseIntelHex(readFileSync(hex, "utf8"), chip.flashBytes);
  const cpu = new CPU(new Uint16Array(image.buffer, image.byteOffset, image.byteLength / 2), chip.sramBytes);
  const cycles: number[] = [];
  const outputs: Uint8Array[] = [];
  let started = -1, current: number[] = [], done = false;
  cpu.writeHooks[PORTB] = (value) => {
    if (value & 1) started = cpu.cycles;
    else if (started >= 0) {
      cycles.push(cpu.cycles - started);
      started = -1;
      if (current.length) outputs.push(Uint8Array.from(current));
      current = [];
    }
  };
  cpu.writeHooks[GPIOR0] = (value) => {
    current.push(value);
  };
  cpu.writeHooks[GPIOR1] = () => {
    done = true;
  };
  const maxCycles = options.maxCycles ?? 2e9;
  while (!done && cpu.cycles < maxCycles) {
    avrInstruction(cpu);
    cpu.tick();
  }
  if (current.length) outputs.push(Uint8Array.from(current));
  if (!done) throw new DeploymentLessonError(`the timing firmware did not finish within ${maxCycles} cycles (${cycles.length} of ${runs} runs timed)`);
  return { mcu, clockHz: options.clockHz ?? 16_000_000, cycles, outputs, flashBytes: sizes.flashBytes, ramBytes: sizes.ramBytes, buildDir: dir };
}
