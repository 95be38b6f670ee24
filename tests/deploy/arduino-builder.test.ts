import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  ArduinoCli,
  CompileError,
  compileSketch,
  compileWithArduinoBuilder,
  DoesNotFitError,
  parseSysvSize,
  UnsupportedBoardError,
} from "../../lib/deploy/arduino/mod.ts";
import { CHECKSUM_SKETCH, has, useTempRoot } from "./arduino-fixtures.ts";

useTempRoot();

const noCli = new ArduinoCli({ command: "/nonexistent/arduino-cli" }); // force the Debian path
const canBuild = has("arduino-builder") && has("avr-size");
if (!canBuild) console.warn("skipping arduino-builder tests: apt-get install arduino-builder arduino-core-avr gcc-avr avr-libc");

describe.skipIf(!canBuild)("Debian arduino-builder backend", () => {
  test.each([
    ["uno", "arduino:avr:uno", 32256, 2048],
    ["mega2560", "arduino:avr:mega:cpu=atmega2560", 253952, 8192],
  ] as const)("compiles the checksum sketch for %s; sizes match avr-size", async (board, fqbn, flashMax, ramMax) => {
    const r = await compileSketch({ sketchDir: CHECKSUM_SKETCH, board, cli: noCli });
    expect(r.tool).toBe("arduino-builder");
    expect(r.fqbn).toBe(fqbn);
    expect(r).toMatchObject({ flashMax, ramMax });
    // Independent reading: Berkeley-format avr-size, text + data = flash, data + bss = RAM.
    const [text, data, bss] = execFileSync("avr-size", [r.elfPath!], { encoding: "utf8" }).split("\n")[1].trim().split(/\s+/).map(Number);
    expect(r.flashBytes).toBe(text + data);
    expect(r.ramBytes).toBe(data + bss);
    // The 600-byte PROGMEM table, the Serial core and float printing: a few KB, far below the maximum.
    expect(r.flashBytes).toBeGreaterThan(2500);
    expect(r.flashBytes).toBeLessThan(8000);
    expect(r.ramBytes).toBeGreaterThan(150); // Serial's two 64-byte ring buffers
    expect(r.ramBytes).toBeLessThan(600);
    expect(r.output).toMatch(new RegExp(`Sketch uses ${r.flashBytes} bytes`));
    expect(r.output).toMatch(new RegExp(`Global variables use ${r.ramBytes} bytes`));
  }, 60_000);

  test("compiler errors come back as CompileError with the message", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "bad-sketch-")), "bad");
    mkdirSync(dir);
    writeFileSync(join(dir, "bad.ino"), "void setup() { undeclared_thing = 1; }\nvoid loop() {}\n");
    const err = await compileWithArduinoBuilder({ sketchDir: dir, fqbn: "arduino:avr:uno" }).catch((e) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect(err.compilerOutput).toMatch(/undeclared_thing.*not declared/);
  }, 60_000);

  test("a sketch too big for the Uno: refused before compiling, and after", async () => {
    await expect(compileSketch({ sketchDir: CHECKSUM_SKETCH, board: "uno", cli: noCli, need: { flashBytes: 41 * 1024, ramBytes: 100 } }))
      .rejects.toThrow(/needs 41 KB flash, Arduino Uno \(R3\) has 31\.5 KB/);
    // 40 KB of PROGMEM really built (two arrays: AVR objects stop at 32 KB): the builder's size check fails.
    const dir = join(mkdtempSync(join(tmpdir(), "big-sketch-")), "big");
    mkdirSync(dir);
    writeFileSync(join(dir, "big.ino"), `#include <avr/pgmspace.h>
const uint8_t blobA[20000] PROGMEM = {1};
const uint8_t blobB[20000] PROGMEM = {2};
void setup() { Serial.begin(9600); Serial.println(pgm_read_byte(&blobA[analogRead(0)]) + pgm_read_byte(&blobB[analogRead(1)])); }
void loop() {}
`);
    const err = await compileSketch({ sketchDir: dir, board: "uno", cli: noCli }).catch((e) => e);
    expect(err).toBeInstanceOf(DoesNotFitError);
    expect(err.need.flashBytes).toBeGreaterThan(40_000);
    expect(err.message).toMatch(/needs 4\d\.\d KB flash, Arduino Uno \(R3\) has 31\.5 KB/);
    // Just over the usable 32256 but under the chip's 32 KB: the builder's own check, exact numbers.
    writeFileSync(join(dir, "big.ino"), `#include <avr/pgmspace.h>
const uint8_t blobA[15300] PROGMEM = {1};
const uint8_t blobB[15300] PROGMEM = {2};
void setup() { Serial.begin(9600); Serial.println(pgm_read_byte(&blobA[analogRead(0)]) + pgm_read_byte(&blobB[analogRead(1)])); }
void loop() {}
`);
    const err2 = await compileSketch({ sketchDir: dir, board: "uno", cli: noCli }).catch((e) => e);
    expect(err2).toBeInstanceOf(DoesNotFitError);
    expect(err2.have.flashBytes).toBe(32256);
    expect(err2.need.flashBytes).toBeGreaterThan(32256);
    expect(err2.need.flashBytes).toBeLessThanOrEqual(32768);
  }, 60_000);

  test("a folder whose name differs from its .ino is copied, not refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "renamed-"));
    writeFileSync(join(dir, "blink.ino"), "void setup() { pinMode(13, OUTPUT); }\nvoid loop() { digitalWrite(13, HIGH); }\n");
    const r = await compileWithArduinoBuilder({ sketchDir: dir, fqbn: "arduino:avr:nano:cpu=atmega328" });
    expect(r.elfPath).toMatch(/blink\.ino\.elf$/);
    expect(r.flashMax).toBe(30720);
  }, 60_000);

  test("boards the Debian core cannot build are refused clearly", async () => {
    await expect(compileSketch({ sketchDir: CHECKSUM_SKETCH, board: "esp32", cli: noCli, backend: "arduino-builder" }))
      .rejects.toThrow(UnsupportedBoardError);
  });
});

const canArm = has("arm-none-eabi-gcc") && has("arm-none-eabi-size");
describe.skipIf(!canArm)("arm-gcc backend (Cortex-M4F size check)", () => {
  test("the same sketch builds for the Nano 33 BLE Sense with the shim", async () => {
    const r = await compileSketch({ sketchDir: CHECKSUM_SKETCH, board: "nano33ble", cli: noCli });
    expect(r.tool).toBe("arm-gcc");
    expect(r.fqbn).toBe("arduino:mbed_nano:nano33ble");
    expect(r.flashMax).toBe(983040);
    const sizes = parseSysvSize(execFileSync("arm-none-eabi-size", ["-A", r.elfPath!], { encoding: "utf8" }));
    expect(r.flashBytes).toBe(sizes.flashBytes);
    expect(sizes.sections[".text"]).toBeGreaterThan(600); // holds the table
    expect(r.hexPath).toBeNull();
  }, 60_000);
});

test("parseSysvSize counts flash and RAM sections", () => {
  const s = parseSysvSize("x.elf  :\nsection   size   addr\n.data   30   8388864\n.text   1794   0\n.bss   166   8388894\n.debug_info  1524  0\nTotal 3514\n");
  expect(s).toEqual({ flashBytes: 1824, ramBytes: 196, sections: { ".data": 30, ".text": 1794, ".bss": 166 } });
});
