/**
 * Typed errors for building and deploying Arduino firmware. Each says what went wrong and how to fix it.
 */

/** How to install each external tool this folder may call. */
export const INSTALL_HINTS: Readonly<Record<string, string>> = {
  "arduino-cli":
    "install it with the official script (curl -fsSL https://raw.githubusercontent.com/arduino/arduino-cli/master/install.sh | sh), " +
    "with Homebrew (brew install arduino-cli), or use the Arduino IDE 2 which bundles it; see https://arduino.github.io/arduino-cli/latest/installation/",
  "arduino-builder": "on Debian/Ubuntu: apt-get install arduino-builder arduino-core-avr gcc-avr avr-libc",
  "avr-size": "on Debian/Ubuntu: apt-get install binutils-avr (comes with gcc-avr)",
  "avr-gcc": "on Debian/Ubuntu: apt-get install gcc-avr avr-libc",
  "arm-none-eabi-gcc": "on Debian/Ubuntu: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi",
  "arm-none-eabi-size": "on Debian/Ubuntu: apt-get install binutils-arm-none-eabi (comes with gcc-arm-none-eabi)",
  "qemu-system-arm": "on Debian/Ubuntu: apt-get install qemu-system-arm",
  "simavr": "on Debian/Ubuntu: apt-get install simavr",
};

/** An external program (arduino-cli, avr-size, qemu …) is not installed or not on PATH. */
export class ToolMissingError extends Error {
  override name = "ToolMissingError";
  constructor(readonly tool: string, readonly hint: string = INSTALL_HINTS[tool] ?? "install it and put it on PATH") {
    super(`${tool} is missing (not found on PATH): ${hint}`);
  }
}

/** An external tool ran but failed; carries its output so the caller can show the compiler's message. */
export class ToolFailedError extends Error {
  override name = "ToolFailedError";
  constructor(
    readonly tool: string,
    readonly args: readonly string[],
    readonly exitCode: number | undefined,
    readonly stdout: string,
    readonly stderr: string,
    message?: string,
  ) {
    super(message ?? `${tool} ${args.join(" ")} failed (exit ${exitCode ?? "?"}):\n${tail(stderr || stdout)}`);
  }
}

/** Compiling a sketch failed; `compilerOutput` holds the compiler's own error text. */
export class CompileError extends Error {
  override name = "CompileError";
  constructor(
    readonly tool: string,
    readonly fqbn: string,
    readonly compilerOutput: string,
    readonly exitCode?: number,
  ) {
    super(`compiling for ${fqbn} with ${tool} failed (exit ${exitCode ?? "?"}); compiler output:\n${tail(compilerOutput)}`);
  }
}

/** A model (or sketch) needs more flash or RAM than the board has. */
export class DoesNotFitError extends Error {
  override name = "DoesNotFitError";
  constructor(
    readonly board: string,
    readonly need: { flashBytes: number; ramBytes: number },
    readonly have: { flashBytes: number; ramBytes: number },
    readonly suggestions: readonly string[],
  ) {
    super(describeMisfit(board, need, have, suggestions));
  }
}

/** The board id or FQBN is not one of the presets. */
export class UnknownBoardError extends Error {
  override name = "UnknownBoardError";
  constructor(readonly board: string, readonly known: readonly string[]) {
    super(`unknown board "${board}"; use one of: ${known.join(", ")} (or a BoardPreset object)`);
  }
}

/** The requested build backend cannot build this board here. */
export class UnsupportedBoardError extends Error {
  override name = "UnsupportedBoardError";
  constructor(readonly board: string, reason: string) {
    super(`cannot build for ${board}: ${reason}`);
  }
}

function kb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / 1048576).toFixed(2)} MB` : `${+(bytes / 1024).toFixed(1)} KB`;
}

function describeMisfit(
  board: string,
  need: { flashBytes: number; ramBytes: number },
  have: { flashBytes: number; ramBytes: number },
  suggestions: readonly string[],
): string {
  const parts: string[] = [];
  if (need.flashBytes > have.flashBytes) parts.push(`needs ${kb(need.flashBytes)} flash, ${board} has ${kb(have.flashBytes)}`);
  if (need.ramBytes > have.ramBytes) parts.push(`needs ${kb(need.ramBytes)} RAM, ${board} has ${kb(have.ramBytes)}`);
  const tryText = suggestions.length ? `; try ${suggestions.join(", or ")}` : "";
  return `does not fit: ${parts.join("; ")}${tryText}`;
}

/** The last lines of a long tool output, enough to show the first real error. */
function tail(text: string, maxLines = 40): string {
  const lines = text.trimEnd().split("\n");
  return lines.length > maxLines ? ["…", ...lines.slice(-maxLines)].join("\n") : lines.join("\n");
}
