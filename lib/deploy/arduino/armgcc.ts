/**
 * A third build backend for Cortex-M4F boards (Nano 33 BLE Sense) when their mbed core is not installed:
 * the sketch's own C/C++ is compiled with arm-none-eabi-gcc for the same CPU and FPU, against a tiny
 * Arduino shim (Serial → semihosting stdout, PROGMEM → plain const), and linked for QEMU's mps2-an386.
 *
 * This is a size and equality check, NOT the board's real core: the sizes cover your code and model but
 * not mbed OS (~80 KB flash, ~45 KB RAM more on the real board), and the ELF runs in QEMU, not on the board.
 */
import { readdirSync, statSync, writeFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildCortexM4 } from "../emulate/cortexm4.ts";
import { getBoard, type BoardPreset } from "./boards.ts";
import { CompileError, ToolFailedError, UnsupportedBoardError } from "./errors.ts";
import { resolveSketch } from "./sketch.ts";
import { parseWarnings } from "./size.ts";
import type { CompileResult } from "./types.ts";

/** A minimal Arduino.h: enough of the API for compute-only sketches (Serial printing, PROGMEM tables). */
export const ARDUINO_SHIM_H = String.raw`/* tinyml-kit Arduino shim for bare Cortex-M4 builds (QEMU). Not the real Arduino core. */
#ifndef TINYML_ARDUINO_SHIM_H
#define TINYML_ARDUINO_SHIM_H
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <math.h>
#define PROGMEM
#define PGM_P const char *
#define pgm_read_byte(addr) (*(const uint8_t *)(addr))
#define pgm_read_word(addr) (*(const uint16_t *)(addr))
#define pgm_read_dword(addr) (*(const uint32_t *)(addr))
#define pgm_read_float(addr) (*(const float *)(addr))
#define pgm_read_ptr(addr) (*(void *const *)(addr))
#define memcpy_P memcpy
#define strlen_P strlen
#define HIGH 1
#define LOW 0
#define INPUT 0
#define OUTPUT 1
#define LED_BUILTIN 13
#define DEC 10
#define HEX 16
#define OCT 8
#define BIN 2
typedef uint8_t byte;
typedef bool boolean;
#ifdef __cplusplus
extern "C" {
#endif
unsigned long millis(void);
unsigned long micros(void);
void delay(unsigned long ms);
void delayMicroseconds(unsigned int us);
void pinMode(uint8_t pin, uint8_t mode);
void digitalWrite(uint8_t pin, uint8_t val);
int digitalRead(uint8_t pin);
int analogRead(uint8_t pin);
#ifdef __cplusplus
}
class __FlashStringHelper;
#define F(s) (reinterpret_cast<const __FlashStringHelper *>(s))
class TinymlSerial {
 public:
  void begin(unsigned long) {}
  void end() {}
  operator bool() const { return true; }
  int available() { return 0; }
  int read() { return -1; }
  void flush();
  size_t write(uint8_t c);
  size_t write(const uint8_t *buf, size_t n);
  size_t print(const char *s);
  size_t print(const __FlashStringHelper *s) { return print(reinterpret_cast<const char *>(s)); }
  size_t print(char c) { return write((uint8_t)c); }
  size_t print(unsigned long n, int base = DEC);
  size_t print(long n, int base = DEC);
  size_t print(unsigned int n, int base = DEC) { return print((unsigned long)n, base); }
  size_t print(int n, int base = DEC) { return print((long)n, base); }
  size_t print(unsigned char n, int base = DEC) { return print((unsigned long)n, base); }
  size_t print(double x, int digits = 2);
  size_t println() { return write((uint8_t)'\r') + write((uint8_t)'\n'); }
  template <typename T> size_t println(T v) { size_t n = print(v); return n + println(); }
  template <typename T> size_t println(T v, int f) { size_t n = print(v, f); return n + println(); }
};
extern TinymlSerial Serial;
#endif
#endif
`;

