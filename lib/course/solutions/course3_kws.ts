/** Solutions of the exercises in course3_kws lessons (keys "<lesson>-<exercise>"). */
export const COURSE3_KWS_SOLUTIONS: Readonly<Record<string, string>> = {};
