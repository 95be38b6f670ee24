/**
 * Small image operations for teaching convolutions: a 2-D convolution (really a cross-correlation, as in
 * every deep-learning library), max pooling, and tiling several images into one picture for a heatmap.
 */

/** An image or a feature map: rows of numbers. */
export type Image2D = number[][];

/** Bad image or kernel shapes. */
export class ImageShapeError extends Error {
  override name = "ImageShapeError";
}

/** A flat row-major array of `h × w` values → rows. */
export function toImage(flat: ArrayLike<number>, h: number, w: number, offset = 0): Image2D {
  if (flat.length < offset + h * w) throw new ImageShapeError(`need ${h * w} values from offset ${offset}, have ${flat.length - offset}`);
  return Array.from({ length: h }, (_, r) => Array.from({ length: w }, (_, c) => flat[offset + r * w + c]));
}

/**
 * Slides `kernel` over `image` and sums the products at each position ("valid": no padding, so the result is
 * (h − kh + 1) × (w − kw + 1); "same": zero padding keeps h × w).
 * @example conv2d([[1, 2], [3, 4]], [[1]]) // [[1, 2], [3, 4]]
 */
export function conv2d(image: Image2D, kernel: Image2D, padding: "valid" | "same" = "valid"): Image2D {
  const kh = kernel.length, kw = kernel[0]?.length ?? 0;
  if (kh === 0 || kw === 0) throw new ImageShapeError("the kernel is empty");
  const h = image.length, w = image[0]?.length ?? 0;
  const padT = padding === "same" ? Math.floor((kh - 1) / 2) : 0;
  const padL = padding === "same" ? Math.floor((kw - 1) / 2) : 0;
  const oh = padding === "same" ? h : h - kh + 1;
  const ow = padding === "same" ? w : w - kw + 1;
  if (oh <= 0 || ow <= 0) throw new ImageShapeError(`a ${kh}×${kw} kernel does not fit a ${h}×${w} image`);
  const out: Image2D = [];
  for (let r = 0; r < oh; r++) {
    const row: number[] = [];
    for (let c = 0; c < ow; c++) {
      let sum = 0;
      for (let i = 0; i < kh; i++) {
        const y = r + i - padT;
        if (y < 0 || y >= h) continue;
        for (let j = 0; j < kw; j++) {
          const x = c + j - padL;
          if (x >= 0 && x < w) sum += image[y][x] * kernel[i][j];
        }
      }
      row.push(sum);
    }
    out.push(row);
  }
  return out;
}

/** max(0, v) everywhere. */
export function relu2d(image: Image2D): Image2D {
  return image.map((row) => row.map((v) => Math.max(0, v)));
}

/** The maximum of each `size × size` block (stride = size); a trailing partial block is dropped. */
export function maxPool2d(image: Image2D, size = 2): Image2D {
  const oh = Math.floor(image.length / size), ow = Math.floor((image[0]?.length ?? 0) / size);
  return Array.from({ length: oh }, (_, r) =>
    Array.from({ length: ow }, (_, c) => {
      let m = -Infinity;
      for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) m = Math.max(m, image[r * size + i][c * size + j]);
      return m;
    }));
}

/**
 * Several same-size images side by side in a grid, separated by `gap` cells of NaN (drawn blank), for one
 * heatmap. Row 0 of the result is the top row of the first grid row.
 */
export function tileImages(images: readonly Image2D[], cols: number, gap = 1): Image2D {
  if (images.length === 0) throw new ImageShapeError("no images to tile");
  const h = images[0].length, w = images[0][0].length;
  const rows = Math.ceil(images.length / cols);
  const out: Image2D = Array.from({ length: rows * (h + gap) - gap }, () => new Array(cols * (w + gap) - gap).fill(NaN));
  images.forEach((img, k) => {
    if (img.length !== h || img[0].length !== w) throw new ImageShapeError(`image ${k} is ${img.length}×${img[0].length}, expected ${h}×${w}`);
    const r0 = Math.floor(k / cols) * (h + gap), c0 = (k % cols) * (w + gap);
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) out[r0 + r][c0 + c] = img[r][c];
  });
  return out;
}
