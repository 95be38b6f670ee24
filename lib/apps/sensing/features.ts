/**
 * Feature glue for the sensing lessons: log band energies of a spectrum (vibration, sound), IMU windows
 * scaled to the sensor's range, standardisation, and reconstruction errors of an autoencoder.
 * @module
 */
import { stft } from "../../audio/features.ts";
import { envelope } from "../../data/vibration.ts";
import type { Graph } from "../../graph/types.ts";
import { dequantize } from "../../quant/params.ts";
import { SensingInputError } from "./errors.ts";

/** Options of {@link logBandEnergies}. */
export interface BandOptions {
  sampleRate: number;
  /** Equal-width bands between minHz and maxHz (default 32). */
  bands?: number;
  /** Lowest frequency, Hz (default 0). */
  minHz?: number;
  /** Highest frequency, Hz (default: Nyquist). */
  maxHz?: number;
  /** FFT frame length in samples, a power of two (default 256). */
  frameLength?: number;
  /** Samples between frames (default frameLength / 2). */
  hopLength?: number;
  /** Subtract the mean over bands, so the features describe the spectrum's shape, not its loudness (default false). */
  relative?: boolean;
}

/**
 * log10 of the power in equal-width frequency bands, averaged over the frames of `x` (Welch's method with
 * a Hann window). Each FFT bin goes to the band containing its centre frequency.
 * @example logBandEnergies(clip, { sampleRate: 8000, bands: 32, maxHz: 4000 }) // Float32Array(32)
 */
export function logBandEnergies(x: Float32Array, opts: BandOptions): Float32Array {
  const fs = opts.sampleRate;
  const bands = opts.bands ?? 32, lo = opts.minHz ?? 0, hi = opts.maxHz ?? fs / 2, frame = opts.frameLength ?? 256;
  if (!(bands >= 1) || !(hi > lo) || hi > fs / 2 + 1e-9) {
    throw new SensingInputError(`need bands ≥ 1 and 0 ≤ minHz < maxHz ≤ ${fs / 2} Hz (Nyquist); got ${bands} bands, ${lo}–${hi} Hz`);
  }
  if (x.length < frame) throw new SensingInputError(`signal of ${x.length} samples is shorter than one frame (${frame}); use a shorter frameLength`);
  const spec = stft(x, { frameLength: frame, hopLength: opts.hopLength ?? frame / 2, power: true });
  const power = new Float64Array(bands);
  for (let k = 0; k < spec.bins; k++) {
    const f = (k * fs) / frame;
    if (f < lo || f >= hi) continue;
    const b = Math.min(bands - 1, Math.floor(((f - lo) / (hi - lo)) * bands));
    for (let t = 0; t < spec.frames; t++) power[b] += spec.data[t * spec.bins + k];
  }
  const out = Float32Array.from(power, (p) => Math.log10(p / spec.frames + 1e-12));
  if (opts.relative) {
    const mean = out.reduce((s, v) => s + v, 0) / bands;
    for (let b = 0; b < bands; b++) out[b] -= mean;
  }
  return out;
}

/**
 * Centre frequency of each band of {@link logBandEnergies} with the same options, Hz (for plot axes).
 * @example bandCentresHz({ sampleRate: 8000, bands: 4, maxHz: 4000 }) // [500, 1500, 2500, 3500]
 */
export function bandCentresHz(opts: BandOptions): number[] {
  const bands = opts.bands ?? 32, lo = opts.minHz ?? 0, hi = opts.maxHz ?? opts.sampleRate / 2;
  return Array.from({ length: bands }, (_, b) => lo + ((b + 0.5) * (hi - lo)) / bands);
}

/**
 * Features of one vibration recording: the log spectrum (32 bands up to Nyquist) followed by the log
 * envelope spectrum (16 bands up to 400 Hz), where bearing impacts show up at their repetition rate.
 * @example vibrationFeatures(ds.signals.subarray(0, ds.length), ds.sampleRate) // Float32Array(48)
 */
