/** Solutions of the exercises in course3_security lessons (keys "<lesson>-<exercise>"). */
export const COURSE3_SECURITY_SOLUTIONS: Readonly<Record<string, string>> = {};
