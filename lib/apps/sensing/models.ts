/**
 * A small 1-D convolutional gesture classifier in the spirit of TFLite Micro's "magic wand": convolutions
 * slide along time over all six IMU channels at once.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Options of {@link gestureCnn}. */
export interface GestureCnnOptions {
  /** Time steps per window (after decimation). */
  steps: number;
  /** Channels per step (default 6: ax ay az gx gy gz). */
  channels?: number;
  /** Gesture classes (default 4). */
  classes?: number;
  /** Filters of the two conv blocks (default [8, 16]). */
  filters?: [number, number];
  /** Kernel length along time (default 5). */
  kernel?: number;
  /** Base seed of the initializers (default 0). */
  seed?: number;
}

/**
 * Two blocks of (conv along time + ReLU + max-pool by 2), then a softmax layer. The input is
 * [steps, 1, channels] (time as the height of a one-pixel-wide image), so the layers lower to TFLite's
 * CONV_2D and MAX_POOL_2D, which every int8 runtime has.
 * @example
 * const model = gestureCnn({ steps: 50, seed: 1 });
 * model.predict(tf.zeros([1, 50, 1, 6]));
 */
export function gestureCnn(opts: GestureCnnOptions): tf.Sequential {
  const [f1, f2] = opts.filters ?? [8, 16];
  const k = opts.kernel ?? 5;
  let seed = (opts.seed ?? 0) * 1000;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  return tf.sequential({
    name: "gesture_cnn",
    layers: [
      tf.layers.conv2d({ inputShape: [opts.steps, 1, opts.channels ?? 6], filters: f1, kernelSize: [k, 1], padding: "same", activation: "relu", kernelInitializer: init() }),
      tf.layers.maxPooling2d({ poolSize: [2, 1] }),
      tf.layers.conv2d({ filters: f2, kernelSize: [k, 1], padding: "same", activation: "relu", kernelInitializer: init() }),
      tf.layers.maxPooling2d({ poolSize: [2, 1] }),
      tf.layers.flatten(),
      tf.layers.dense({ units: opts.classes ?? 4, activation: "softmax", kernelInitializer: init() }),
    ],
  });
}
