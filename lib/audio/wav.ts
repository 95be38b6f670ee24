/**
 * WAV (RIFF/WAVE) reading and writing.
 *
 * Reads PCM 8/16/24/32-bit, IEEE float 32/64-bit, plain or WAVE_FORMAT_EXTENSIBLE, any number of
 * channels, with chunks in any order and odd-sized chunks padded as RIFF requires. Samples come
 * out as float32 in [-1, 1) per channel; `int16Mono()` gives the int16 mono signal the
 * microcontroller examples use.
 */
import { resample } from "./resample.ts";

/** Short machine-readable reason a file was refused. */
export type WavErrorCode =
  | "not-riff"
  | "not-wave"
  | "truncated"
  | "missing-fmt"
  | "missing-data"
  | "fmt-too-short"
  | "unsupported-format"
  | "unsupported-bit-depth"
  | "zero-channels"
  | "bad-sample-rate"
  | "bad-block-align"
  | "bad-input";

/** A WAV file could not be read or written; `code` names the problem, the message says how to fix it. */
export class WavError extends Error {
  readonly code: WavErrorCode;
  constructor(code: WavErrorCode, problem: string, fix: string) {
    super(`${problem} — ${fix}`);
    this.name = "WavError";
    this.code = code;
  }
}

/** Sample encoding: integer PCM or IEEE float. */
export type WavSampleFormat = "pcm" | "float";

/** A decoded WAV file. */
export interface WavData {
  sampleRate: number;
  channels: number;
  /** Bits per sample as stored (8, 16, 24, 32 or 64). */
  bitsPerSample: number;
  format: WavSampleFormat;
  /** The format code in the file: 1 (PCM), 3 (float) or 0xFFFE (extensible). */
  formatTag: number;
  /** Number of sample frames (samples per channel). */
  frames: number;
  /** One float32 array per channel, full scale = ±1. */
  samples: Float32Array[];
  /** Mix down to mono and convert to int16 (rounded, clipped). */
  int16Mono(): Int16Array;
}

/** Options for `readWav`. */
export interface ReadWavOptions {
  /** Accept a data chunk that runs past the end of the file (keep the whole frames present). */
  allowTruncated?: boolean;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
const SOX_FIX = "convert it with `sox in.wav -b 16 -e signed-integer out.wav`";

function fourcc(view: DataView, at: number): string {
  return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
}

/** Float32 [-1, 1) → int16, rounded and clipped (−1 → −32768, just under 1 → 32767). */
export function floatToInt16(x: Float32Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = Math.round(x[i] * 32768);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** int16 → float32 in [-1, 1) (divides by 32768, so the round trip is exact). */
export function int16ToFloat(x: Int16Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] / 32768;
  return out;
}

/**
 * Average the channels into one.
 * @example
 * const mono = toMono(readWav(bytes).samples);
 */
export function toMono(channels: Float32Array[]): Float32Array {
  if (channels.length === 0) throw new WavError("bad-input", "toMono got no channels", "pass at least one channel");
  if (channels.length === 1) return channels[0].slice();
  const n = channels[0].length;
  const out = new Float32Array(n);
  for (const ch of channels) {
    if (ch.length !== n) {
      throw new WavError("bad-input", `toMono: channels differ in length (${ch.length} vs ${n})`, "pass channels of equal length");
    }
    for (let i = 0; i < n; i++) out[i] += ch[i];
  }
  for (let i = 0; i < n; i++) out[i] /= channels.length;
  return out;
}

interface FmtChunk {
  formatTag: number;
  format: WavSampleFormat;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
}

function parseFmt(view: DataView, at: number, size: number): FmtChunk {
  if (size < 16) {
    throw new WavError("fmt-too-short", `fmt chunk is ${size} bytes, needs at least 16`, `the header is damaged; ${SOX_FIX}`);
  }
  const formatTag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  let code = formatTag;
  if (formatTag === FORMAT_EXTENSIBLE) {
    if (size < 40) {
      throw new WavError(
        "fmt-too-short",
        `WAVE_FORMAT_EXTENSIBLE fmt chunk is ${size} bytes, needs 40`,
        `the header is damaged; ${SOX_FIX}`,
      );
    }
    // The sub-format GUID starts with the real format code.
    code = view.getUint16(at + 24, true);
  }
  let format: WavSampleFormat;
  if (code === FORMAT_PCM) format = "pcm";
  else if (code === FORMAT_FLOAT) format = "float";
  else {
    const names: Record<number, string> = { 2: "MS ADPCM", 6: "A-law", 7: "µ-law", 0x11: "IMA ADPCM", 0x55: "MP3" };
    throw new WavError(
      "unsupported-format",
      `unsupported WAV format code ${code}${names[code] ? ` (${names[code]})` : ""}; only PCM (1) and IEEE float (3) are read`,
      SOX_FIX,
    );
  }
  if (channels === 0) {
    throw new WavError("zero-channels", "fmt chunk says 0 channels", `the header is damaged; ${SOX_FIX}`);
  }
  if (sampleRate === 0) {
    throw new WavError("bad-sample-rate", "fmt chunk says sample rate 0", "rewrite the header with the real rate, e.g. `sox -r 16000 in.wav out.wav`");
  }
  const okBits = format === "pcm" ? [8, 16, 24, 32] : [32, 64];
  if (!okBits.includes(bitsPerSample)) {
    throw new WavError(
      "unsupported-bit-depth",
      `${bitsPerSample}-bit ${format === "pcm" ? "PCM" : "float"} is not supported (supported: ${okBits.join(", ")})`,
      SOX_FIX,
    );
  }
  const expectedAlign = (channels * bitsPerSample) / 8;
  if (blockAlign !== expectedAlign) {
    throw new WavError(
      "bad-block-align",
      `block align is ${blockAlign}, expected ${expectedAlign} for ${channels} channel(s) of ${bitsPerSample} bits`,
      `the header is inconsistent; ${SOX_FIX}`,
    );
  }
  return { formatTag, format, channels, sampleRate, blockAlign, bitsPerSample };
}

function decodeSample(view: DataView, at: number, fmt: FmtChunk): number {
  if (fmt.format === "float") return fmt.bitsPerSample === 32 ? view.getFloat32(at, true) : view.getFloat64(at, true);
  switch (fmt.bitsPerSample) {
    case 8:
      return (view.getUint8(at) - 128) / 128; // 8-bit WAV is unsigned, centred on 128
    case 16:
      return view.getInt16(at, true) / 32768;
    case 24: {
      const v = view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16);
      return v / 8388608;
    }
    default:
      return view.getInt32(at, true) / 2147483648;
  }
}

