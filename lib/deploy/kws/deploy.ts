/**
 * `deployKeywordSpotter`: the end of a keyword-spotting lesson in one call. Writes the sketch (microphone,
 * C frontend, generated model, streaming detection), checks it fits the board, compiles it, runs the very
 * same code on an emulated Cortex-M4 (QEMU) with the stored clips in place of the microphone, and compares
 * the board's per-clip scores and labels, every streamed score (checksum) and every detection with the
 * notebook's TypeScript frontend + int8 interpreter, byte for byte.
 *
 * @module
 */
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Graph } from "../../graph/types.ts";
import { barChart } from "../../viz/charts.ts";
import { show } from "../../viz/show.ts";
import type { Figure } from "../../viz/types.ts";
import { type BoardPreset, getBoard } from "../arduino/boards.ts";
import { compileSketch, pickBackend } from "../arduino/compile.ts";
import { checkFits } from "../arduino/fit.ts";
import { runTool } from "../arduino/tools.ts";
import type { CompileResult, CompileTool } from "../arduino/types.ts";
import { runCortexM4 } from "../emulate/cortexm4.ts";
import { parseHarness } from "../emulate/harness.ts";
import { assertIdentical, BUILD_DIR, CORE_OVERHEAD, type DeployReport, modelNameFor, SKETCHES_DIR } from "../pipeline/lesson.ts";
import { EmulationIncompleteError } from "../pipeline/errors.ts";
import { formatBytes, formatDeployReport, memoryFigure } from "../pipeline/report.ts";
import { KwsCheckError, KwsInputError } from "./errors.ts";
import { frontendCFigures } from "./frontend_c.ts";
import { type KwsCost, measureKwsCost } from "./profile.ts";
import { writeKwsSketch } from "./sketch.ts";
import { clipVerdicts, type KwsDetection, KwsStreamer, type KwsStreamOptions, type KwsStreamSettings, simulateKwsStream, streamSettings } from "./stream.ts";

/** Options of {@link deployKeywordSpotter}. */
export interface DeployKwsOptions {
  /** Lesson id: the sketch folder and .ino name, e.g. "3-03-deploy-kws". */
  lesson: string;
  /** The int8 model: input frames × 40 features (49 × 40 for 1 s), one output per label. */
  graph: Graph;
  /** Output labels in the model's order; names starting with "_" (`_silence_`, `_unknown_`) are never reported. */
  labels: readonly string[];
  /**
   * 16 kHz int16 clips, stored in the sketch for the emulated check (each 1 s clip is 32 KB of flash and
   * ~100 KB of committed source: 2–6 clips are plenty).
   */
  clips: readonly Int16Array[];
  /** Board preset (default "nano33ble"; any Cortex-M4F preset with the QEMU emulator works). */
  board?: string | BoardPreset;
  /** Streaming: inference stride, averaging window, threshold, suppression. */
  stream?: KwsStreamOptions;
  /** Title of the report (default: the lesson id). */
  title?: string;
  /** C name of the model library (default from the lesson id, e.g. "deploy_kws"). */
  model?: string;
  /** Parent of the sketch folder (default: the repository's `sketches/`). */
  sketchesDir?: string;
  /** Build folder (default `build/sketches/<lesson>`). */
  buildDir?: string;
  /** QEMU wall-clock limit in ms (default 120 s). */
  timeoutMs?: number;
  /** Samples per push in the replay (one PDM callback's worth; default 256). */
  chunkSamples?: number;
  /**
   * Count instructions in QEMU: the frontend per frame and the model per inference, and the share of each 20 ms
   * hop they take at the board's clock (a few seconds more; default false).
   */
  profile?: boolean;
  /** Print the report (default true). */
  print?: boolean;
  /** Show the memory figure (default true). */
  display?: boolean;
}

/** One row of the memory map. */
export interface MemoryMapRow {
  part: string;
  bytes: number;
}

