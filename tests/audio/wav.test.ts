import { describe, expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { floatToInt16, int16ToFloat, loadClip16k, readWav, toMono, WavError, type WavErrorCode, writeWav } from "../../lib/audio/wav.ts";
import { mulberry32 } from "../../lib/util/random.ts";
import { CLIPS, HAVE_SHARED, rawPcmAfterHeader, sharedBytes } from "./helpers.ts";

/** Build a RIFF file from raw chunks, padding odd chunks as the spec requires. */
function riff(chunks: [string, Uint8Array][], type = "WAVE"): Uint8Array {
  const parts: number[] = [];
  const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
  const u32 = (v: number) => [v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255];
  for (const [id, body] of chunks) {
    parts.push(...ascii(id), ...u32(body.length), ...body);
    if (body.length & 1) parts.push(0);
  }
  return new Uint8Array([...ascii("RIFF"), ...u32(parts.length + 4), ...ascii(type), ...parts]);
}

function fmtBody(tag: number, channels: number, rate: number, bits: number, extensibleCode?: number): Uint8Array {
  const size = extensibleCode === undefined ? 16 : 40;
  const b = new DataView(new ArrayBuffer(size));
  const align = (channels * bits) / 8;
  b.setUint16(0, tag, true);
  b.setUint16(2, channels, true);
  b.setUint32(4, rate, true);
  b.setUint32(8, rate * align, true);
  b.setUint16(12, align, true);
  b.setUint16(14, bits, true);
  if (extensibleCode !== undefined) {
    b.setUint16(16, 22, true); // cbSize
    b.setUint16(18, bits, true); // valid bits
    b.setUint32(20, channels === 1 ? 4 : 3, true); // channel mask
    b.setUint16(24, extensibleCode, true); // sub-format GUID starts with the format code
    const tail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
    tail.forEach((v, i) => b.setUint8(26 + i, v));
  }
  return new Uint8Array(b.buffer);
}

function expectWavError(fn: () => unknown, code: WavErrorCode, fragment: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WavError);
    expect((e as WavError).code).toBe(code);
    expect((e as WavError).message).toMatch(fragment);
    return;
  }
  throw new Error(`expected WavError ${code}`);
}

function noise(n: number, seed: number, amp = 0.9): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (rng() * 2 - 1) * amp);
}

describe("readWav decodes hand-made files (independent of writeWav)", () => {
  test("8-bit unsigned PCM: 0 → −1, 128 → 0, 255 → 127/128", () => {
    const w = readWav(riff([["fmt ", fmtBody(1, 1, 8000, 8)], ["data", new Uint8Array([0, 128, 255])]]));
    expect(Array.from(w.samples[0])).toEqual([-1, 0, 127 / 128]);
    expect(w.bitsPerSample).toBe(8);
    expect(w.format).toBe("pcm");
  });

  test("24-bit PCM little-endian with sign extension (odd data size is padded)", () => {
    const data = new Uint8Array([0xff, 0xff, 0x7f, 0x00, 0x00, 0x80, 0x01, 0x00, 0x00]);
    const w = readWav(riff([["fmt ", fmtBody(1, 1, 48000, 24)], ["data", data], ["LIST", new Uint8Array(3)]]));
    expect(Array.from(w.samples[0])).toEqual([8388607 / 8388608, -1, 1 / 8388608]);
    expect(w.frames).toBe(3);
  });

  test("32-bit PCM and float32, stereo interleaving", () => {
    const pcm = new DataView(new ArrayBuffer(16));
    pcm.setInt32(0, 2 ** 30, true); // L
    pcm.setInt32(4, -(2 ** 31), true); // R
    pcm.setInt32(8, -(2 ** 29), true);
    pcm.setInt32(12, 0, true);
    const w = readWav(riff([["fmt ", fmtBody(1, 2, 16000, 32)], ["data", new Uint8Array(pcm.buffer)]]));
    expect(Array.from(w.samples[0])).toEqual([0.5, -0.25]);
    expect(Array.from(w.samples[1])).toEqual([-1, 0]);

    const fl = new DataView(new ArrayBuffer(8));
    fl.setFloat32(0, 0.125, true);
    fl.setFloat32(4, -0.75, true);
    const f = readWav(riff([["fmt ", fmtBody(3, 1, 22050, 32)], ["data", new Uint8Array(fl.buffer)]]));
    expect(f.format).toBe("float");
    expect(Array.from(f.samples[0])).toEqual([0.125, -0.75]);
  });

  test("WAVE_FORMAT_EXTENSIBLE with PCM and float sub-formats", () => {
    const d = new DataView(new ArrayBuffer(4));
    d.setInt16(0, 16384, true);
    d.setInt16(2, -32768, true);
    const w = readWav(riff([["fmt ", fmtBody(0xfffe, 1, 16000, 16, 1)], ["data", new Uint8Array(d.buffer)]]));
    expect(w.formatTag).toBe(0xfffe);
    expect(w.format).toBe("pcm");
    expect(Array.from(w.samples[0])).toEqual([0.5, -1]);
    const f = new DataView(new ArrayBuffer(4));
    f.setFloat32(0, 0.3, true);
    const wf = readWav(riff([["fmt ", fmtBody(0xfffe, 1, 16000, 32, 3)], ["data", new Uint8Array(f.buffer)]]));
    expect(wf.format).toBe("float");
    expect(wf.samples[0][0]).toBeCloseTo(0.3, 7);
  });

  test("chunks in any order, unknown and odd-sized chunks skipped", () => {
    const d = new DataView(new ArrayBuffer(4));
    d.setInt16(0, 1000, true);
    d.setInt16(2, -1000, true);
    const bytes = riff([
      ["LIST", new Uint8Array([1, 2, 3, 4, 5])], // odd size → one pad byte
      ["data", new Uint8Array(d.buffer)],
      ["junk", new Uint8Array(7)],
      ["fmt ", fmtBody(1, 1, 16000, 16)],
    ]);
    const w = readWav(bytes);
    expect(Array.from(w.int16Mono())).toEqual([1000, -1000]);
  });
});

