/**
 * How good is a finder? Compare what it flagged with what we planted: precision (how many flags are real
 * problems) and recall (how many planted problems were flagged).
 */

/** Precision and recall of a finder against the planted truth. */
export interface DetectionScore {
  /** Flagged and planted. */
  truePositives: number;
  /** Flagged but not planted. */
  falsePositives: number;
  /** Planted but not flagged. */
  falseNegatives: number;
  /** TP / (TP + FP); 1 when nothing was flagged. */
  precision: number;
  /** TP / (TP + FN); 1 when nothing was planted. */
  recall: number;
}

/**
 * Score a finder's flagged ids against the planted ids (duplicates in either list count once).
 * @example
 * detectionScore(["a", "b", "x"], ["a", "b", "c"]); // precision 2/3, recall 2/3
 */
export function detectionScore(flagged: Iterable<string>, planted: Iterable<string>): DetectionScore {
  const f = new Set(flagged), p = new Set(planted);
  let tp = 0;
  for (const id of f) if (p.has(id)) tp++;
  const fp = f.size - tp, fn = p.size - tp;
  return {
    truePositives: tp, falsePositives: fp, falseNegatives: fn,
    precision: f.size ? tp / f.size : 1, recall: p.size ? tp / p.size : 1,
  };
}

/**
 * One line per finder: "name  precision P  recall R  (TP/FP/FN)".
 * @example
 * console.log(formatScores({ "exact duplicates": detectionScore(found, planted) }));
 */
export function formatScores(scores: Readonly<Record<string, DetectionScore>>): string {
  const w = Math.max(...Object.keys(scores).map((k) => k.length));
  return Object.entries(scores).map(([name, s]) =>
    `${name.padEnd(w)}  precision ${s.precision.toFixed(2)}  recall ${s.recall.toFixed(2)}  ` +
    `(${s.truePositives} found, ${s.falsePositives} false alarms, ${s.falseNegatives} missed)`
  ).join("\n");
}
