/** Solutions of the exercises in course2_sensors lessons (keys "<lesson>-<exercise>"). */
export const COURSE2_SENSORS_SOLUTIONS: Readonly<Record<string, string>> = {};
