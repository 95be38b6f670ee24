/**
 * Synthetic machine vibration (one accelerometer axis on a bearing housing) with
 * physically motivated faults:
 * - imbalance: a strong component at the shaft rate (1×),
 * - misalignment: a strong 2× component (with some 1× and 3×),
 * - bearing defects: short impacts repeating at the defect frequency (BPFO, BPFI, BSF, FTF from the
 *   bearing geometry); each impact rings a structural resonance, and inner-race/ball impacts are
 *   amplitude-modulated because the defect moves through the load zone.
 */
import { mulberry32, randn, type Rng } from "../util/random.ts";

/** Rolling-element bearing geometry. */
export interface BearingGeometry {
  /** Number of rolling elements. */
  balls: number;
  /** Ball diameter (any length unit, same as pitchDiameter). */
  ballDiameter: number;
  /** Pitch diameter (circle through the ball centres). */
  pitchDiameter: number;
  /** Contact angle in degrees (0 for deep-groove ball bearings under radial load). */
  contactAngleDeg: number;
}

/** A typical 6205 deep-groove ball bearing (9 balls, 7.94 mm balls, 39.04 mm pitch). */
export const BEARING_6205: BearingGeometry = { balls: 9, ballDiameter: 7.94, pitchDiameter: 39.04, contactAngleDeg: 0 };

/** Characteristic defect frequencies in Hz. */
export interface BearingFrequencies {
  /** Shaft rotation rate (1×). */
  shaft: number;
  /** Ball pass frequency, outer race. */
  bpfo: number;
  /** Ball pass frequency, inner race. */
  bpfi: number;
  /** Ball spin frequency. */
  bsf: number;
  /** Fundamental train (cage) frequency. */
  ftf: number;
}

/**
 * Defect frequencies from the bearing kinematics (no slip).
 * @example
 * bearingFrequencies(BEARING_6205, 1800).bpfo; // ≈ 107 Hz
 */
export function bearingFrequencies(g: BearingGeometry, rpm: number): BearingFrequencies {
  const fr = rpm / 60;
  const r = (g.ballDiameter / g.pitchDiameter) * Math.cos((g.contactAngleDeg * Math.PI) / 180);
  return {
    shaft: fr,
    bpfo: (g.balls / 2) * fr * (1 - r),
    bpfi: (g.balls / 2) * fr * (1 + r),
    bsf: (g.pitchDiameter / (2 * g.ballDiameter)) * fr * (1 - r * r),
    ftf: (fr / 2) * (1 - r),
  };
}

/** Machine states the generator can produce. */
export type VibrationFault = "normal" | "imbalance" | "misalignment" | "outer_race" | "inner_race" | "ball" | "cage";

/** All states, normal first. */
export const VIBRATION_CLASSES: readonly VibrationFault[] = [
  "normal", "imbalance", "misalignment", "outer_race", "inner_race", "ball", "cage",
];

/** Options of one vibration recording. */
export interface VibrationOptions {
  fault: VibrationFault;
  /** Shaft speed in rpm (default 1800). */
  rpm?: number;
  /** Sample rate in Hz (default 4000; a typical MEMS accelerometer setting). */
  sampleRate?: number;
  /** Duration in seconds (default 1). */
  duration?: number;
  /** Fault severity, 0..1+ (default 1). */
  severity?: number;
  /** Broadband noise standard deviation in g (default 0.05). */
  noise?: number;
  bearing?: BearingGeometry;
  /** Structural resonance excited by bearing impacts, Hz (default 1200, must stay below Nyquist). */
  resonanceHz?: number;
  seed?: number;
}

/** Decaying ring of the structure after one impact, sampled from t = 0. */
function impulseResponse(fs: number, fRes: number, decayS: number): Float32Array {
  const n = Math.ceil(decayS * 6 * fs);
  const h = new Float32Array(n);
  for (let i = 0; i < n; i++) h[i] = Math.exp(-i / fs / decayS) * Math.sin((2 * Math.PI * fRes * i) / fs);
  return h;
}

/** Add impacts at times k/rate (+ jitter) with per-impact amplitude `amp(t)`. */
function addImpacts(
  x: Float32Array, fs: number, rate: number, amp: (t: number) => number, h: Float32Array, rng: Rng,
): void {
  const period = 1 / rate;
  for (let t = rng() * period; t < x.length / fs; t += period * (1 + 0.01 * randn(rng))) {
    const a = amp(t);
    const start = Math.round(t * fs);
    for (let i = 0; i < h.length && start + i < x.length; i++) x[start + i] += a * h[i];
  }
}

/**
 * One recording in units of g (gravity removed).
 * @example
 * const x = vibrationSignal({ fault: "outer_race", rpm: 1500, seed: 1 });
 */
