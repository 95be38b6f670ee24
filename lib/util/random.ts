/**
 * Tiny seeded pseudo-random helpers, so experiments are repeatable.
 *
 * `mulberry32` is a 32-bit generator (Tommy Ettinger's design): fast, small state, good enough
 * for data shuffling and augmentation (not for cryptography).
 */

/** A function returning uniformly distributed numbers in [0, 1). */
export type Rng = () => number;

/**
 * Seeded uniform generator in [0, 1).
 * @example
 * const rng = mulberry32(42);
 * rng(); // same sequence for the same seed on every runtime
 */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One standard normal sample (mean 0, std 1) via the Box–Muller transform.
 * @example
 * const rng = mulberry32(1); const x = randn(rng) * 0.1 + 2;
 */
export function randn(rng: Rng): number {
  // 1 - u keeps the argument of log in (0, 1].
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Fisher–Yates shuffle, in place; returns the same array for chaining.
 * @example
 * shuffle([1, 2, 3, 4], mulberry32(7));
 */
export function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}
