import { describe, expect, test } from "vitest";
import { formatHexBytes, HarnessFormatError, parseHarness, parseHexBytes } from "../../lib/deploy/emulate/mod.ts";

describe("harness transcript", () => {
  test("OUT lines, fields, END, CRLF", () => {
    const bytes = Array.from({ length: 40 }, () => Math.floor(Math.random() * 256));
    const h = parseHarness(`boot\r\nOUT ${formatHexBytes(bytes)}\r\nCYCLES 1234\r\nOUT\r\nEND\r\n`);
    expect(Array.from(h.outputs[0])).toEqual(bytes);
    expect(h.outputs[1]).toHaveLength(0);
    expect(h.fields.CYCLES).toBe("1234");
    expect(h.ended).toBe(true);
    expect(h.lines).toEqual(["boot", `OUT ${formatHexBytes(bytes)}`, "CYCLES 1234", "OUT", "END"]);
  });

  test("hex forms: packed, spaced, unpadded single digits", () => {
    expect(Array.from(parseHexBytes("7f8001"))).toEqual([0x7f, 0x80, 0x01]);
    expect(Array.from(parseHexBytes("7F 80 1"))).toEqual([0x7f, 0x80, 0x01]);
    expect(() => parseHexBytes("7f8")).toThrow(HarnessFormatError);
    expect(() => parseHexBytes("zz")).toThrow(HarnessFormatError);
  });

  test("a transcript cut short has ended=false", () => {
    expect(parseHarness("OUT 01\n").ended).toBe(false);
  });
});
