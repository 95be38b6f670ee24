/**
 * Generated datasets on demand: notebooks and tests call these instead of asking the learner to run
 * `datasets/generate.ts` first. The first caller generates (with progress), later callers reuse the files;
 * a lock folder makes two processes (two notebooks run in parallel) wait for one generation instead of racing.
 * @module
 */
import { existsSync, mkdirSync, rmdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeDigitsLayout } from "./digits_real.ts";
import { generateKws, KWS_SMALL, type KwsManifest, type KwsSynthOptions, readKwsManifest } from "./kws_synth.ts";

/** The repository's `datasets/generated/` folder (git-ignored). */
export const GENERATED_DIR: string = fileURLToPath(new URL("../../datasets/generated/", import.meta.url));

/** Another process held the dataset lock for longer than the wait allows. */
export class DatasetLockTimeoutError extends Error {
  override name = "DatasetLockTimeoutError";
  constructor(readonly lockDir: string, waitedMs: number) {
    super(
      `waited ${Math.round(waitedMs / 1000)} s for ${lockDir}; if no other generation is running, delete that folder and retry`,
    );
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Run `make` while holding `<dir>.lock` (a folder: `mkdir` is atomic). A lock older than `staleMs` is taken
 * over (its owner died). Returns what `make` returns.
 */
export async function withDirLock<T>(dir: string, make: () => Promise<T>, opts: { waitMs?: number; staleMs?: number } = {}): Promise<T> {
  const lock = `${dir.replace(/\/+$/, "")}.lock`;
  const waitMs = opts.waitMs ?? 20 * 60_000;
  const staleMs = opts.staleMs ?? 30 * 60_000;
  const t0 = Date.now();
  for (;;) {
    try {
      mkdirSync(lock, { recursive: false });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        mkdirSync(join(lock, ".."), { recursive: true });
        continue;
      }
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      try {
        if (Date.now() - statSync(lock).mtimeMs > staleMs) rmdirSync(lock);
      } catch { /* the owner just released it */ }
      if (Date.now() - t0 > waitMs) throw new DatasetLockTimeoutError(lock, Date.now() - t0);
      await sleep(250);
    }
  }
  try {
    return await make();
  } finally {
    try {
      rmdirSync(lock);
    } catch { /* already gone */ }
  }
}

/** Options of {@link ensureKws}. */
export interface EnsureKwsOptions extends Partial<Omit<KwsSynthOptions, "out">> {
  /** Folder name under `datasets/generated/` (default "kws_small" for the small set). */
  name?: string;
  /** Full folder path (overrides `name`). */
  out?: string;
  /** Print progress to the console (default true). */
  progress?: boolean;
}

/**
 * The synthetic keyword-spotting set, generated once: by default the small set (about 450 clips, under a
 * minute) in `datasets/generated/kws_small`, the same files `datasets/generate.ts kws --small` writes.
 * @example
 * const manifest = await ensureKws();           // small set, cached
 * const dir = kwsDir();                         // where it is
 */
export async function ensureKws(opts: EnsureKwsOptions = {}): Promise<KwsManifest> {
  const { name, out: outOpt, progress = true, ...synth } = opts;
  const out = outOpt ?? join(GENERATED_DIR, name ?? "kws_small");
  if (existsSync(join(out, "manifest.json"))) return readKwsManifest(out);
  return await withDirLock(out, async () => {
    if (existsSync(join(out, "manifest.json"))) return readKwsManifest(out);
    let last = 0;
    const t0 = Date.now();
    const m = await generateKws({
      ...KWS_SMALL,
      seed: 0,
      ...synth,
      out,
      onProgress: (p) => {
        if (!progress) return;
        const now = Date.now();
        if (now - last > 5000 || p.done === p.total) {
          last = now;
          console.log(`[kws] ${p.done}/${p.total} clips (${((now - t0) / 1000).toFixed(0)} s)`);
        }
      },
    });
    return m;
  });
}

/** The folder {@link ensureKws} uses for a set name (default the small set). */
export function kwsDir(name = "kws_small"): string {
  return join(GENERATED_DIR, name);
}

/**
 * The real spoken digits from Debian's Asterisk packages in the Speech Commands layout, written once to
 * `datasets/generated/digits_real`. Returns the folder.
 */
export async function ensureDigits(out: string = join(GENERATED_DIR, "digits_real")): Promise<string> {
  if (existsSync(join(out, "manifest.json"))) return out;
  await withDirLock(out, async () => {
    if (!existsSync(join(out, "manifest.json"))) await writeDigitsLayout(out);
  });
  return out;
}
