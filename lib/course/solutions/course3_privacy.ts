/** Solutions of the exercises in course3_privacy lessons (keys "<lesson>-<exercise>"). */
export const COURSE3_PRIVACY_SOLUTIONS: Readonly<Record<string, string>> = {};
