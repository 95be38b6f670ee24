/**
 * Intel HEX → bytes. Handles data (00), end (01), extended segment (02) and extended linear (04) records,
 * which is what avr-objcopy writes for chips up to 256 KB.
 */

/** A malformed HEX file. */
export class IntelHexError extends Error {
  override name = "IntelHexError";
}

/**
 * Decode Intel HEX text into a flash image of `size` bytes (unwritten bytes stay 0xFF, like erased flash).
 * @example parseIntelHex(":0100000001FE\n:00000001FF\n", 16)[0] // 1
 */
export function parseIntelHex(text: string, size: number): Uint8Array {
  const image = new Uint8Array(size).fill(0xff);
  let base = 0;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (!line) continue;
    if (line[0] !== ":" || line.length < 11 || line.length % 2 === 0) {
      throw new IntelHexError(`line ${n + 1}: not an Intel HEX record: ${line.slice(0, 20)}`);
    }
    const bytes = new Uint8Array((line.length - 1) / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(line.substr(1 + i * 2, 2), 16);
    const count = bytes[0];
    if (bytes.length !== count + 5) throw new IntelHexError(`line ${n + 1}: length byte says ${count}, record holds ${bytes.length - 5}`);
    const sum = bytes.reduce((a, b) => (a + b) & 0xff, 0);
    if (sum !== 0) throw new IntelHexError(`line ${n + 1}: bad checksum`);
    const offset = (bytes[1] << 8) | bytes[2];
    const type = bytes[3];
    const data = bytes.subarray(4, 4 + count);
    if (type === 0x00) {
      const at = base + offset;
      if (at + count > size) throw new IntelHexError(`line ${n + 1}: data at 0x${at.toString(16)} beyond ${size}-byte flash`);
      image.set(data, at);
    } else if (type === 0x01) {
      break;
    } else if (type === 0x02) {
      base = ((data[0] << 8) | data[1]) << 4;
    } else if (type === 0x04) {
      base = ((data[0] << 8) | data[1]) << 16;
    } // 03/05 (start address) do not matter for AVR: reset starts at 0.
  }
  return image;
}
