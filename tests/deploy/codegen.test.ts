import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Graph } from "../../lib/graph/types.ts";
import {
  CodegenUnsupportedError,
  emitModelC,
  emitTfliteCArray,
  generateArduinoLibrary,
  generateSketch,
  quantizeMultiplier,
  softmaxParams,
  tensorBytes,
} from "../../lib/deploy/codegen/mod.ts";
import {
  buildHostRunner,
  CASES,
  CONFORMANCE,
  diffs,
  golden,
  HAVE_SHARED,
  hasTool,
  loadModel,
  runHost,
  STRICT,
} from "./codegen_helpers.ts";

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

describe("prepare arithmetic", () => {
  test("QuantizeMultiplier gives a Q31 mantissa in [2^30, 2^31) and the right exponent", () => {
    for (const real of [0.5, 0.75, 1e-3, 3.3, 0.999999999999]) {
      const { multiplier, shift } = quantizeMultiplier(real);
      expect(multiplier).toBeGreaterThanOrEqual(2 ** 30);
      expect(multiplier).toBeLessThanOrEqual(2 ** 31 - 1);
      expect(Math.abs(multiplier * 2 ** (shift - 31) - real) / real).toBeLessThan(1e-9);
    }
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
  });
});

describe.skipIf(!HAVE_SHARED)("prepared parameters match the golden harness's", () => {
  test("micro_speech: FULLY_CONNECTED multiplier and SOFTMAX scaling (manifest prepare_facts)", () => {
    const g = loadModel("micro_speech_quantized.tflite");
    const fc = g.operators[2];
    const [i, w, o] = [fc.inputs[0], fc.inputs[1], fc.outputs[0]].map((t) => g.tensors[t].quant!.scale[0]);
    expect(quantizeMultiplier((i * w) / o)).toEqual({ multiplier: 1932201080, shift: -11 });
    const sm = g.operators[3];
    const beta = sm.options.op === "SOFTMAX" ? sm.options.beta : NaN;
    expect(softmaxParams(beta, g.tensors[sm.inputs[0]].quant!.scale[0])).toEqual({
      inputMultiplier: 1575942400,
      inputLeftShift: 23,
      diffMin: -248,
    });
  });
});

describe.skipIf(!HAVE_SHARED)("memory plan of the generated code", () => {
  test("buffers that live at the same time never overlap; RESHAPE shares its input's bytes", () => {
    for (const file of ["micro_speech_quantized.tflite", "person_detect.tflite"]) {
      const g = loadModel(file);
      const plan = emitModelC(g, { name: "m", fuse: false }).plan;
      const live = (t: number) => {
        const steps = g.operators.flatMap((op, k) => (op.inputs.includes(t) || op.outputs.includes(t) ? [k] : []));
        if (g.inputs.includes(t)) steps.push(0);
        if (g.outputs.includes(t)) steps.push(g.operators.length);
        return [Math.min(...steps), Math.max(...steps)];
      };
      const ts = [...plan.offsets.keys()];
      for (const a of ts) {
        expect(plan.offsets.get(a)! + tensorBytes(g, a)).toBeLessThanOrEqual(plan.arenaBytes);
        for (const b of ts) {
          if (a >= b || plan.aliases.get(a) === b || plan.aliases.get(b) === a) continue;
          const [fa, la] = live(a), [fb, lb] = live(b);
          if (fa > lb || fb > la) continue;
          const [oa, ob] = [plan.offsets.get(a)!, plan.offsets.get(b)!];
          const overlap = oa < ob + tensorBytes(g, b) && ob < oa + tensorBytes(g, a);
          expect(overlap, `${file}: tensors ${a} and ${b}`).toBe(false);
        }
      }
    }
    // micro_speech unfused: the reshape is free, so the arena is the depthwise output + its input (4000 + 1960).
    const ms = loadModel("micro_speech_quantized.tflite");
    expect(emitModelC(ms, { name: "ms", fuse: false }).arenaBytes).toBe(5960);
    // Fused (default), the depthwise output is never stored: input + logits (the scores reuse the input bytes),
    // and the logits do not overlap the input the fused kernel is still reading.
    const fused = emitModelC(ms, { name: "ms" });
    expect(fused.arenaBytes).toBe(1960 + 4);
    expect(fused.scratchBytes).toBe(16);
    expect(fused.plan.offsets.get(ms.operators[2].outputs[0])).toBeGreaterThanOrEqual(1960);
  });
});