/** What {@link deployKeywordSpotter} found: the lesson report plus the keyword-spotting specifics. */
export interface KwsDeployReport extends DeployReport {
  labels: string[];
  settings: KwsStreamSettings;
  /** Per clip: the label the notebook (and the board) gives it. */
  clipLabels: string[];
  /** Detections while hearing all clips back to back (identical on both sides). */
  detections: KwsDetection[];
  /** Inferences run in the back-to-back stream and the checksum of all their scores (both sides equal). */
  streamInferences: number;
  streamChecksum: number;
  /** Flash by part (from the ELF's symbols) and RAM by part (sizeof, printed by the board). */
  flashMap: MemoryMapRow[];
  ramMap: MemoryMapRow[];
  /** The C frontend's tables (flash) and state (RAM), from the generator. */
  frontend: ReturnType<typeof frontendCFigures>;
  /** Flash and RAM by part, as stacked bars. */
  memoryMapFigure: Figure;
  /** Compiler warnings of the emulator build (-Wall -Wextra); empty when clean. */
  warnings: string[];
  /** Instruction counts (with `profile: true`), else null. */
  cost: KwsCost | null;
}

const LESSON_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** The model's window after hearing a clip (a realistic input for counting instructions). */
function firstWindow(graph: Graph, settings: KwsStreamSettings, clip: Int16Array): Int8Array {
  const ks = new KwsStreamer(graph, { ...settings, strideFrames: 1 << 30 });
  ks.push(clip);
  return ks.window();
}

/** Builds the ELF QEMU runs: the sketch's .ino and src/ plus the model's sources, with the Arduino shim. */
function buildForQemu(sketchDir: string, lesson: string, libSrc: string, model: string, board: BoardPreset, buildDir: string): Promise<CompileResult> {
  const stage = join(buildDir, "qemu-stage", lesson);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  cpSync(join(sketchDir, `${lesson}.ino`), join(stage, `${lesson}.ino`));
  cpSync(join(sketchDir, "src"), join(stage, "src"), { recursive: true });
  cpSync(libSrc, join(stage, "src", model), { recursive: true });
  return compileSketch({
    sketchDir: stage,
    board,
    backend: "arm-gcc",
    libraries: [join(stage, "src", model)],
    buildPath: join(buildDir, "qemu"),
    extraFlags: ["-Wextra"],
  });
}

/**
 * Flash by part, from the ELF's symbols: readelf says what is code (FUNC) and data (OBJECT), nm -l which source
 * each comes from (the arm-gcc backend compiles with -g). Read-only data sits in the flash's .text here.
 */
export async function flashByPart(elfPath: string, model: string): Promise<MemoryMapRow[]> {
  const [syms, where] = await Promise.all([
    runTool("arm-none-eabi-readelf", ["-s", "-W", elfPath], { timeoutMs: 60_000 }),
    runTool("arm-none-eabi-nm", ["-S", "-l", "--defined-only", elfPath], { timeoutMs: 60_000 }),
  ]);
  const source = new Map<string, string>();
  for (const line of where.stdout.split("\n")) {
    const m = /^([0-9a-f]+) [0-9a-f]+ [a-zA-Z] (\S+)\s*(\S*)/.exec(line);
    if (m) source.set(`${parseInt(m[1], 16)}:${m[2]}`, m[3]);
  }
  const order = ["model weights", "model code", "frontend tables", "frontend code", "stream logic", "stored clips", "sketch + runtime"];
  const parts = new Map<string, number>(order.map((p) => [p, 0]));
  for (const line of syms.stdout.split("\n")) {
    // Num: Value Size Type Bind Vis Ndx Name
    const m = /^\s*\d+:\s+([0-9a-f]+)\s+(\d+)\s+(FUNC|OBJECT)\s+\S+\s+\S+\s+(\S+)\s+(\S+)/.exec(line);
    if (!m) continue;
    const addr = parseInt(m[1], 16), size = Number(m[2]), isData = m[3] === "OBJECT", name = m[5];
    if (addr >= 0x20000000 || size === 0) continue; // RAM (.data/.bss) is counted apart
    const file = source.get(`${addr & ~1}:${name}`) ?? source.get(`${addr}:${name}`) ?? "";
    let part = "sketch + runtime";
    if (/^kClip/.test(name) || /_ZL\d+kClip/.test(name)) part = "stored clips";
    else if (/tinyml_frontend/.test(file) || /^tmlf_/.test(name)) part = isData ? "frontend tables" : "frontend code";
    else if (/kws_stream/.test(file) || /^kws_/.test(name)) part = "stream logic";
    else if (file.includes(`${model}_model.c`)) part = isData ? "model weights" : "model code";
    else if (/tinyml_kernels/.test(file)) part = "model code";
    parts.set(part, (parts.get(part) ?? 0) + size);
  }
  return order.map((part) => ({ part, bytes: parts.get(part) ?? 0 }));
}

