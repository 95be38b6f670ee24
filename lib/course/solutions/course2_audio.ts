/** Solutions of the exercises in course2_audio lessons (keys "<lesson>-<exercise>"). */
export const COURSE2_AUDIO_SOLUTIONS: Readonly<Record<string, string>> = {
  "2-01-frames": [
    "The first frame needs a full 30 ms window (480 samples); every further frame needs one more 20 ms hop (320 samples).",
    "frames = 1 + ⌊(24 000 − 480) / 320⌋ = 1 + ⌊73.5⌋ = 74:",
    "  const myFrames = 74;",
    "(The same formula gives 49 frames for one second: 1 + ⌊(16 000 − 480) / 320⌋ = 49.)",
  ].join("\n"),
  "2-02-recall": [
    "Row 2 holds every true \"yes\"; its diagonal cell counts those predicted as \"yes\":",
    "  const myRecall = counts[2][2] / counts[2].reduce((a, b) => a + b, 0);",
    "(Precision would divide by the column instead: how many \"yes\" predictions were right.)",
  ].join("\n"),
  "2-03-threshold": [
    "Read the smoothed sweep table: take the lowest threshold whose FA/h is at most 120, and check its FRR is at most 10%.",
    "With the default data and seeds that is 0.93 (FRR 5.9%, 113 false accepts per hour); pickThreshold does the same:",
    "  const myThreshold = pickThreshold(rows, 120)!.threshold;",
    "Higher thresholds (0.95 and up) also meet the FA budget but reject more than 10% of the wake words.",
  ].join("\n"),
};
