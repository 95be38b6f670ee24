/**
 * Result types shared by every build backend (arduino-cli, Debian arduino-builder, bare arm-none-eabi-gcc).
 */

/** Which backend produced a build. */
export type CompileTool = "arduino-cli" | "arduino-builder" | "arm-gcc";

/** What any backend reports after a successful build. Sizes are bytes. */
export interface CompileResult {
  fqbn: string;
  /** Program storage used (text + data for AVR/ARM: initialised data also lives in flash). */
  flashBytes: number;
  /** Static RAM used (data + bss [+ noinit]); the stack and heap come on top of this. */
  ramBytes: number;
  /** Usable flash on the board, or null when the tool did not say. */
  flashMax: number | null;
  /** RAM on the board, or null when the tool did not say. */
  ramMax: number | null;
  /** The linked ELF, when the backend leaves one. */
  elfPath: string | null;
  /** Intel HEX image, when the backend makes one (AVR). */
  hexPath: string | null;
  /** Compiler warning lines. */
  warnings: string[];
  tool: CompileTool;
  buildPath: string;
  /** Everything the tool printed, for display. */
  output: string;
}
