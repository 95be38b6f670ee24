/**
 * What a lesson sketch reads on the real board, and how it turns that into the model's input: one description
 * per sensing pipeline of lib/apps/sensing.
 * @module
 */

/**
 * Gestures from the IMU (accelerometer + gyroscope), as lib/apps/sensing's `imuWindows`: `windowLength` samples
 * at `sampleRate`, averaged `decimate` at a time and divided by the full scale, then quantized to the model's
 * input. The model's output is one score per class (softmax).
 */
export interface ImuGesturesLive {
  kind: "imu-gestures";
  /** Class names, in the model's output order (e.g. lib/data's GESTURES). */
  classes: readonly string[];
  /** Rate the notebook's windows were recorded at, Hz (the board samples the IMU at this rate). */
  sampleRate: number;
  /** Samples per window before decimation. */
  windowLength: number;
  /** As imuWindows' `decimate` (default 4). */
  decimate?: number;
  /** As imuWindows' `accelRange`, m/s² (default 4 · 9.81). */
  accelRange?: number;
  /** As imuWindows' `gyroRange`, deg/s (default 500). */
  gyroRange?: number;
  /** New samples between two classifications (default windowLength / 4). */
  hop?: number;
}

/**
 * Vibration anomaly detection with an autoencoder, as lesson 2-06: one accelerometer axis, `windowLength`
 * samples at `sampleRate`, lib/apps/sensing's `vibrationFeatures` (48 numbers), standardised with the training
 * set's mean and std, quantized; the score is the mean squared reconstruction error, an alarm above `threshold`.
 */
export interface VibrationLive {
  kind: "vibration";
  /** Sample rate of the training recordings, Hz. */
  sampleRate: number;
  /** Samples per window (≥ 1024, the envelope spectrum's frame). */
  windowLength: number;
  /** The standardizer fitted on the training features (`fitStandardizer`): 48 means and stds. */
  standardizer: { mean: ArrayLike<number>; std: ArrayLike<number> };
  /** Alarm when the score is at or above this. */
  threshold: number;
  /** Accelerometer axis to read (default "z": perpendicular to the board, i.e. to the surface it is glued to). */
  axis?: "x" | "y" | "z";
}

/** A live-sensor mode for a lesson sketch (see lib/deploy/sensors/sketch.ts). */
export type LiveSensor = ImuGesturesLive | VibrationLive;
