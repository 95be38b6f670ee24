/** Solutions of the exercises in course3_kws lessons (keys "<lesson>-<exercise>"). */
export const COURSE3_KWS_SOLUTIONS: Readonly<Record<string, string>> = {
  "3-03-threshold": `function chooseThreshold(rows: SweepRow[]): number {
  // Only thresholds a user can live with: at most one false alarm on the conversation.
  const allowed = rows.filter((r) => r.falseAlarms <= 1);
  if (allowed.length === 0) return rows[rows.length - 1].threshold; // none: take the strictest
  // Most keywords heard; on a tie the higher threshold (new speakers bring new surprises).
  let best = allowed[0];
  for (const r of allowed) if (r.hits > best.hits || (r.hits === best.hits && r.threshold > best.threshold)) best = r;
  return best.threshold;
}`,
};