export function vibrationSignal(opts: VibrationOptions): Float32Array {
  const fs = opts.sampleRate ?? 4000;
  const rpm = opts.rpm ?? 1800;
  const sev = opts.severity ?? 1;
  const fRes = opts.resonanceHz ?? 1200;
  if (fRes >= fs / 2) throw new RangeError(`resonanceHz ${fRes} must be below half the sample rate (${fs / 2} Hz)`);
  const rng = mulberry32(opts.seed ?? 0);
  const n = Math.round((opts.duration ?? 1) * fs);
  const f = bearingFrequencies(opts.bearing ?? BEARING_6205, rpm);
  const x = new Float32Array(n);
  // Every machine has a little residual imbalance/misalignment; faults raise one of them.
  const harm = [0.05, 0.02, 0.01];
  if (opts.fault === "imbalance") harm[0] += 0.5 * sev;
  if (opts.fault === "misalignment") { harm[0] += 0.1 * sev; harm[1] += 0.4 * sev; harm[2] += 0.1 * sev; }
  const phases = harm.map(() => rng() * 2 * Math.PI);
  for (let i = 0; i < n; i++) {
    const t = i / fs;
    let v = 0;
    for (let k = 0; k < harm.length; k++) v += harm[k] * Math.sin(2 * Math.PI * (k + 1) * f.shaft * t + phases[k]);
    x[i] = v + (opts.noise ?? 0.05) * randn(rng);
  }
  const h = impulseResponse(fs, fRes, 0.002);
  const a = 0.8 * sev;
  const shaftPhase = rng() * 2 * Math.PI;
  const cagePhase = rng() * 2 * Math.PI;
  switch (opts.fault) {
    case "outer_race": // fixed defect in the load zone: constant impact strength
      addImpacts(x, fs, f.bpfo, () => a, h, rng);
      break;
    case "inner_race": // the defect turns with the shaft: strength modulated at 1×
      addImpacts(x, fs, f.bpfi, (t) => a * (0.6 + 0.4 * Math.cos(2 * Math.PI * f.shaft * t + shaftPhase)), h, rng);
      break;
    case "ball": // a ball defect hits both races once per spin: 2×BSF, modulated by the cage
      addImpacts(x, fs, 2 * f.bsf, (t) => 0.6 * a * (0.6 + 0.4 * Math.cos(2 * Math.PI * f.ftf * t + cagePhase)), h, rng);
      break;
    case "cage": // a damaged cage rattles once per cage revolution
      addImpacts(x, fs, f.ftf, () => 1.5 * a, h, rng);
      break;
  }
  return x;
}

/** A labelled vibration dataset: `signals` is n × length, row-major. */
export interface VibrationDataset {
  signals: Float32Array;
  labels: Uint8Array;
  /** Class names, index = label. */
  classes: readonly VibrationFault[];
  /** Machine id of each recording (speed and bearing resonance differ per machine). */
  machines: Uint16Array;
  rpm: Float32Array;
  n: number;
  length: number;
  sampleRate: number;
}

/**
 * Many recordings: `perClass` per state, spread over `machines` machines with different speeds,
 * severities and resonances. Label 0 is "normal".
 * @example
 * const ds = vibrationDataset({ perClass: 50, classes: ["normal", "imbalance", "outer_race"], seed: 0 });
 */
export function vibrationDataset(opts: {
  perClass?: number; classes?: readonly VibrationFault[]; machines?: number; sampleRate?: number;
  duration?: number; rpmRange?: [number, number]; seed?: number;
} = {}): VibrationDataset {
  const classes = opts.classes ?? VIBRATION_CLASSES;
  const perClass = opts.perClass ?? 50;
  const fs = opts.sampleRate ?? 4000;
  const length = Math.round((opts.duration ?? 1) * fs);
  const [lo, hi] = opts.rpmRange ?? [1200, 3000];
  const nMachines = opts.machines ?? 8;
  const rng = mulberry32(opts.seed ?? 0);
  const machine = Array.from({ length: nMachines }, () => ({
    rpm: lo + (hi - lo) * rng(),
    res: Math.min(fs * 0.4, 900 + 600 * rng()),
  }));
  const n = perClass * classes.length;
  const ds: VibrationDataset = {
    signals: new Float32Array(n * length), labels: new Uint8Array(n), classes, machines: new Uint16Array(n),
    rpm: new Float32Array(n), n, length, sampleRate: fs,
  };
  let i = 0;
  for (let c = 0; c < classes.length; c++) {
    for (let k = 0; k < perClass; k++, i++) {
      const m = Math.floor(rng() * nMachines);
      const rpm = machine[m].rpm * (1 + 0.02 * randn(rng)); // load changes the speed a little
      ds.signals.set(vibrationSignal({
        fault: classes[c], rpm, sampleRate: fs, duration: length / fs, severity: 0.5 + rng(),
        resonanceHz: machine[m].res, noise: 0.03 + 0.04 * rng(), seed: Math.floor(rng() * 2 ** 31),
      }), i * length);
      ds.labels[i] = c;
      ds.machines[i] = m;
      ds.rpm[i] = rpm;
    }
  }
  return ds;
}

/**
 * Amplitude of the frequency `f` in `x` (single-bin DFT, Hann window), in the units of x.
 * Handy to check for a fault line without a full FFT.
 * @example
 * amplitudeAt(x, 4000, bearingFrequencies(BEARING_6205, 1800).shaft);
 */
export function amplitudeAt(x: ArrayLike<number>, fs: number, f: number): number {
  let re = 0, im = 0, wsum = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    const ph = (2 * Math.PI * f * i) / fs;
    re += w * x[i] * Math.cos(ph);
    im -= w * x[i] * Math.sin(ph);
    wsum += w;
  }
  return (2 * Math.hypot(re, im)) / wsum;
}

/**
 * Envelope of a signal (rectified, mean removed): bearing impact rates show up as lines in the
 * spectrum of the envelope even when the impacts ring at a high resonance.
 */
export function envelope(x: ArrayLike<number>): Float32Array {
  const e = Float32Array.from(x, Math.abs);
  const mean = e.reduce((s, v) => s + v, 0) / e.length;
  for (let i = 0; i < e.length; i++) e[i] -= mean;
  return e;
}
