/**
 * Which JavaScript runtime we are in, and small environment helpers.
 *
 * This folder is the only place in the kit allowed to touch `Deno.*` / `Bun.*`.
 * Every lookup goes through `globalThis` so the file type-checks and runs
 * unchanged in Deno, Bun and Node.
 */
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The three runtimes the kit supports. */
export type RuntimeName = "deno" | "bun" | "node";

/** Minimal view of `Deno.jupyter` that we use (Deno 2.x, experimental API). */
export interface DenoJupyter {
  display(
    obj: unknown,
    options?: { raw?: boolean; update?: boolean; display_id?: string },
  ): Promise<void>;
  broadcast(
    msgType: string,
    content: Record<string, unknown>,
    extra?: { metadata?: Record<string, unknown>; buffers?: Uint8Array[] },
  ): Promise<void>;
}

interface DenoLike {
  version?: { deno?: string };
  jupyter?: DenoJupyter;
}

function denoGlobal(): DenoLike | undefined {
  return (globalThis as { Deno?: DenoLike }).Deno;
}

/**
 * Name of the current runtime.
 * @example
 * if (runtimeName() === "deno") console.log("running under Deno");
 */
export function runtimeName(): RuntimeName {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Bun !== undefined) return "bun";
  if (g.Deno !== undefined) return "deno";
  return "node";
}

/**
 * `Deno.jupyter` when running inside the Deno Jupyter kernel, else undefined.
 * Outside `deno jupyter` merely reading `Deno.jupyter` throws, hence the try.
 */
export function jupyterApi(): DenoJupyter | undefined {
  const deno = denoGlobal();
  if (deno === undefined) return undefined;
  try {
    const j = deno.jupyter;
    return j && typeof j.display === "function" ? j : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True inside a Jupyter notebook run by the Deno kernel.
 * @example
 * if (isJupyter()) await display({ "text/markdown": "**hi**" });
 */
export function isJupyter(): boolean {
  return jupyterApi() !== undefined;
}

/**
 * Read an environment variable; undefined when unset or when the runtime
 * refuses access (Deno without `--allow-env`).
 */
export function env(name: string): string | undefined {
  try {
    const v = process.env[name];
    return v === undefined || v === "" ? undefined : v;
  } catch {
    return undefined;
  }
}

/**
 * Absolute path of the repository root (the folder holding `lib/`), with no
 * trailing slash.
 * @example
 * const data = path.join(repoRoot(), "datasets");
 */
export function repoRoot(): string {
  return fileURLToPath(new URL("../../", import.meta.url)).replace(/[\\/]$/, "");
}
