/**
 * The end of every lesson in one call: an int8 graph becomes an Arduino library + sketch under
 * `sketches/<lesson>/`, is checked against the board's memory, compiled, run on an emulated board, and its
 * output compared byte by byte with the notebook's own int8 interpreter.
 *
 * Layout written (stable bytes: same graph and samples, same files):
 * ```
 * sketches/<lesson>/<lesson>.ino                 runs the model on the stored samples, prints OUT/END lines
 * sketches/<lesson>/libraries/<model>/…          the generated Arduino library (weights + kernels)
 * sketches/<lesson>/README.md                    how to build it with arduino-cli
 * ```
 *
 * @module
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Graph } from "../../graph/types.ts";
import { Interpreter } from "../../int8/interpreter.ts";
import type { Figure } from "../../viz/types.ts";
import { show } from "../../viz/show.ts";
import { type BoardPreset, getBoard } from "../arduino/boards.ts";
import { compileSketch, pickBackend } from "../arduino/compile.ts";
import { checkFits, type MemoryNeed } from "../arduino/fit.ts";
import type { CompileResult, CompileTool } from "../arduino/types.ts";
import { generateArduinoLibrary, generateSketch } from "../codegen/library.ts";
import { writeFileAtomic } from "../codegen/write.ts";
import { runAvr } from "../emulate/avr.ts";
import { runCortexM4 } from "../emulate/cortexm4.ts";
import { runSimavr } from "../emulate/simavr.ts";
import { findExecutable } from "../arduino/tools.ts";
import { parseHarness } from "../emulate/harness.ts";
import { DeployInputError, EmulationIncompleteError, OutputMismatchError } from "./errors.ts";
import { formatDeployReport, memoryFigure } from "./report.ts";
import type { LiveSensor } from "../sensors/types.ts";
import { liveReadme, SENSORS_HEADER, sensorsHeader, withLiveMode } from "../sensors/sketch.ts";

/** The repository's `sketches/` folder (this file is lib/deploy/pipeline/lesson.ts). */
export const SKETCHES_DIR: string = fileURLToPath(new URL("../../../sketches/", import.meta.url));
/** Where builds go by default: `build/sketches/` (not committed). */
export const BUILD_DIR: string = fileURLToPath(new URL("../../../build/sketches/", import.meta.url));

/**
 * What the board's core and the sketch itself take besides the model, used for the fit check before
 * compiling (estimates; the compiler's figures in the report are exact).
 */
export const CORE_OVERHEAD: Readonly<Record<"avr" | "arm" | "xtensa", MemoryNeed>> = {
  // Arduino AVR core + HardwareSerial + the kernels that get linked; Serial's two 64-byte buffers and the stack.
  avr: { flashBytes: 4096, ramBytes: 256 },
  // mbed OS under the Nano 33 BLE core (see the board notes): ~80 KB flash, ~45 KB RAM before any sketch.
  arm: { flashBytes: 80 * 1024, ramBytes: 45 * 1024 },
  xtensa: { flashBytes: 250 * 1024, ramBytes: 20 * 1024 },
};

/** Options of {@link deployLesson}. */
export interface DeployLessonOptions {
  /** Lesson id, also the sketch folder and .ino name, e.g. "02-one-neuron" (letters, digits, `-`, `_`, `.`). */
  lesson: string;
  /** The int8 model (from `lib/compress` quantizeModel, or `readTflite`). */
  graph: Graph;
  /** Board preset id or object (default "uno"). */
  board?: string | BoardPreset;
  /** Quantized inputs, each exactly the model's input size; stored in the sketch and run on both sides. */
  samples: readonly (Int8Array | Uint8Array)[];
  /** A title for the printed report and the figure (default: the lesson id). */
  title?: string;
  /** C name of the generated library (default: from the lesson id, e.g. "one_neuron"). */
  model?: string;
  /** Parent of the lesson's sketch folder (default: the repository's `sketches/`). */
  sketchesDir?: string;
  /** Build folder (default `build/sketches/<lesson>`). */
  buildDir?: string;
  /** Force a build backend (default "auto": arduino-cli, else arduino-builder, else arm-gcc). */
  backend?: "auto" | CompileTool;
  /** AVR: cycle limit of the emulated run (default from the model's MACs). */
  maxCycles?: number;
  /** Cortex-M4 (QEMU): wall-clock limit in ms (default 60 s). */
  timeoutMs?: number;
  /** Print the report with console.log (default true). */
  print?: boolean;
  /** Show the memory figure with `show` (default true; a text summary outside notebooks). */
  display?: boolean;
  /**
   * Also give the sketch a live mode for the real board (lib/deploy/sensors): read the IMU and compute the
   * model's input as the notebook does. The stored-sample replay, which the emulator checks, is unchanged.
   */
  live?: LiveSensor;
}