function memoryMapFigure(title: string, flash: MemoryMapRow[], ram: MemoryMapRow[], flashBudget: number, ramBudget: number): Figure {
  const names = [...new Set([...flash.map((r) => r.part), ...ram.map((r) => r.part)])];
  const pctOf = (rows: MemoryMapRow[], part: string, budget: number) => Math.round((1000 * (rows.find((r) => r.part === part)?.bytes ?? 0)) / budget) / 10;
  return barChart({
    title: `${title}: memory map (% of the board)`,
    labels: [`flash (${formatBytes(flashBudget)})`, `RAM (${formatBytes(ramBudget)})`],
    series: names.map((n) => ({ name: n, values: [pctOf(flash, n, flashBudget), pctOf(ram, n, ramBudget)] })),
    barmode: "stack",
    yLabel: "% of the board's budget",
    width: 680,
    height: 400,
  });
}

/**
 * Deploys a keyword spotter to the Nano 33 BLE Sense (sketch under `sketches/<lesson>/`), and proves the board
 * computes what the notebook computes. Throws OutputMismatchError / KwsCheckError when anything differs,
 * DoesNotFitError when it cannot fit. Stable signature: `deployKeywordSpotter({ lesson, graph, labels, clips,
 * board?, stream?, title? })`.
 *
 * @example
 * const r = await deployKeywordSpotter({ lesson: "3-03-deploy-kws", graph: q.graph, labels, clips, board: "nano33ble" });
 * r.identical // true
 */
