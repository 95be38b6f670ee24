/**
 * Live-sensor mode of lesson sketches (lib/deploy/sensors): the C input pipelines (`tinyml_sensors.h`) agree
 * with lib/apps/sensing on the same raw windows (host gcc, -Wall -Wextra -Werror), the generated .ino keeps the
 * replay program byte for byte and compiles its live program for the Cortex-M4F against stub IMU headers
 * (arm-none-eabi-g++, warning-free), and the mode switch picks replay for the emulator builds.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, test } from "vitest";
import { imuWindows, standardize, vibrationFeatures, vibrationFleet } from "../../lib/apps/sensing/mod.ts";
import { quantizeModel } from "../../lib/compress/mod.ts";
import { ARDUINO_SHIM_H as ARDUINO_H } from "../../lib/deploy/arduino/armgcc.ts";
import { CORTEX_M4_FLAGS } from "../../lib/deploy/emulate/cortexm4.ts";
import { getBoard } from "../../lib/deploy/arduino/mod.ts";
import { writeLessonSketch } from "../../lib/deploy/pipeline/mod.ts";
import {
  cFloat,
  gesturesLive,
  LiveSensorError,
  SENSORS_HEADER,
  sensorsHeader,
  sensorsHeaderPath,
  vibrationLive,
  withLiveMode,
} from "../../lib/deploy/sensors/mod.ts";
import { imuDataset } from "../../lib/data/mod.ts";
import type { Graph } from "../../lib/graph/types.ts";
import { dequantize, quantize } from "../../lib/quant/params.ts";
import { mulberry32 } from "../../lib/util/random.ts";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const HAVE_GCC = has("gcc") && has("g++");
const HAVE_ARM = has("arm-none-eabi-g++");
if (!HAVE_GCC) console.warn("sensors tests: no host gcc/g++, the C-versus-TypeScript checks are skipped");
if (!HAVE_ARM) console.warn("sensors tests: no arm-none-eabi-g++, the live-path compile checks are skipped");

tf.env().set("PROD", true);
await tf.setBackend("cpu");

const WARN = ["-Wall", "-Wextra", "-Werror"];

function run(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", input, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A host program around tinyml_sensors.h: reads raw float32 windows from a file, prints what the C computes. */
const DRIVER_C = String.raw`#include <stdio.h>
#include <stdlib.h>
#include "tinyml_sensors.h"

static float* load(const char* path, long count) {
  float* v = (float*)malloc((size_t)count * sizeof(float));
  FILE* f = fopen(path, "rb");
  if (!v || !f || fread(v, sizeof(float), (size_t)count, f) != (size_t)count) {
    fprintf(stderr, "cannot read %ld floats from %s\n", count, path);
    exit(2);
  }
  fclose(f);
  return v;
}

int main(int argc, char** argv) {
  if (argc < 4) return 2;
  const char* mode = argv[1];
  const int count = atoi(argv[3]);
  if (mode[0] == 'i' && argc == 10) { /* imu file count length decimate accel gyro scale zp */
    const int length = atoi(argv[4]), d = atoi(argv[5]);
    const int per = length * 6, out_n = (length / d) * 6;
    float* raw = load(argv[2], (long)count * per);
    float* scaled = (float*)malloc((size_t)out_n * sizeof(float));
    for (int w = 0; w < count; ++w) {
      tml_imu_window(raw + (long)w * per, length, d, strtod(argv[6], NULL), strtod(argv[7], NULL), scaled);
      for (int i = 0; i < out_n; ++i) printf("%d %.9g\n", tml_quantize(scaled[i], (float)strtod(argv[8], NULL), atoi(argv[9])), (double)scaled[i]);
    }
    return 0;
  }
  if (mode[0] == 'v' && argc == 6) { /* vib file count n fs */
    const int n = atoi(argv[4]);
    float* raw = load(argv[2], (long)count * n);
    static TML_REAL scratch[2 * TML_VIBRATION_MAX_FRAME];
    float out[TML_VIBRATION_FEATURES];
    for (int w = 0; w < count; ++w) {
      tml_vibration_features(raw + (long)w * n, n, strtod(argv[5], NULL), scratch, out);
      for (int j = 0; j < TML_VIBRATION_FEATURES; ++j) printf("%.9g\n", (double)out[j]);
    }
    return 0;
  }
  if (mode[0] == 's' && argc == 8) { /* stdq file count in_scale in_zp out_scale out_zp: feats, mean, std, recon q */
    const int m = TML_VIBRATION_FEATURES;
    float* v = load(argv[2], (long)count * m * 2 + 2 * m);
    const float* mean = v + (long)count * m;
    const float* sd = mean + m;
    const float* recon = sd + m;
    float z[TML_VIBRATION_FEATURES];
    int8_t q[TML_VIBRATION_FEATURES], r[TML_VIBRATION_FEATURES];
    for (int w = 0; w < count; ++w) {
      tml_standardize_quantize(v + (long)w * m, mean, sd, m, (float)strtod(argv[4], NULL), atoi(argv[5]), z, q);
      for (int j = 0; j < m; ++j) r[j] = (int8_t)recon[w * m + j];
      for (int j = 0; j < m; ++j) printf("%d %.9g\n", q[j], (double)z[j]);
      printf("%.17g\n", tml_reconstruction_error(z, r, m, (float)strtod(argv[6], NULL), atoi(argv[7])));
    }
    return 0;
  }
  fprintf(stderr, "usage: driver imu|vib|stdq file count ...\n");
  return 2;
}
`;

