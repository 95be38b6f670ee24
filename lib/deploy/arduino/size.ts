/**
 * Reading program sizes: from `size -A` (SysV format) and from the Arduino builders' summary lines.
 */
import { runTool } from "./tools.ts";

/** Flash and static RAM of one ELF, in bytes. */
export interface SectionSizes {
  flashBytes: number;
  ramBytes: number;
  /** Every allocated section's size, by name. */
  sections: Record<string, number>;
}

/**
 * Parse `avr-size -A` / `arm-none-eabi-size -A` output. Flash counts code, read-only data and the initial
 * values of `.data`; RAM counts `.data`, `.bss` and `.noinit` — the same rule as the AVR core's
 * `recipe.size.regex` lines.
 */
export function parseSysvSize(text: string): SectionSizes {
  const sections: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^(\.\S+)\s+(\d+)\s+(\d+)/.exec(line.trim());
    // Debug and note sections never reach the chip.
    if (m && !/^\.(debug|stab|comment|note|ARM\.attributes)/.test(m[1])) sections[m[1]] = Number(m[2]);
  }
  const sum = (names: string[]) => names.reduce((acc, n) => acc + (sections[n] ?? 0), 0);
  // ARM images add vectors/rodata/ARM.exidx/init_array in flash; AVR has only .text/.data/.bootloader.
  const flashNames = [".text", ".data", ".bootloader", ".isr_vector", ".vectors", ".rodata", ".ARM.exidx", ".ARM.extab",
    ".init_array", ".preinit_array", ".fini_array"];
  const ramNames = [".data", ".bss", ".noinit"];
  return { flashBytes: sum(flashNames), ramBytes: sum(ramNames), sections };
}

/** Run `<sizeTool> -A elf` and parse it. */
export async function readElfSizes(elfPath: string, sizeTool = "avr-size"): Promise<SectionSizes> {
  const run = await runTool(sizeTool, ["-A", elfPath]);
  return parseSysvSize(run.stdout);
}

/** Sizes as stated in the builders' text summary ("Sketch uses 1824 bytes … Maximum is 32256 bytes."). */
export interface SummarySizes {
  flashBytes: number | null;
  flashMax: number | null;
  ramBytes: number | null;
  ramMax: number | null;
}

/** Parse the "Sketch uses … / Global variables use …" lines printed by arduino-builder and arduino-cli. */
export function parseSizeSummary(text: string): SummarySizes {
  const flash = /Sketch uses (\d+) bytes.*?Maximum is (\d+) bytes/.exec(text);
  const ram = /Global variables use (\d+) bytes.*?Maximum is (\d+) bytes/.exec(text);
  const ramNoMax = /Global variables use (\d+) bytes/.exec(text);
  return {
    flashBytes: flash ? Number(flash[1]) : null,
    flashMax: flash ? Number(flash[2]) : null,
    ramBytes: ram ? Number(ram[1]) : ramNoMax ? Number(ramNoMax[1]) : null,
    ramMax: ram ? Number(ram[2]) : null,
  };
}

/** Compiler warning lines (`file:line:col: warning: …`) in a build log. */
export function parseWarnings(text: string): string[] {
  return text.split("\n").filter((l) => /\bwarning:/i.test(l)).map((l) => l.trim());
}
