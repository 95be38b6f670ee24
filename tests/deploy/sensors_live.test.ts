/**
 * The live program of a lesson sketch, end to end on the emulated Cortex-M4F: the generated .ino is built with
 * `-DTINYML_LIVE` against a stub IMU library that plays back a recording on a simulated clock (arm-none-eabi-gcc +
 * the kit's Arduino shim), run in QEMU, and its printed gestures / anomaly scores are compared with what
 * lib/apps/sensing + the TypeScript int8 interpreter give for the same samples. This checks the sampling clock,
 * the ring buffer's time order, the unit conversions and the C pipeline together.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, test } from "vitest";
import { fitStandardizer, imuWindows, standardize, vibrationFeatures, vibrationFleet } from "../../lib/apps/sensing/mod.ts";
import { quantizeModel } from "../../lib/compress/mod.ts";
import { compileWithArmGcc } from "../../lib/deploy/arduino/armgcc.ts";
import { getBoard } from "../../lib/deploy/arduino/mod.ts";
import { runCortexM4 } from "../../lib/deploy/emulate/cortexm4.ts";
import { hostOutputs, writeLessonSketch } from "../../lib/deploy/pipeline/mod.ts";
import { gesturesLive, type LiveSensor, SENSORS_HEADER, STANDARD_GRAVITY, vibrationLive } from "../../lib/deploy/sensors/mod.ts";
import { GESTURES, imuDataset } from "../../lib/data/mod.ts";
import type { Graph } from "../../lib/graph/types.ts";
import { dequantize, quantize } from "../../lib/quant/params.ts";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const HAVE_ARM = has("arm-none-eabi-gcc") && has("qemu-system-arm");
if (!HAVE_ARM) console.warn("sensors live tests: no arm-none-eabi-gcc/qemu-system-arm, the emulated live runs are skipped");

tf.env().set("PROD", true);
await tf.setBackend("cpu");

const work = mkdtempSync(join(tmpdir(), "tinyml-sensors-live-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * A stub Arduino_LSM9DS1.h: sample i of the recording becomes readable when the simulated clock reaches
 * (i + 1) periods; the clock moves one period at the first IMU call after micros() was read, i.e. once per loop().
 */
function stubImu(accel: Float32Array, gyro: Float32Array, periodUs: number): string {
  const n = accel.length / 3;
  const rows = (v: Float32Array) => Array.from({ length: n }, (_, i) => `{${Array.from(v.subarray(i * 3, i * 3 + 3), (x) => `${x.toPrecision(9)}f`).join(", ")}}`).join(",\n");
  return `#ifndef STUB_LSM9DS1_H
#define STUB_LSM9DS1_H
/* Test stub with the Arduino_LSM9DS1 API (g, deg/s), playing back a recording on a simulated clock. */
#define STUB_N ${n}
#define STUB_PERIOD_US ${periodUs}UL
static const float kStubAccel[STUB_N][3] = {
${rows(accel)}
};
static const float kStubGyro[STUB_N][3] = {
${rows(gyro)}
};
static unsigned long stub_t = 0;
static bool stub_pending = false;
static unsigned long stub_micros() { stub_pending = true; return stub_t; }
#define micros() stub_micros()
class StubIMUClass {
 public:
  int begin() { return 1; }
  int accelerationAvailable() { step(); return lastA_ != index() ? 1 : 0; }
  int gyroscopeAvailable() { step(); return lastG_ != index() ? 1 : 0; }
  int readAcceleration(float& x, float& y, float& z) { const long i = lastA_ = index(); x = kStubAccel[i][0]; y = kStubAccel[i][1]; z = kStubAccel[i][2]; return 1; }
  int readGyroscope(float& x, float& y, float& z) { const long i = lastG_ = index(); x = kStubGyro[i][0]; y = kStubGyro[i][1]; z = kStubGyro[i][2]; return 1; }
 private:
  void step() { if (stub_pending) { stub_pending = false; stub_t += STUB_PERIOD_US; } }
  long index() { const long i = (long)(stub_t / STUB_PERIOD_US) - 1; return i < 0 ? 0 : i < STUB_N ? i : STUB_N - 1; }
  long lastA_ = -1, lastG_ = -1;
};
static StubIMUClass IMU;
#endif
`;
}

/**
 * What the sketch pushes into its window with the stub's clock: setup() starts the sampling clock at 0 while the
 * first poll happens one period later, so the first sample is taken twice; after that, one sample per tick.
 * Each new window of the vibration sketch restarts the clock the same way.
 */
