/**
 * Synthetic sound events for a field sensor: a mosquito's wing-beat tone against background sounds.
 *
 * A flying mosquito hums at its wing-beat frequency (≈ 400–700 Hz; females lower than males) with strong
 * harmonics; the level flutters as it turns and changes distance, and the pitch drifts a little. The
 * background is what a sensor in a garden or a house hears: broadband noise, mains hum, birdsong chirps,
 * and bigger insects (flies, bees) whose lower wing-beat tones have harmonics inside the mosquito band — the
 * hard negatives.
 * @module
 */
import { mulberry32, randn, type Rng } from "../../util/random.ts";
import { SensingInputError } from "./errors.ts";

/** Background kinds the generator can mix. */
export type BackgroundKind = "white" | "pink" | "hum" | "birds" | "fly";

/** All background kinds. */
export const BACKGROUND_KINDS: readonly BackgroundKind[] = ["white", "pink", "hum", "birds", "fly"];

/** A harmonic tone with amplitude flutter and slow pitch drift (one flying insect). */
export interface WingbeatOptions {
  /** Wing-beat (fundamental) frequency, Hz. */
  fundamentalHz: number;
  /** Relative amplitudes of the harmonics 1×, 2×, 3× … (default [1, 0.6, 0.35, 0.2]). */
  harmonics?: readonly number[];
  /** Depth of the amplitude flutter, 0..1 (default 0.4). */
  flutterDepth?: number;
  /** Rate of the amplitude flutter, Hz (default 8). */
  flutterHz?: number;
  /** Pitch drift, as a fraction of the fundamental (default 0.02). */
  drift?: number;
  sampleRate?: number;
  /** Seconds (default 0.5). */
  duration?: number;
  seed?: number;
}

/**
 * One insect's tone, scaled to RMS 1.
 * @example wingbeatTone({ fundamentalHz: 550, seed: 1 })
 */
export function wingbeatTone(opts: WingbeatOptions): Float32Array {
  const fs = opts.sampleRate ?? 8000;
  const harmonics = opts.harmonics ?? [1, 0.6, 0.35, 0.2];
  if (!(opts.fundamentalHz > 0)) throw new SensingInputError(`fundamentalHz must be > 0, got ${opts.fundamentalHz}`);
  const rng = mulberry32(opts.seed ?? 0);
  const n = Math.round((opts.duration ?? 0.5) * fs);
  const depth = opts.flutterDepth ?? 0.4, fl = opts.flutterHz ?? 8, drift = opts.drift ?? 0.02;
  const phases = harmonics.map(() => rng() * 2 * Math.PI);
  const flPhase = rng() * 2 * Math.PI, driftPhase = rng() * 2 * Math.PI, driftHz = 0.5 + 1.5 * rng();
  const x = new Float32Array(n);
  let phase = 0; // integrated phase of the fundamental, so the drift stays smooth
  for (let i = 0; i < n; i++) {
    const t = i / fs;
    const f = opts.fundamentalHz * (1 + drift * Math.sin(2 * Math.PI * driftHz * t + driftPhase));
    phase += (2 * Math.PI * f) / fs;
    const amp = 1 - depth / 2 + (depth / 2) * Math.sin(2 * Math.PI * fl * t + flPhase);
    let v = 0;
    for (let k = 0; k < harmonics.length; k++) if ((k + 1) * f < fs / 2) v += harmonics[k] * Math.sin((k + 1) * phase + phases[k]);
    x[i] = amp * v;
  }
  return scaleToRms(x, 1);
}

/** Scales `x` in place to the given RMS (a silent signal stays silent); returns it. */
export function scaleToRms(x: Float32Array, rms: number): Float32Array {
  let s = 0;
  for (const v of x) s += v * v;
  const cur = Math.sqrt(s / Math.max(1, x.length));
  if (cur > 0) for (let i = 0; i < x.length; i++) x[i] *= rms / cur;
  return x;
}

