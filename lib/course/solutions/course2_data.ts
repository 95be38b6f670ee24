/** Solutions of the exercises in course2_data lessons (keys "<lesson>-<exercise>"). */
export const COURSE2_DATA_SOLUTIONS: Readonly<Record<string, string>> = {};