describe("writeWav → readWav round trips", () => {
  const cases: { format: "pcm" | "float"; bits: number; tol: number }[] = [
    { format: "pcm", bits: 8, tol: 1 / 256 + 1e-9 },
    { format: "pcm", bits: 16, tol: 1 / 65536 + 1e-9 },
    { format: "pcm", bits: 24, tol: 1 / 2 ** 24 + 1e-9 },
    { format: "pcm", bits: 32, tol: 1e-7 },
    { format: "float", bits: 32, tol: 0 },
    { format: "float", bits: 64, tol: 0 },
  ];
  for (const { format, bits, tol } of cases) {
    for (const channels of [1, 2]) {
      test(`${format} ${bits}-bit, ${channels} channel(s)`, () => {
        const input = Array.from({ length: channels }, (_, c) => noise(257, 10 * bits + c));
        const bytes = writeWav(input, { sampleRate: 44100, format, bitsPerSample: bits });
        const w = readWav(bytes);
        expect(w).toMatchObject({ sampleRate: 44100, channels, bitsPerSample: bits, format, frames: 257 });
        for (let c = 0; c < channels; c++) {
          let maxErr = 0;
          for (let i = 0; i < 257; i++) maxErr = Math.max(maxErr, Math.abs(w.samples[c][i] - input[c][i]));
          expect(maxErr).toBeLessThanOrEqual(tol);
        }
      });
    }
  }

  test("int16 survives 16-bit PCM and float32 bit for bit", () => {
    const pcm = Int16Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 65536) - 32768);
    expect(readWav(writeWav(pcm, { sampleRate: 16000 })).int16Mono()).toEqual(pcm);
    expect(readWav(writeWav(int16ToFloat(pcm), { sampleRate: 16000, format: "float" })).int16Mono()).toEqual(pcm);
    expect(floatToInt16(int16ToFloat(pcm))).toEqual(pcm);
  });

  test("PCM writing clips out-of-range floats", () => {
    const w = readWav(writeWav(new Float32Array([2, -3, 0.5]), { sampleRate: 8000 }));
    expect(Array.from(w.int16Mono())).toEqual([32767, -32768, 16384]);
  });

  test("toMono averages channels", () => {
    expect(Array.from(toMono([new Float32Array([1, 0.5]), new Float32Array([0, -0.5])]))).toEqual([0.5, 0]);
  });
});

