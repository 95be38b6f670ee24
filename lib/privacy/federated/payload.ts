/**
 * "What leaves the device", in bytes: raw sensor data, features, a label, or a model update. The less that
 * leaves, the less can leak — but a model update is not nothing (it is computed from the data).
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { require } from "../errors.ts";

/** Raw audio: seconds × sample rate × bytes per sample (default 1 s of 16 kHz 16-bit mono = 32 000 B). */
export function rawAudioBytes(seconds = 1, sampleRate = 16_000, bitsPerSample = 16): number {
  require(seconds >= 0 && sampleRate > 0 && bitsPerSample > 0, "audio: seconds ≥ 0, sample rate and bits > 0");
  return Math.round(seconds * sampleRate) * Math.ceil(bitsPerSample / 8);
}

/** Raw IMU samples: seconds × rate × channels × bytes per value (default 2 s, 100 Hz, 6 axes, int16 = 2 400 B). */
export function imuBytes(seconds = 2, rateHz = 100, channels = 6, bytesPerValue = 2): number {
  require(
    seconds >= 0 && rateHz > 0 && channels > 0 && bytesPerValue > 0,
    "IMU: seconds ≥ 0, rate, channels, bytes > 0",
  );
  return Math.round(seconds * rateHz) * channels * bytesPerValue;
}

/** A feature map: frames × channels × bytes per value (default micro_speech's 49 × 40 int8 = 1 960 B). */
export function featureBytes(frames = 49, channels = 40, bytesPerValue = 1): number {
  require(frames > 0 && channels > 0 && bytesPerValue > 0, "features: frames, channels, bytes > 0");
  return frames * channels * bytesPerValue;
}

/** Number of weight values of a tfjs model (trainable or not). */
export function parameterCount(model: tf.LayersModel): number {
  return model.weights.reduce((a, w) => a + w.shape.reduce((p: number, d) => p * (d ?? 1), 1), 0);
}

/** One model update: every weight once (default float32, 4 B each; int8 updates would be 1 B). */
export function modelUpdateBytes(model: tf.LayersModel | number, bytesPerValue = 4): number {
  const n = typeof model === "number" ? model : parameterCount(model);
  return n * bytesPerValue;
}

/** One row of a payload comparison. */
export interface PayloadRow {
  what: string;
  bytes: number;
}

/**
 * A fixed-width table of payloads, largest first, each with its size relative to the first row given.
 * @example console.log(payloadTable([{ what: "1 s raw audio", bytes: rawAudioBytes() }, { what: "label", bytes: 1 }]));
 */
export function payloadTable(rows: readonly PayloadRow[]): string {
  require(rows.length > 0, "payloadTable needs at least one row");
  const ref = rows[0].bytes;
  const width = Math.max(...rows.map((r) => r.what.length));
  return [...rows]
    .sort((a, b) => b.bytes - a.bytes)
    .map((r) =>
      `${r.what.padEnd(width)}  ${r.bytes.toLocaleString("en-US").padStart(9)} B  ${
        (r.bytes / ref).toPrecision(3).padStart(8)
      }×`
    )
    .join("\n");
}
