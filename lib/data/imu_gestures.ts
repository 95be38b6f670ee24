/**
 * Synthetic "magic wand" IMU gestures: a 3-axis accelerometer (m/s²) and gyroscope (deg/s) on a
 * wand whose tip draws a shape in the vertical plane in front of the user.
 *
 * The physics is kept simple on purpose: the tip path p(t) is a 2-D curve (y right, z up), traced
 * with a smooth minimum-jerk speed profile; the accelerometer measures p''(t) minus gravity, rotated
 * into a device frame tilted by how the person holds the wand; the gyroscope measures the wand's
 * rotation about the wrist, ω ≈ v / armLength. Each person draws at their own size, speed and tilt,
 * with their own tremor and sensor bias, so a model must generalise across people.
 */
import { mulberry32, randn, type Rng } from "../util/random.ts";

/** Gesture classes; "idle" is holding the wand still. */
export type Gesture = "wing" | "ring" | "slope" | "idle";

/** All gestures, in label order. */
export const GESTURES: readonly Gesture[] = ["wing", "ring", "slope", "idle"];

/** Channels of every sample, in order. */
export const IMU_CHANNELS = ["ax", "ay", "az", "gx", "gy", "gz"] as const;

const G = 9.81;

/** Corner points (y, z) of the strokes of each gesture, unit size; "ring" is drawn as a circle instead. */
const STROKES: Record<Exclude<Gesture, "ring">, [number, number][]> = {
  wing: [[0, 1], [0.25, 0], [0.5, 1], [0.75, 0], [1, 1]], // a "W": down, up, down, up
  slope: [[0, 0], [1, 1], [1, 0.3]], // an angle: long diagonal up to the right, then straight down
  idle: [[0, 0], [0, 0]],
};

/** Minimum-jerk progress 0→1 (smooth start and stop). */
function minJerk(s: number): number {
  const c = Math.min(1, Math.max(0, s));
  return c * c * c * (10 - 15 * c + 6 * c * c);
}

/**
 * Tip position [y, z] at progress s ∈ [0, 1]. People stop briefly at the corners of a drawn shape,
 * so each stroke gets its own minimum-jerk profile, with time shared in proportion to length.
 */
function path(g: Gesture, s: number): [number, number] {
  if (g === "ring") { // a circle, starting at the top, clockwise as seen by the user
    const u = minJerk(s);
    return [0.5 * Math.sin(2 * Math.PI * u), 0.5 * Math.cos(2 * Math.PI * u)];
  }
  const pts = STROKES[g];
  const lens = pts.slice(1).map((p, i) => Math.hypot(p[0] - pts[i][0], p[1] - pts[i][1]));
  const total = lens.reduce((a, b) => a + b, 0) || 1;
  const c = Math.min(1, Math.max(0, s));
  let t0 = 0;
  for (let i = 0; i < lens.length; i++) {
    const dt = lens[i] / total;
    if (c <= t0 + dt || i === lens.length - 1) {
      const u = minJerk(dt > 0 ? (c - t0) / dt : 1);
      return [pts[i][0] + u * (pts[i + 1][0] - pts[i][0]), pts[i][1] + u * (pts[i + 1][1] - pts[i][1])];
    }
    t0 += dt;
  }
  return pts[pts.length - 1];
}

/** How one person draws. */
export interface ImuPerson {
  /** Gesture size in metres. */
  size: number;
  /** Gesture duration in seconds. */
  duration: number;
  /** Wand tilt: roll and pitch in radians. */
  roll: number;
  pitch: number;
  /** Tremor amplitude in m/s². */
  tremor: number;
  /** Per-axis accelerometer (m/s²) and gyro (deg/s) biases. */
  accelBias: [number, number, number];
  gyroBias: [number, number, number];
}

/** Draw a random person. */
export function randomImuPerson(rng: Rng): ImuPerson {
  return {
    size: 0.25 + 0.25 * rng(),
    duration: 0.9 + 0.7 * rng(),
    roll: 0.35 * randn(rng),
    pitch: 0.35 * randn(rng),
    tremor: 0.1 + 0.3 * rng(),
    accelBias: [0.2 * randn(rng), 0.2 * randn(rng), 0.2 * randn(rng)],
    gyroBias: [2 * randn(rng), 2 * randn(rng), 2 * randn(rng)],
  };
}

/** Options of one recording. */
export interface ImuOptions {
  gesture: Gesture;
  person: ImuPerson;
  /** Sample rate in Hz (default 100). */
  sampleRate?: number;
  /** Window length in samples (default 200 = 2 s at 100 Hz). */
  length?: number;
  seed?: number;
}

