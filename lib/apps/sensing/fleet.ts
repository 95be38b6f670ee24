/**
 * A fleet of machines, healthy and with faults at every stage — from barely started to severe — built from
 * lib/data's vibration generator. Early faults are the ones worth catching and the ones a detector confuses
 * with healthy machines, so the severity of every recording is kept for the analysis.
 * @module
 */
import { VIBRATION_CLASSES, type VibrationFault, vibrationSignal } from "../../data/vibration.ts";
import { mulberry32, randn } from "../../util/random.ts";
import { SensingInputError } from "./errors.ts";

/** Options of {@link vibrationFleet}. */
export interface VibrationFleetOptions {
  /** Healthy recordings (default 160). */
  normal?: number;
  /** Recordings per fault (default 30). */
  perFault?: number;
  /** Faults to include (default every fault of lib/data's generator). */
  faults?: readonly Exclude<VibrationFault, "normal">[];
  /** Severity range of faulty recordings, drawn log-uniformly (default [0.05, 1]). */
  severityRange?: [number, number];
  /** Number of machines (default 8); each has its own speed and structural resonance. */
  machines?: number;
  /** Sample rate, Hz (default 4000). */
  sampleRate?: number;
  /** Seconds per recording (default 1). */
  duration?: number;
  seed?: number;
}

/** Recordings of a fleet: `signals` is n × length, row-major; label 0 = normal, else the index in `classes`. */
export interface VibrationFleet {
  signals: Float32Array;
  labels: Uint8Array;
  classes: readonly VibrationFault[];
  /** Fault severity (0 for normal recordings). */
  severity: Float32Array;
  machines: Uint16Array;
  n: number;
  length: number;
  sampleRate: number;
}

/**
 * Healthy recordings first, then `perFault` recordings of each fault with a severity between the range's ends.
 * @example
 * const fleet = vibrationFleet({ normal: 100, perFault: 20, seed: 6 });
 */
export function vibrationFleet(opts: VibrationFleetOptions = {}): VibrationFleet {
  const faults = opts.faults ?? (VIBRATION_CLASSES.filter((c) => c !== "normal") as Exclude<VibrationFault, "normal">[]);
  const classes: VibrationFault[] = ["normal", ...faults];
  const [sLo, sHi] = opts.severityRange ?? [0.05, 1];
  if (!(sLo > 0 && sHi >= sLo)) throw new SensingInputError(`severityRange must be 0 < low ≤ high, got [${sLo}, ${sHi}]`);
  const fs = opts.sampleRate ?? 4000;
  const length = Math.round((opts.duration ?? 1) * fs);
  const normal = opts.normal ?? 160, per = opts.perFault ?? 30;
  const rng = mulberry32(opts.seed ?? 0);
  const machines = Array.from({ length: opts.machines ?? 8 }, () => ({
    rpm: 1200 + 1800 * rng(), res: Math.min(fs * 0.4, 900 + 600 * rng()), noise: 0.03 + 0.04 * rng(),
  }));
  const n = normal + per * faults.length;
  const fleet: VibrationFleet = {
    signals: new Float32Array(n * length), labels: new Uint8Array(n), classes, severity: new Float32Array(n), machines: new Uint16Array(n), n, length,
    sampleRate: fs,
  };
  for (let i = 0; i < n; i++) {
    const label = i < normal ? 0 : 1 + Math.floor((i - normal) / per);
    const m = Math.floor(rng() * machines.length);
    const severity = label === 0 ? 0 : sLo * (sHi / sLo) ** rng();
    fleet.signals.set(vibrationSignal({
      fault: classes[label], rpm: machines[m].rpm * (1 + 0.02 * randn(rng)), sampleRate: fs, duration: length / fs, severity,
      resonanceHz: machines[m].res, noise: machines[m].noise * (1 + 0.1 * randn(rng)), seed: Math.floor(rng() * 2 ** 31),
    }), i * length);
    fleet.labels[i] = label;
    fleet.severity[i] = severity;
    fleet.machines[i] = m;
  }
  return fleet;
}
