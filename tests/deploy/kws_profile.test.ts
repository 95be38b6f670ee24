/**
 * Counting the spotter's Cortex-M4 instructions with QEMU's instruction clock (-icount) and SysTick: the count
 * agrees with QEMU's execution trace, and the stride choice follows from it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { loadClip16k } from "../../lib/audio/mod.ts";
import { generateArduinoLibrary } from "../../lib/deploy/codegen/mod.ts";
import { buildCortexM4, runCortexM4 } from "../../lib/deploy/emulate/mod.ts";
import { countFrontendInstructions, countModelInstructions, cpuShare, KwsInputError, strideForBudget } from "../../lib/deploy/kws/mod.ts";
import { readTflite } from "../../lib/tflite/mod.ts";

/** Temp folders of this file, removed at the end. */
const made: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

const SHARED = fileURLToPath(new URL("../../../shared/conformance/", import.meta.url));
const HAVE_SHARED = existsSync(join(SHARED, "hello_world_int8.tflite"));
if (!HAVE_SHARED) console.warn(`kws profile tests: ${SHARED} is absent, the counts are skipped`);
const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const HAVE_ARM = has("arm-none-eabi-gcc") && has("qemu-system-arm");
if (!HAVE_ARM) console.warn("kws profile tests: no arm-none-eabi-gcc/qemu-system-arm, the counts are skipped");

describe("stride from a CPU budget", () => {
  const work = { frontendInstructionsPerFrame: 100_000, modelInstructionsPerInference: 2_000_000 };
  test("cpuShare and the smallest affordable stride", () => {
    // 64 MHz, 20 ms hop = 1.28 M cycles: stride 2 → 1.1 M (86%), stride 3 → 0.77 M (60%).
    expect(cpuShare(work, 1, 64e6)).toBeCloseTo(2.1e6 / 1.28e6, 6);
    expect(strideForBudget(work, 64e6)).toBe(3);
    expect(strideForBudget(work, 64e6, 0.9)).toBe(2);
    expect(() => strideForBudget({ ...work, frontendInstructionsPerFrame: 2e6 }, 64e6)).toThrow(KwsInputError);
  });
});

describe.skipIf(!HAVE_SHARED || !HAVE_ARM)("instruction counts on the Cortex-M4", () => {
  test("model: SysTick under -icount equals the execution trace's count", { timeout: 90_000 }, async () => {
    const graph = readTflite(readFileSync(join(SHARED, "hello_world_int8.tflite")));
    const dir = tempDir("kws-prof-");
    const lib = generateArduinoLibrary(graph, { name: "hw", outDir: join(dir, "hw") });
    const input = Int8Array.of(17);
    const counted = await countModelInstructions(lib.srcDir, "hw", input);
    // The same inference counted from QEMU's trace: a program running it 1 and 5 times; the difference / 4.
    const traced: number[] = [];
    for (const runs of [1, 5]) {
      const main = join(dir, `m${runs}.c`);
      writeFileSync(main, `#include <stdio.h>\n#include "hw.h"\nint main(void){ for (int i = 0; i < ${runs}; ++i) { hw_input()[0] = 17; hw_run(); } printf("%d\\n", hw_output()[0]); return 0; }\n`);
      const b = await buildCortexM4([main, join(lib.srcDir, "hw_model.c"), join(lib.srcDir, "tinyml_kernels.c")], [lib.srcDir], { outDir: join(dir, `b${runs}`) });
      traced.push((await runCortexM4(b.elfPath, { countInstructions: true })).instructions!);
    }
    const perRun = (traced[1] - traced[0]) / 4;
    expect(counted).toBeGreaterThan(100);
    // SysTick resolution is 40 instructions; the traced loop adds a few per run.
    expect(Math.abs(counted - perRun)).toBeLessThanOrEqual(60);
  });

  test("frontend: ~86 k instructions per frame on speech, deterministic", { timeout: 60_000 }, async () => {
    const clip = loadClip16k(readFileSync(join(SHARED, "yes_1000ms.wav")));
    const a = await countFrontendInstructions(clip);
    const b = await countFrontendInstructions(clip);
    expect(a).toBe(b);
    expect(a).toBeGreaterThan(30_000);
    expect(a).toBeLessThan(300_000);
  });
});