export async function deployKeywordSpotter(options: DeployKwsOptions): Promise<KwsDeployReport> {
  const { lesson, graph, clips } = options;
  const labels = [...options.labels];
  if (!LESSON_RE.test(lesson)) throw new KwsInputError(`lesson "${lesson}" is not a valid sketch name: use letters, digits, "-", "_" or "." (e.g. "3-03-deploy-kws")`);
  if (!clips || clips.length === 0) throw new KwsInputError("deployKeywordSpotter needs at least one clip (an Int16Array of 16 kHz audio)");
  clips.forEach((c, i) => {
    if (!(c instanceof Int16Array)) throw new KwsInputError(`clip ${i} is not an Int16Array; load clips with loadClip16k / readWav + floatToInt16`);
  });
  const board = getBoard(options.board ?? "nano33ble");
  if (board.emulator !== "qemu-cortex-m4") {
    throw new KwsInputError(`the keyword spotter targets Cortex-M4F boards with a PDM microphone (nano33ble, nano33ble-rev2), not ${board.id}`);
  }
  const settings = streamSettings(graph, labels, options.stream);
  const model = options.model ?? modelNameFor(lesson);
  const title = options.title ?? lesson;
  const buildDir = resolve(options.buildDir ?? join(BUILD_DIR, lesson));

  // 1. The notebook's side: per-clip verdicts and the back-to-back stream.
  const host = clipVerdicts(graph, labels, clips, options.stream);
  const stream = simulateKwsStream(graph, labels, clips, options.stream);

  // 2. The sketch.
  const sketch = writeKwsSketch({
    lesson, graph, labels, clips, settings, board, model, sketchesDir: options.sketchesDir ?? SKETCHES_DIR, chunkSamples: options.chunkSamples,
  });
  const { lib } = sketch;
  const fe = frontendCFigures();

  // 3. Fit, before compiling. The stored clips only go into replay builds, so they are not counted here.
  const overhead = CORE_OVERHEAD[board.arch];
  checkFits(board, {
    flashBytes: lib.constBytes + fe.tableBytes + overhead.flashBytes,
    ramBytes: lib.arenaBytes + lib.scratchBytes + lib.avrScratchBytes + fe.stateBytes + settings.frames * settings.channels + overhead.ramBytes,
  });

  // 4. Compile (arduino-cli for the real board when installed) and build the emulator image.
  const backend: CompileTool | null = pickBackend(board);
  const real = backend && backend !== "arm-gcc"
    ? await compileSketch({ sketchDir: sketch.sketchDir, board, backend, libraries: [join(sketch.sketchDir, "libraries")], buildPath: join(buildDir, "build") })
    : null;
  const elf = await buildForQemu(sketch.sketchDir, lesson, join(sketch.libraryDir, "src"), model, board, buildDir);
  const build = real ?? elf;

  // 5. Run the replay build on the emulated Cortex-M4.
  const run = await runCortexM4(elf.elfPath ?? "", { timeoutMs: options.timeoutMs ?? 120_000 });
  if (run.timedOut || run.exitCode !== 0) throw new EmulationIncompleteError(board.name, run.timedOut ? "timed out" : `exit code ${run.exitCode}`, run.output);
  const parsed = parseHarness(run.output);
  if (!parsed.ended) throw new EmulationIncompleteError(board.name, "no END line", run.output);

  // 6. Byte by byte: per-clip scores + label, then the stream's checksum and detections.
  assertIdentical(board.name, host, parsed.outputs);
  const streamLine = (parsed.fields.STREAM ?? "").split(/\s+/);
  const devInferences = Number(streamLine[0]), devFrames = Number(streamLine[1]), devChecksum = parseInt(streamLine[2] ?? "", 16);
  if (devInferences !== stream.scores.length || devFrames !== stream.frames || devChecksum !== stream.checksum) {
    throw new KwsCheckError(
      `the streamed scores differ: notebook ${stream.scores.length} inferences over ${stream.frames} frames, checksum ${stream.checksum.toString(16)}; ` +
        `board ${parsed.fields.STREAM ?? "(no STREAM line)"}`,
    );
  }
  const devDetections = parsed.lines.filter((l) => l.startsWith("DET ")).map((l) => {
    const [, , label, score, frame] = l.trim().split(/\s+/);
    return { label: Number(label), score: Number(score), frame: Number(frame) };
  });
  if (JSON.stringify(devDetections) !== JSON.stringify(stream.detections)) {
    throw new KwsCheckError(`the detections differ: notebook ${JSON.stringify(stream.detections)}, board ${JSON.stringify(devDetections)}`);
  }

  // 7. Memory map: RAM parts as the board printed them (sizeof), flash parts from the ELF's symbols.
  const mem = (k: string): number => Number(parsed.lines.find((l) => l.startsWith(`MEM ${k} `))?.trim().split(/\s+/)[2] ?? NaN);
  const ramMap: MemoryMapRow[] = [
    { part: "model arena", bytes: lib.arenaBytes + lib.scratchBytes + lib.avrScratchBytes },
    { part: "frontend state", bytes: mem("frontend_state") },
    { part: "feature ring", bytes: mem("feature_ring") },
    { part: "score history", bytes: mem("score_history") },
    { part: "sketch + runtime", bytes: Math.max(0, elf.ramBytes - mem("spotter_state") - lib.arenaBytes - lib.scratchBytes) },
  ];
  ramMap.forEach((r) => {
    if (!Number.isFinite(r.bytes)) throw new KwsCheckError(`the board printed no MEM line for ${r.part}:\n${run.output.slice(0, 400)}`);
  });
  const flashMap = elf.elfPath ? await flashByPart(elf.elfPath, model) : [];

  const flashBudget = build.flashMax ?? board.usableFlashBytes;
  const ramBudget = build.ramMax ?? board.ramBytes;
  const clipsBytes = clips.reduce((n, c) => n + 2 * c.length, 0);
  const notes: string[] = [];
  const inQ = graph.tensors[graph.inputs[0]].quant;
  if (!settings.inputLut && inQ && (Math.abs(inQ.scale[0] - 1 / 256) > 1e-9 || inQ.zeroPoint[0] !== -128)) {
    notes.push(
      `the model's input is quantized with scale ${inQ.scale[0].toPrecision(4)}, zero point ${inQ.zeroPoint[0]} and gets the frontend's bytes unchanged ` +
        `(right for TFLM's micro_speech; for a model trained on (v + 128) / 256 pass stream: { inputMapping: "rescale" })`,
    );
  }
  if (!real) notes.push(`flash includes the ${clips.length} stored clip(s) (${formatBytes(clipsBytes)}) of this replay build; the microphone build leaves them out`);
  const partial: Omit<DeployReport, "text" | "figure"> = {
    lesson,
    title,
    board,
    sketchDir: sketch.sketchDir,
    inoPath: sketch.inoPath,
    libraryDir: sketch.libraryDir,
    model: { name: model, constBytes: lib.constBytes, arenaBytes: lib.arenaBytes + lib.scratchBytes + lib.avrScratchBytes, macs: lib.macs, inputBytes: lib.inputBytes, outputBytes: lib.outputBytes },
    tool: build.tool,
    flash: { used: build.flashBytes, budget: flashBudget, model: lib.constBytes },
    ram: { used: build.ramBytes, budget: ramBudget, model: lib.arenaBytes + lib.scratchBytes + lib.avrScratchBytes },
    emulator: "qemu",
    cyclesPerInference: null,
    instructionsPerInference: null,
    secondsPerInference: null,
    host,
    device: parsed.outputs,
    identical: true,
    notes,
  };
  const clipLabels = host.map((h) => labels[h[h.length - 1]]);
  const cost = options.profile
    ? await measureKwsCost({
      libSrcDir: join(sketch.libraryDir, "src"),
      model,
      clip: clips[0],
      input: firstWindow(graph, settings, clips[0]),
      strideFrames: settings.strideFrames,
      clockHz: board.clockHz,
    })
    : null;
  const lines = [formatDeployReport(partial).replace(/\nspeed {4}not counted[^\n]*/, "")];
  lines.push(
    `frontend C microfrontend: ${formatBytes(fe.tableBytes)} tables in flash, ${formatBytes(mem("frontend_state"))} state in RAM; ${fe.windowSize}-sample windows every ${fe.windowStep} samples, ${fe.numChannels} channels`,
    `stream   inference every ${settings.strideFrames * settings.hopMs} ms on a ${settings.frames}-frame ring (${formatBytes(mem("feature_ring"))}), ` +
      `average of ${settings.averageWindow}, threshold ${settings.thresholdCode}/256, suppression ${settings.suppressFrames * settings.hopMs} ms`,
    `memory   RAM: ${ramMap.map((r) => `${r.part} ${formatBytes(r.bytes)}`).join(", ")}`,
    `memory   flash: ${flashMap.filter((r) => r.bytes > 0).map((r) => `${r.part} ${formatBytes(r.bytes)}`).join(", ")}`,
    `clips    ${clipLabels.map((l, i) => `${i}:${l}`).join("  ")}`,
    `heard    ${stream.detections.length} detection(s) in the back-to-back stream: ` +
      (stream.detections.map((d) => `${labels[d.label]}@${d.frame * settings.hopMs}ms(${d.score})`).join(", ") || "none"),
    ...(cost
      ? [
        `cpu      frontend ${cost.frontendInstructionsPerFrame.toLocaleString("en-US")} instructions per frame, model ${cost.modelInstructionsPerInference.toLocaleString("en-US")} per inference ` +
        `(every ${settings.strideFrames} frames): ${cost.instructionsPerHop.toLocaleString("en-US")} per 20 ms hop ≈ ${(100 * cost.cpuShare).toFixed(0)}% of the ${board.clockHz / 1e6} MHz CPU ` +
        "(QEMU counts, ~1 instruction per cycle)",
      ]
      : []),
    `verdict  stream identical: ${stream.scores.length}/${stream.scores.length} inferences (checksum ${stream.checksum.toString(16)}), ${stream.detections.length}/${stream.detections.length} detections`,
  );
  const text = lines.join("\n");
  const report: KwsDeployReport = {
    ...partial,
    text,
    figure: memoryFigure(partial),
    labels,
    settings,
    clipLabels,
    detections: stream.detections,
    streamInferences: stream.scores.length,
    streamChecksum: stream.checksum,
    flashMap,
    ramMap,
    frontend: fe,
    memoryMapFigure: memoryMapFigure(title, flashMap.filter((r) => r.bytes > 0), ramMap, flashBudget, ramBudget),
    warnings: elf.warnings,
    cost,
  };
  if (options.print ?? true) console.log(report.text);
  if (options.display ?? true) await show(report.memoryMapFigure);
  return report;
}