const pushed = (j: number) => Math.max(0, j - 1);

/** Builds the sketch's live program for QEMU with the stub and runs `loops` iterations of loop(). */
async function runLive(name: string, graph: Graph, live: LiveSensor, stub: string, loops: number): Promise<string> {
  const sketchesDir = join(work, name);
  const model = name;
  const s = writeLessonSketch({ lesson: name, graph, board: getBoard("nano33ble"), samples: [new Int8Array(graph.tensors[graph.inputs[0]].shape.reduce((a, b) => a * b, 1))], model, sketchesDir, live });
  const stage = join(work, `${name}-stage`);
  mkdirSync(join(stage, "src"), { recursive: true });
  cpSync(s.inoPath, join(stage, `${name}-stage.ino`));
  cpSync(join(s.sketchDir, SENSORS_HEADER), join(stage, SENSORS_HEADER));
  cpSync(join(s.libraryDir, "src"), join(stage, "src", model), { recursive: true });
  const stubs = join(work, `${name}-stubs`);
  mkdirSync(stubs, { recursive: true });
  writeFileSync(join(stubs, "Arduino_LSM9DS1.h"), stub);
  const build = await compileWithArmGcc({
    sketchDir: stage, board: "nano33ble", buildPath: join(work, `${name}-build`), includeDirs: [stubs, join(stage, "src", model)],
    extraFlags: ["-DTINYML_LIVE", "-O2"], loopCount: loops,
  });
  const r = await runCortexM4(build.elfPath!, { timeoutMs: 60_000 });
  expect(r.exitCode, r.output + r.stderr).toBe(0);
  return r.output;
}

function denseGraph(inputs: number, outputs: number, softmax: boolean, calibration: number[][]): Graph {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 12, inputShape: [inputs], activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      tf.layers.dense({ units: outputs, activation: softmax ? "softmax" : "linear", kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ],
  });
  return quantizeModel(model, calibration, { perChannelDense: false }).graph;
}

