/** Seeded, stratified splitting of image datasets. */
import type { ImageDataset, ImageSplit } from "./types.ts";
import { mulberry32, shuffle } from "../util/random.ts";

/** Copy the images at `idx` (in that order) into a new dataset. */
export function takeImages(ds: ImageDataset, idx: readonly number[]): ImageDataset {
  const size = ds.h * ds.w;
  const images = new Float32Array(idx.length * size);
  const labels = new Uint8Array(idx.length);
  idx.forEach((src, dst) => {
    images.set(ds.images.subarray(src * size, (src + 1) * size), dst * size);
    labels[dst] = ds.labels[src];
  });
  return { images, labels, n: idx.length, h: ds.h, w: ds.w };
}

/**
 * Stratified split: every class keeps the same test fraction, so small classes are not lost.
 * The same seed always gives the same split.
 * @example
 * const { train, test } = splitImages(all, { testFraction: 0.2, seed: 1 });
 */
export function splitImages(
  ds: ImageDataset,
  opts: { testFraction?: number; seed?: number; perClass?: number } = {},
): ImageSplit {
  const testFraction = opts.testFraction ?? 0.2;
  if (!(testFraction >= 0 && testFraction <= 1)) {
    throw new RangeError(`testFraction must be in [0, 1], got ${testFraction}`);
  }
  const rng = mulberry32(opts.seed ?? 0);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < ds.n; i++) {
    const list = byClass.get(ds.labels[i]) ?? [];
    list.push(i);
    byClass.set(ds.labels[i], list);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = shuffle(byClass.get(label)!, rng).slice(0, opts.perClass ?? Infinity);
    const nTest = Math.round(idx.length * testFraction);
    test.push(...idx.slice(0, nTest));
    train.push(...idx.slice(nTest));
  }
  // Mix the classes so that batches taken in order are not single-class.
  return { train: takeImages(ds, shuffle(train, rng)), test: takeImages(ds, shuffle(test, rng)) };
}