/** Bytes used against the board's budget. */
export interface MemoryUse {
  used: number;
  budget: number;
  /** Of `used`: what the model itself takes (weights in flash, arena in RAM). */
  model: number;
}

/** What {@link deployLesson} did and found. */
export interface DeployReport {
  lesson: string;
  title: string;
  board: BoardPreset;
  /** The sketch folder and files written. */
  sketchDir: string;
  inoPath: string;
  libraryDir: string;
  model: { name: string; constBytes: number; arenaBytes: number; macs: number; inputBytes: number; outputBytes: number };
  /** Which tool built the firmware whose sizes are reported. */
  tool: CompileTool;
  flash: MemoryUse;
  ram: MemoryUse;
  /** Which emulator's output is reported ("avr8js", "simavr", "qemu"), or null when the board has none. */
  emulator: "avr8js" | "simavr" | "qemu" | null;
  /** Anything the reader should know about how the numbers were obtained. */
  notes: string[];
  /** AVR: CPU cycles of the whole run divided by the number of samples (start-up and printing included). */
  cyclesPerInference: number | null;
  /** Cortex-M4: executed instructions per sample when counted (small models), else null. */
  instructionsPerInference: number | null;
  /** Seconds per inference at the board's clock (from cycles), when known. */
  secondsPerInference: number | null;
  /** Per sample: the notebook's output bytes and the emulated board's. */
  host: Uint8Array[];
  device: Uint8Array[];
  /** True when every output byte matched (deployLesson throws otherwise); null when nothing was emulated. */
  identical: boolean | null;
  /** The printed report. */
  text: string;
  /** Flash and RAM against the board's budget. */
  figure: Figure;
}

const LESSON_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** "02-one-neuron" → "one_neuron": a C identifier for the library. */
export function modelNameFor(lesson: string): string {
  const stem = lesson.replace(/^[\d._-]+/, "").replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
  const name = stem || `model_${lesson.replace(/[^A-Za-z0-9_]+/g, "_")}`;
  return /^[A-Za-z_]/.test(name) ? name : `m_${name}`;
}

/** A typed array's bytes, as a Uint8Array view. */
function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Runs the samples through the TS int8 interpreter (reference kernels); returns each output's raw bytes. */
export function hostOutputs(graph: Graph, samples: readonly (Int8Array | Uint8Array)[]): Uint8Array[] {
  const interp = new Interpreter(graph);
  return samples.map((s) => {
    const input = graph.tensors[graph.inputs[0]].dtype === "uint8" ? new Uint8Array(s.buffer, s.byteOffset, s.length) : new Int8Array(s.buffer, s.byteOffset, s.length);
    return Uint8Array.from(bytesOf(interp.invoke([input])[0] as ArrayBufferView));
  });
}

/** True when a harness transcript ended and its outputs equal the host's. */
function sameOutputs(host: readonly Uint8Array[], transcript: string): boolean {
  try {
    const parsed = parseHarness(transcript);
    assertIdentical("", host, parsed.outputs);
    return parsed.ended;
  } catch {
    return false;
  }
}

/**
 * Throws OutputMismatchError at the first sample whose device bytes differ from the host's (or is missing,
 * or is extra).
 */