const work = mkdtempSync(join(tmpdir(), "tinyml-sensors-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Compiles the driver with the given extra flags as C99 (and checks the header also compiles as C++). */
function buildDriver(name: string, flags: string[] = []): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "driver.c"), DRIVER_C);
  const exe = join(dir, "driver");
  const inc = ["-I", dirname(sensorsHeaderPath())];
  run("gcc", ["-std=c99", "-O2", ...WARN, ...flags, ...inc, join(dir, "driver.c"), "-o", exe, "-lm"]);
  run("g++", ["-std=c++11", "-O2", ...WARN, ...flags, ...inc, "-x", "c++", "-fsyntax-only", join(dir, "driver.c")]);
  return exe;
}

function writeF32(path: string, ...parts: ArrayLike<number>[]): string {
  const total = parts.reduce((s, p) => s + p.length, 0);
  const all = new Float32Array(total);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  writeFileSync(path, new Uint8Array(all.buffer));
  return path;
}

const lines = (text: string) => text.trim().split("\n");

describe.skipIf(!HAVE_GCC)("tinyml_sensors.h agrees with lib/apps/sensing (host gcc -Wall -Wextra -Werror)", () => {
  test("gestures: imuWindows + quantize, bit for bit", { timeout: 60_000 }, () => {
    const exe = buildDriver("float");
    const ds = imuDataset({ persons: 2, perPerson: 2, seed: 3 }); // 16 windows of 200 × 6
    const rows = imuWindows(ds.x, ds.n, ds.length, { decimate: 4 });
    const p = { scale: 0.007938216, zeroPoint: -30 };
    const out = lines(run(exe, ["imu", writeF32(join(work, "imu.f32"), ds.x), String(ds.n), String(ds.length), "4", String(4 * 9.81), "500", cFloat(p.scale).slice(0, -1), String(p.zeroPoint)]));
    expect(out.length).toBe(ds.n * 50 * 6);
    let k = 0, same = 0, sameQ = 0;
    for (const r of rows) {
      const q = quantize(r, p);
      for (let i = 0; i < r.length; i++, k++) {
        const [cq, cv] = out[k].split(" ").map(Number);
        if (Math.fround(cv) === r[i]) same++;
        if (cq === q[i]) sameQ++;
      }
    }
    expect(same).toBe(k); // every scaled value has the same float bits
    expect(sameQ).toBe(k); // so every int8 input is the same
    // The check can fail: a different full scale changes the result.
    const off = lines(run(exe, ["imu", join(work, "imu.f32"), "1", String(ds.length), "4", String(4 * 9.80665), "500", "0.007938216", "-30"]));
    expect(off.some((l, i) => Number(l.split(" ")[1]) !== rows[0][i])).toBe(true);
  });

  const fleet = vibrationFleet({ normal: 3, perFault: 1, seed: 11 }); // 3 healthy + 1 of each fault, 4000 samples at 4 kHz
  const tsFeats = Array.from({ length: fleet.n }, (_, i) => vibrationFeatures(fleet.signals.subarray(i * fleet.length, (i + 1) * fleet.length), fleet.sampleRate));

  function cFeatures(exe: string): Float32Array[] {
    const file = writeF32(join(work, "vib.f32"), fleet.signals);
    const out = lines(run(exe, ["vib", file, String(fleet.n), String(fleet.length), String(fleet.sampleRate)])).map(Number);
    expect(out.length).toBe(fleet.n * 48);
    return tsFeats.map((_, w) => Float32Array.from(out.slice(w * 48, (w + 1) * 48)));
  }

  function maxDiff(a: Float32Array[], b: Float32Array[]): number {
    let m = 0;
    a.forEach((r, w) => r.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[w][j])))));
    return m;
  }

  test("vibration features: float FFT within 1e-5 of the TypeScript (log10 units), double FFT within 1e-9", { timeout: 60_000 }, () => {
    const fl = maxDiff(cFeatures(buildDriver("float")), tsFeats);
    const db = maxDiff(cFeatures(buildDriver("double", ["-DTML_DOUBLE"])), tsFeats);
    console.log(`vibration features, C vs TypeScript: max |Δ| ${fl.toExponential(2)} (float FFT), ${db.toExponential(2)} (double FFT)`);
    expect(fl).toBeLessThan(1e-5); // measured 1.8e-7: 0.00004% in power
    expect(db).toBeLessThan(1e-9); // measured 0: the same operations in the same order as lib/audio
    // Real signal, not zeros: the features span several decades.
    const all = tsFeats.flatMap((r) => Array.from(r));
    expect(Math.max(...all) - Math.min(...all)).toBeGreaterThan(2);
  });

  test("vibration: standardised int8 input and the anomaly score, bit for bit from the same features", { timeout: 60_000 }, () => {
    const exe = buildDriver("float");
    const rng = mulberry32(5);
    const scaler = { mean: Float32Array.from({ length: 48 }, () => -3 + 2 * rng()), std: Float32Array.from({ length: 48 }, () => 0.2 + rng()) };
    const inP = { scale: 0.0371, zeroPoint: 3 }, outP = { scale: 0.0293, zeroPoint: -7 };
    const recon = tsFeats.map(() => Int8Array.from({ length: 48 }, () => Math.floor(rng() * 256) - 128));
    const file = writeF32(join(work, "stdq.f32"), ...tsFeats, scaler.mean, scaler.std, ...recon);
    const out = lines(run(exe, ["stdq", file, String(fleet.n), cFloat(inP.scale).slice(0, -1), String(inP.zeroPoint), cFloat(outP.scale).slice(0, -1), String(outP.zeroPoint)]));
    const z = standardize(tsFeats, scaler);
    let clipped = 0;
    z.forEach((row, w) => {
      const q = quantize(row, { scale: Math.fround(inP.scale), zeroPoint: inP.zeroPoint });
      const block = out.slice(w * 49, (w + 1) * 49);
      block.slice(0, 48).forEach((l, j) => {
        const [cq, cz] = l.split(" ").map(Number);
        expect(Math.fround(cz)).toBe(row[j]);
        expect(cq).toBe(q[j]);
        if (Math.abs(q[j]) === 128 || q[j] === 127) clipped++;
      });
      // reconstructionErrors(z, dequantizeOutputs(...)) in TypeScript:
      const y = dequantize(recon[w], { scale: Math.fround(outP.scale), zeroPoint: outP.zeroPoint });
      let s = 0;
      for (let j = 0; j < 48; j++) s += (row[j] - y[j]) ** 2;
      expect(Number(block[48])).toBe(s / 48);
    });
    expect(clipped).toBeLessThan(48 * fleet.n); // not everything saturated: the comparison means something
  });
});

