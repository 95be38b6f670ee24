/**
 * The course command: execute notebooks headlessly, or open them in Jupyter.
 *
 *   node_modules/.bin/deno run -A tools/course.ts [run] [NOTEBOOK|FOLDER …] [--out build/notebooks] [--timeout S]
 *   node_modules/.bin/deno run -A tools/course.ts lab [--port P]
 *
 * `run` (the default) executes each notebook in a fresh Deno kernel (all of `notebooks/` when no path
 * is given, sorted), writes the executed copy with outputs to the build folder at the same relative
 * path, prints a summary table, and exits 1 if any notebook failed (naming the notebook, cell, error).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import * as net from "node:net";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureKernelspec, KernelspecError } from "./kernelspec.ts";
import { executeNotebook, type NotebookResult } from "./notebook/execute.ts";
import { writeNotebook } from "./notebook/notebook.ts";
import { freePorts } from "./notebook/kernel.ts";

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL("..", import.meta.url));

/** Bad command-line input or paths. */
export class CourseUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CourseUsageError";
  }
}

/** Options for {@link runCourse}. */
export interface RunCourseOptions {
  /** Notebooks or folders (searched recursively); default: `<root>/notebooks`. Relative to `cwd`. */
  paths?: string[];
  /** Where executed copies go; default `<root>/build/notebooks`. Relative to `cwd`. */
  outDir?: string;
  /** Per-cell timeout in seconds (default 300). */
  timeoutSec?: number;
  /** Repository root (for the default paths and relative names); default {@link ROOT}. */
  root?: string;
  /** Base for relative paths; default `process.cwd()`. */
  cwd?: string;
  /** Progress and report lines; default console.log. */
  log?: (line: string) => void;
}

/** One executed notebook in {@link CourseResult}. */
export interface CourseEntry {
  /** Display name (relative to the root when inside it). */
  name: string;
  /** Where the executed copy was written. */
  output: string;
  result: NotebookResult;
}

/** The result of {@link runCourse}. */
export interface CourseResult {
  ok: boolean;
  entries: CourseEntry[];
  /** The summary table as printed. */
  summary: string;
}

/** Lists the notebooks at the given files/folders, recursively, sorted, without checkpoint copies. */
export function findNotebooks(paths: string[]): string[] {
  const found = new Set<string>();
  const walk = (p: string): void => {
    if (statSync(p).isDirectory()) {
      for (const e of readdirSync(p)) if (!e.startsWith(".") && e !== "node_modules") walk(join(p, e));
    } else if (p.endsWith(".ipynb")) {
      found.add(p);
    }
  };
  for (const p of paths) {
    if (!existsSync(p)) throw new CourseUsageError(`no such notebook or folder: ${p}`);
    if (!statSync(p).isDirectory() && !p.endsWith(".ipynb")) {
      throw new CourseUsageError(`not a notebook (.ipynb): ${p}`);
    }
    walk(p);
  }
  return [...found].sort();
}

/** Where the executed copy of `nb` goes: same path relative to `notebooks/`, else to the root, else its name. */
export function outputPath(nb: string, outDir: string, root: string): string {
  for (const base of [join(root, "notebooks"), root]) {
    const rel = relative(base, nb);
    if (rel && !rel.startsWith("..") && !isAbsolute(rel)) return join(outDir, rel);
  }
  return join(outDir, basename(nb));
}