describe.skipIf(!HAVE_SHARED || !hasTool("gcc"))("generated C on the host (gcc) is bit-exact with TFLite's reference kernels", () => {
  for (const c of CASES) {
    test(`${c.model} on ${c.input}`, () => {
      const exe = buildHostRunner(loadModel(c.model), c.name);
      const input = golden(c.input), want = golden(c.output);
      expect(input.length / c.inBytes).toBe(want.length / c.outBytes);
      const got = runHost(exe, input);
      expect(diffs(got, want)).toEqual([]);
    }, 60_000);
  }

  test("micro_speech without conv+FC fusion (separate DEPTHWISE_CONV_2D and FULLY_CONNECTED kernels)", () => {
    const exe = buildHostRunner(loadModel("micro_speech_quantized.tflite"), "micro_speech", { fuse: false });
    expect(diffs(runHost(exe, golden("micro_speech_quantized.input.bin")), golden("micro_speech_quantized.output.bin"))).toEqual([]);
  }, 60_000);

  test("the comparison can fail: negating the last layer's weights changes hello_world's outputs", () => {
    const g = loadModel("hello_world_int8.tflite");
    const w = g.tensors[g.operators[2].inputs[1]].data as Int8Array;
    w.forEach((v, k) => (w[k] = -v));
    const got = runHost(buildHostRunner(g, "hello_world"), golden("hello_world_int8.input.bin"));
    expect(diffs(got, golden("hello_world_int8.output.bin")).length).toBeGreaterThan(0);
  }, 30_000);
});

