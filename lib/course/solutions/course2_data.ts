/** Solutions of the exercises in course2_data lessons (keys "<lesson>-<exercise>"). */
export const COURSE2_DATA_SOLUTIONS: Readonly<Record<string, string>> = {
  "2-04-threshold": [
    "The exact copies have similarity 1 and the noisy copies 0.99 or more; unrelated test/train pairs of the same digit",
    "rarely pass 0.95. Any threshold from about 0.94 to 0.99 passes (0.955–0.99 gives no false alarm at all), e.g.",
    "  const myThreshold = 0.97;",
    "Read it off the plot: the highest threshold where recall is still 1, or the lowest where precision is still 1.",
  ].join("\n"),
  "2-05-frr": [
    "FRR = (\"zero\" said but another digit heard) / (\"zero\" said). In the non-English confusion matrix, row zero has",
    "7 clips (one per non-English voice); if k of them sit on the diagonal, FRR = (7 − k) / 7, e.g. for k = 3:",
    "  const myFrr = 4 / 7;",
    "groupMetrics(yTrue, yPred, groups, { target: 0 }) computes the same number.",
  ].join("\n"),
};