/** Formats the summary table (notebook, cells run/total, seconds, status). */
export function formatSummary(entries: CourseEntry[]): string {
  const rows = entries.map((e) => [
    e.name,
    `${e.result.cells.length}/${e.result.codeCells}`,
    e.result.seconds.toFixed(1),
    e.result.error ? `FAILED (${e.result.error.kind})` : "ok",
  ]);
  const all = [["notebook", "cells", "seconds", "status"], ...rows];
  const width = [0, 1, 2, 3].map((i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => [r[0].padEnd(width[0]), r[1].padStart(width[1]), r[2].padStart(width[2]), r[3]].join("  "))
    .join("\n");
}

/**
 * Executes notebooks one by one (each in its own kernel), writes the executed copies, and returns a
 * summary. Keeps going after a failure so one run reports every broken notebook.
 *
 * @example
 * const r = await runCourse({ paths: ["notebooks/01-intro.ipynb"], outDir: "/tmp/out" });
 * if (!r.ok) process.exitCode = 1;
 */
export async function runCourse(opts: RunCourseOptions = {}): Promise<CourseResult> {
  const root = resolve(opts.root ?? ROOT);
  const cwd = opts.cwd ?? process.cwd();
  const log = opts.log ?? ((l: string) => console.log(l));
  const outDir = resolve(cwd, opts.outDir ?? join(root, "build", "notebooks"));
  const notebooks = findNotebooks(
    (opts.paths?.length ? opts.paths : [join(root, "notebooks")]).map((p) => resolve(cwd, p)),
  );
  if (!notebooks.length) {
    throw new CourseUsageError(`no notebooks found in ${(opts.paths ?? ["notebooks"]).join(", ")}`);
  }

  const entries: CourseEntry[] = [];
  for (const [i, nb] of notebooks.entries()) {
    const rel = relative(root, nb);
    const name = rel.startsWith("..") ? nb : rel;
    log(`[${i + 1}/${notebooks.length}] ${name}`);
    const result = await executeNotebook(nb, {
      name,
      timeoutSec: opts.timeoutSec,
      onCell: (c) => {
        if (c.seconds >= 5) log(`    code cell ${c.number}: ${c.seconds.toFixed(1)} s`);
      },
    });
    const output = outputPath(nb, outDir, root);
    writeNotebook(output, result.notebook); // failed runs too: the copy shows the error in place
    entries.push({ name, output, result });
    log(`    ${result.error ? "FAILED" : "ok"} in ${result.seconds.toFixed(1)} s → ${relative(cwd, output) || output}`);
  }

  const summary = formatSummary(entries);
  log("");
  log(summary);
  const failed = entries.filter((e) => e.result.error);
  for (const e of failed) log(`\n${e.result.error!.message}`);
  if (failed.length) log(`\n${failed.length} of ${entries.length} notebook(s) failed.`);
  return { ok: failed.length === 0, entries, summary };
}

/** A running Jupyter Notebook server started by {@link startLab}. */
export interface Lab {
  url: string;
  process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/**
 * Starts Jupyter Notebook on 127.0.0.1 with `notebooks/` open and the project's Deno kernel
 * (kernelspec checked/installed first); resolves once it accepts connections.
 */
export async function startLab(
  opts: { port?: number; root?: string; notebookDir?: string; quiet?: boolean } = {},
): Promise<Lab> {
  const root = resolve(opts.root ?? ROOT);
  ensureKernelspec();
  const port = opts.port ?? (await freePorts(1))[0];
  const token = randomBytes(24).toString("hex");
  const jupyter = existsSync("/usr/bin/jupyter") ? "/usr/bin/jupyter" : "jupyter";
  const child = spawn(jupyter, [
    "notebook",
    "--no-browser",
    "--ip=127.0.0.1",
    `--port=${port}`,
    "--port-retries=0",
    `--notebook-dir=${opts.notebookDir ?? join(root, "notebooks")}`,
    `--NotebookApp.token=${token}`,
    "--MappingKernelManager.default_kernel_name=deno",
    ...(process.getuid?.() === 0 ? ["--allow-root"] : []), // containers often run as root
  ], {
    stdio: ["ignore", opts.quiet ? "ignore" : "inherit", opts.quiet ? "ignore" : "inherit"],
    env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1" },
  });
  let exited: string | undefined;
  const done = new Promise<void>((r) =>
    child.once("exit", (code, sig) => {
      exited = sig ? `killed by ${sig}` : `exited with code ${code}`;
      r();
    })
  );
  child.once("error", (e) => (exited = e.message));
  const deadline = Date.now() + 60_000;
  while (!(await canConnect(port))) {
    if (exited) {
      throw new CourseUsageError(
        `Jupyter Notebook ${exited}. Is it installed? (bash tools/setup.sh installs the Debian package jupyter-notebook)`,
      );
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new CourseUsageError("Jupyter Notebook did not start within 60 s");
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await done;
      clearTimeout(t);
    }
  };
  return { url: `http://127.0.0.1:${port}/tree?token=${token}`, process: child, stop };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = net.connect({ host: "127.0.0.1", port }, () => {
      s.destroy();
      r(true);
    });
    s.once("error", () => r(false));
  });
}

const USAGE = `Usage:
  deno run -A tools/course.ts [run] [NOTEBOOK|FOLDER …] [--out DIR] [--timeout SECONDS]
      Execute notebooks (default: all under notebooks/) and write executed copies to DIR (default build/notebooks).
  deno run -A tools/course.ts lab [--port PORT]
      Start Jupyter Notebook on 127.0.0.1 with notebooks/ open and the Deno kernel.`;

/** Parses arguments and runs; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  const command = args[0] === "run" || args[0] === "lab" ? args.shift()! : "run";
  const opt = (flag: string): string | undefined => {
    const i = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
    if (i < 0) return undefined;
    const [a] = args.splice(i, 1);
    if (a.includes("=")) return a.slice(flag.length + 1);
    const v = args.splice(i, 1)[0];
    if (v === undefined) throw new CourseUsageError(`${flag} needs a value`);
    return v;
  };
  try {
    if (args.includes("-h") || args.includes("--help")) {
      console.log(USAGE);
      return 0;
    }
    if (command === "lab") {
      const port = opt("--port");
      const lab = await startLab({ port: port ? Number(port) : undefined });
      console.log(`\nJupyter Notebook is running with the Deno kernel:\n\n    ${lab.url}\n\nPress Ctrl-C to stop.`);
      for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => void lab.stop());
      await new Promise((r) => lab.process.once("exit", r));
      return 0;
    }
    const out = opt("--out");
    const timeout = opt("--timeout");
    const timeoutSec = timeout === undefined ? undefined : Number(timeout);
    if (timeoutSec !== undefined && !(timeoutSec > 0)) {
      throw new CourseUsageError(`--timeout must be a positive number of seconds, got ${timeout}`);
    }
    const unknown = args.find((a) => a.startsWith("-"));
    if (unknown) throw new CourseUsageError(`unknown option ${unknown}`);
    // Exit through process.exit on Ctrl-C so the runner's exit hook kills a running kernel.
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => process.exit(130));
    const result = await runCourse({ paths: args, outDir: out, timeoutSec });
    return result.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof KernelspecError) {
      console.error(err.message);
      return 1;
    }
    if (!(err instanceof CourseUsageError)) throw err;
    console.error(`${err.message}\n\n${USAGE}`);
    return 2;
  }
}

if (import.meta.main || process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(await main(process.argv.slice(2)));
}
