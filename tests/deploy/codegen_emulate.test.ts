/**
 * The generated library + sketch, compiled for real targets and run in emulators, must print exactly the
 * golden outputs: Arduino Uno and Mega 2560 (arduino-builder + avr8js), Cortex-M4F (arm-none-eabi-gcc + QEMU
 * mps2-an386). Skipped, with a message, when a tool or ../shared is missing.
 */
import { describe, expect, test } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateArduinoLibrary, generateSketch } from "../../lib/deploy/codegen/mod.ts";
import { compileSketch } from "../../lib/deploy/arduino/mod.ts";
import { parseHarness, runAvr, runCortexM4 } from "../../lib/deploy/emulate/mod.ts";
import { diffs, golden, HAVE_SHARED, hasTool, loadModel } from "./codegen_helpers.ts";

const HAVE_AVR = hasTool("arduino-builder") || hasTool("arduino-cli");
const HAVE_ARM = hasTool("arm-none-eabi-gcc") && hasTool("qemu-system-arm");
if (!HAVE_AVR) console.warn("codegen emulate tests: no arduino-builder/arduino-cli, AVR runs skipped");
if (!HAVE_ARM) console.warn("codegen emulate tests: no arm-none-eabi-gcc/qemu-system-arm, Cortex-M4 runs skipped");

/** Splits concatenated golden inputs into samples. */
function samplesOf(file: string, bytes: number, count: number): Uint8Array[] {
  const all = golden(file);
  return Array.from({ length: Math.min(count, all.length / bytes) }, (_, i) => all.subarray(i * bytes, (i + 1) * bytes));
}

function outputsOf(text: string): Uint8Array {
  return new Uint8Array(parseHarness(text).outputs.flatMap((o) => Array.from(o)));
}

const HELLO = { model: "hello_world_int8.tflite", name: "hello_world", input: "hello_world_int8.input.bin", output: "hello_world_int8.output.bin", inBytes: 1, outBytes: 1 };
const SPEECH = { model: "micro_speech_quantized.tflite", name: "micro_speech", input: "micro_speech_quantized.input.bin", output: "micro_speech_quantized.output.bin", inBytes: 1960, outBytes: 4 };

describe.skipIf(!HAVE_SHARED || !HAVE_AVR)("AVR (arduino-builder + avr8js)", () => {
  const cases = [
    { ...HELLO, board: "uno", mcu: "atmega328p" as const, count: 256, maxCycles: 60_000_000 },
    // micro_speech: 16.7 KB of weights and a 5960-byte arena do not fit the Uno's 2 KB of RAM, but fit the Mega's 8 KB.
    { ...SPEECH, board: "mega2560", mcu: "atmega2560" as const, count: 2, maxCycles: 120_000_000 },
  ];
  for (const c of cases) {
    test(`${c.name} on ${c.board}: ${c.count} inferences match the golden outputs`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "tinyml-avr-"));
      generateArduinoLibrary(loadModel(c.model), { name: c.name, outDir: join(dir, "libraries", c.name), board: c.board });
      generateSketch({ lesson: `${c.name}_test`, library: c.name, outDir: join(dir, "sketches"), samples: samplesOf(c.input, c.inBytes, c.count), inputBytes: c.inBytes });
      const build = await compileSketch({ sketchDir: join(dir, "sketches", `${c.name}_test`), board: c.board, libraries: [join(dir, "libraries")], buildPath: join(dir, "build") });
      expect(build.warnings).toEqual([]);
      const run = runAvr(build.hexPath!, { mcu: c.mcu, maxCycles: c.maxCycles });
      expect(run.stoppedBy).toBe("marker");
      expect(diffs(outputsOf(run.output), golden(c.output).subarray(0, c.count * c.outBytes))).toEqual([]);
    }, 90_000);
  }
});

describe.skipIf(!HAVE_SHARED || !HAVE_ARM)("Cortex-M4F (arm-none-eabi-gcc + QEMU mps2-an386)", () => {
  for (const c of [{ ...HELLO, count: 256 }, { ...SPEECH, count: 32 }]) {
    test(`${c.name}: ${c.count} inferences match the golden outputs`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "tinyml-m4-"));
      const sketchDir = join(dir, `${c.name}_test`);
      generateSketch({ lesson: `${c.name}_test`, library: c.name, outDir: dir, samples: samplesOf(c.input, c.inBytes, c.count), inputBytes: c.inBytes });
      // The bare arm-gcc backend compiles what is under the sketch's src/, so the library goes there.
      const lib = generateArduinoLibrary(loadModel(c.model), { name: c.name, outDir: join(sketchDir, "src", c.name), board: "nano33ble" });
      const build = await compileSketch({ sketchDir, board: "nano33ble", backend: "arm-gcc", libraries: [lib.srcDir], buildPath: join(dir, "build") });
      expect(build.warnings).toEqual([]);
      const run = await runCortexM4(build.elfPath!, { timeoutMs: 60_000 });
      expect(run.exitCode).toBe(0);
      expect(diffs(outputsOf(run.output), golden(c.output).subarray(0, c.count * c.outBytes))).toEqual([]);
    }, 90_000);
  }
});
