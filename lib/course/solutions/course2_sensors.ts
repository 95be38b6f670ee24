/** Solutions of the exercises in Course 2's sensing lessons (6 anomaly detection, 7 gestures, 8 sound sensing), by "<lesson>-<exercise>". */
export const COURSE2_SENSORS_SOLUTIONS: Readonly<Record<string, string>> = {
  "06-false-alarm-budget": [
    "Flag at most 5% of the healthy test recordings: with 60 of them that is 3, so the threshold must sit just below",
    "the 3rd-highest healthy score and above the 4th. The lib function does exactly that:",
    "  const myThreshold = thresholdForFalseAlarmRate(healthyScores, 0.05);",
    "It lands on the ROC curve's best point with a false-positive rate ≤ 5%, so it catches as many faults as the",
    "budget allows. (Choosing it on the test set is fine for the exercise; in a plant you would set it on a separate",
    "set of healthy recordings and re-check it in operation.)",
  ].join("\n"),
  "07-augment-small-movements": [
    "The user draws about 10 cm; the training people draw 25–50 cm, so a factor of roughly 0.2–0.4 shrinks their",
    "motion to the user's size while gravity and the sensor offsets stay where they are:",
    "  const myFactors = [0.3];",
    "One scaled copy of the training set is enough here (≈ 95–100% for the small-movement user, with the held-out",
    "people unchanged). Factors near 1 change nothing; [0.3, 0.6] covers a wider range of users at twice the",
    "training time.",
  ].join("\n"),
  "08-season-on-a-coin-cell": [
    "The CR2032 holds 225 mAh × 3 V = 675 mWh; over 90 days (2160 h) that allows an average of 0.3125 mW.",
    "duty × 12 + (1 − duty) × 0.006 = 0.3125  →  duty = (0.3125 − 0.006) / (12 − 0.006) ≈ 2.56%,",
    "and with 0.5 s per wake-up the period is 0.5 / 0.0256 ≈ 19.6 s:",
    "  const myPeriodS = 19.6;",
    "Any shorter period empties the cell before the season ends; a longer one lasts longer but misses more visits",
    "(≈ 40% of 10 s visits are caught at 19.6 s with this classifier's recall).",
  ].join("\n"),
};
