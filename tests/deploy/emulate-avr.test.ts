import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ArduinoCli, compileSketch, type CompileResult } from "../../lib/deploy/arduino/mod.ts";
import { parseHarness, parseIntelHex, runAvr, runSimavr, type AvrMcu } from "../../lib/deploy/emulate/mod.ts";
import { CHECKSUM_SKETCH, checksumSketchWith, expectedChecksum, fixtureTable, has, useTempRoot } from "./arduino-fixtures.ts";

useTempRoot();

const noCli = new ArduinoCli({ command: "/nonexistent/arduino-cli" });
const canBuild = has("arduino-builder") && has("avr-size");
if (!canBuild) console.warn("skipping AVR emulation tests: arduino-builder (Debian) is not installed");

function check(output: string, table: Uint8Array): void {
  const want = expectedChecksum(table);
  const h = parseHarness(output);
  expect(h.ended).toBe(true);
  expect(Number(h.fields.LEN)).toBe(want.len);
  expect(Number(h.fields.SUM)).toBe(want.sum);
  expect(h.fields.HALF).toBe(want.half);
  expect(h.outputs).toHaveLength(1);
  expect(Array.from(h.outputs[0])).toEqual(want.crcBytes);
}

describe.skipIf(!canBuild)("avr8js runs arduino-builder firmware", () => {
  const boards: [string, AvrMcu][] = [["uno", "atmega328p"], ["mega2560", "atmega2560"]];
  const builds: Record<string, CompileResult> = {};

  test.each(boards)("fixture sketch on %s (%s)", async (board, mcu) => {
    builds[board] = await compileSketch({ sketchDir: CHECKSUM_SKETCH, board, cli: noCli });
    const run = runAvr(readFileSync(builds[board].hexPath!, "utf8"), { mcu });
    expect(run.stoppedBy).toBe("marker");
    check(run.output, fixtureTable());
    // 600 bytes × 8 CRC rounds plus printing at 115200 baud: a few hundred thousand cycles at 16 MHz.
    expect(run.cycles).toBeGreaterThan(100_000);
    expect(run.cycles).toBeLessThan(2_000_000);
    console.log(`${board}: ${builds[board].flashBytes} B flash, ${run.cycles} cycles (${(run.cycles / 16e3).toFixed(1)} ms at 16 MHz), ${run.wallMs} ms wall`);
  }, 60_000);

  test("a fresh random table each run (no hard-coded answers), Uno and Mega", async () => {
    const table = Uint8Array.from({ length: 257 + Math.floor(Math.random() * 300) }, () => Math.floor(Math.random() * 256));
    const dir = join(mkdtempSync(join(tmpdir(), "rand-sketch-")), "checksum");
    mkdirSync(dir);
    writeFileSync(join(dir, "checksum.ino"), checksumSketchWith(table));
    for (const [board, mcu] of boards) {
      const r = await compileSketch({ sketchDir: dir, board, cli: noCli });
      check(runAvr(r.hexPath!, { mcu }).output, table);
    }
  }, 60_000);

  test("the cycle limit stops a run that never prints END", async () => {
    const r = builds.uno ?? await compileSketch({ sketchDir: CHECKSUM_SKETCH, board: "uno", cli: noCli });
    const run = runAvr(r.hexPath!, { until: "NEVER", maxCycles: 2_000_000 });
    expect(run.stoppedBy).toBe("cycle-limit");
    expect(run.cycles).toBeGreaterThanOrEqual(2_000_000);
    expect(run.output).toContain("END");
  }, 60_000);

  test("the Mega image loaded as a 328P fails (vector table differs), so the config matters", async () => {
    const r = builds.mega2560 ?? await compileSketch({ sketchDir: CHECKSUM_SKETCH, board: "mega2560", cli: noCli });
    const run = runAvr(r.hexPath!, { mcu: "atmega328p", maxCycles: 3_000_000 });
    expect(run.output).not.toContain("END");
  }, 60_000);

  test("a program that stops with interrupts off ends the run early", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "halt-sketch-")), "halt");
    mkdirSync(dir);
    writeFileSync(join(dir, "halt.ino"), "void setup() { Serial.begin(115200); Serial.println(F(\"BYE\")); Serial.flush(); cli(); for (;;) {} }\nvoid loop() {}\n");
    const r = await compileSketch({ sketchDir: dir, board: "uno", cli: noCli });
    const run = runAvr(r.hexPath!, { until: null, maxCycles: 50_000_000 });
    expect(run.stoppedBy).toBe("sleep");
    expect(run.output).toBe("BYE\r\n");
    expect(run.cycles).toBeLessThan(1_000_000);
  }, 60_000);

  test.skipIf(!has("simavr"))("simavr gives the same transcript", async () => {
    for (const [board, mcu] of boards) {
      const r = builds[board] ?? await compileSketch({ sketchDir: CHECKSUM_SKETCH, board, cli: noCli });
      const run = await runSimavr(r.elfPath!, { mcu, timeoutMs: 20_000 });
      expect(run.stoppedBy).toBe("marker");
      check(run.output, fixtureTable());
    }
  }, 60_000);
});

describe("Intel HEX", () => {
  test("data, extended linear address, checksum errors", () => {
    // 2 bytes at 0x0000, then 1 byte at 0x10000 + 0x0002.
    const hex = ":02000000AA55FF\n:020000040001F9\n:0100020042BB\n:00000001FF\n";
    const img = parseIntelHex(hex, 0x20000);
    expect([img[0], img[1], img[2]]).toEqual([0xaa, 0x55, 0xff]);
    expect(img[0x10002]).toBe(0x42);
    expect(() => parseIntelHex(":02000000AA5500\n", 16)).toThrow(/checksum/);
    expect(() => parseIntelHex(":0100200042", 16)).toThrow();
  });
});
