/**
 * Gesture recordings of one given person — e.g. someone whose movements differ from everyone in the
 * training data (smaller range of motion, a tremor, slower strokes) — with lib/data's IMU generator.
 * @module
 */
import { GESTURES, type Gesture, type ImuDataset, imuGesture, type ImuPerson } from "../../data/imu_gestures.ts";
import { mulberry32 } from "../../util/random.ts";
import { SensingInputError } from "./errors.ts";

/** Options of {@link personGestures}. */
export interface PersonGesturesOptions {
  /** Repetitions of every gesture (default 10). */
  perGesture?: number;
  gestures?: readonly Gesture[];
  /** Sample rate, Hz (default 100). */
  sampleRate?: number;
  /** Window length in samples (default 200). */
  length?: number;
  /** Person id written into `persons` (default 0). */
  id?: number;
  seed?: number;
}

/**
 * `perGesture` windows of every gesture drawn by `person`, in the layout of lib/data's `imuDataset`
 * (gestures interleaved: wing, ring, slope, idle, wing, …).
 * @example
 * const person = { ...randomImuPerson(mulberry32(1)), size: 0.1 }; // small movements
 * const ds = personGestures(person, { perGesture: 10, seed: 2 });
 */
export function personGestures(person: ImuPerson, opts: PersonGesturesOptions = {}): ImuDataset {
  const gestures = opts.gestures ?? GESTURES;
  const per = opts.perGesture ?? 10;
  if (!(Number.isInteger(per) && per >= 1)) throw new SensingInputError(`perGesture must be a whole number ≥ 1, got ${per}`);
  const length = opts.length ?? 200;
  const n = per * gestures.length;
  const rng = mulberry32(opts.seed ?? 0);
  const ds: ImuDataset = {
    x: new Float32Array(n * length * 6), labels: new Uint8Array(n), persons: new Uint16Array(n).fill(opts.id ?? 0), classes: gestures, n, length,
    channels: 6, sampleRate: opts.sampleRate ?? 100,
  };
  for (let i = 0; i < n; i++) {
    const g = i % gestures.length;
    ds.x.set(imuGesture({ gesture: gestures[g], person, sampleRate: ds.sampleRate, length, seed: Math.floor(rng() * 2 ** 31) }), i * length * 6);
    ds.labels[i] = g;
  }
  return ds;
}