/** Options of {@link backgroundSound}. */
export interface BackgroundOptions {
  kind: BackgroundKind;
  sampleRate?: number;
  /** Seconds (default 0.5). */
  duration?: number;
  seed?: number;
}

/** Pink-ish noise: white noise plus three one-pole low-passed copies with spread corners (falls with frequency). */
function pinkish(rng: Rng, n: number): Float32Array {
  const x = new Float32Array(n);
  const poles = [0.997, 0.963, 0.57], gains = [0.029, 0.032, 0.096];
  const state = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const w = randn(rng);
    let v = 0.05 * w;
    for (let k = 0; k < 3; k++) {
      state[k] = poles[k] * state[k] + gains[k] * w;
      v += state[k];
    }
    x[i] = v;
  }
  return x;
}

/**
 * A background sound with RMS 1.
 * @example backgroundSound({ kind: "birds", seed: 3 })
 */
export function backgroundSound(opts: BackgroundOptions): Float32Array {
  const fs = opts.sampleRate ?? 8000;
  const n = Math.round((opts.duration ?? 0.5) * fs);
  const rng = mulberry32(opts.seed ?? 0);
  let x: Float32Array;
  switch (opts.kind) {
    case "white":
      x = Float32Array.from({ length: n }, () => randn(rng));
      break;
    case "pink":
      x = pinkish(rng, n);
      break;
    case "hum": { // mains at 50 or 60 Hz with odd harmonics, plus a little noise
      const mains = rng() < 0.5 ? 50 : 60;
      const amps = [1, 0.2 + 0.5 * rng(), 0.1 + 0.4 * rng(), 0.05 + 0.3 * rng(), 0.02 + 0.2 * rng()];
      const ph = amps.map(() => rng() * 2 * Math.PI);
      x = Float32Array.from({ length: n }, (_, i) => {
        let v = 0.05 * randn(rng);
        for (let k = 0; k < amps.length; k++) v += amps[k] * Math.sin(2 * Math.PI * mains * (2 * k + 1) * (i / fs) + ph[k]);
        return v;
      });
      break;
    }
    case "birds": { // short downward chirps between 2 and 3.8 kHz over a quiet noise floor
      x = Float32Array.from({ length: n }, () => 0.05 * randn(rng));
      const chirps = 2 + Math.floor(rng() * 5);
      for (let c = 0; c < chirps; c++) {
        const start = Math.floor(rng() * n), len = Math.floor((0.03 + 0.07 * rng()) * fs);
        const f0 = Math.min(3800, 2000 + 1800 * rng()), f1 = f0 * (0.6 + 0.3 * rng());
        let phase = 0;
        for (let i = 0; i < len && start + i < n; i++) {
          const s = i / len;
          phase += (2 * Math.PI * (f0 + (f1 - f0) * s)) / fs;
          x[start + i] += Math.sin(Math.PI * s) * Math.sin(phase);
        }
      }
      break;
    }
    case "fly": // a housefly or bee: the same physics at 150–250 Hz, richer in harmonics
      x = wingbeatTone({
        fundamentalHz: 150 + 100 * rng(), harmonics: [1, 0.8, 0.6, 0.45, 0.3, 0.2], flutterDepth: 0.2 + 0.4 * rng(),
        flutterHz: 3 + 10 * rng(), sampleRate: fs, duration: n / fs, seed: Math.floor(rng() * 2 ** 31),
      });
      break;
    default:
      throw new SensingInputError(`unknown background kind "${opts.kind as string}"; use one of ${BACKGROUND_KINDS.join(", ")}`);
  }
  return scaleToRms(x, 1);
}

