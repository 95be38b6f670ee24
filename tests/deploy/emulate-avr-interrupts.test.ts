/**
 * avr8js and the instruction after SEI: avr-gcc moves the stack pointer with `out SPH; out SREG; out SPL`,
 * relying on the AVR running one more instruction before an interrupt once `out SREG` re-enables them. A sketch
 * that churns big stack frames (crossing 256-byte pages) while Timer0's millis() interrupt fires exposes an emulator that gets this wrong.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ArduinoCli, compileSketch } from "../../lib/deploy/arduino/mod.ts";
import { runAvr } from "../../lib/deploy/emulate/mod.ts";
import { has, useTempRoot } from "./arduino-fixtures.ts";

useTempRoot();
const canBuild = has("arduino-builder") && has("avr-size");
if (!canBuild) console.warn("skipping avr8js interrupt test: arduino-builder (Debian) is not installed");

const CALLS = 200_000;
const SKETCH = `
// frame() builds a 300-byte frame, so its prologue and epilogue rewrite both bytes of SP with interrupts
// re-enabled in between; outer()'s variable-length array moves where that happens, so that sometimes the
// half-updated SP points into live caller frames.
__attribute__((noinline)) uint8_t frame(uint8_t n) {
  volatile uint8_t buf[300];
  buf[0] = n;
  buf[299] = (uint8_t)(n + 1);
  return (uint8_t)(buf[0] + buf[299]);
}
__attribute__((noinline)) uint16_t outer(uint32_t k) {
  volatile uint8_t pad[(k % 200) + 1];
  pad[0] = (uint8_t)k;
  return (uint16_t)(frame((uint8_t)k) + pad[0]);
}
void setup() {
  Serial.begin(115200);
  uint32_t s = 0;
  for (uint32_t k = 0; k < ${CALLS}; k++) s += outer(k);
  Serial.print("SUM ");
  Serial.println(s);
  Serial.println("END");
}
void loop() {}
`;

function expectedSum(): number {
  let s = 0;
  for (let k = 0; k < CALLS; k++) s += ((2 * (k & 0xff) + 1) & 0xff) + (k & 0xff);
  return s >>> 0;
}

describe.skipIf(!canBuild)("avr8js with timer interrupts during stack-pointer updates", () => {
  test("a long run with millis() ticking computes what the host computes", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "sp-churn-")), "churn");
    mkdirSync(dir);
    writeFileSync(join(dir, "churn.ino"), SKETCH);
    const build = await compileSketch({ sketchDir: dir, board: "uno", cli: new ArduinoCli({ command: "/nonexistent/arduino-cli" }) });
    const run = runAvr(build.hexPath!, { mcu: "atmega328p", maxCycles: 200_000_000 });
    expect(run.stoppedBy).toBe("marker");
    expect(/SUM (\d+)/.exec(run.output)?.[1]).toBe(String(expectedSum()));
    // Thousands of Timer0 interrupts happened meanwhile (one per 16 384 cycles).
    expect(run.cycles / 16_384).toBeGreaterThan(1000);
  }, 120_000);
});
