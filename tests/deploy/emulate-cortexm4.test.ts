import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ArduinoCli, compileSketch } from "../../lib/deploy/arduino/mod.ts";
import {
  buildCortexM4,
  countTraceInstructions,
  formatHexBytes,
  HARNESS_C_SNIPPET,
  parseHarness,
  runCortexM4,
} from "../../lib/deploy/emulate/mod.ts";
import { CHECKSUM_SKETCH, crc32, expectedChecksum, fixtureTable, has, useTempRoot } from "./arduino-fixtures.ts";

useTempRoot();

const canRun = has("arm-none-eabi-gcc") && has("qemu-system-arm");
if (!canRun) console.warn("skipping Cortex-M4 tests: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm");

/** A C program: CRC-32 and a float dot product over data the test makes up now. */
function program(data: Uint8Array, weights: Float32Array): string {
  return `${HARNESS_C_SNIPPET}
#include <stdlib.h>
static const uint8_t DATA[${data.length}] = { ${Array.from(data).join(", ")} };
static const float W[${weights.length}] = { ${Array.from(weights, (w) => `${w.toPrecision(9)}f`).join(", ")} };
static uint8_t scratch[64]; /* .bss: must start zeroed */
static int counter = 7;     /* .data: must be copied from flash */
int main(void) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned i = 0; i < sizeof DATA; ++i) {
    crc ^= DATA[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  crc = ~crc;
  uint8_t b[4] = { (uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16), (uint8_t)(crc >> 24) };
  tinyml_out(b, 4);
  float acc = 0.0f;
  for (unsigned i = 0; i < ${weights.length}; ++i) acc += W[i] * (float)DATA[i];
  tinyml_out((const uint8_t *)&acc, 4);
  unsigned zero = 0;
  for (unsigned i = 0; i < sizeof scratch; ++i) zero |= scratch[i];
  printf("BSS %u\\nDATA %d\\n", zero, counter);
  tinyml_end();
  return 0;
}
`;
}

describe.skipIf(!canRun)("Cortex-M4F in QEMU mps2-an386", () => {
  test("builds, runs, prints OUT lines that match TypeScript", async () => {
    const data = Uint8Array.from({ length: 300 + Math.floor(Math.random() * 200) }, () => Math.floor(Math.random() * 256));
    const weights = Float32Array.from({ length: 16 }, () => Math.random() * 2 - 1);
    const dir = mkdtempSync(join(tmpdir(), "m4-test-"));
    writeFileSync(join(dir, "prog.c"), program(data, weights));
    const build = await buildCortexM4([join(dir, "prog.c")], [], { outDir: join(dir, "out") });
    expect(build.flashBytes).toBeGreaterThan(data.length);
    expect(build.ramBytes).toBeGreaterThanOrEqual(64);
    const run = await runCortexM4(build.elfPath, { timeoutMs: 20_000, countInstructions: true });
    expect(run.exitCode).toBe(0);
    const h = parseHarness(run.output);
    expect(h.ended).toBe(true);
    const crc = crc32(data);
    expect(formatHexBytes(h.outputs[0])).toBe(formatHexBytes([crc & 255, (crc >>> 8) & 255, (crc >>> 16) & 255, crc >>> 24]));
    // Float32 sum in the same order. GCC may fuse each multiply-add into one VFMA (one rounding: the
    // float×byte product is exact in a double, so fround(acc + w*d) models it); both results are exact.
    let separate = 0;
    let fused = 0;
    for (let i = 0; i < weights.length; i++) {
      separate = Math.fround(separate + Math.fround(weights[i] * data[i]));
      fused = Math.fround(fused + weights[i] * data[i]);
    }
    const got = new DataView(h.outputs[1].buffer, h.outputs[1].byteOffset).getFloat32(0, true);
    expect([separate, fused]).toContain(got);
    expect(h.fields).toMatchObject({ BSS: "0", DATA: "7" });
    // The CRC's inner step is at least 4 instructions (and, neg, and, eor+shift) per bit: ≥ 32 per byte;
    // printf and start-up add a few thousand, nothing here needs a million.
    expect(run.instructions!).toBeGreaterThan(data.length * 32);
    expect(run.instructions!).toBeLessThan(1_000_000);
    console.log(`cortex-m4: ${build.flashBytes} B flash, ${run.instructions} instructions, ${run.wallMs} ms wall`);
  }, 60_000);

  test("exit status and faults", async () => {
    const dir = mkdtempSync(join(tmpdir(), "m4-exit-"));
    writeFileSync(join(dir, "exit3.c"), "#include <stdio.h>\nint main(void){ puts(\"bye\"); return 3; }\n");
    writeFileSync(join(dir, "fault.c"), "#include <stdint.h>\nint main(void){ return *(volatile uint32_t *)0xFFFFFFF0u; }\n");
    const exit3 = await runCortexM4((await buildCortexM4([join(dir, "exit3.c")], [], { outDir: join(dir, "a") })).elfPath);
    expect(exit3.output).toBe("bye\n");
    expect(exit3.exitCode).toBe(3);
    const fault = await runCortexM4((await buildCortexM4([join(dir, "fault.c")], [], { outDir: join(dir, "b") })).elfPath);
    expect(fault.output).toMatch(/^FAULT (HardFault|BusFault)/m);
    expect(fault.exitCode).toBe(1);
  }, 60_000);

  test("a runaway program is stopped by the time limit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "m4-loop-"));
    writeFileSync(join(dir, "loop.c"), "int main(void){ for(;;) { __asm volatile(\"nop\"); } }\n");
    const run = await runCortexM4((await buildCortexM4([join(dir, "loop.c")], [], { outDir: dir })).elfPath, { timeoutMs: 1500 });
    expect(run.timedOut).toBe(true);
  }, 30_000);

  test("the Arduino checksum sketch prints the same transcript as on AVR", async () => {
    const r = await compileSketch({ sketchDir: CHECKSUM_SKETCH, board: "nano33ble", cli: new ArduinoCli({ command: "/nonexistent/arduino-cli" }) });
    const run = await runCortexM4(r.elfPath!);
    const want = expectedChecksum(fixtureTable());
    const h = parseHarness(run.output);
    expect(h.ended).toBe(true);
    expect(Number(h.fields.SUM)).toBe(want.sum);
    expect(h.fields.HALF).toBe(want.half);
    expect(Array.from(h.outputs[0])).toEqual(want.crcBytes);
  }, 60_000);
});

test("countTraceInstructions sums block sizes over executions", () => {
  const log = [
    "----------------", "IN: main", "0x00000100:  b580  push {r7, lr}", "0x00000102:  af00  add r7, sp, #0", "",
    "Trace 0: 0x7f00 [00800400/00000100/00000010/ff000200] main",
    "----------------", "IN: main", "0x00000104:  e7fe  b #0x104", "",
    "Trace 0: 0x7f40 [00800400/00000104/00000010/ff000200] main",
    "Trace 0: 0x7f40 [00800400/00000104/00000010/ff000200] main",
    "Trace 0: 0x7f00 [00800400/00000100/00000010/ff000200] main",
  ].join("\n");
  expect(countTraceInstructions(log)).toBe(2 + 1 + 1 + 2);
});
