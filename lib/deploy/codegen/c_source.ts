/**
 * C source text shared by every generator (models, sketches, frontend tables, firmware for the emulators).
 * @module
 */

/**
 * Values as the rows of a C initializer list: `perLine` to a row, each row indented and ending in a comma.
 * @example cRows([1, 2, 3], 2) // "  1, 2,\n  3,"
 */
export function cRows(values: ArrayLike<number | string>, perLine: number, indent = "  "): string {
  const items = Array.from(values, (v) => String(v));
  const rows: string[] = [];
  for (let i = 0; i < items.length; i += perLine) rows.push(indent + items.slice(i, i + perLine).join(", ") + ",");
  return rows.join("\n");
}

/** Bytes as C hex literals, `0x0f`. */
export function cHex(bytes: Uint8Array): string[] {
  return Array.from(bytes, (b) => `0x${b.toString(16).padStart(2, "0")}`);
}
