/** Locate and read the plotly.js bundle (npm `plotly.js-dist-min`) from node_modules. */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { gzip, gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { repoRoot } from "../runtime/mod.ts";

/** plotly.js could not be found on disk. */
export class PlotlyNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlotlyNotFoundError";
  }
}

let cached: string | undefined;

/** Absolute path of `plotly.min.js`. */
export function plotlyPath(): string {
  const candidates: string[] = [];
  try {
    candidates.push(createRequire(import.meta.url).resolve("plotly.js-dist-min"));
  } catch {
    // Deno without a node_modules resolution for createRequire: fall back to the repo's node_modules.
  }
  candidates.push(join(repoRoot(), "node_modules", "plotly.js-dist-min", "plotly.min.js"));
  for (const p of candidates) if (existsSync(p)) return p;
  throw new PlotlyNotFoundError(
    `plotly.js-dist-min not found (looked at ${candidates.join(", ")}). Run \`npm install\` in the repository root.`,
  );
}

/** The plotly.js source text (~4.8 MB), read once and kept. */
export function plotlySource(): string {
  cached ??= readFileSync(plotlyPath(), "utf8");
  return cached;
}

let cachedGz: string | undefined;

/** plotly.js gzipped and base64-encoded (~1.9 MB instead of 4.8 MB), computed once. */
export function plotlySourceGzipBase64(): string {
  cachedGz ??= gzipSync(plotlySource(), { level: 9 }).toString("base64");
  return cachedGz;
}

/**
 * Fill the cache of {@link plotlySourceGzipBase64} on zlib's worker thread, so
 * the compression overlaps other waiting (Chromium starting up).
 */
export function preparePlotlyGzip(): Promise<void> {
  if (cachedGz !== undefined) return Promise.resolve();
  return new Promise((resolve) => {
    gzip(plotlySource(), { level: 9 }, (err, buf) => {
      if (!err && cachedGz === undefined) cachedGz = buf.toString("base64");
      resolve(); // on error the sync path computes it later
    });
  });
}

/** The plotly.js version string, e.g. "3.7.0". */
export function plotlyVersion(): string {
  const pkg = JSON.parse(readFileSync(join(dirname(plotlyPath()), "package.json"), "utf8")) as { version?: string };
  return pkg.version ?? "unknown";
}