/** Tiny int8 models with the lessons' input and output sizes (dense, fixed seeds: fast and deterministic). */
function denseGraph(inputs: number, outputs: number, softmax: boolean): Graph {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, inputShape: [inputs], activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: outputs, activation: softmax ? "softmax" : "linear", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  const rng = mulberry32(9);
  const xs = Array.from({ length: 12 }, () => Array.from({ length: inputs }, () => 2 * rng() - 1));
  return quantizeModel(model, xs, { perChannelDense: false }).graph;
}

const GESTURE_GRAPH = denseGraph(300, 4, true);
const VIBRATION_GRAPH = denseGraph(48, 48, false);
const sampleOf = (g: Graph) => [new Int8Array(g.tensors[g.inputs[0]].shape.reduce((a, b) => a * b, 1)).fill(3)];
const GESTURES_LIVE = gesturesLive({ classes: ["wing", "ring", "slope", "idle"], sampleRate: 100, windowLength: 200, decimate: 4 });
const VIBRATION_LIVE = vibrationLive({
  sampleRate: 4000, windowLength: 4000, threshold: 0.4321,
  standardizer: { mean: new Float32Array(48).fill(-2.5), std: new Float32Array(48).fill(0.75) },
});

function lessonSketch(name: string, graph: Graph, live?: typeof GESTURES_LIVE | typeof VIBRATION_LIVE) {
  const dir = mkdtempSync(join(work, `${name}-`));
  return writeLessonSketch({ lesson: name, graph, board: getBoard("nano33ble"), samples: sampleOf(graph), model: name.replace(/-/g, "_"), sketchesDir: dir, live });
}

