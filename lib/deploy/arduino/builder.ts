/**
 * Debian's `arduino-builder` (the build engine of the Arduino IDE 1.8) driven directly: the fallback when
 * arduino-cli is not installed. Only the AVR core (package arduino-core-avr) is available this way.
 *
 * Debian's AVR core does not build `WString.cpp` with its gcc-avr 5.4 (`DECIMAL_DIG` undeclared, then
 * "size of array … is not an integral constant-expression"): that compiler's <float.h> predates C11's
 * DECIMAL_DIG. We pass `-prefs=compiler.cpp.extra_flags=-DDECIMAL_DIG=9` (9 digits = float's round-trip
 * precision; AVR's double is float) instead of editing system files.
 */
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { getBoard } from "./boards.ts";
import { CompileError, DoesNotFitError, ToolMissingError } from "./errors.ts";
import { resolveSketch } from "./sketch.ts";
import { parseSizeSummary, parseWarnings, readElfSizes } from "./size.ts";
import { runTool } from "./tools.ts";
import type { CompileResult } from "./types.ts";

/** Where Debian installs the hardware definitions and tools. */
export const DEBIAN_ARDUINO_PATHS = {
  hardware: ["/usr/share/arduino/hardware", "/usr/share/arduino-builder"],
  tools: ["/usr/share/arduino-builder"],
  libraries: ["/usr/share/arduino/libraries"],
} as const;

/** The build property that works around Debian's WString.cpp / gcc-avr 5.4 failure. */
export const DEBIAN_WSTRING_FIX = "-DDECIMAL_DIG=9";

/** Options for {@link compileWithArduinoBuilder}. */
export interface ArduinoBuilderOptions {
  sketchDir: string;
  fqbn: string;
  /** Build folder (created if missing; default a fresh temp dir). */
  buildPath?: string;
  /** Extra library folders (`-libraries`). */
  libraries?: readonly string[];
  /** Extra C/C++ flags for every file, e.g. ["-DUSE_FOO=1"]. */
  extraFlags?: readonly string[];
  /** Extra `-prefs key=value` entries. */
  prefs?: readonly string[];
  command?: string;
  hardwareDirs?: readonly string[];
  toolsDirs?: readonly string[];
  timeoutMs?: number;
}

/**
 * Compile a sketch with Debian's arduino-builder and report sizes (read with avr-size from the ELF).
 * @example
 * const r = await compileWithArduinoBuilder({ sketchDir: "sketches/hello", fqbn: "arduino:avr:uno" });
 * r.flashBytes; r.hexPath;
 */
export async function compileWithArduinoBuilder(options: ArduinoBuilderOptions): Promise<CompileResult> {
  const sketch = resolveSketch(options.sketchDir);
  // arduino-builder insists on an absolute build path that already exists.
  const buildPath = resolve(options.buildPath ?? mkdtempSync(join(tmpdir(), "tinyml-ab-build-")));
  mkdirSync(buildPath, { recursive: true });
  const extra = [DEBIAN_WSTRING_FIX, ...(options.extraFlags ?? [])].join(" ");
  const args = ["-compile"];
  for (const h of options.hardwareDirs ?? DEBIAN_ARDUINO_PATHS.hardware) args.push("-hardware", h);
  for (const t of options.toolsDirs ?? DEBIAN_ARDUINO_PATHS.tools) args.push("-tools", t);
  for (const l of DEBIAN_ARDUINO_PATHS.libraries) if (existsSync(l)) args.push("-built-in-libraries", l);
  for (const l of options.libraries ?? []) args.push("-libraries", resolve(l));
  args.push("-fqbn", options.fqbn, "-build-path", buildPath);
  args.push(`-prefs=compiler.cpp.extra_flags=${extra}`);
  if (options.extraFlags?.length) args.push(`-prefs=compiler.c.extra_flags=${options.extraFlags.join(" ")}`);
  for (const p of options.prefs ?? []) args.push(`-prefs=${p}`);
  args.push(sketch.ino);

  const run = await runTool(options.command ?? "arduino-builder", args, {
    check: false,
    timeoutMs: options.timeoutMs ?? 300_000,
    toolName: "arduino-builder",
  });
  const output = [run.stdout, run.stderr].filter(Boolean).join("\n");
  if (run.exitCode !== 0) {
    throw misfitFromLog(options.fqbn, output) ?? new CompileError("arduino-builder", options.fqbn, output, run.exitCode);
  }

  const elfPath = join(buildPath, `${sketch.name}.ino.elf`);
  const hexPath = join(buildPath, `${sketch.name}.ino.hex`);
  const summary = parseSizeSummary(output);
  let flashBytes = summary.flashBytes;
  let ramBytes = summary.ramBytes;
  try {
    const sizes = await readElfSizes(elfPath, "avr-size");
    flashBytes = sizes.flashBytes;
    ramBytes = sizes.ramBytes;
  } catch (e) {
    // The builder's own summary is the same avr-size -A numbers; only fail when we have neither.
    if (!(e instanceof ToolMissingError) || flashBytes === null) throw e;
  }
  return {
    fqbn: options.fqbn,
    flashBytes: flashBytes ?? 0,
    ramBytes: ramBytes ?? 0,
    flashMax: summary.flashMax,
    ramMax: summary.ramMax,
    elfPath,
    hexPath,
    warnings: parseWarnings(output),
    tool: "arduino-builder",
    buildPath,
    output,
  };
}

/**
 * A build that failed only because it is too big becomes a DoesNotFitError with the numbers: either the
 * builder's own size check ("Sketch too big", with the "Sketch uses … Maximum is …" lines) or the linker's
 * "region `text' overflowed by N bytes" (then the need is the chip's flash + N).
 */
export function misfitFromLog(fqbn: string, output: string): DoesNotFitError | null {
  const s = parseSizeSummary(output);
  const hint = ["a smaller model (int8 weights, fewer or narrower layers)", "a board with more memory (see BOARDS)"];
  const name = boardName(fqbn);
  if (s.flashBytes !== null && s.flashMax !== null && s.ramBytes !== null && s.ramMax !== null &&
    (s.flashBytes > s.flashMax || s.ramBytes > s.ramMax)) {
    return new DoesNotFitError(name, { flashBytes: s.flashBytes, ramBytes: s.ramBytes }, { flashBytes: s.flashMax, ramBytes: s.ramMax }, hint);
  }
  const overflow = /region [`'"]text[`'"] overflowed by (\d+) bytes/.exec(output);
  if (overflow) {
    const board = safeBoard(fqbn);
    if (board) {
      return new DoesNotFitError(
        board.name,
        { flashBytes: board.flashBytes + Number(overflow[1]), ramBytes: 0 },
        { flashBytes: board.usableFlashBytes, ramBytes: board.ramBytes },
        hint,
      );
    }
  }
  return null;
}

function safeBoard(fqbn: string) {
  try {
    return getBoard(fqbn);
  } catch {
    return null;
  }
}

function boardName(fqbn: string): string {
  return safeBoard(fqbn)?.name ?? fqbn;
}