describe.skipIf(!HAVE_ARM)("the live program on the emulated Cortex-M4F agrees with the notebook's pipeline", () => {
  test("gestures: IMU in g and deg/s → the same windows, int8 inputs and classes", { timeout: 120_000 }, async () => {
    const ds = imuDataset({ persons: 1, perPerson: 1, seed: 5 }); // 4 windows of 200 × 6 (m/s², deg/s) at 100 Hz
    const total = ds.n * ds.length;
    // What the IMU library reports: g and deg/s (the sketch multiplies by 9.81 again, in float).
    const accel = new Float32Array(total * 3), gyro = new Float32Array(total * 3);
    for (let i = 0; i < total; i++) {
      for (let c = 0; c < 3; c++) {
        accel[i * 3 + c] = ds.x[i * 6 + c] / STANDARD_GRAVITY;
        gyro[i * 3 + c] = ds.x[i * 6 + 3 + c];
      }
    }
    const board = (i: number) => [0, 1, 2].map((c) => Math.fround(accel[i * 3 + c] * Math.fround(STANDARD_GRAVITY))).concat([0, 1, 2].map((c) => gyro[i * 3 + c]));
    const rows = imuWindows(ds.x, ds.n, ds.length);
    const graph = denseGraph(300, 4, true, rows.map((r) => Array.from(r)));
    const live = gesturesLive({ classes: GESTURES, sampleRate: ds.sampleRate, windowLength: ds.length, decimate: 4, hop: 100 });
    const loops = 3 * ds.length; // pushes = loops + 1: classifications after 200, 300, 400, 500 and 600 samples
    const out = await runLive("gest_live", graph, live, stubImu(accel, gyro, 10_000), loops);
    const got = [...out.matchAll(/GESTURE (\w+) ([\d.]+)/g)].map((m) => ({ name: m[1], p: Number(m[2]) }));
    expect(out).toMatch(/^LIVE gestures: wing, ring, slope, idle/m);
    const ends = [200, 300, 400, 500, 600];
    expect(got.length).toBe(ends.length);
    const q = graph.tensors[graph.inputs[0]].quant!, oq = graph.tensors[graph.outputs[0]].quant!;
    const hostFor = (at: (j: number) => number) => {
      const windows = ends.map((end) => Float32Array.from({ length: 200 * 6 }, (_, k) => board(at(end - 200 + Math.floor(k / 6)))[k % 6]));
      const inputs = imuWindows(Float32Array.from(windows.flatMap((w) => Array.from(w))), windows.length, 200).map((r) => quantize(r, { scale: q.scale[0], zeroPoint: q.zeroPoint[0] }));
      return hostOutputs(graph, inputs).map((b) => new Int8Array(b.buffer));
    };
    const host = hostFor(pushed);
    // The comparison can fail: windows off by one sample would give other outputs.
    const offByOne = hostFor((j) => j);
    expect(offByOne.some((y, k) => y.some((v, i) => v !== host[k][i]))).toBe(true);
    host.forEach((y, k) => {
      const best = y.indexOf(Math.max(...y));
      const p = Math.fround(oq.scale[0] * (y[best] - oq.zeroPoint[0]));
      expect(got[k].name).toBe(GESTURES[best]);
      expect(Math.abs(got[k].p - p)).toBeLessThan(0.0006); // printed with 3 decimals; one int8 step is 1/256
    });
    console.log(`live gestures in QEMU: ${got.map((g) => `${g.name} ${g.p}`).join(", ")} (same as the TypeScript pipeline)`);
  });

  test("vibration: gravity removed, features, standardised int8 input, score and ALARM", { timeout: 120_000 }, async () => {
    const fleet = vibrationFleet({ normal: 6, perFault: 1, seed: 21 });
    const feats = Array.from({ length: fleet.n }, (_, i) => vibrationFeatures(fleet.signals.subarray(i * fleet.length, (i + 1) * fleet.length), fleet.sampleRate));
    const scaler = fitStandardizer(feats.slice(0, 6));
    const graph = denseGraph(48, 48, false, standardize(feats, scaler).map((r) => Array.from(r)));
    const n = fleet.length;
    // Two windows: a healthy one, then a faulty one, on the z axis with 1 g of gravity.
    const rec = [0, fleet.n - 1];
    const z = new Float32Array(2 * n);
    rec.forEach((i, w) => z.set(fleet.signals.subarray(i * n, (i + 1) * n).map((v) => v + 1), w * n));
    const accel = new Float32Array(2 * n * 3);
    for (let i = 0; i < 2 * n; i++) accel[i * 3 + 2] = z[i];
    // Expected scores: the sketch's windows, mean removed as tml_remove_mean does (double sum, float result).
    const expected = [0, 1].map((w) => {
      const x = Float32Array.from({ length: n }, (_, j) => z[w * n + pushed(j)]);
      let sum = 0;
      for (const v of x) sum += v;
      const centred = x.map((v) => v - sum / n);
      const zf = standardize([vibrationFeatures(centred, fleet.sampleRate)], scaler)[0];
      const q = graph.tensors[graph.inputs[0]].quant!, oq = graph.tensors[graph.outputs[0]].quant!;
      const y = dequantize(new Int8Array(hostOutputs(graph, [quantize(zf, { scale: q.scale[0], zeroPoint: q.zeroPoint[0] })])[0].buffer), { scale: oq.scale[0], zeroPoint: oq.zeroPoint[0] });
      let s = 0;
      for (let j = 0; j < 48; j++) s += (zf[j] - y[j]) ** 2;
      return s / 48;
    });
    const threshold = (expected[0] + expected[1]) / 2; // between the two: one ok, one ALARM
    const live = vibrationLive({ sampleRate: fleet.sampleRate, windowLength: n, standardizer: scaler, threshold });
    // Window 1 takes samples 0 … n−2 and is scored at loop n − 1; the clock restarts, and window 2 takes samples
    // n − 1 … 2n − 3 (the first twice) and is scored at loop 2n − 2. So the second recording starts at sample n − 1.
    const shifted = new Float32Array(accel.length);
    shifted.set(accel.subarray(0, n * 3));
    shifted.set(accel.subarray(n * 3), (n - 1) * 3);
    const out = await runLive("vib_live", graph, live, stubImu(shifted, new Float32Array(shifted.length), 250), 2 * n - 2);
    const got = [...out.matchAll(/SCORE ([\d.]+) (ok|ALARM)/g)].map((m) => ({ s: Number(m[1]), alarm: m[2] === "ALARM" }));
    expect(got.length).toBe(2);
    got.forEach((g, w) => {
      expect(Math.abs(g.s - expected[w])).toBeLessThan(0.0006);
      expect(g.alarm).toBe(expected[w] >= threshold);
    });
    expect(got.map((g) => g.alarm)).toContain(true);
    expect(got.map((g) => g.alarm)).toContain(false);
    console.log(`live vibration in QEMU: scores ${got.map((g) => `${g.s} ${g.alarm ? "ALARM" : "ok"}`).join(", ")}; TypeScript ${expected.map((e) => e.toFixed(4)).join(", ")}`);
  });
});
