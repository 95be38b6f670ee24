/**
 * Finding and running external programs. ENOENT never escapes: it becomes a ToolMissingError.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { execa } from "execa";
import { ToolFailedError, ToolMissingError } from "./errors.ts";

/** Result of one finished tool run. */
export interface ToolRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Options for {@link runTool}. */
export interface RunToolOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Throw ToolFailedError on a non-zero exit (default true). */
  check?: boolean;
  /** Name shown in ToolMissingError (default: the command's basename). */
  toolName?: string;
}

/**
 * Absolute path of `command` if it is executable (an absolute path, or found on PATH), else null.
 * @example findExecutable("avr-size") // "/usr/bin/avr-size"
 */
export function findExecutable(command: string, pathEnv: string = process.env.PATH ?? ""): string | null {
  const candidates = isAbsolute(command) || command.includes("/")
    ? [command]
    : pathEnv.split(delimiter).filter(Boolean).map((dir) => join(dir, command));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

/**
 * Run a program to completion and collect its output.
 * Throws ToolMissingError when it is not installed, ToolFailedError on a non-zero exit (unless `check: false`).
 */
export async function runTool(command: string, args: readonly string[], options: RunToolOptions = {}): Promise<ToolRun> {
  const toolName = options.toolName ?? command.split("/").pop()!;
  const result = await execa(command, [...args], {
    cwd: options.cwd,
    env: options.env,
    timeout: options.timeoutMs,
    reject: false,
    stripFinalNewline: false,
  });
  if ((result as { code?: string }).code === "ENOENT") throw new ToolMissingError(toolName);
  const run: ToolRun = {
    stdout: String(result.stdout ?? ""),
    stderr: String(result.stderr ?? ""),
    exitCode: result.exitCode ?? -1,
  };
  if (result.timedOut) {
    throw new ToolFailedError(toolName, args, undefined, run.stdout, run.stderr, `${toolName} timed out after ${options.timeoutMs} ms`);
  }
  if ((options.check ?? true) && run.exitCode !== 0) {
    throw new ToolFailedError(toolName, args, run.exitCode, run.stdout, run.stderr);
  }
  return run;
}
