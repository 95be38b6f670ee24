import { Buffer } from "node:buffer";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parseTflite, readTflite, writeTflite } from "../../lib/tflite/mod.ts";
import { firstDataDifference, graphShape, HAVE_SHARED, loadModel, MODELS, rng, SHARED_DIR, tfliteRunner } from "./helpers.ts";

describe.skipIf(!HAVE_SHARED)("writeTflite", () => {
  for (const name of MODELS) {
    test(`${name}: read(write(read(x))) equals read(x), data bytes included`, () => {
      const g = readTflite(loadModel(name));
      const bytes = writeTflite(g);
      const g2 = readTflite(bytes);
      expect(graphShape(g2)).toEqual(graphShape(g));
      expect(firstDataDifference(g, g2)).toBe(-1);
      expect(g.tensors.filter((t) => t.data).length).toBeGreaterThan(0);
      // The writer is deterministic: writing the re-read graph gives the same bytes.
      expect(Buffer.compare(writeTflite(g2), bytes)).toBe(0);
    });

    test(`${name}: file layout (identifier, version 3, empty buffer 0, 16-byte aligned data)`, () => {
      const bytes = writeTflite(readTflite(loadModel(name)));
      expect(String.fromCharCode(...bytes.subarray(4, 8))).toBe("TFL3");
      const raw = parseTflite(bytes);
      expect(raw.version).toBe(3);
      expect(raw.buffers[0].length).toBe(0);
      const withData = raw.buffers.filter((b) => b.length > 0);
      expect(withData.length).toBe(readTflite(bytes).tensors.filter((t) => t.data).length);
      for (const b of withData) expect(b.byteOffset % 16).toBe(0);
      expect(bytes.length % 16).toBe(0);
      // Size stays close to the converter's (no padding blow-up).
      expect(bytes.length).toBeLessThan(loadModel(name).length * 1.1 + 512);
    });
  }

  test("hello_world_int8 written by us runs in tfjs-tflite with outputs identical to the original, all 256 inputs", async () => {
    const original = await tfliteRunner(loadModel("hello_world_int8"));
    const ours = await tfliteRunner(writeTflite(readTflite(loadModel("hello_world_int8"))));
    const a: number[] = [];
    const b: number[] = [];
    for (let x = -128; x < 128; x++) {
      a.push(original([[x]])[0][0]);
      b.push(ours([[x]])[0][0]);
    }
    expect(b).toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(50); // a real sine-like curve, not a constant
  }, 30_000);

  test("hello_world_float written by us runs in tfjs-tflite identically", async () => {
    const original = await tfliteRunner(loadModel("hello_world_float"));
    const ours = await tfliteRunner(writeTflite(readTflite(loadModel("hello_world_float"))));
    for (let i = 0; i <= 20; i++) {
      const x = (i / 20) * 2 * Math.PI;
      const y = ours([[x]])[0][0];
      expect(y).toBe(original([[x]])[0][0]);
      expect(Math.abs(y - Math.sin(x))).toBeLessThan(0.25);
    }
  }, 30_000);

  test("micro_speech written by us runs in tfjs-tflite identically (random inputs + real clip features)", async () => {
    const original = await tfliteRunner(loadModel("micro_speech_quantized"));
    const ours = await tfliteRunner(writeTflite(readTflite(loadModel("micro_speech_quantized"))));
    const rand = rng(42);
    const inputs: Int8Array[] = [];
    for (let k = 0; k < 16; k++) inputs.push(Int8Array.from({ length: 1960 }, () => Math.floor(rand() * 256) - 128));
    const clips = ["yes", "no", "silence", "noise"];
    for (const c of clips) {
      const f = `${SHARED_DIR}golden/tflm/micro_speech_features_${c}_1000ms_input.bin`;
      if (!existsSync(f)) continue;
      const buf = readFileSync(f);
      inputs.push(new Int8Array(buf.buffer, buf.byteOffset, buf.length).slice());
    }
    const outs = inputs.map((x) => ours([x])[0]);
    expect(outs).toEqual(inputs.map((x) => original([x])[0]));
    if (inputs.length === 20) {
      // Labels silence, unknown, yes, no: the yes clip must score "yes" and the no clip "no".
      const argmax = (v: number[]) => v.indexOf(Math.max(...v));
      expect(argmax(outs[16])).toBe(2);
      expect(argmax(outs[17])).toBe(3);
    }
  }, 30_000);
});