/** Shim implementation: Serial over semihosting stdout, and main() that runs setup() then loop(). */
export const ARDUINO_SHIM_CPP = String.raw`/* tinyml-kit Arduino shim implementation (QEMU semihosting). */
#include "Arduino.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifndef TINYML_LOOP_COUNT
#define TINYML_LOOP_COUNT 1
#endif
TinymlSerial Serial;
void TinymlSerial::flush() { fflush(stdout); }
size_t TinymlSerial::write(uint8_t c) { putchar(c); return 1; }
size_t TinymlSerial::write(const uint8_t *buf, size_t n) { return fwrite(buf, 1, n, stdout); }
size_t TinymlSerial::print(const char *s) { return fputs(s, stdout) >= 0 ? strlen(s) : 0; }
size_t TinymlSerial::print(unsigned long n, int base) {
  char buf[33]; int i = 32; buf[i] = 0;
  if (base < 2) base = 10;
  do { int d = (int)(n % (unsigned long)base); buf[--i] = (char)(d < 10 ? '0' + d : 'A' + d - 10); n /= (unsigned long)base; } while (n);
  return print(buf + i);
}
size_t TinymlSerial::print(long n, int base) {
  if (base == 10 && n < 0) { write((uint8_t)'-'); return 1 + print((unsigned long)(-n), 10); }
  return print((unsigned long)n, base);
}
/* Same steps as Arduino's Print::printFloat: round at the last digit, then integer part, then digits. */
size_t TinymlSerial::print(double x, int digits) {
  if (isnan(x)) return print("nan");
  if (isinf(x)) return print("inf");
  size_t n = 0;
  if (x < 0.0) { n += write((uint8_t)'-'); x = -x; }
  double rounding = 0.5;
  for (int i = 0; i < digits; ++i) rounding /= 10.0;
  x += rounding;
  unsigned long whole = (unsigned long)x;
  double rest = x - (double)whole;
  n += print(whole);
  if (digits > 0) n += write((uint8_t)'.');
  while (digits-- > 0) { rest *= 10.0; unsigned int d = (unsigned int)rest; n += print((unsigned long)d); rest -= d; }
  return n;
}
/* Without libstdc++ (see buildCortexM4): the few C++ runtime pieces simple sketches need. */
void *operator new(size_t n) { return malloc(n); }
void *operator new[](size_t n) { return malloc(n); }
void operator delete(void *p) noexcept { free(p); }
void operator delete[](void *p) noexcept { free(p); }
void operator delete(void *p, size_t) noexcept { free(p); }
void operator delete[](void *p, size_t) noexcept { free(p); }
extern "C" void __cxa_pure_virtual(void) { abort(); }
extern "C" {
unsigned long millis(void) { return (unsigned long)(clock() * (1000 / CLOCKS_PER_SEC)); }
unsigned long micros(void) { return millis() * 1000UL; }
void delay(unsigned long) {}
void delayMicroseconds(unsigned int) {}
void pinMode(uint8_t, uint8_t) {}
void digitalWrite(uint8_t, uint8_t) {}
int digitalRead(uint8_t) { return 0; }
int analogRead(uint8_t) { return 0; }
}
void setup(void);
void loop(void);
int main(void) {
  setup();
  for (int i = 0; i < TINYML_LOOP_COUNT; ++i) loop();
  fflush(stdout);
  return 0;
}
`;

/** Options for {@link compileWithArmGcc}. */
export interface ArmGccOptions {
  sketchDir: string;
  /** Board preset (must be a Cortex-M4F board; default nano33ble). */
  board?: string | BoardPreset;
  buildPath?: string;
  /** Extra include folders (library sources are not compiled: put their .c/.cpp in the sketch's src/). */
  includeDirs?: readonly string[];
  /** Extra compiler flags, e.g. ["-O3"]. */
  extraFlags?: readonly string[];
  /** How many times main() calls loop() before exiting (default 1). */
  loopCount?: number;
}

function sourcesIn(dir: string, recurse: boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      if (recurse || entry === "src") out.push(...sourcesIn(p, true));
    } else if (/\.(c|cpp|cc|cxx)$/.test(entry)) {
      out.push(p);
    }
  }
  return out;
}

/**
 * Compile a sketch for a Cortex-M4F board with bare arm-none-eabi-gcc (see the file comment for what this
 * does and does not tell you). The ELF runs under {@link runCortexM4}.
 */
export async function compileWithArmGcc(options: ArmGccOptions): Promise<CompileResult> {
  const board = getBoard(options.board ?? "nano33ble");
  if (board.emulator !== "qemu-cortex-m4") {
    throw new UnsupportedBoardError(board.id, "the arm-gcc backend only builds Cortex-M4F boards (nano33ble, nano33ble-rev2)");
  }
  const sketch = resolveSketch(options.sketchDir);
  const buildPath = resolve(options.buildPath ?? mkdtempSync(join(tmpdir(), "tinyml-armgcc-")));
  const shimDir = join(buildPath, "shim");
  mkdirSync(shimDir, { recursive: true });
  writeFileSync(join(shimDir, "Arduino.h"), ARDUINO_SHIM_H);
  writeFileSync(join(shimDir, "tinyml_arduino_shim.cpp"), ARDUINO_SHIM_CPP);
  // AVR sketches include <avr/pgmspace.h>; on ARM, PROGMEM data is ordinary const data.
  mkdirSync(join(shimDir, "avr"), { recursive: true });
  writeFileSync(join(shimDir, "avr", "pgmspace.h"), '#include "../Arduino.h"\n');
  const sources = [sketch.ino, ...sourcesIn(sketch.dir, false), join(shimDir, "tinyml_arduino_shim.cpp")];
  const cflags = [
    // .ino files get Arduino.h implicitly, as the real builder does.
    "-include", join(shimDir, "Arduino.h"),
    `-DTINYML_LOOP_COUNT=${options.loopCount ?? 1}`,
    "-DARDUINO=10819",
    "-DTINYML_ARM_GCC_SHIM=1",
    "-Wall",
    ...(options.extraFlags ?? []),
  ];
  try {
    const build = await buildCortexM4(sources, [shimDir, sketch.dir, ...(options.includeDirs ?? [])], {
      outDir: buildPath,
      name: `${sketch.name}.ino.elf`,
      cflags,
    });
    return {
      fqbn: board.fqbn,
      flashBytes: build.flashBytes,
      ramBytes: build.ramBytes,
      flashMax: board.usableFlashBytes,
      ramMax: board.ramBytes,
      elfPath: build.elfPath,
      hexPath: null,
      warnings: parseWarnings(build.log),
      tool: "arm-gcc",
      buildPath,
      output: build.log,
    };
  } catch (e) {
    if (e instanceof ToolFailedError) {
      const output = [e.stdout, e.stderr].filter(Boolean).join("\n");
      throw new CompileError("arm-gcc", board.fqbn, output, e.exitCode);
    }
    throw e;
  }
}
