/** A tiny PNG reader for tests: 8-bit RGB/RGBA, non-interlaced (what Chromium writes). */
import { inflateSync } from "node:zlib";

export interface Decoded {
  width: number;
  height: number;
  channels: number;
  pixels: Uint8Array;
}

export const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

export function hasPngSignature(b: Uint8Array): boolean {
  return PNG_SIGNATURE.every((v, i) => b[i] === v);
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** Width and height from the IHDR chunk, which must come first. */
export function pngSize(b: Uint8Array): { width: number; height: number } {
  if (!hasPngSignature(b)) throw new Error("not a PNG");
  const type = String.fromCharCode(...b.subarray(12, 16));
  if (type !== "IHDR") throw new Error(`first chunk is ${type}, not IHDR`);
  return { width: u32(b, 16), height: u32(b, 20) };
}

export function decodePng(b: Uint8Array): Decoded {
  const { width, height } = pngSize(b);
  const bitDepth = b[24];
  const colorType = b[25];
  const interlace = b[28];
  if (bitDepth !== 8 || (colorType !== 2 && colorType !== 6) || interlace !== 0) {
    throw new Error(`unsupported PNG: depth ${bitDepth}, colour type ${colorType}, interlace ${interlace}`);
  }
  const channels = colorType === 6 ? 4 : 3;
  const idat: Uint8Array[] = [];
  for (let o = 8; o < b.length;) {
    const len = u32(b, o);
    const type = String.fromCharCode(...b.subarray(o + 4, o + 8));
    if (type === "IDAT") idat.push(b.subarray(o + 8, o + 8 + len));
    if (type === "IEND") break;
    o += 12 + len;
  }
  const total = idat.reduce((a, c) => a + c.length, 0);
  const joined = new Uint8Array(total);
  let off = 0;
  for (const c of idat) { joined.set(c, off); off += c.length; }
  const raw = new Uint8Array(inflateSync(joined));
  const stride = width * channels;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = out.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? out.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? row[i - channels] : 0;
      const c = i >= channels ? up[i - channels] : 0;
      const u = up[i];
      let p: number;
      switch (filter) {
        case 0: p = 0; break;
        case 1: p = a; break;
        case 2: p = u; break;
        case 3: p = (a + u) >> 1; break;
        case 4: {
          const pa = Math.abs(u - c), pb = Math.abs(a - c), pc = Math.abs(a + u - 2 * c);
          p = pa <= pb && pa <= pc ? a : pb <= pc ? u : c;
          break;
        }
        default: throw new Error(`bad filter ${filter} on row ${y}`);
      }
      row[i] = (src[i] + p) & 255;
    }
  }
  return { width, height, channels, pixels: out };
}

/** Fraction of pixels that are not (near) white. */
export function inkFraction(d: Decoded): number {
  let ink = 0;
  for (let i = 0; i < d.width * d.height; i++) {
    const o = i * d.channels;
    const alpha = d.channels === 4 ? d.pixels[o + 3] : 255;
    if (alpha > 0 && (d.pixels[o] < 240 || d.pixels[o + 1] < 240 || d.pixels[o + 2] < 240)) ink++;
  }
  return ink / (d.width * d.height);
}

/** Fraction of strongly coloured pixels (channel spread > 60), i.e. data, not grey axes or text. */
export function colourFraction(d: Decoded): number {
  let n = 0;
  for (let i = 0; i < d.width * d.height; i++) {
    const o = i * d.channels;
    const r = d.pixels[o], g = d.pixels[o + 1], bl = d.pixels[o + 2];
    if (Math.max(r, g, bl) - Math.min(r, g, bl) > 60) n++;
  }
  return n / (d.width * d.height);
}
