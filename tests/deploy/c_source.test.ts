import { describe, expect, test } from "vitest";
import { cHex, cRows } from "../../lib/deploy/codegen/mod.ts";

describe("C source helpers", () => {
  test("cRows: rows of perLine values, indented, each ending in a comma; nothing for no values", () => {
    expect(cRows([1, -2, 3, 4, 5], 2)).toBe("  1, -2,\n  3, 4,\n  5,");
    expect(cRows(["a", "b"], 4, "    ")).toBe("    a, b,");
    expect(cRows(new Int8Array([-128, 127]), 16)).toBe("  -128, 127,");
    expect(cRows([], 8)).toBe("");
  });
  test("cHex: two hex digits per byte", () => {
    expect(cHex(new Uint8Array([0, 15, 255]))).toEqual(["0x00", "0x0f", "0xff"]);
  });
});