/**
 * Decode a WAV file.
 * @throws WavError (with a `code`) for anything it cannot read, saying how to convert the file.
 * @example
 * const wav = readWav(new Uint8Array(fs.readFileSync("yes.wav")));
 * wav.sampleRate; // 16000
 * const pcm = wav.int16Mono();
 */
export function readWav(bytes: Uint8Array | ArrayBuffer, options: ReadWavOptions = {}): WavData {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  if (u8.length < 12 || fourcc(view, 0) !== "RIFF") {
    const what = u8.length >= 4 ? `starts with "${fourcc(view, 0).replace(/[^\x20-\x7e]/g, "?")}"` : `is only ${u8.length} bytes`;
    throw new WavError("not-riff", `not a RIFF file (it ${what})`, `this is not a WAV file; ${SOX_FIX}`);
  }
  if (fourcc(view, 8) !== "WAVE") {
    throw new WavError("not-wave", `RIFF file of type "${fourcc(view, 8)}", not "WAVE"`, `this is not a WAV file; ${SOX_FIX}`);
  }
  let fmt: FmtChunk | null = null;
  let dataAt = -1;
  let dataSize = 0;
  let at = 12;
  while (at + 8 <= u8.length) {
    const id = fourcc(view, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (body + size > u8.length) {
      if (id === "data" && options.allowTruncated) {
        dataAt = body;
        dataSize = u8.length - body;
        break;
      }
      throw new WavError(
        "truncated",
        `chunk "${id}" at byte ${at} declares ${size} bytes but only ${u8.length - body} remain`,
        id === "data"
          ? "the file was cut short; re-export it, or pass { allowTruncated: true } to keep what is there"
          : `the file is damaged; ${SOX_FIX}`,
      );
    }
    if (id === "fmt ") fmt = parseFmt(view, body, size);
    else if (id === "data" && dataAt < 0) {
      dataAt = body;
      dataSize = size;
    }
    at = body + size + (size & 1); // chunks are padded to an even size
  }
  if (!fmt) throw new WavError("missing-fmt", "no fmt chunk, so the sample format is unknown", `the header is damaged; ${SOX_FIX}`);
  if (dataAt < 0) throw new WavError("missing-data", "no data chunk, so there are no samples", "the file has no audio; re-record or re-export it");

  const frames = Math.floor(dataSize / fmt.blockAlign);
  const bytesPer = fmt.bitsPerSample / 8;
  const samples: Float32Array[] = [];
  for (let c = 0; c < fmt.channels; c++) samples.push(new Float32Array(frames));
  for (let f = 0; f < frames; f++) {
    const base = dataAt + f * fmt.blockAlign;
    for (let c = 0; c < fmt.channels; c++) samples[c][f] = decodeSample(view, base + c * bytesPer, fmt);
  }
  return {
    sampleRate: fmt.sampleRate,
    channels: fmt.channels,
    bitsPerSample: fmt.bitsPerSample,
    format: fmt.format,
    formatTag: fmt.formatTag,
    frames,
    samples,
    int16Mono: () => floatToInt16(toMono(samples)),
  };
}

/** Options for `writeWav`. */
export interface WriteWavOptions {
  sampleRate: number;
  /** "pcm" (default) or "float". */
  format?: WavSampleFormat;
  /** 8, 16 (default), 24 or 32 for PCM; 32 (default) or 64 for float. */
  bitsPerSample?: number;
}

/**
 * Encode samples as a WAV file. `samples` is one channel (Float32Array in [-1, 1) or Int16Array)
 * or an array of equally long channels. PCM output is rounded and clipped.
 * @example
 * fs.writeFileSync("out.wav", writeWav(int16Samples, { sampleRate: 16000 }));
 * writeWav([left, right], { sampleRate: 44100, format: "float" });
 */
export function writeWav(samples: Float32Array | Int16Array | Float32Array[], options: WriteWavOptions): Uint8Array {
  const channels: Float32Array[] = Array.isArray(samples)
    ? samples
    : samples instanceof Int16Array
    ? [int16ToFloat(samples)]
    : [samples];
  const format = options.format ?? "pcm";
  const bits = options.bitsPerSample ?? (format === "pcm" ? 16 : 32);
  const okBits = format === "pcm" ? [8, 16, 24, 32] : [32, 64];
  if (!okBits.includes(bits)) {
    throw new WavError("unsupported-bit-depth", `cannot write ${bits}-bit ${format}`, `use bitsPerSample ${okBits.join(" or ")}`);
  }
  if (channels.length === 0) throw new WavError("zero-channels", "writeWav got no channels", "pass at least one channel");
  if (!(options.sampleRate > 0) || !Number.isInteger(options.sampleRate)) {
    throw new WavError("bad-sample-rate", `sample rate ${options.sampleRate} is not a positive integer`, "pass e.g. { sampleRate: 16000 }");
  }
  const frames = channels[0].length;
  if (channels.some((c) => c.length !== frames)) {
    throw new WavError("bad-input", "channels differ in length", "pass channels of equal length");
  }
  const bytesPer = bits / 8;
  const blockAlign = bytesPer * channels.length;
  const dataSize = frames * blockAlign;
  const out = new Uint8Array(44 + dataSize + (dataSize & 1));
  const view = new DataView(out.buffer);
  const put4 = (at: number, s: string) => [...s].forEach((ch, i) => view.setUint8(at + i, ch.charCodeAt(0)));
  put4(0, "RIFF");
  view.setUint32(4, out.length - 8, true);
  put4(8, "WAVE");
  put4(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, format === "pcm" ? FORMAT_PCM : FORMAT_FLOAT, true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, options.sampleRate, true);
  view.setUint32(28, options.sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bits, true);
  put4(36, "data");
  view.setUint32(40, dataSize, true);
  const full = 2 ** (bits - 1);
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels.length; c++) {
      const at = 44 + f * blockAlign + c * bytesPer;
      const x = channels[c][f];
      if (format === "float") {
        if (bits === 32) view.setFloat32(at, x, true);
        else view.setFloat64(at, x, true);
        continue;
      }
      const v = Math.min(full - 1, Math.max(-full, Math.round(x * full)));
      if (bits === 8) view.setUint8(at, v + 128);
      else if (bits === 16) view.setInt16(at, v, true);
      else if (bits === 24) {
        view.setUint8(at, v & 0xff);
        view.setUint8(at + 1, (v >> 8) & 0xff);
        view.setUint8(at + 2, (v >> 16) & 0xff);
      } else view.setInt32(at, v, true);
    }
  }
  return out;
}

/**
 * Decode a WAV file into the int16, mono, 16 kHz signal the keyword-spotting pipeline wants:
 * channels are averaged and other rates are resampled. A 16 kHz 16-bit mono file passes through
 * bit for bit.
 * @example
 * const pcm = loadClip16k(new Uint8Array(fs.readFileSync("yes.wav")));
 * const features = microSpeechFeatures(pcm);
 */
export function loadClip16k(bytes: Uint8Array | ArrayBuffer, options: ReadWavOptions = {}): Int16Array {
  const wav = readWav(bytes, options);
  const mono = toMono(wav.samples);
  return floatToInt16(wav.sampleRate === 16000 ? mono : resample(mono, wav.sampleRate, 16000));
}