export function assertIdentical(board: string, host: readonly Uint8Array[], device: readonly Uint8Array[]): void {
  for (let i = 0; i < host.length; i++) {
    const d = device[i] ?? null;
    if (!d || d.length !== host[i].length || d.some((v, k) => v !== host[i][k])) throw new OutputMismatchError(board, i, host[i], d);
  }
  if (device.length !== host.length) throw new OutputMismatchError(board, host.length, new Uint8Array(0), device[host.length]);
}

/** Writes the lesson's sketch folder; returns the paths and the model's figures. */
export function writeLessonSketch(options: {
  lesson: string;
  graph: Graph;
  board: BoardPreset;
  samples: readonly (Int8Array | Uint8Array)[];
  model: string;
  sketchesDir: string;
  /** A live-sensor mode (see DeployLessonOptions.live). */
  live?: LiveSensor;
}): { sketchDir: string; inoPath: string; libraryDir: string; lib: ReturnType<typeof generateArduinoLibrary> } {
  const { lesson, model, board } = options;
  const sketchDir = resolve(options.sketchesDir, lesson);
  const librariesDir = join(sketchDir, "libraries");
  // Start clean so a renamed model leaves no stale library behind.
  rmSync(librariesDir, { recursive: true, force: true });
  const libraryDir = join(librariesDir, model);
  const lib = generateArduinoLibrary(options.graph, { name: model, outDir: libraryDir, board: board.id, arch: board.arch });
  // generateSketch wants a C identifier for the sketch name; write it aside, then store it under the lesson's name.
  const tmp = mkdtempSync(join(tmpdir(), "tinyml-lesson-"));
  try {
    const ino = generateSketch({ lesson: "sketch", library: model, outDir: tmp, samples: options.samples, inputBytes: lib.inputBytes });
    const replay = readFileSync(ino, "utf8").replace(/^\/\/ sketch\.ino - /, `// ${lesson}.ino - `);
    const live = options.live;
    const text = live ? withLiveMode(replay, { lesson, library: model, graph: options.graph, live }) : replay;
    const inoPath = join(sketchDir, `${lesson}.ino`);
    writeFileAtomic(inoPath, text);
    // The live mode's C pipeline lives next to the .ino; without a live mode, leave no stale copy behind.
    if (live) writeFileAtomic(join(sketchDir, SENSORS_HEADER), sensorsHeader());
    else rmSync(join(sketchDir, SENSORS_HEADER), { force: true });
    const notes = readme(lesson, model, board, lib.constBytes, lib.arenaBytes + lib.scratchBytes + lib.avrScratchBytes, options.samples.length);
    writeFileAtomic(join(sketchDir, "README.md"), live ? `${notes}\n${liveReadme(live)}` : notes);
    return { sketchDir, inoPath, libraryDir, lib };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function readme(lesson: string, model: string, board: BoardPreset, constBytes: number, arenaBytes: number, n: number): string {
  return [
    `# ${lesson}`,
    "",
    `Generated by tinyml-kit (\`deployLesson\`) for the ${board.name}. The model \`${model}\` is plain C: ` +
    `${constBytes} bytes of weights in flash, a ${arenaBytes}-byte arena in RAM, no interpreter, no heap.`,
    `The sketch runs it on ${n} stored input(s) and prints \`OUT <hex>\` per inference, then \`END\`.`,
    "",
    "Build and upload with arduino-cli from this folder:",
    "",
    "```sh",
    `arduino-cli core install ${board.core}`,
    `arduino-cli compile --fqbn ${board.fqbn} --libraries libraries .`,
    `arduino-cli upload --fqbn ${board.fqbn} --port /dev/ttyACM0 .`,
    "arduino-cli monitor --port /dev/ttyACM0 --config baudrate=115200",
    "```",
    "",
    "Or copy `libraries/" + model + "` into your sketchbook's `libraries/` folder and open the .ino in the Arduino IDE.",
    "",
  ].join("\n");
}

/** Builds an ELF QEMU can run: the bare arm-gcc backend compiles the sketch's src/, so the library goes there. */
function buildForQemu(sketchDir: string, lesson: string, srcDir: string, model: string, board: BoardPreset, buildDir: string): Promise<CompileResult> {
  const stage = join(buildDir, "qemu-stage", lesson);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  cpSync(join(sketchDir, `${lesson}.ino`), join(stage, `${lesson}.ino`));
  cpSync(srcDir, join(stage, "src", model), { recursive: true });
  return compileSketch({ sketchDir: stage, board, backend: "arm-gcc", libraries: [join(stage, "src", model)], buildPath: join(buildDir, "qemu") });
}

/**
 * Generates, fits, compiles, emulates and checks a lesson's model on a board, then prints the report and
 * shows the memory figure. Throws DoesNotFitError (before compiling) when the model cannot fit the board,
 * and OutputMismatchError when the board's bytes differ from the notebook's.
 *
 * @example
 * const report = await deployLesson({ lesson: "02-one-neuron", graph: q.graph, board: "uno", samples });
 * report.identical // true
 */
export async function deployLesson(options: DeployLessonOptions): Promise<DeployReport> {
  const { lesson, graph, samples } = options;
  if (!LESSON_RE.test(lesson)) {
    throw new DeployInputError(`lesson "${lesson}" is not a valid sketch name: use letters, digits, "-", "_" or "." (e.g. "02-one-neuron")`);
  }
  if (!samples || samples.length === 0) throw new DeployInputError("deployLesson needs at least one sample (a quantized input)");
  const board = getBoard(options.board ?? "uno");
  const model = options.model ?? modelNameFor(lesson);
  const title = options.title ?? lesson;
  const buildDir = resolve(options.buildDir ?? join(BUILD_DIR, lesson));

  // 1. The notebook's answer, from the TypeScript int8 interpreter (also validates the samples' size).
  const inSize = graph.tensors[graph.inputs[0]].shape.reduce((a, b) => a * b, 1);
  samples.forEach((s, i) => {
    if (s.length !== inSize) throw new DeployInputError(`sample ${i} has ${s.length} values; the model takes ${inSize}`);
  });
  const host = hostOutputs(graph, samples);

  // 2. The sketch folder.
  const { sketchDir, inoPath, libraryDir, lib } = writeLessonSketch({
    lesson, graph, board, samples, model, sketchesDir: options.sketchesDir ?? SKETCHES_DIR, live: options.live,
  });
  const samplesBytes = samples.length * lib.inputBytes;

  // 3. Will it fit? Before spending time compiling.
  const overhead = CORE_OVERHEAD[board.arch];
  checkFits(board, {
    flashBytes: lib.constBytes + samplesBytes + overhead.flashBytes,
    ramBytes: lib.arenaBytes + lib.scratchBytes + lib.avrScratchBytes + overhead.ramBytes,
  });

  // 4. Compile with the best tool here.
  const backend = !options.backend || options.backend === "auto" ? pickBackend(board) : options.backend;
  const build = backend === "arm-gcc"
    ? await buildForQemu(sketchDir, lesson, join(libraryDir, "src"), model, board, buildDir)
    : await compileSketch({
      sketchDir, board, backend: backend ?? "auto", libraries: [join(sketchDir, "libraries")], buildPath: join(buildDir, "build"),
    });

  // 5. Run it on the emulated board.
  let emulator: DeployReport["emulator"] = null;
  let output = "";
  let cyclesPerInference: number | null = null;
  let instructionsPerInference: number | null = null;
  const notes: string[] = [];
  const work = Math.max(1, lib.macs) * samples.length;
  if (board.emulator === "avr8js-atmega328p" || board.emulator === "avr8js-atmega2560") {
    emulator = "avr8js";
    const mcu = board.emulator === "avr8js-atmega2560" ? "atmega2560" : "atmega328p";
    const run = runAvr(build.hexPath ?? "", { mcu, clockHz: board.clockHz, maxCycles: options.maxCycles ?? 20_000_000 + 80 * work });
    output = run.output;
    cyclesPerInference = Math.round(run.cycles / samples.length);
    if (run.stoppedBy !== "marker" || !sameOutputs(host, output)) {
      // avr8js 0.21 services a pending interrupt right after an instruction that sets the I flag; real AVRs run
      // one more instruction first, and avr-gcc relies on that when it updates SP (`out SPH; out SREG; out SPL`).
      // A timer interrupt landing there corrupts the stack of long runs. simavr, a second emulator, gets it
      // right: ask it before blaming the model.
      if (!build.elfPath || !findExecutable("simavr")) {
        if (run.stoppedBy !== "marker") throw new EmulationIncompleteError(board.name, `stopped by ${run.stoppedBy} after ${run.cycles} cycles`, run.output);
      } else {
        const sim = await runSimavr(build.elfPath, { mcu, clockHz: board.clockHz, timeoutMs: options.timeoutMs ?? 60_000 });
        if (sim.stoppedBy !== "marker") throw new EmulationIncompleteError(board.name, `avr8js: ${run.stoppedBy} after ${run.cycles} cycles; simavr: ${sim.stoppedBy}`, sim.output);
        notes.push(
          `avr8js went wrong after ${run.cycles.toLocaleString("en-US")} cycles (${run.stoppedBy === "marker" ? "garbled output" : run.stoppedBy}); ` +
            "the outputs below come from simavr, a second emulator, and no cycle count is given",
        );
        emulator = "simavr";
        output = sim.output;
        cyclesPerInference = null;
      }
    }
  } else if (board.emulator === "qemu-cortex-m4") {
    emulator = "qemu";
    const elf = build.tool === "arm-gcc" ? build : await buildForQemu(sketchDir, lesson, join(libraryDir, "src"), model, board, buildDir);
    // Counting instructions logs every executed block: only affordable for small runs.
    const run = await runCortexM4(elf.elfPath ?? "", { timeoutMs: options.timeoutMs ?? 60_000, countInstructions: work <= 200_000 });
    if (run.timedOut || run.exitCode !== 0) throw new EmulationIncompleteError(board.name, run.timedOut ? "timed out" : `exit code ${run.exitCode}`, run.output);
    output = run.output;
    if (run.instructions !== null) instructionsPerInference = Math.round(run.instructions / samples.length);
  }

  // 6. Byte by byte.
  let device: Uint8Array[] = [];
  let identical: boolean | null = null;
  if (emulator) {
    const parsed = parseHarness(output);
    if (!parsed.ended) throw new EmulationIncompleteError(board.name, "no END line", output);
    device = parsed.outputs;
    assertIdentical(board.name, host, device);
    identical = true;
  }

  const flashBudget = build.flashMax ?? board.usableFlashBytes;
  const ramBudget = build.ramMax ?? board.ramBytes;
  const partial: Omit<DeployReport, "text" | "figure"> = {
    lesson,
    title,
    board,
    sketchDir,
    inoPath,
    libraryDir,
    model: { name: model, constBytes: lib.constBytes, arenaBytes: lib.arenaBytes + lib.scratchBytes + lib.avrScratchBytes, macs: lib.macs, inputBytes: lib.inputBytes, outputBytes: lib.outputBytes },
    tool: build.tool,
    flash: { used: build.flashBytes, budget: flashBudget, model: lib.constBytes },
    ram: { used: build.ramBytes, budget: ramBudget, model: lib.arenaBytes + lib.scratchBytes + lib.avrScratchBytes },
    emulator,
    cyclesPerInference,
    instructionsPerInference,
    secondsPerInference: cyclesPerInference !== null ? cyclesPerInference / board.clockHz : null,
    host,
    device,
    identical,
    notes,
  };
  const report: DeployReport = { ...partial, text: formatDeployReport(partial), figure: memoryFigure(partial) };
  if (options.print ?? true) console.log(report.text);
  if (options.display ?? true) await show(report.figure);
  return report;
}

/** True when the lesson's sketch folder exists (e.g. for tests that look at committed sketches). */
export function lessonSketchExists(lesson: string, sketchesDir: string = SKETCHES_DIR): boolean {
  return existsSync(join(sketchesDir, lesson, `${lesson}.ino`));
}