export function vibrationFeatures(x: Float32Array, sampleRate: number): Float32Array {
  const spectrum = logBandEnergies(x, { sampleRate, bands: 32, frameLength: 512 });
  const env = logBandEnergies(envelope(x), { sampleRate, bands: 16, maxHz: 400, frameLength: 1024 });
  const out = new Float32Array(spectrum.length + env.length);
  out.set(spectrum);
  out.set(env, spectrum.length);
  return out;
}

/**
 * Features of one sound clip: 32 bands of 125 Hz up to 4 kHz (at 8 kHz sampling), relative to the clip's
 * mean level, from 32 ms frames.
 * @example soundFeatures(clip, 8000) // Float32Array(32)
 */
export function soundFeatures(x: Float32Array, sampleRate: number): Float32Array {
  return logBandEnergies(x, { sampleRate, bands: 32, maxHz: Math.min(4000, sampleRate / 2), frameLength: 256, relative: true });
}

/**
 * Applies `fn` to each row of a row-major n × length matrix (e.g. a dataset's signals).
 * @example const feats = mapRows(ds.signals, ds.n, ds.length, (x) => vibrationFeatures(x, ds.sampleRate));
 */
export function mapRows(flat: Float32Array, n: number, length: number, fn: (row: Float32Array, i: number) => Float32Array): Float32Array[] {
  if (flat.length !== n * length) throw new SensingInputError(`matrix has ${flat.length} values, not ${n} × ${length}`);
  return Array.from({ length: n }, (_, i) => fn(flat.subarray(i * length, (i + 1) * length), i));
}

/** Options of {@link imuWindows}. */
export interface ImuWindowOptions {
  /** Average this many consecutive samples into one (default 4: 100 Hz → 25 Hz). */
  decimate?: number;
  /** Accelerometer full scale in m/s² (default 4 g: the Nano 33 BLE Sense's LSM9DS1 at ±4 g). */
  accelRange?: number;
  /** Gyroscope full scale in deg/s (default 500). */
  gyroRange?: number;
}

/**
 * IMU windows (length × 6: ax ay az gx gy gz) made smaller and scaled to about −1..1: consecutive samples are
 * averaged (a low-pass filter before dropping the rate) and each channel divided by its sensor's full scale.
 * @example const rows = imuWindows(ds.x, ds.n, ds.length); // n rows of (200 / 4) × 6
 */
export function imuWindows(x: Float32Array, n: number, length: number, opts: ImuWindowOptions = {}): Float32Array[] {
  const d = opts.decimate ?? 4;
  if (!(Number.isInteger(d) && d >= 1 && length % d === 0)) throw new SensingInputError(`decimate must be a whole divisor of the window length ${length}, got ${d}`);
  const scale = [...new Array(3).fill(opts.accelRange ?? 4 * 9.81), ...new Array(3).fill(opts.gyroRange ?? 500)];
  return mapRows(x, n, length * 6, (w) => {
    const out = new Float32Array((length / d) * 6);
    for (let i = 0; i < length; i++) {
      for (let c = 0; c < 6; c++) out[Math.floor(i / d) * 6 + c] += w[i * 6 + c] / (d * scale[c]);
    }
    return out;
  });
}

/**
 * A window as if the gesture had been drawn `factor` times as large: each channel's deviation from its
 * mean over the window is scaled. Over one gesture the mean holds gravity (fixed by the wand's tilt) and
 * the sensor biases, while the deviations are the motion, which grows in proportion to the drawn size — so
 * this is physics-based data augmentation for people who move less (or more) than the training data.
 * `window` is steps × channels, interleaved, as {@link imuWindows} makes it.
 * @example const smaller = scaleMotion(rows[0], 0.4);
 */
export function scaleMotion(window: ArrayLike<number>, factor: number, channels = 6): Float32Array {
  if (window.length % channels !== 0) throw new SensingInputError(`window of ${window.length} values is not a whole number of ${channels}-channel steps`);
  if (!(factor >= 0)) throw new SensingInputError(`factor must be ≥ 0, got ${factor}`);
  const steps = window.length / channels;
  const mean = new Float64Array(channels);
  for (let i = 0; i < window.length; i++) mean[i % channels] += window[i] / steps;
  return Float32Array.from(window, (v, i) => mean[i % channels] + factor * (v - mean[i % channels]));
}

