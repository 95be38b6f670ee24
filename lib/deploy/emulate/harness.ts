/**
 * The firmware test harness convention: the program prints lines
 *   OUT <hex bytes>     one output buffer, e.g. "OUT 7f 80 01" or "OUT 7f8001"
 *   <KEY> <value>       anything else worth reading (e.g. "CYCLES 12345")
 *   END                 done
 * on Serial (AVR sketches) or stdout (Cortex-M4 programs). These helpers parse it and give the matching
 * print code for both targets.
 */

/** A parsed harness transcript. */
export interface HarnessResult {
  /** Each OUT line's bytes, in order. */
  outputs: Uint8Array[];
  /** Other "KEY value" lines (last one wins), e.g. { SUM: "1234" }. */
  fields: Record<string, string>;
  /** True when an END line was seen. */
  ended: boolean;
  /** All lines, without line endings. */
  lines: string[];
}

/** A malformed OUT line. */
export class HarnessFormatError extends Error {
  override name = "HarnessFormatError";
}

/**
 * Parse a transcript printed by harness firmware.
 * @example parseHarness("OUT 01 ff\r\nEND\r\n").outputs[0] // Uint8Array [1, 255]
 */
export function parseHarness(text: string): HarnessResult {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  const outputs: Uint8Array[] = [];
  const fields: Record<string, string> = {};
  let ended = false;
  for (const line of lines) {
    const t = line.trim();
    if (t === "END") {
      ended = true;
    } else if (t === "OUT" || t.startsWith("OUT ")) {
      outputs.push(parseHexBytes(t.slice(3)));
    } else {
      const m = /^([A-Za-z_][\w.-]*)\s+(.*)$/.exec(t);
      if (m) fields[m[1]] = m[2];
    }
  }
  return { outputs, fields, ended, lines };
}

/** "7f 80 1" / "7f8001" → bytes. Single digits separated by spaces are allowed (Serial.print(x, HEX) drops the 0). */
export function parseHexBytes(text: string): Uint8Array {
  const t = text.trim();
  if (!t) return new Uint8Array(0);
  const tokens = /\s/.test(t) ? t.split(/\s+/) : t.match(/.{1,2}/g)!;
  if (!/\s/.test(t) && t.length % 2 !== 0) throw new HarnessFormatError(`OUT line has an odd number of hex digits: "${t}"`);
  return Uint8Array.from(tokens, (tok) => {
    if (!/^[0-9a-fA-F]{1,2}$/.test(tok)) throw new HarnessFormatError(`bad hex byte "${tok}" in OUT line "${t}"`);
    return parseInt(tok, 16);
  });
}

/** Bytes → the hex text an OUT line carries ("7f 80 01"). */
export function formatHexBytes(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => (b & 0xff).toString(16).padStart(2, "0")).join(" ");
}

/**
 * Arduino (AVR or any core) C++ for printing harness lines: `tinyml_out(buf, n)` and `tinyml_end()`.
 * Paste into a sketch (after Serial.begin).
 */
export const HARNESS_ARDUINO_SNIPPET = String.raw`// tinyml-kit harness: OUT <hex bytes> / END lines on Serial
static void tinyml_out(const uint8_t *buf, size_t n) {
  static const char digits[] = "0123456789abcdef";
  Serial.print("OUT");
  for (size_t i = 0; i < n; ++i) {
    Serial.write(' ');
    Serial.write(digits[buf[i] >> 4]);
    Serial.write(digits[buf[i] & 15]);
  }
  Serial.println();
}
static void tinyml_end() { Serial.println("END"); Serial.flush(); }
`;

/** Plain C (Cortex-M4 under QEMU, printf over semihosting): `tinyml_out(buf, n)` and `tinyml_end()`. */
export const HARNESS_C_SNIPPET = String.raw`/* tinyml-kit harness: OUT <hex bytes> / END lines on stdout */
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
static void tinyml_out(const uint8_t *buf, size_t n) {
  fputs("OUT", stdout);
  for (size_t i = 0; i < n; ++i) printf(" %02x", buf[i]);
  putchar('\n');
}
static void tinyml_end(void) { puts("END"); fflush(stdout); }
`;
