/**
 * Exercise solutions, kept out of the notebooks so learners see them only when they ask
 * (`solution("01-battery")`). Keys are "<lesson number>-<exercise>".
 */
import { COURSE1_SOLUTIONS } from "./course1.ts";
import { COURSE2_AUDIO_SOLUTIONS } from "./course2_audio.ts";
import { COURSE2_DATA_SOLUTIONS } from "./course2_data.ts";
import { COURSE2_SENSORS_SOLUTIONS } from "./course2_sensors.ts";
import { COURSE3_KWS_SOLUTIONS } from "./course3_kws.ts";
import { COURSE3_PRIVACY_SOLUTIONS } from "./course3_privacy.ts";
import { COURSE3_RUNTIME_SOLUTIONS } from "./course3_runtime.ts";
import { COURSE3_SECURITY_SOLUTIONS } from "./course3_security.ts";

/** Every solution by exercise id. */
export const SOLUTIONS: Readonly<Record<string, string>> = {
  ...COURSE1_SOLUTIONS,
  ...COURSE2_AUDIO_SOLUTIONS,
  ...COURSE2_DATA_SOLUTIONS,
  ...COURSE2_SENSORS_SOLUTIONS,
  ...COURSE3_RUNTIME_SOLUTIONS,
  ...COURSE3_KWS_SOLUTIONS,
  ...COURSE3_SECURITY_SOLUTIONS,
  ...COURSE3_PRIVACY_SOLUTIONS,
};
