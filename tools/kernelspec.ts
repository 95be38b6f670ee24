/**
 * Makes sure Jupyter's `deno` kernelspec runs this project's own Deno (node_modules/.bin/deno), so
 * `lab` and any Jupyter front end use the same Deno version as the tests and the headless runner.
 *
 *   node_modules/.bin/deno run -A tools/kernelspec.ts     # check, install or fix; prints what it did
 *
 * Idempotent: does nothing when the kernelspec is already right.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The project's Deno binary (absolute, symlinks resolved). */
export const PROJECT_DENO_BIN: string = fileURLToPath(new URL("../node_modules/.bin/deno", import.meta.url));

/** The kernelspec could not be found or installed. */
export class KernelspecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KernelspecError";
  }
}

/** A kernelspec as Jupyter sees it. */
export interface KernelspecInfo {
  /** Folder holding kernel.json. */
  dir: string;
  argv: string[];
}

/** What {@link ensureKernelspec} found or did. */
export interface KernelspecResult {
  /** true when it (re)installed the kernelspec. */
  changed: boolean;
  spec: KernelspecInfo;
}

// `deno jupyter --install` runs Debian's Python jupyter, which prints debugger warnings without this.
const QUIET_PYTHON = { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1" };

function realpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/**
 * Jupyter's kernel folders in its search order (first match wins): $JUPYTER_PATH, the user data folder,
 * then the system ones. Read directly rather than via `jupyter kernelspec list`, which costs a Python start.
 */
export function kernelDirs(): string[] {
  const env = process.env;
  const user = env.JUPYTER_DATA_DIR ||
    (process.platform === "darwin"
      ? join(homedir(), "Library", "Jupyter")
      : join(env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "jupyter"));
  const fromEnv = (env.JUPYTER_PATH ?? "").split(delimiter).filter(Boolean);
  return [...fromEnv, user, "/usr/local/share/jupyter", "/usr/share/jupyter"].map((d) => join(d, "kernels"));
}

/** Finds the kernelspec named `name` the way Jupyter resolves it; undefined if there is none. */
export function findKernelspec(name = "deno"): KernelspecInfo | undefined {
  for (const dir of kernelDirs()) {
    const file = join(dir, name, "kernel.json");
    if (!existsSync(file)) continue;
    try {
      return { dir: join(dir, name), argv: JSON.parse(readFileSync(file, "utf8")).argv ?? [] };
    } catch {
      return { dir: join(dir, name), argv: [] }; // unreadable: treat as wrong, so it gets reinstalled
    }
  }
  return undefined;
}

/** True when the kernelspec starts `deno` (same file after resolving symlinks). */
export function usesDeno(spec: KernelspecInfo | undefined, deno: string = PROJECT_DENO_BIN): boolean {
  return !!spec?.argv[0] && realpath(spec.argv[0]) === realpath(deno);
}

/**
 * Checks that Jupyter's `deno` kernelspec runs the project's Deno; if not, installs it with
 * `deno jupyter --install` (adding `--force` to replace another one). Throws {@link KernelspecError}
 * if it is still wrong afterwards.
 *
 * @example
 * const { changed, spec } = ensureKernelspec();
 * console.log(changed ? `installed ${spec.dir}` : "kernelspec ok");
 */
export function ensureKernelspec(deno: string = PROJECT_DENO_BIN): KernelspecResult {
  const before = findKernelspec("deno");
  if (before && usesDeno(before, deno)) return { changed: false, spec: before };
  const args = ["jupyter", "--install", ...(before ? ["--force"] : [])];
  try {
    execFileSync(deno, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...QUIET_PYTHON, DENO_NO_UPDATE_CHECK: "1" },
    });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new KernelspecError(`\`${deno} ${args.join(" ")}\` failed: ${e.stderr?.toString().trim() || e.message}`);
  }
  const after = findKernelspec("deno");
  if (!after || !usesDeno(after, deno)) {
    throw new KernelspecError(
      `the deno kernelspec Jupyter uses (${after?.dir ?? "none"}) still does not run ${realpath(deno)}; ` +
        `remove it with \`jupyter kernelspec remove deno\` (or fix JUPYTER_PATH) and run this again`,
    );
  }
  return { changed: true, spec: after };
}

if (import.meta.main || process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const { changed, spec } = ensureKernelspec();
    console.log(
      changed
        ? `Installed the deno kernelspec at ${spec.dir} (runs ${spec.argv[0]})`
        : `deno kernelspec ok: ${spec.dir}`,
    );
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
