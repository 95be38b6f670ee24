/**
 * simavr as a second AVR runner (a C simulator, faster for long runs; it stops by itself when the firmware
 * sleeps with interrupts off). It reports no cycle count here; use avr8js for cycles.
 */
import { resolve } from "node:path";
import { execa } from "execa";
import { ToolMissingError } from "../arduino/errors.ts";
import type { AvrMcu } from "./avr.ts";

/** Options for {@link runSimavr}. */
export interface RunSimavrOptions {
  mcu?: AvrMcu;
  clockHz?: number;
  /** Wall-clock limit (default 20 s); Arduino sketches never sleep, so this or `until` ends the run. */
  timeoutMs?: number;
  /** Kill simavr once this line has been printed (default "END"). */
  until?: string | null;
  simavr?: string;
}

/** What simavr printed. */
export interface SimavrRun {
  output: string;
  stoppedBy: "marker" | "exit" | "timeout";
  wallMs: number;
}

/**
 * Keep the firmware's UART text from simavr's stderr. simavr's UART logger prints each line in green
 * (ESC[32m … ESC[0m) with unprintable bytes as "." — so println's "\r\n" arrives as ".." — and its own
 * messages ("Loaded … .text") uncoloured.
 */
export function cleanSimavrOutput(stderr: string): string {
  const out: string[] = [];
  for (const raw of stderr.split("\n")) {
    if (!raw.includes("\x1b[32m")) continue;
    const line = raw.replace(/\x1b\[[0-9;]*m/g, "");
    out.push(line.endsWith("..") ? line.slice(0, -2) : line.endsWith(".") ? line.slice(0, -1) : line);
  }
  return out.length ? out.join("\n") + "\n" : "";
}

/**
 * Run an ELF (or .hex, given mcu and clock) in simavr and capture UART0 output.
 * @example const r = await runSimavr("build/x.ino.elf", { mcu: "atmega328p" });
 */
export async function runSimavr(firmware: string, options: RunSimavrOptions = {}): Promise<SimavrRun> {
  const until = options.until === undefined ? "END" : options.until;
  const args = ["-m", options.mcu ?? "atmega328p", "-f", String(options.clockHz ?? 16_000_000), resolve(firmware)];
  const started = Date.now();
  const child = execa(options.simavr ?? "simavr", args, {
    reject: false,
    timeout: options.timeoutMs ?? 20_000,
    stdin: "ignore",
    buffer: false,
    all: true,
  });
  let text = "";
  let stoppedBy = "exit" as SimavrRun["stoppedBy"];
  child.all?.on("data", (chunk: Buffer) => {
    text += chunk.toString("latin1");
    if (until !== null && cleanSimavrOutput(text).split("\n").some((l) => l.trim() === until)) {
      stoppedBy = "marker";
      child.kill("SIGTERM");
    }
  });
  const result = await child;
  if ((result as { code?: string }).code === "ENOENT") throw new ToolMissingError("simavr");
  if (result.timedOut && stoppedBy !== "marker") stoppedBy = "timeout";
  return { output: cleanSimavrOutput(text), stoppedBy, wallMs: Date.now() - started };
}
