/**
 * The UCI 8×8 optical digits (1 797 images, 16 grey levels) as shipped by scikit-learn.
 * Read from Debian's python3-sklearn package; no Python is run.
 */
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { ImageDataset, ImageSplit, ImageSplitOptions } from "./types.ts";
import { splitImages } from "./split.ts";

/** Where Debian's python3-sklearn keeps `digits.csv.gz`. */
export const DIGITS8X8_PATHS: readonly string[] = [
  "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz",
  "/usr/share/python3-sklearn/datasets/data/digits.csv.gz",
];

/** Raised when the 8×8 digits file is missing. */
export class Digits8x8MissingError extends Error {
  constructor(tried: readonly string[]) {
    super(
      `8×8 digits not found (looked in ${tried.join(", ")}). ` +
        `Install them with: apt-get install python3-sklearn (or pass { path } to loadDigits8x8).`,
    );
    this.name = "Digits8x8MissingError";
  }
}

/** Find `digits.csv.gz`, or undefined when python3-sklearn is not installed. */
export function findDigits8x8(): string | undefined {
  return DIGITS8X8_PATHS.find((p) => existsSync(p));
}

/**
 * All 1 797 images in file order, pixel values scaled from 0..16 to [0, 1].
 * @example
 * const all = loadDigits8x8All(); // all.h === 8 && all.w === 8
 */
export function loadDigits8x8All(path?: string): ImageDataset {
  const file = path ?? findDigits8x8();
  if (!file || !existsSync(file)) throw new Digits8x8MissingError(path ? [path] : DIGITS8X8_PATHS);
  const rows = gunzipSync(readFileSync(file)).toString("utf8").trim().split("\n");
  const h = 8, w = 8, size = h * w;
  const images = new Float32Array(rows.length * size);
  const labels = new Uint8Array(rows.length);
  rows.forEach((row, i) => {
    const v = row.split(",").map(Number);
    if (v.length !== size + 1) throw new Error(`${file}: row ${i + 1} has ${v.length} values, expected ${size + 1}`);
    for (let j = 0; j < size; j++) images[i * size + j] = v[j] / 16;
    labels[i] = v[size];
  });
  return { images, labels, n: rows.length, h, w };
}

/**
 * 8×8 digits with a seeded, stratified train/test split.
 * @example
 * const { train, test } = loadDigits8x8({ seed: 3 });
 */
export function loadDigits8x8(opts: ImageSplitOptions & { path?: string } = {}): ImageSplit {
  return splitImages(loadDigits8x8All(opts.path), opts);
}
