/**
 * Bit-exact conformance with TensorFlow Lite Micro: every golden vector in ../shared/conformance/golden
 * (reference integer kernels) and golden/tflm (TFLM's own MicroInterpreter), 0 mismatches allowed.
 */
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { Interpreter } from "../../lib/int8/mod.ts";
import type { KernelSet } from "../../lib/int8/mod.ts";
import { firstMismatch, GOLDEN_DIR, HAVE_SHARED, int8File, items, loadModel, TFLM_DIR } from "./golden.ts";

interface TflmVector {
  model: string;
  input_file: string;
  output_file: string;
  count: number;
  input_item_shape: number[];
  output_item_shape: number[];
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

describe.skipIf(!HAVE_SHARED)("golden/ (TFLite reference integer kernels)", () => {
  test("hello_world_int8: all 256 inputs, every kernel set", () => {
    const inputs = int8File(GOLDEN_DIR + "hello_world_int8.input.bin");
    const want = int8File(GOLDEN_DIR + "hello_world_int8.output.bin");
    expect(inputs.length).toBe(256);
    for (const kernels of ["reference", "fast", "wasm"] as KernelSet[]) {
      const interp = new Interpreter(loadModel("hello_world_int8.tflite"), { kernels, minWasmMacs: 0 });
      const got = new Int8Array(256);
      for (let i = 0; i < 256; i++) got[i] = (interp.invoke([inputs.subarray(i, i + 1)])[0] as Int8Array)[0];
      expect(firstMismatch(got, want), kernels).toBeNull();
    }
  });

  test.each(["reference", "fast", "wasm"] as KernelSet[])("micro_speech (%s kernels): 32 random inputs, logits and output", (kernels) => {
    const inputs = items(int8File(GOLDEN_DIR + "micro_speech_quantized.input.bin"), 1960);
    const logits = items(int8File(GOLDEN_DIR + "micro_speech_quantized.logits.bin"), 4);
    const outputs = items(int8File(GOLDEN_DIR + "micro_speech_quantized.output.bin"), 4);
    expect(inputs.length).toBe(32);
    const interp = new Interpreter(loadModel("micro_speech_quantized.tflite"), { kernels });
    // Prepare facts recorded by the golden harness.
    const fc = interp.prepared[2];
    expect(fc.op === "FULLY_CONNECTED" && [fc.outputMultiplier[0], fc.outputShift[0]]).toEqual([1932201080, -11]);
    const sm = interp.prepared[3];
    expect(sm.op === "SOFTMAX" && [sm.inputMultiplier, sm.inputLeftShift, sm.diffMin]).toEqual([1575942400, 23, -248]);
    const dw = interp.prepared[1];
    expect(dw.op === "DEPTHWISE_CONV_2D" && [dw.padH, dw.padW, ...dw.outputShape]).toEqual([4, 3, 1, 25, 20, 8]);
    for (let i = 0; i < inputs.length; i++) {
      const { outputs: out, trace } = interp.invoke([inputs[i]], { trace: true });
      const fcOut = trace.find((t) => t.opName === "FULLY_CONNECTED")!;
      expect(firstMismatch(fcOut.data as Int8Array, logits[i]), `logits ${i}`).toBeNull();
      expect(firstMismatch(out[0] as Int8Array, outputs[i]), `output ${i}`).toBeNull();
    }
  });

  const personSets = [
    { prefix: "person_detect", count: 4, label: "4 random inputs" },
    { prefix: "person_detect.images", count: 2, label: "person.bmp and no_person.bmp" },
  ];
  for (const { prefix, count, label } of personSets) for (const kernels of ["fast", "wasm"] as KernelSet[]) {
    test(`person_detect (${kernels} kernels): ${label}, output and intermediates t34/t54/t27/logits`, () => {
      const inputs = items(int8File(GOLDEN_DIR + `${prefix}.input.bin`), 96 * 96);
      expect(inputs.length).toBe(count);
      const want = {
        34: items(int8File(GOLDEN_DIR + `${prefix}.t34.bin`), 48 * 48 * 8),
        54: items(int8File(GOLDEN_DIR + `${prefix}.t54.bin`), 48 * 48 * 16),
        27: items(int8File(GOLDEN_DIR + `${prefix}.t27.bin`), 256),
        28: items(int8File(GOLDEN_DIR + `${prefix}.logits.bin`), 2),
      } as Record<number, Int8Array[]>;
      const outputs = items(int8File(GOLDEN_DIR + `${prefix}.output.bin`), 2);
      const interp = new Interpreter(loadModel("person_detect.tflite"), { kernels });
      for (let i = 0; i < count; i++) {
        const { outputs: out, trace } = interp.invoke([inputs[i]], { trace: true });
        for (const t of [34, 54, 27, 28]) {
          const entry = trace.find((e) => e.tensorIndex === t);
          expect(entry, `tensor ${t} in trace`).toBeDefined();
          expect(firstMismatch(entry!.data as Int8Array, want[t][i]), `input ${i} tensor ${t}`).toBeNull();
        }
        expect(firstMismatch(out[0] as Int8Array, outputs[i]), `output ${i}`).toBeNull();
      }
      if (prefix === "person_detect.images") {
        // TFLM's test: person.bmp scores person higher, no_person.bmp the reverse.
        const [p, n] = inputs.map((x) => interp.invoke([x])[0] as Int8Array);
        expect(Array.from(p)).toEqual([-113, 113]);
        expect(Array.from(n)).toEqual([57, -57]);
      }
    }, 60_000);
  }

  test("person_detect with the reference kernels agrees on person.bmp (every layer)", () => {
    const input = items(int8File(GOLDEN_DIR + "person_detect.images.input.bin"), 96 * 96)[0];
    const ref = new Interpreter(loadModel("person_detect.tflite"), { kernels: "reference" });
    const fast = new Interpreter(loadModel("person_detect.tflite"), { kernels: "fast" });
    const a = ref.invoke([input], { trace: true });
    const b = fast.invoke([input], { trace: true });
    expect(a.trace.length).toBe(31);
    a.trace.forEach((e, i) => expect(firstMismatch(e.data as Int8Array, b.trace[i].data as Int8Array), `op ${i}`).toBeNull());
    expect(Array.from(a.outputs[0] as Int8Array)).toEqual([-113, 113]);
  }, 60_000);
});

describe.skipIf(!HAVE_SHARED)("golden/tflm/ (TFLM MicroInterpreter)", () => {
  const manifest = HAVE_SHARED ? JSON.parse(readFileSync(TFLM_DIR + "manifest.json", "utf8")) : { vectors: [] };
  const interps = new Map<string, Interpreter>();
  const interp = (model: string) => {
    if (!interps.has(model)) interps.set(model, new Interpreter(loadModel(model), { kernels: "wasm" }));
    return interps.get(model)!;
  };
  for (const v of manifest.vectors as TflmVector[]) {
    test(`${v.model}: ${v.input_file} (${v.count})`, () => {
      const inputs = items(int8File(TFLM_DIR + v.input_file), size(v.input_item_shape));
      const outputs = items(int8File(TFLM_DIR + v.output_file), size(v.output_item_shape));
      expect(inputs.length).toBe(v.count);
      for (let i = 0; i < v.count; i++) {
        const [got] = interp(v.model).invoke([inputs[i]]);
        expect(firstMismatch(got as Int8Array, outputs[i]), `item ${i}`).toBeNull();
      }
    }, 30_000);
  }

  // The audio-frontend features of the four 1 s clips and the labels TFLM gives them.
  const labels = ["silence", "unknown", "yes", "no"];
  const clips = { yes: "yes", no: "no", silence: "silence", noise: "silence" } as Record<string, string>;
  for (const [clip, label] of Object.entries(clips)) {
    for (const kind of ["features", "signalfeatures"]) {
      test(`micro_speech ${kind} of ${clip}_1000ms → ${label}, exact scores`, () => {
        const x = int8File(TFLM_DIR + `micro_speech_${kind}_${clip}_1000ms_input.bin`);
        const want = int8File(TFLM_DIR + `micro_speech_${kind}_${clip}_1000ms_output.bin`);
        const [got] = interp("micro_speech_quantized.tflite").invoke([x]) as Int8Array[];
        expect(firstMismatch(got, want)).toBeNull();
        const best = got.indexOf(Math.max(...got));
        expect(labels[best]).toBe(label);
      });
    }
  }
});
