/** Solutions of Course 1 (Fundamentals) exercises, by "<lesson>-<exercise>". */
export const COURSE1_SOLUTIONS: Readonly<Record<string, string>> = {
  "01-year-on-a-coin-cell": [
    "The budget is 225 mAh × 3 V = 675 mWh over 8 760 h, i.e. an average of 0.0771 mW.",
    "duty × 30 + (1 − duty) × 0.01 = 0.0771  →  duty = (0.0771 − 0.01) / (30 − 0.01) ≈ 0.00224.",
    "So the sensor may be awake about 0.22% of the time (≈ 3.2 minutes a day):",
    "  const duty = 0.0022;",
  ].join("\n"),
  "02-learning-rate": [
    "Any learning rate between about 0.09 and 0.17 works, e.g.",
    "  const myLr = 0.15;",
    "Below ~0.09 the slow direction of the valley (along b) is not walked far enough in 50 steps; above ~0.176",
    "(2 / the largest curvature of the loss, 11.3) every step overshoots along w and the loss explodes.",
  ].join("\n"),
  "03-dark-led": [
    "The LED is darkest where sin(x) is lowest, at x = 3π/2 ≈ 4.71:",
    "  const xDark = 3 * Math.PI / 2;",
    "Values near 3π/2 pass; how near depends on the trained model's error there (the check wants PWM < 10, i.e. y < −0.92).",
  ].join("\n"),
  "04-edge-filter": [
    "Bright above, dark below: positive weights in the top row, negative in the bottom row, equal along each row",
    "(so a vertical edge, which changes along a row, cancels out):",
    "  const myFilter = [[1, 1, 1], [0, 0, 0], [-1, -1, -1]];",
    "On the horizontal pattern it responds with 3; on the vertical one with 0. (This is the Prewitt filter.)",
  ].join("\n"),
  "05-count-weights": [
    "64 × 16 + 16 × 8 + 8 × 10 = 1024 + 128 + 80 = 1232 kernel weights (the baseline had 64 × 32 + 32 × 16 + 16 × 10 = 2720):",
    "  const myCount = 1232;",
  ].join("\n"),
  "06-relu6": [
    "The range [0, 6] already includes 0, so scale = (6 − 0) / 255 ≈ 0.0235294 and the real value 0 (= min) maps to the",
    "lowest code: zero_point = −128 − 0 / scale = −128.",
    "  const myScale = 6 / 255;",
    "  const myZeroPoint = -128;",
  ].join("\n"),
  "07-temperature": [
    "At T = 1 the teacher is almost certain (the runner-up gets ~0%); at T = 4 the runner-up has ~3%; at T = 10",
    "the distribution is flat enough that it gets ~10%; somewhere in between it crosses 5%. For example:",
    "  const myT = 10;",
  ].join("\n"),
};
