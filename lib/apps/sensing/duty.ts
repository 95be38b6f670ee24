/**
 * Duty cycling a listening sensor: it wakes every `periodS` seconds, listens for `listenS` seconds, decides,
 * and sleeps. Listening less saves battery but can sleep through a short event. This file puts both sides in
 * numbers: the chance of catching an event, and the battery life (from lib/course's power arithmetic).
 * @module
 */
import { averagePowerMw, batteryLifeHours } from "../../course/constraints.ts";
import { mulberry32 } from "../../util/random.ts";
import { SensingInputError } from "./errors.ts";

/** A listening schedule and the event it should catch. */
export interface CaptureOptions {
  /** Seconds the sensor listens per wake-up (the classifier's window). */
  listenS: number;
  /** Seconds from one wake-up to the next (≥ listenS). */
  periodS: number;
  /** How long the event lasts, seconds (e.g. a mosquito flying past). */
  eventS: number;
  /**
   * Seconds of the event the window must contain for the classifier to see it (default: half of the
   * shorter of window and event).
   */
  needS?: number;
  /** Probability that the classifier detects an event it sees in one window (default 1). */
  recall?: number;
}

function checked(o: CaptureOptions): Required<CaptureOptions> {
  const { listenS, periodS, eventS } = o;
  if (!(listenS > 0)) throw new SensingInputError(`listenS must be > 0 s, got ${listenS}`);
  if (!(periodS >= listenS)) throw new SensingInputError(`periodS (${periodS} s) must be at least listenS (${listenS} s): the sensor cannot listen longer than a period`);
  if (!(eventS >= 0)) throw new SensingInputError(`eventS must be ≥ 0 s, got ${eventS}`);
  const needS = o.needS ?? Math.min(listenS, eventS) / 2;
  if (!(needS >= 0)) throw new SensingInputError(`needS must be ≥ 0 s, got ${needS}`);
  const recall = o.recall ?? 1;
  if (!(recall >= 0 && recall <= 1)) throw new SensingInputError(`recall must be a probability between 0 and 1, got ${recall}`);
  return { listenS, periodS, eventS, needS, recall };
}

/**
 * Probability that an event starting at a random moment is detected. A window [0, L] contains at least `need`
 * seconds of an event [t, t + D] for t in an interval of length L + D − 2·need, so on average
 * a = (L + D − 2·need) / P windows see it; each detects it with probability `recall` (independently).
 * @example
 * captureProbability({ listenS: 0.5, periodS: 10, eventS: 2 }) // (0.5 + 2 − 0.5) / 10 = 0.2
 */
export function captureProbability(opts: CaptureOptions): number {
  const { listenS: L, periodS: P, eventS: D, needS: need, recall: r } = checked(opts);
  if (need > Math.min(L, D)) return 0;
  const a = (L + D - 2 * need) / P;
  const m = Math.floor(a), frac = a - m;
  const detect = (windows: number) => 1 - (1 - r) ** windows;
  return frac * detect(m + 1) + (1 - frac) * detect(m);
}

/**
 * The same probability by simulation: `trials` events at random times against the schedule (a check of
 * {@link captureProbability}, and a way to try schedules the formula does not cover).
 * @example simulateCapture({ listenS: 0.5, periodS: 10, eventS: 2 }, 20_000, 1) // ≈ 0.2
 */
export function simulateCapture(opts: CaptureOptions, trials: number, seed = 0): number {
  const { listenS: L, periodS: P, eventS: D, needS: need, recall: r } = checked(opts);
  if (!(trials >= 1)) throw new SensingInputError(`trials must be ≥ 1, got ${trials}`);
  const rng = mulberry32(seed);
  let hits = 0;
  for (let k = 0; k < trials; k++) {
    const t = rng() * P; // event start; windows start at j·P
    let detected = false;
    for (let j = Math.floor((t - L) / P); j * P <= t + D; j++) {
      const overlap = Math.min(t + D, j * P + L) - Math.max(t, j * P);
      if (overlap >= need && overlap > 0 && rng() < r) detected = true;
    }
    if (detected) hits++;
  }
  return hits / trials;
}

/** A battery: capacity and nominal voltage. */
export interface Battery {
  name: string;
  mAh: number;
  volts: number;
}

/** Batteries a field sensor might run on. */
export const BATTERIES: Readonly<Record<"cr2032" | "aa2", Battery>> = {
  cr2032: { name: "CR2032 coin cell", mAh: 225, volts: 3 },
  aa2: { name: "2 × AA alkaline", mAh: 2500, volts: 3 },
};

/** Options of {@link dutyCycleSweep}: a schedule family (one listen length, several periods) and the device's power. */
export interface DutyCycleSweepOptions extends Omit<CaptureOptions, "periodS"> {
  /** Periods to evaluate, seconds (each ≥ listenS). */
  periodsS: readonly number[];
  /** Power while listening and classifying, mW (microphone + MCU awake). */
  activeMw: number;
  /** Power asleep, mW. */
  sleepMw: number;
  battery: Battery;
}

/** One schedule of {@link dutyCycleSweep}. */
export interface DutyCycleRow {
  periodS: number;
  /** listenS / periodS. */
  duty: number;
  averageMw: number;
  batteryHours: number;
  batteryDays: number;
  /** Probability of detecting one event. */
  detection: number;
}

/**
 * Battery life and detection probability for each listening period.
 * @example
 * dutyCycleSweep({ listenS: 0.5, periodsS: [1, 5, 30], eventS: 3, recall: 0.9, activeMw: 12, sleepMw: 0.01, battery: BATTERIES.cr2032 });
 */
export function dutyCycleSweep(opts: DutyCycleSweepOptions): DutyCycleRow[] {
  if (opts.periodsS.length === 0) throw new SensingInputError("periodsS is empty: give at least one period in seconds");
  return opts.periodsS.map((periodS) => {
    const duty = opts.listenS / periodS;
    if (!(duty <= 1)) throw new SensingInputError(`period ${periodS} s is shorter than listenS (${opts.listenS} s)`);
    const batteryHours = batteryLifeHours(opts.battery.mAh, opts.activeMw, opts.sleepMw, duty, opts.battery.volts);
    return {
      periodS,
      duty,
      averageMw: averagePowerMw(opts.activeMw, opts.sleepMw, duty),
      batteryHours,
      batteryDays: batteryHours / 24,
      detection: captureProbability({ ...opts, periodS }),
    };
  });
}