describe("malformed files give a named WavError with a fix", () => {
  const good = riff([["fmt ", fmtBody(1, 1, 16000, 16)], ["data", new Uint8Array(4)]]);
  test("not RIFF", () => expectWavError(() => readWav(new TextEncoder().encode("OggS....WAVEfmt ")), "not-riff", /not a RIFF file.*sox/));
  test("too short to be RIFF", () => expectWavError(() => readWav(new Uint8Array(3)), "not-riff", /only 3 bytes/));
  test("RIFF but not WAVE", () => expectWavError(() => readWav(riff([], "AVI ")), "not-wave", /"AVI ".*not "WAVE"/));
  test("truncated data chunk", () => expectWavError(() => readWav(good.slice(0, good.length - 2)), "truncated", /chunk "data".*cut short/));
  test("truncated data chunk accepted on request", () => {
    expect(readWav(good.slice(0, good.length - 2), { allowTruncated: true }).frames).toBe(1);
  });
  test("truncated fmt chunk", () => expectWavError(() => readWav(good.slice(0, 30)), "truncated", /chunk "fmt "/));
  test("missing fmt", () => expectWavError(() => readWav(riff([["data", new Uint8Array(4)]])), "missing-fmt", /no fmt chunk/));
  test("missing data", () => expectWavError(() => readWav(riff([["fmt ", fmtBody(1, 1, 16000, 16)]])), "missing-data", /no data chunk/));
  test("fmt too short", () => expectWavError(() => readWav(riff([["fmt ", new Uint8Array(8)], ["data", new Uint8Array(2)]])), "fmt-too-short", /at least 16/));
  test("unsupported format code (µ-law)", () =>
    expectWavError(() => readWav(riff([["fmt ", fmtBody(7, 1, 8000, 8)], ["data", new Uint8Array(2)]])), "unsupported-format", /code 7 \(µ-law\).*sox in\.wav -b 16/));
  test("unsupported bit depth (12-bit PCM)", () =>
    expectWavError(() => readWav(riff([["fmt ", fmtBody(1, 1, 8000, 12)], ["data", new Uint8Array(2)]])), "unsupported-bit-depth", /12-bit PCM.*sox/));
  test("unsupported bit depth (16-bit float)", () =>
    expectWavError(() => readWav(riff([["fmt ", fmtBody(3, 1, 8000, 16)], ["data", new Uint8Array(2)]])), "unsupported-bit-depth", /16-bit float/));
  test("zero channels", () =>
    expectWavError(() => readWav(riff([["fmt ", fmtBody(1, 0, 8000, 16)], ["data", new Uint8Array(2)]])), "zero-channels", /0 channels/));
  test("zero sample rate", () =>
    expectWavError(() => readWav(riff([["fmt ", fmtBody(1, 1, 0, 16)], ["data", new Uint8Array(2)]])), "bad-sample-rate", /sample rate 0/));
  test("inconsistent block align", () => {
    const f = fmtBody(1, 2, 8000, 16);
    new DataView(f.buffer).setUint16(12, 3, true);
    expectWavError(() => readWav(riff([["fmt ", f], ["data", new Uint8Array(4)]])), "bad-block-align", /block align is 3, expected 4/);
  });
  test("writeWav refuses what it cannot write", () => {
    expectWavError(() => writeWav(new Float32Array(2), { sampleRate: 16000, bitsPerSample: 12 }), "unsupported-bit-depth", /12-bit pcm/);
    expectWavError(() => writeWav(new Float32Array(2), { sampleRate: 0 }), "bad-sample-rate", /not a positive integer/);
  });
});

describe.skipIf(!HAVE_SHARED)("the shared Speech Commands clips", () => {
  for (const clip of CLIPS) {
    test(`${clip}_1000ms.wav: 16 kHz mono 16-bit, samples equal the raw PCM`, () => {
      const w = readWav(sharedBytes(`${clip}_1000ms.wav`));
      expect(w).toMatchObject({ sampleRate: 16000, channels: 1, bitsPerSample: 16, format: "pcm", frames: 16000 });
      const raw = rawPcmAfterHeader(`${clip}_1000ms.wav`);
      expect(w.int16Mono()).toEqual(raw);
      expect(loadClip16k(sharedBytes(`${clip}_1000ms.wav`))).toEqual(raw);
    });
  }
});

let haveSox = false;
try {
  execFileSync("sox", ["--version"], { stdio: "ignore" });
  haveSox = true;
} catch {
  console.warn("[tests/audio] sox not found: the sox cross-check is SKIPPED");
}

describe.skipIf(!haveSox)("files written by sox", () => {
  test("the same tone as 8/16/24/32-bit PCM, float, stereo, 44.1 kHz decodes consistently", () => {
    const dir = mkdtempSync(join(tmpdir(), "wavtest-"));
    try {
      const make = (name: string, args: string[]) => {
        const path = join(dir, name);
        execFileSync("sox", ["-n", "-r", "44100", "-c", "2", ...args, path, "synth", "0.05", "sine", "440", "sine", "1000", "vol", "0.5"]);
        return readWav(new Uint8Array(readFileSync(path)));
      };
      const ref = make("f32.wav", ["-e", "floating-point", "-b", "32"]);
      expect(ref).toMatchObject({ sampleRate: 44100, channels: 2, format: "float", bitsPerSample: 32 });
      const variants: [string, string[], number][] = [
        ["s8.wav", ["-e", "unsigned-integer", "-b", "8"], 2 / 128],
        ["s16.wav", ["-e", "signed-integer", "-b", "16"], 2 / 32768],
        ["s24.wav", ["-e", "signed-integer", "-b", "24"], 2 / 8388608],
        ["s32.wav", ["-e", "signed-integer", "-b", "32"], 1e-6],
      ];
      for (const [name, args, tol] of variants) {
        const w = make(name, ["-D", ...args]); // -D: no dither, so the only difference is quantisation
        expect(w.frames).toBe(ref.frames);
        for (let c = 0; c < 2; c++) {
          let maxErr = 0;
          for (let i = 0; i < w.frames; i++) maxErr = Math.max(maxErr, Math.abs(w.samples[c][i] - ref.samples[c][i]));
          expect(maxErr, name).toBeLessThanOrEqual(tol);
        }
      }
      // Stereo channels really differ (440 Hz vs 1 kHz), so channel order was decoded.
      expect(Math.abs(ref.samples[0][30] - ref.samples[1][30])).toBeGreaterThan(1e-3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