describe.skipIf(!HAVE_SHARED)("generated files", () => {
  test("library layout, API and defines", () => {
    const dir = mkdtempSync(join(tmpdir(), "tinyml-codegen-"));
    const lib = generateArduinoLibrary(loadModel("micro_speech_quantized.tflite"), { name: "micro_speech", outDir: dir, board: "nano33ble" });
    const rel = listFiles(dir).map((f) => f.slice(dir.length + 1)).sort();
    expect(rel).toEqual(["library.properties", "src/micro_speech.h", "src/micro_speech_model.c", "src/tinyml_kernels.c", "src/tinyml_kernels.h"]);
    const h = readFileSync(join(dir, "src/micro_speech.h"), "utf8");
    expect(h).toContain("void micro_speech_invoke(const int8_t* in, int8_t* out);");
    expect(h).toMatch(/#define MICRO_SPEECH_INPUT_SIZE 1960\b/);
    expect(h).toMatch(/#define MICRO_SPEECH_OUTPUT_SIZE 4\b/);
    expect(h).toMatch(/#define MICRO_SPEECH_INPUT_ZERO_POINT -128\b/);
    expect(h).toMatch(/#define MICRO_SPEECH_OUTPUT_ZERO_POINT -128\b/);
    expect(h).toMatch(/#define MICRO_SPEECH_OUTPUT_SCALE 0\.00390625f/);
    const c = readFileSync(join(dir, "src/micro_speech_model.c"), "utf8");
    expect(c).toMatch(/static const int8_t op2_weights\[16000\] TML_CONST/);
    expect(c).toContain("DEPTHWISE_CONV_2D [1,49,40,1] * [1,10,8,8] -> [1,25,20,8]");
    expect(c).toMatch(/int8_t bytes\[1964\]/);
    expect(c).toContain("tml_depthwise_conv_fc_s8(&cp, ");
    // AVR compiles the one-channel depthwise layer as a CONV_2D on the transposed filter, others the depthwise.
    expect(c).toContain("tml_conv_fc_s8(&cp, ");
    expect(c).toMatch(/#if !defined\(__AVR__\)\n\/\* op 1 DEPTHWISE_CONV_2D filter[^\n]*\*\/\nstatic const int8_t op1_filter\[640\]/);
    expect(c).toMatch(/#if defined\(__AVR__\)\n\/\* op 1 the same filter as CONV_2D \[8, 10, 8, 1\][^\n]*\*\/\nstatic const int8_t op1_filter_ohwi\[640\]/);
    const g = loadModel("micro_speech_quantized.tflite");
    const dw = g.tensors[g.operators[1].inputs[1]].data as Int8Array; // [1][10][8][8]
    const ohwi = c.slice(c.indexOf("op1_filter_ohwi[640]")).split("{")[1].split("}")[0].split(",").map(Number);
    // OHWI [c][y][x] is depthwise [y][x][c]
    for (const [ch, y, x] of [[0, 0, 0], [3, 4, 5], [7, 9, 7]]) expect(ohwi[(ch * 10 + y) * 8 + x]).toBe(dw[(y * 8 + x) * 8 + ch]);
    // The fused FULLY_CONNECTED's weights are stored channel-major: row 0 [c][h][w] from [h][w][c].
    const fcw = g.tensors[g.operators[2].inputs[1]].data as Int8Array; // [4][25*20*8]
    const stored = c.slice(c.indexOf("op2_weights[16000]")).split("{")[1].split("}")[0].split(",").map(Number);
    for (const [o, ch, y, x] of [[0, 0, 0, 1], [1, 5, 12, 19], [3, 7, 24, 0]]) {
      expect(stored[o * 4000 + (ch * 25 + y) * 20 + x]).toBe(fcw[o * 4000 + (y * 20 + x) * 8 + ch]);
    }
    expect(lib.macs).toBe(25 * 20 * 8 * 10 * 8 + 4 * 4000);
    expect(readFileSync(join(dir, "library.properties"), "utf8")).toMatch(/^name=micro_speech$/m);
    // Atomic writes leave no temp files behind.
    expect(rel.some((f) => f.includes(".tmp-"))).toBe(false);
  });

  test("reproducible: the same graph gives byte-identical files", () => {
    const g = loadModel("person_detect.tflite");
    const [a, b] = [0, 1].map(() => mkdtempSync(join(tmpdir(), "tinyml-codegen-")));
    generateArduinoLibrary(g, { name: "person_detect", outDir: a });
    generateArduinoLibrary(loadModel("person_detect.tflite"), { name: "person_detect", outDir: b });
    const fa = listFiles(a).map((f) => f.slice(a.length)), fb = listFiles(b).map((f) => f.slice(b.length));
    expect(fa).toEqual(fb);
    for (const f of fa) expect(readFileSync(a + f).equals(readFileSync(b + f)), f).toBe(true);
  });

  test("sketch: folder named like the .ino, samples stored, OUT/END protocol", () => {
    const dir = mkdtempSync(join(tmpdir(), "tinyml-sketch-"));
    const samples = [new Int8Array([1]), new Int8Array([-5])];
    const path = generateSketch({ lesson: "hello_lesson", library: "hello_world", outDir: dir, samples, inputBytes: 1 });
    expect(path).toBe(join(dir, "hello_lesson", "hello_lesson.ino"));
    const ino = readFileSync(path, "utf8");
    expect(ino).toContain("#include <hello_world.h>");
    expect(ino).toContain("static const int8_t kSamples[2][1] SAMPLES_CONST");
    expect(ino).toContain('Serial.print("OUT");');
    expect(ino).toContain('Serial.println("END");');
    expect(() => generateSketch({ lesson: "x", library: "hello_world", outDir: dir, samples: [new Int8Array(2)], inputBytes: 1 })).toThrow(/2 bytes/);
  });

  test("TFLite Micro C array", () => {
    const bytes = new Uint8Array(readFileSync(join(CONFORMANCE, "hello_world_int8.tflite")));
    const { header, source } = emitTfliteCArray(bytes, "g_model");
    expect(header).toContain("extern const unsigned char g_model[];");
    expect(source).toContain("alignas(16) const unsigned char g_model[] = {");
    expect(source).toContain(`const unsigned int g_model_len = ${bytes.length};`);
    const parsed = [...source.matchAll(/0x([0-9a-f]{2})/g)].map((m) => parseInt(m[1], 16));
    expect(new Uint8Array(parsed)).toEqual(bytes);
    expect(() => emitTfliteCArray(bytes, "bad name")).toThrow(/C identifier/);
  });

  test("unsupported ops are refused with a typed error that names the op", () => {
    const g: Graph = loadModel("hello_world_int8.tflite");
    g.operators[0] = { ...g.operators[0], options: { op: "MEAN", keepDims: true } };
    expect(() => emitModelC(g, { name: "x" })).toThrow(CodegenUnsupportedError);
    expect(() => emitModelC(g, { name: "x" })).toThrow(/MEAN/);
  });
});

/** Compile flags per cross compiler (the library must build warning-free on each). */
const CROSS: Record<string, string[]> = {
  "gcc": [],
  "avr-gcc": ["-mmcu=atmega2560", "-Os"],
  "arm-none-eabi-gcc": ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16", "-Os"],
};

describe.skipIf(!HAVE_SHARED)("warning-free with -Wall -Wextra -Werror -std=c99 -pedantic", () => {
  for (const [cc, flags] of Object.entries(CROSS)) {
    test.skipIf(!hasTool(cc))(cc, () => {
      const models = cc === "avr-gcc"
        ? [["hello_world_int8.tflite", "hello_world"], ["micro_speech_quantized.tflite", "micro_speech"]]
        : [["hello_world_int8.tflite", "hello_world"], ["micro_speech_quantized.tflite", "micro_speech"], ["person_detect.tflite", "person_detect"]];
      for (const [file, name] of models) {
        const dir = mkdtempSync(join(tmpdir(), "tinyml-cc-"));
        const lib = generateArduinoLibrary(loadModel(file), { name, outDir: dir });
        for (const src of [`${name}_model.c`, "tinyml_kernels.c"]) {
          const r = spawnSync(cc, [...STRICT, ...flags, `-I${lib.srcDir}`, "-c", join(lib.srcDir, src), "-o", join(dir, src + ".o")], { encoding: "utf8" });
          expect(r.stderr, `${cc} ${name} ${src}`).toBe("");
          expect(r.status).toBe(0);
        }
      }
    }, 60_000);
  }

  test.skipIf(!hasTool("avr-gcc"))("person_detect stops an AVR build with a clear #error", () => {
    const dir = mkdtempSync(join(tmpdir(), "tinyml-cc-"));
    const lib = generateArduinoLibrary(loadModel("person_detect.tflite"), { name: "person_detect", outDir: dir });
    const r = spawnSync("avr-gcc", ["-mmcu=atmega2560", "-std=c99", `-I${lib.srcDir}`, "-c", join(lib.srcDir, "person_detect_model.c"), "-o", join(dir, "p.o")], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/16-bit flash pointers/);
  }, 30_000);
});