/**
 * One window of `length` × 6 values (ax, ay, az, gx, gy, gz interleaved per sample).
 * @example
 * const rng = mulberry32(1);
 * const w = imuGesture({ gesture: "ring", person: randomImuPerson(rng), seed: 2 });
 */
export function imuGesture(opts: ImuOptions): Float32Array {
  const fs = opts.sampleRate ?? 100;
  const len = opts.length ?? 200;
  const p = opts.person;
  const rng = mulberry32(opts.seed ?? 0);
  // Each repetition differs a little from the person's habit.
  const size = p.size * (1 + 0.1 * randn(rng));
  const dur = Math.min((len / fs) * 0.9, p.duration * (1 + 0.1 * randn(rng)));
  const start = rng() * (len / fs - dur);
  const armLength = 0.6;
  // Tip position in metres for every sample (x forward, y right, z up); x stays 0.
  const pos = (t: number): [number, number] => {
    const [y, z] = path(opts.gesture, (t - start) / dur);
    return [size * y, size * z];
  };
  const dt = 1 / fs;
  const roll = p.roll + 0.05 * randn(rng), pitch = p.pitch + 0.05 * randn(rng);
  const [cr, sr, cp, sp] = [Math.cos(roll), Math.sin(roll), Math.cos(pitch), Math.sin(pitch)];
  // World → device: rotate about x (roll), then about y (pitch).
  const toDevice = (v: [number, number, number]): [number, number, number] => {
    const [x, y, z] = v;
    const y1 = cr * y + sr * z, z1 = -sr * y + cr * z;
    return [cp * x - sp * z1, y1, sp * x + cp * z1];
  };
  const out = new Float32Array(len * 6);
  for (let i = 0; i < len; i++) {
    const t = i * dt;
    const [y0, z0] = pos(t - dt), [y1, z1] = pos(t), [y2, z2] = pos(t + dt);
    const acc: [number, number, number] = [0, (y2 - 2 * y1 + y0) / (dt * dt), (z2 - 2 * z1 + z0) / (dt * dt)];
    // An accelerometer at rest reads +1 g upwards (it measures a - g, with g pointing down).
    const a = toDevice([acc[0], acc[1], acc[2] + G]);
    const vy = (y2 - y0) / (2 * dt), vz = (z2 - z0) / (2 * dt);
    // Moving the tip up turns the wand about the y axis (pitch), moving right about z (yaw).
    const w = toDevice([0, (-vz / armLength) * (180 / Math.PI), (vy / armLength) * (180 / Math.PI)]);
    for (let k = 0; k < 3; k++) {
      out[i * 6 + k] = a[k] + p.accelBias[k] + p.tremor * randn(rng) + 0.05 * randn(rng);
      out[i * 6 + 3 + k] = w[k] + p.gyroBias[k] + 10 * p.tremor * randn(rng) + 0.5 * randn(rng);
    }
  }
  return out;
}

/** A labelled gesture dataset; `x` is n × length × 6. */
export interface ImuDataset {
  x: Float32Array;
  labels: Uint8Array;
  /** Person id per window: split by person to test generalisation to new people. */
  persons: Uint16Array;
  classes: readonly Gesture[];
  n: number;
  length: number;
  channels: 6;
  sampleRate: number;
}

/**
 * `perPerson` repetitions of every gesture by each of `persons` people.
 * @example
 * const ds = imuDataset({ persons: 10, perPerson: 5, seed: 0 }); // 10 × 4 × 5 windows
 */
export function imuDataset(opts: {
  persons?: number; perPerson?: number; gestures?: readonly Gesture[]; sampleRate?: number; length?: number; seed?: number;
} = {}): ImuDataset {
  const gestures = opts.gestures ?? GESTURES;
  const nPersons = opts.persons ?? 10;
  const per = opts.perPerson ?? 10;
  const length = opts.length ?? 200;
  const rng = mulberry32(opts.seed ?? 0);
  const n = nPersons * gestures.length * per;
  const ds: ImuDataset = {
    x: new Float32Array(n * length * 6), labels: new Uint8Array(n), persons: new Uint16Array(n), classes: gestures,
    n, length, channels: 6, sampleRate: opts.sampleRate ?? 100,
  };
  let i = 0;
  for (let pi = 0; pi < nPersons; pi++) {
    const person = randomImuPerson(rng);
    for (let g = 0; g < gestures.length; g++) {
      for (let r = 0; r < per; r++, i++) {
        ds.x.set(imuGesture({ gesture: gestures[g], person, sampleRate: ds.sampleRate, length, seed: Math.floor(rng() * 2 ** 31) }), i * length * 6);
        ds.labels[i] = g;
        ds.persons[i] = pi;
      }
    }
  }
  return ds;
}