describe("the lesson sketch with a live mode", () => {
  test("without `live`, nothing changes; with it, the replay program is kept byte for byte", () => {
    const plain = lessonSketch("g-plain", GESTURE_GRAPH);
    expect(existsSync(join(plain.sketchDir, SENSORS_HEADER))).toBe(false);
    const replay = readFileSync(plain.inoPath, "utf8");
    expect(replay).not.toMatch(/TINYML_LIVE/);
    const live = lessonSketch("g-plain", GESTURE_GRAPH, GESTURES_LIVE);
    const ino = readFileSync(live.inoPath, "utf8");
    expect(ino).toContain(replay.trimEnd());
    expect(ino).toMatch(/#else \/\/ REPLAY/);
    expect(readFileSync(join(live.sketchDir, SENSORS_HEADER), "utf8")).toBe(sensorsHeader());
    expect(readFileSync(join(live.sketchDir, "README.md"), "utf8")).toMatch(/Arduino_LSM9DS1/);
    // Same inputs, same bytes.
    const again = withLiveMode(replay, { lesson: "g-plain", library: "g_plain", graph: GESTURE_GRAPH, live: GESTURES_LIVE });
    expect(again).toBe(ino);
  });

  test("the live constants are the model's exact quantization and the lesson's threshold", () => {
    const s = lessonSketch("v-consts", VIBRATION_GRAPH, VIBRATION_LIVE);
    const ino = readFileSync(s.inoPath, "utf8");
    const q = VIBRATION_GRAPH.tensors[VIBRATION_GRAPH.inputs[0]].quant!;
    const scale = Number(/kInputScale = ([-\d.e]+)f;/.exec(ino)![1]);
    expect(Math.fround(scale)).toBe(Math.fround(q.scale[0]));
    expect(Number(/kInputZeroPoint = (-?\d+);/.exec(ino)![1])).toBe(q.zeroPoint[0]);
    expect(Number(/kThreshold = ([-\d.e]+);/.exec(ino)![1])).toBe(0.4321);
    expect(ino).toMatch(/#define LIVE_PERIOD_US 250UL/);
  });

  test("bad descriptions are refused with a typed error", () => {
    expect(() => lessonSketch("bad1", GESTURE_GRAPH, { ...GESTURES_LIVE, classes: ["a", "b"] })).toThrow(LiveSensorError);
    expect(() => lessonSketch("bad2", GESTURE_GRAPH, { ...GESTURES_LIVE, decimate: 8 })).toThrow(/takes 300 inputs/);
    expect(() => lessonSketch("bad3", VIBRATION_GRAPH, { ...VIBRATION_LIVE, windowLength: 512 })).toThrow(LiveSensorError);
    expect(() => lessonSketch("bad4", VIBRATION_GRAPH, { ...VIBRATION_LIVE, standardizer: { mean: [1], std: [1] } })).toThrow(/48/);
  });
});

/** Stub IMU libraries with the real ones' API (Arduino_LSM9DS1 / Arduino_BMI270_BMM150), for compiling only. */
const IMU_STUB = (guard: string) => `#ifndef ${guard}
#define ${guard}
/* Test stub: the API of the Arduino IMU libraries (values in g and deg/s), returning a fixed reading. */
class StubIMUClass {
 public:
  int begin() { return 1; }
  void end() {}
  int accelerationAvailable() { return n_ < 3 ? ++n_ : 0; }
  int gyroscopeAvailable() { return accelerationAvailable(); }
  int readAcceleration(float& x, float& y, float& z) { x = 0.01f; y = -0.02f; z = 1.0f; return 1; }
  int readGyroscope(float& x, float& y, float& z) { x = 1.0f; y = 2.0f; z = -3.0f; return 1; }
  float accelerationSampleRate() { return 119.0f; }
 private:
  int n_ = 0;
};
static StubIMUClass IMU;
#endif
`;

describe.skipIf(!HAVE_ARM)("the live program compiles for the Cortex-M4F (arm-none-eabi-g++, stub IMU headers)", () => {
  const stubs = join(work, "stubs");
  mkdirSync(stubs, { recursive: true });
  writeFileSync(join(stubs, "Arduino_LSM9DS1.h"), IMU_STUB("STUB_LSM9DS1_H"));
  writeFileSync(join(stubs, "Arduino_BMI270_BMM150.h"), IMU_STUB("STUB_BMI270_H"));

  /** Preprocesses or compiles the .ino as the Arduino builder would (Arduino.h first), with the kit's ARM shim. */
  function armCompile(sketch: ReturnType<typeof lessonSketch>, defines: string[], preprocessOnly = false): string {
    const shim = join(work, "shim");
    mkdirSync(shim, { recursive: true });
    // The arm-gcc backend's Arduino shim (Serial, micros …) stands in for the mbed core's Arduino.h.
    writeFileSync(join(shim, "Arduino.h"), ARDUINO_H);
    const args = [
      ...CORTEX_M4_FLAGS, "-std=gnu++17", "-Os", ...WARN, "-x", "c++", "-include", join(shim, "Arduino.h"),
      "-I", stubs, "-I", sketch.sketchDir, "-I", join(sketch.libraryDir, "src"), ...defines.map((d) => `-D${d}`),
      preprocessOnly ? "-E" : "-c", sketch.inoPath, "-o", preprocessOnly ? "-" : join(work, "live.o"),
    ];
    return run("arm-none-eabi-g++", args);
  }

  test("gestures and vibration, Rev1 (LSM9DS1) and Rev2 (BMI270) headers: no warnings", { timeout: 60_000 }, () => {
    for (const [name, graph, live] of [["gest", GESTURE_GRAPH, GESTURES_LIVE], ["vib", VIBRATION_GRAPH, VIBRATION_LIVE]] as const) {
      const s = lessonSketch(name, graph, live);
      for (const extra of [[], ["TINYML_IMU_BMI270"]]) {
        armCompile(s, ["ARDUINO_ARDUINO_NANO33BLE", "ARDUINO=10819", ...extra]);
        const pre = armCompile(s, ["ARDUINO_ARDUINO_NANO33BLE", ...extra], true);
        expect(pre).toMatch(/STUB_(LSM9DS1|BMI270)|StubIMUClass/);
        expect(pre).toContain(live.kind === "vibration" ? "tml_vibration_features(window" : "tml_imu_window(window");
        expect(pre).not.toContain("kSamples");
      }
    }
  });

  test("the mode switch: replay without a board macro (the emulator builds) or with -DTINYML_REPLAY", { timeout: 60_000 }, () => {
    const s = lessonSketch("switch", GESTURE_GRAPH, GESTURES_LIVE);
    for (const defs of [[], ["ARDUINO_ARDUINO_NANO33BLE", "TINYML_REPLAY"]]) {
      const pre = armCompile(s, defs, true);
      expect(pre).toContain("kSamples");
      expect(pre).not.toContain("tml_imu_window(window");
    }
    expect(armCompile(s, ["TINYML_LIVE"], true)).toContain("tml_imu_window(window"); // any board, on request
  });
});
