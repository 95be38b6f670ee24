/**
 * deployKeywordSpotter end to end: TFLM's micro_speech model on the emulated Nano 33 BLE Sense, the board's
 * per-clip scores, streamed scores and detections equal to the notebook's; the input-table variant; warning-free
 * builds (-Wall -Wextra) of both the replay build and the microphone build (against a stub PDM library).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { loadClip16k } from "../../lib/audio/mod.ts";
import { compileSketch, getBoard } from "../../lib/deploy/arduino/mod.ts";
import { clipVerdicts, deployKeywordSpotter, streamSettings, writeKwsSketch } from "../../lib/deploy/kws/mod.ts";
import { readTflite } from "../../lib/tflite/mod.ts";

/** Temp folders of this file, removed at the end. */
const made: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

const SHARED = fileURLToPath(new URL("../../../shared/conformance/", import.meta.url));
const HAVE_SHARED = existsSync(join(SHARED, "micro_speech_quantized.tflite"));
if (!HAVE_SHARED) console.warn(`kws sketch tests: ${SHARED} is absent, they are skipped`);
const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const HAVE_ARM = has("arm-none-eabi-gcc") && has("qemu-system-arm");
if (!HAVE_ARM) console.warn("kws sketch tests: no arm-none-eabi-gcc/qemu-system-arm, the emulated runs are skipped");

const LABELS = ["silence", "unknown", "yes", "no"];
const NAMES = ["yes_1000ms", "no_1000ms", "silence_1000ms", "noise_1000ms"];
const load = () => ({
  graph: readTflite(readFileSync(join(SHARED, "micro_speech_quantized.tflite"))),
  clips: NAMES.map((n) => loadClip16k(readFileSync(join(SHARED, `${n}.wav`)))),
});

describe.skipIf(!HAVE_SHARED || !HAVE_ARM)("deployKeywordSpotter on the emulated Nano 33 BLE Sense", () => {
  test("micro_speech: per-clip scores, streamed scores and detections identical to the notebook", { timeout: 120_000 }, async () => {
    const { graph, clips } = load();
    const dir = tempDir("kws-deploy-");
    const r = await deployKeywordSpotter({
      lesson: "kws-check", graph, labels: LABELS, clips, sketchesDir: dir, buildDir: join(dir, "build"), print: false, display: false,
    });
    expect(r.identical).toBe(true);
    expect(r.device).toEqual(r.host);
    expect(r.clipLabels).toEqual(["yes", "no", "silence", "silence"]);
    expect(r.text).toMatch(/flash +[\d.,]+ (KB|B) of 960\.0 KB/);
    expect(r.text).toMatch(/RAM +[\d.,]+ (KB|B) of 256\.0 KB/);
    expect(r.text).toContain("verdict  identical: 4/4 samples");
    expect(r.text).toMatch(/verdict {2}stream identical: (\d+)\/\1 inferences/);
    expect(r.settings.strideFrames).toBe(4);
    expect(r.streamInferences).toBe(Math.floor((Math.floor((4 * 16000 - 480) / 320) + 1) / 4));
    expect(r.warnings).toEqual([]);
    // Memory map: the C frontend's state and the ring as the board measured them.
    const ram = Object.fromEntries(r.ramMap.map((m) => [m.part, m.bytes]));
    expect(ram["frontend state"]).toBe(r.frontend.stateBytes);
    expect(ram["feature ring"]).toBe(49 * 40);
    const flash = Object.fromEntries(r.flashMap.map((m) => [m.part, m.bytes]));
    expect(flash["frontend tables"]).toBe(r.frontend.tableBytes);
    // The four clips plus their pointer and length tables.
    expect(flash["stored clips"]).toBeGreaterThanOrEqual(4 * 32000);
    expect(flash["stored clips"]).toBeLessThanOrEqual(4 * 32000 + 64);
    expect(flash["model weights"]).toBeGreaterThan(15_000);
    expect(flash["model weights"]).toBeLessThanOrEqual(r.model.constBytes);
  });

  test("inputMapping 'rescale': the generated input table runs on the board too; profile counts the CPU share", { timeout: 120_000 }, async () => {
    const { graph, clips } = load();
    const dir = tempDir("kws-rescale-");
    const stream = { inputMapping: "rescale" as const, threshold: 0.5 };
    expect(streamSettings(graph, LABELS, stream).inputLut).not.toBeNull();
    const r = await deployKeywordSpotter({
      lesson: "kws-rescale", graph, labels: LABELS, clips: clips.slice(0, 2), stream, sketchesDir: dir, buildDir: join(dir, "build"), print: false, display: false,
      profile: true,
    });
    // profile: the CPU share follows from the two counts at the default stride (4 hops of 20 ms at 64 MHz).
    const cost = r.cost!;
    expect(cost.modelInstructionsPerInference).toBeGreaterThan(1_000_000);
    expect(cost.cpuShare).toBeCloseTo((cost.frontendInstructionsPerFrame + cost.modelInstructionsPerInference / 4) / 1_280_000, 6);
    expect(r.text).toMatch(/^cpu {6}frontend [\d,]+ instructions per frame, model [\d,]+ per inference/m);
    expect(r.identical).toBe(true);
    expect(readFileSync(join(dir, "kws-rescale", "src", "kws", "kws_config.h"), "utf8")).toContain("#define KWS_INPUT_LUT 1");
    // The table changes what the model sees, so the scores differ from the as-is run.
    expect(r.host.map((h) => Array.from(h))).not.toEqual(clipVerdicts(graph, LABELS, clips.slice(0, 2)).map((h) => Array.from(h)));
    expect(r.warnings).toEqual([]);
  });

  test("the microphone build compiles warning-free against the PDM library's API", { timeout: 120_000 }, async () => {
    const { graph, clips } = load();
    const dir = tempDir("kws-mic-");
    const board = getBoard("nano33ble");
    const s = writeKwsSketch({ lesson: "kws-mic", graph, labels: LABELS, clips: clips.slice(0, 1), settings: streamSettings(graph, LABELS), board, model: "kws_mic", sketchesDir: dir });
    // A stub with the Arduino PDM library's signatures (the real one ships with the mbed core).
    const stub = join(dir, "stub");
    mkdirSync(stub);
    writeFileSync(join(stub, "PDM.h"), [
      "#pragma once", "#include <stddef.h>",
      "class PDMClass { public: void onReceive(void (*)(void)) {} int begin(int, long) { return 1; } int available() { return 0; }",
      "  int read(void *, size_t n) { return (int)n; } void setGain(int) {} };",
      "static PDMClass PDM;", "static inline void noInterrupts() {}", "static inline void interrupts() {}", "",
    ].join("\n"));
    cpSync(join(s.libraryDir, "src"), join(s.sketchDir, "src", "kws_mic"), { recursive: true });
    const build = await compileSketch({
      sketchDir: s.sketchDir, board, backend: "arm-gcc", libraries: [stub, join(s.sketchDir, "src", "kws_mic")], buildPath: join(dir, "build"),
      extraFlags: ["-DKWS_MIC", "-Wextra"],
    });
    expect(build.warnings).toEqual([]);
    // The microphone build leaves the stored clips out of flash.
    expect(build.flashBytes).toBeLessThan(60_000);
  });
});
