/**
 * What this machine can do for the course: which tools are on PATH, whether the shared reference data is there.
 * The welcome notebook prints this table so a learner sees at once what is missing and how to get it.
 *
 * @module
 */
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import process from "node:process";

/** One line of the environment report. */
export interface ToolCheck {
  /** What the tool is, e.g. "AVR compiler". */
  what: string;
  /** Executable or path looked for. */
  name: string;
  /** Absolute path found, or undefined. */
  found?: string;
  /** Whether the course needs it (false: optional, e.g. arduino-cli on a machine without boards). */
  required: boolean;
  /** How to get it when missing. */
  fix: string;
}

/** Finds an executable on PATH, like `which`. */
export function which(command: string, path = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

const apt = (pkg: string) => `apt-get install -y --no-install-recommends ${pkg} (or run \`npm test\`, which installs it)`;

const TOOLS: Omit<ToolCheck, "found">[] = [
  { what: "Jupyter (notebook runner, lab)", name: "jupyter", required: true, fix: apt("jupyter-client jupyter-nbconvert") },
  { what: "Chromium (plots as PNG)", name: "chromium", required: false, fix: apt("chromium") },
  {
    what: "arduino-cli (real boards)",
    name: "arduino-cli",
    required: false,
    fix: "see https://arduino.github.io/arduino-cli/latest/installation/ — without it the Debian build engine is used",
  },
  { what: "Arduino build engine (Debian)", name: "arduino-builder", required: true, fix: apt("arduino-builder arduino-core-avr") },
  { what: "AVR compiler", name: "avr-gcc", required: true, fix: apt("gcc-avr avr-libc") },
  { what: "Cortex-M compiler", name: "arm-none-eabi-gcc", required: true, fix: apt("gcc-arm-none-eabi libnewlib-arm-none-eabi") },
  { what: "Cortex-M4 emulator", name: "qemu-system-arm", required: true, fix: apt("qemu-system-arm") },
  { what: "Speech synthesis", name: "espeak-ng", required: true, fix: apt("espeak-ng") },
  { what: "Audio tool", name: "sox", required: true, fix: apt("sox") },
];

/** Checks every tool the course uses and returns one row per tool. */
export function checkTools(path?: string): ToolCheck[] {
  return TOOLS.map((tool) => ({ ...tool, found: which(tool.name, path) }));
}

/** Whether the shared reference data (`../shared/conformance`, next to the project) is present. */
export function sharedDataPresent(projectRoot: string): boolean {
  return existsSync(join(projectRoot, "..", "shared", "conformance"));
}

/** Formats the checks as a fixed-width text table. */
export function formatToolChecks(checks: ToolCheck[]): string {
  const rows = checks.map((c) => [c.found ? "ok" : c.required ? "MISSING" : "absent", c.what, c.found ?? c.fix]);
  const width = [0, 1].map((i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => `${r[0].padEnd(width[0])}  ${r[1].padEnd(width[1])}  ${r[2]}`).join("\n");
}