/** Per-feature mean and standard deviation, fitted on training data. */
export interface Standardizer {
  mean: Float32Array;
  std: Float32Array;
}

/**
 * Mean and standard deviation of each feature over `rows` (std floored at 1e-6, so constant features stay finite).
 * @example const s = fitStandardizer(trainRows); const z = standardize(testRows, s);
 */
export function fitStandardizer(rows: readonly ArrayLike<number>[]): Standardizer {
  if (rows.length === 0) throw new SensingInputError("fitStandardizer needs at least one row");
  const d = rows[0].length;
  const mean = new Float64Array(d), sq = new Float64Array(d);
  for (const r of rows) {
    if (r.length !== d) throw new SensingInputError(`rows have different lengths (${d} and ${r.length})`);
    for (let j = 0; j < d; j++) mean[j] += r[j] / rows.length;
  }
  for (const r of rows) for (let j = 0; j < d; j++) sq[j] += (r[j] - mean[j]) ** 2 / rows.length;
  return { mean: Float32Array.from(mean), std: Float32Array.from(sq, (v) => Math.max(Math.sqrt(v), 1e-6)) };
}

/** (row − mean) / std for every row. */
export function standardize(rows: readonly ArrayLike<number>[], s: Standardizer): Float32Array[] {
  return rows.map((r) => {
    if (r.length !== s.mean.length) throw new SensingInputError(`row has ${r.length} features; the standardizer was fitted on ${s.mean.length}`);
    return Float32Array.from(r, (v, j) => (v - s.mean[j]) / s.std[j]);
  });
}

/**
 * Mean squared difference between each input and its reconstruction: an autoencoder's anomaly score.
 * @example reconstructionErrors([[1, 2]], [[1, 4]]) // Float32Array [2]
 */
export function reconstructionErrors(inputs: readonly ArrayLike<number>[], outputs: readonly ArrayLike<number>[]): Float32Array {
  if (inputs.length !== outputs.length) throw new SensingInputError(`${inputs.length} inputs but ${outputs.length} reconstructions`);
  return Float32Array.from(inputs, (x, i) => {
    const y = outputs[i];
    if (y.length !== x.length) throw new SensingInputError(`reconstruction ${i} has ${y.length} values, input ${x.length}`);
    let s = 0;
    for (let j = 0; j < x.length; j++) s += (x[j] - y[j]) ** 2;
    return s / x.length;
  });
}

/**
 * Indices of the examples whose group is in `testGroups` (test) and the rest (train): a split by person or
 * by machine, so the test measures how a model does on someone it has never seen.
 * @example splitByGroup(ds.persons, [8, 9]) // { train: [...], test: [...] }
 */
export function splitByGroup(groups: ArrayLike<number>, testGroups: readonly number[]): { train: number[]; test: number[] } {
  const held = new Set(testGroups);
  const train: number[] = [], test: number[] = [];
  for (let i = 0; i < groups.length; i++) (held.has(groups[i]) ? test : train).push(i);
  if (train.length === 0 || test.length === 0) throw new SensingInputError(`split by groups [${testGroups.join(", ")}] leaves ${train.length} training and ${test.length} test examples; hold out some groups, not all`);
  return { train, test };
}

/**
 * Float values of an int8 model's raw output bytes (e.g. `deployLesson`'s `report.device`), with the graph's
 * output scale and zero point.
 * @example const recon = dequantizeOutputs(q.graph, report.device);
 */
export function dequantizeOutputs(graph: Graph, outputs: readonly Uint8Array[]): Float32Array[] {
  const t = graph.tensors[graph.outputs[0]];
  if (t.dtype !== "int8" || !t.quant) throw new SensingInputError(`the graph's output is ${t.dtype}, not quantized int8`);
  const p = { scale: t.quant.scale[0], zeroPoint: t.quant.zeroPoint[0] };
  return outputs.map((b) => dequantize(new Int8Array(b.buffer, b.byteOffset, b.byteLength), p));
}
