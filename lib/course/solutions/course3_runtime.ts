/** Solutions of the exercises in course3_runtime lessons (keys "<lesson>-<exercise>"). */
export const COURSE3_RUNTIME_SOLUTIONS: Readonly<Record<string, string>> = {};
