import { describe, expect, test } from "vitest";
import { confusionCounts, conv2d, ImageShapeError, maxPool2d, relu2d, solutionText, tileImages, toImage } from "../../lib/course/mod.ts";

describe("teaching image ops", () => {
  const img = [
    [1, 2, 3, 4],
    [5, 6, 7, 8],
    [9, 10, 11, 12],
    [13, 14, 15, 16],
  ];
  test("conv2d valid and same, against hand-computed sums", () => {
    expect(conv2d(img, [[1]])).toEqual(img);
    expect(conv2d(img, [[1, 1], [1, 1]])).toEqual([[14, 18, 22], [30, 34, 38], [46, 50, 54]]);
    const same = conv2d(img, [[0, 0, 0], [0, 1, 0], [0, 0, 0]], "same");
    expect(same).toEqual(img);
    // Zero padding at the corner: only 4 of the 9 taps see pixels.
    expect(conv2d(img, [[1, 1, 1], [1, 1, 1], [1, 1, 1]], "same")[0][0]).toBe(1 + 2 + 5 + 6);
    // Cross-correlation (no kernel flip), as in deep-learning libraries.
    expect(conv2d([[1, 2, 3]], [[1, 0, -1]])).toEqual([[1 - 3]]);
    expect(() => conv2d([[1]], [[1, 1], [1, 1]])).toThrow(ImageShapeError);
  });
  test("relu and max pooling", () => {
    expect(relu2d([[-1, 2], [0, -3]])).toEqual([[0, 2], [0, 0]]);
    expect(maxPool2d(img)).toEqual([[6, 8], [14, 16]]);
    expect(maxPool2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]])).toEqual([[5]]);
  });
  test("toImage and tileImages", () => {
    expect(toImage([0, 1, 2, 3, 4, 5, 6, 7], 2, 2, 4)).toEqual([[4, 5], [6, 7]]);
    const t = tileImages([[[1]], [[2]], [[3]]], 2);
    expect(t).toHaveLength(3);
    expect(t[0]).toEqual([1, NaN, 2]);
    expect(t[2][0]).toBe(3);
    expect(Number.isNaN(t[2][2])).toBe(true);
    expect(() => tileImages([[[1]], [[1, 2]]], 2)).toThrow(ImageShapeError);
  });
  test("the edge-filter solution passes the notebook's check", () => {
    const f = JSON.parse(/const myFilter = (\[.*\]);/.exec(solutionText("04-edge-filter"))![1]) as number[][];
    const horizontal = Array.from({ length: 8 }, (_, r) => new Array(8).fill(r < 4 ? 1 : 0));
    const vertical = Array.from({ length: 8 }, () => Array.from({ length: 8 }, (_, c) => (c < 4 ? 1 : 0)));
    const strongest = (im: number[][]) => Math.max(...conv2d(im, f).flat().map(Math.abs));
    expect(strongest(horizontal)).toBeGreaterThan(2);
    expect(strongest(vertical)).toBeLessThan(0.5);
  });
});

describe("confusionCounts", () => {
  test("counts[true][predicted]", () => {
    expect(confusionCounts([0, 1, 1, 2], [0, 1, 0, 2], 3)).toEqual([[1, 0, 0], [1, 1, 0], [0, 0, 1]]);
    expect(() => confusionCounts([0], [3], 3)).toThrow(RangeError);
    expect(() => confusionCounts([0, 1], [0], 3)).toThrow(RangeError);
  });
});
