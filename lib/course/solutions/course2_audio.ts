/** Solutions of the exercises in course2_audio lessons (keys "<lesson>-<exercise>"). */
export const COURSE2_AUDIO_SOLUTIONS: Readonly<Record<string, string>> = {};