/** A labelled set of clips: `clips` is n × length, row-major; label 1 = a mosquito is present. */
export interface SoundEventDataset {
  clips: Float32Array;
  labels: Uint8Array;
  /** The background mixed into each clip. */
  backgrounds: BackgroundKind[];
  /** Wing-beat frequency of each positive clip (NaN for negatives). */
  fundamentalHz: Float32Array;
  /** Signal-to-noise ratio of each positive clip, dB (NaN for negatives). */
  snrDb: Float32Array;
  classes: readonly ["background", "mosquito"];
  n: number;
  length: number;
  sampleRate: number;
}

/** Options of {@link soundEventDataset}. */
export interface SoundEventDatasetOptions {
  /** Clips per class (default 200). */
  perClass?: number;
  sampleRate?: number;
  /** Seconds per clip (default 0.5). */
  duration?: number;
  /** Range of the mosquito's wing-beat frequency, Hz (default [400, 700]). */
  fundamentalRange?: [number, number];
  /** Range of the signal-to-noise ratio of positive clips, dB (default [-25, 10]). */
  snrRangeDb?: [number, number];
  /** Backgrounds to draw from (default all). */
  backgrounds?: readonly BackgroundKind[];
  seed?: number;
}

/**
 * Half background-only clips, half a mosquito tone mixed into a background at a random SNR. Every clip is
 * scaled to a random level (a microphone's gain and the distance vary), so loudness alone tells nothing.
 * @example
 * const ds = soundEventDataset({ perClass: 100, seed: 1 });
 */
export function soundEventDataset(opts: SoundEventDatasetOptions = {}): SoundEventDataset {
  const per = opts.perClass ?? 200;
  const fs = opts.sampleRate ?? 8000;
  const duration = opts.duration ?? 0.5;
  const length = Math.round(duration * fs);
  const [fLo, fHi] = opts.fundamentalRange ?? [400, 700];
  const [sLo, sHi] = opts.snrRangeDb ?? [-25, 10];
  const kinds = opts.backgrounds ?? BACKGROUND_KINDS;
  if (kinds.length === 0) throw new SensingInputError("backgrounds is empty: give at least one background kind");
  if (!(fHi < fs / 2)) throw new SensingInputError(`fundamentalRange up to ${fHi} Hz needs a sample rate above ${2 * fHi} Hz`);
  const rng = mulberry32(opts.seed ?? 0);
  const n = 2 * per;
  const ds: SoundEventDataset = {
    clips: new Float32Array(n * length), labels: new Uint8Array(n), backgrounds: [], fundamentalHz: new Float32Array(n).fill(NaN),
    snrDb: new Float32Array(n).fill(NaN), classes: ["background", "mosquito"], n, length, sampleRate: fs,
  };
  for (let i = 0; i < n; i++) {
    const positive = i >= per;
    const kind = kinds[Math.floor(rng() * kinds.length)];
    const clip = backgroundSound({ kind, sampleRate: fs, duration, seed: Math.floor(rng() * 2 ** 31) });
    if (positive) {
      const f0 = fLo + (fHi - fLo) * rng();
      const snr = sLo + (sHi - sLo) * rng();
      const tone = wingbeatTone({
        fundamentalHz: f0, harmonics: [1, 0.4 + 0.4 * rng(), 0.2 + 0.3 * rng(), 0.1 + 0.2 * rng()], flutterDepth: 0.2 + 0.5 * rng(),
        flutterHz: 4 + 16 * rng(), sampleRate: fs, duration, seed: Math.floor(rng() * 2 ** 31),
      });
      const g = 10 ** (snr / 20); // both have RMS 1, so the tone's gain is the amplitude SNR
      for (let k = 0; k < length; k++) clip[k] += g * tone[k];
      ds.fundamentalHz[i] = f0;
      ds.snrDb[i] = snr;
      ds.labels[i] = 1;
    }
    scaleToRms(clip, 0.01 * 10 ** (2 * rng())); // 0.01 … 1 full scale
    ds.clips.set(clip, i * length);
    ds.backgrounds.push(kind);
  }
  return ds;
}
