/** Shared dataset shapes for lib/data. */

/** A stack of grey images, row-major: pixel (i, y, x) is `images[i*h*w + y*w + x]`, values in [0, 1]. */
export interface ImageDataset {
  images: Float32Array;
  labels: Uint8Array;
  n: number;
  h: number;
  w: number;
}

/** A seeded train/test split of an image dataset. */
export interface ImageSplit {
  train: ImageDataset;
  test: ImageDataset;
}

/** Options shared by the image loaders. */
export interface ImageSplitOptions {
  /** Fraction of each class held out for testing (default 0.2). */
  testFraction?: number;
  /** Seed of the shuffle that decides the split (default 0). */
  seed?: number;
  /** Keep at most this many images per class (default: all). */
  perClass?: number;
}
