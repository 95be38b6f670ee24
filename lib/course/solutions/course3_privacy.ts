/** Solutions of the exercises in course3_privacy lessons (keys "<lesson>-<exercise>"). */
export const COURSE3_PRIVACY_SOLUTIONS: Readonly<Record<string, string>> = {
  "3-05-noise-for-epsilon": `ε falls monotonically as σ grows, so search: start at σ = 1 (ε ≈ 5) and raise σ in steps
of 0.01 until privacySpent(...).epsilon ≤ 2 — or let the library bisect for you:

import { noiseForEpsilon } from "tinyml-kit/privacy/mod.ts";
const mySigma = Math.ceil(100 * noiseForEpsilon(2, budgetRun)) / 100; // ≈ 1.70 for q = 64/1438, 220 steps

ε ≈ 1.997 at σ = 1.70 and just over 2 at σ = 1.68. The same σ for more epochs would spend more ε.`,
};
