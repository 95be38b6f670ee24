/** Counting what a classifier got right and wrong. */

/**
 * `counts[true][predicted]` over `classes` classes (the input of `confusionMatrix` in lib/viz).
 * @example confusionCounts([0, 1, 1], [0, 1, 0], 2) // [[1, 0], [1, 1]]
 */
export function confusionCounts(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  if (truth.length !== predicted.length) throw new RangeError(`${truth.length} true labels but ${predicted.length} predictions`);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i], p = predicted[i];
    if (!(t >= 0 && t < classes && p >= 0 && p < classes)) throw new RangeError(`label ${t} or prediction ${p} outside 0..${classes - 1}`);
    m[t][p]++;
  }
  return m;
}
