/**
 * One entry point for building a sketch: arduino-cli when installed, else Debian's arduino-builder (AVR
 * boards), else bare arm-none-eabi-gcc (Cortex-M4F boards, a size/equality check only).
 */
import { ArduinoCli } from "./cli.ts";
import { compileWithArmGcc } from "./armgcc.ts";
import { getBoard, type BoardPreset } from "./boards.ts";
import { compileWithArduinoBuilder } from "./builder.ts";
import { DoesNotFitError, ToolMissingError, UnsupportedBoardError } from "./errors.ts";
import { checkFits, type MemoryNeed } from "./fit.ts";
import { findExecutable } from "./tools.ts";
import type { CompileResult, CompileTool } from "./types.ts";

/** Options for {@link compileSketch}. */
export interface CompileSketchOptions {
  sketchDir: string;
  /** Preset id ("uno", "mega2560", "nano33ble" …), FQBN, or a preset object. */
  board: string | BoardPreset;
  buildPath?: string;
  /** Extra library folders. */
  libraries?: readonly string[];
  /** Extra C/C++ compiler flags (e.g. ["-DN_INPUTS=3"]). */
  extraFlags?: readonly string[];
  /** Force a backend; default "auto" picks arduino-cli, else arduino-builder, else arm-gcc. */
  backend?: "auto" | CompileTool;
  /** An arduino-cli wrapper to use (e.g. with a config file). */
  cli?: ArduinoCli;
  /** Check this need against the board BEFORE compiling (throws DoesNotFitError). */
  need?: MemoryNeed;
}

/** Which backend `compileSketch` would use for a board here (null when none can). */
export function pickBackend(board: string | BoardPreset, cli: ArduinoCli = new ArduinoCli()): CompileTool | null {
  const b = getBoard(board);
  if (cli.isAvailable()) return "arduino-cli";
  if (b.debianFqbn && findExecutable("arduino-builder")) return "arduino-builder";
  if (b.emulator === "qemu-cortex-m4" && findExecutable("arm-none-eabi-gcc")) return "arm-gcc";
  return null;
}

/**
 * Compile a sketch folder for a board with the best backend available, and check the result fits.
 * @example
 * const r = await compileSketch({ sketchDir: "sketches/hello", board: "uno" });
 * console.log(`${r.tool}: ${r.flashBytes}/${r.flashMax} bytes flash`);
 */
export async function compileSketch(options: CompileSketchOptions): Promise<CompileResult> {
  const board = getBoard(options.board);
  if (options.need) checkFits(board, options.need);
  const cli = options.cli ?? new ArduinoCli();
  const backend = !options.backend || options.backend === "auto" ? pickBackend(board, cli) : options.backend;
  let result: CompileResult;
  switch (backend) {
    case "arduino-cli": {
      const flags = (options.extraFlags ?? []).join(" ");
      result = await cli.compile({
        sketchDir: options.sketchDir,
        fqbn: board.fqbn,
        buildPath: options.buildPath,
        libraries: options.libraries,
        buildProperties: flags ? [`compiler.cpp.extra_flags=${flags}`, `compiler.c.extra_flags=${flags}`] : [],
      });
      break;
    }
    case "arduino-builder":
      if (!board.debianFqbn) {
        throw new UnsupportedBoardError(board.id, "Debian's arduino-builder only has the AVR core; install arduino-cli and the board's core");
      }
      result = await compileWithArduinoBuilder({
        sketchDir: options.sketchDir,
        fqbn: board.debianFqbn,
        buildPath: options.buildPath,
        libraries: options.libraries,
        extraFlags: options.extraFlags,
      });
      break;
    case "arm-gcc":
      result = await compileWithArmGcc({
        sketchDir: options.sketchDir,
        board,
        buildPath: options.buildPath,
        includeDirs: options.libraries,
        extraFlags: options.extraFlags,
      });
      break;
    default:
      throw new ToolMissingError(
        "arduino-cli",
        `no build tool for ${board.name} here: install arduino-cli (curl -fsSL https://raw.githubusercontent.com/arduino/arduino-cli/master/install.sh | sh, ` +
          `or brew install arduino-cli, or the Arduino IDE 2) and run "arduino-cli core install ${board.core}"`,
      );
  }
  const flashMax = result.flashMax ?? board.usableFlashBytes;
  const ramMax = result.ramMax ?? board.ramBytes;
  if (result.flashBytes > flashMax || result.ramBytes > ramMax) {
    throw new DoesNotFitError(board.name, result, { flashBytes: flashMax, ramBytes: ramMax }, [
      "a smaller model (int8 weights, fewer layers)",
    ]);
  }
  return result;
}
