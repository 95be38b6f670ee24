/**
 * A small wake-word model: tiny_conv's shape (one 10×8 convolution, then a softmax layer) with fewer
 * filters and a wider stride across frequency, so a board — and a notebook sweeping thresholds over minutes
 * of audio — can score a window every few tens of milliseconds.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { KWS_CHANNELS, KWS_FRAMES } from "./features.ts";

/** Options of {@link wakeWordNet}. */
export interface WakeWordNetOptions {
  /** Convolution filters (default 4). */
  filters?: number;
  /** Stride over [time, frequency] (default [2, 2]). */
  strides?: [number, number];
  /** Output classes (default 2: other, wake word). */
  labels?: number;
  frames?: number;
  channels?: number;
  /** Seed of the initializers (default 0). */
  seed?: number;
}

/**
 * conv 10×8 (`filters`, ReLU, `strides`) → flatten → softmax. With the defaults: 49×40 input, 25×20×4
 * feature map, 160 000 MACs for the convolution and 4 000 for the classifier.
 * @example
 * const model = wakeWordNet({ seed: 1 });
 */
export function wakeWordNet(opts: WakeWordNetOptions = {}): tf.Sequential {
  const seed = (opts.seed ?? 0) * 1000;
  return tf.sequential({
    name: "wake_word_net",
    layers: [
      tf.layers.conv2d({
        inputShape: [opts.frames ?? KWS_FRAMES, opts.channels ?? KWS_CHANNELS, 1],
        filters: opts.filters ?? 4,
        kernelSize: [10, 8],
        strides: opts.strides ?? [2, 2],
        padding: "same",
        activation: "relu",
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
      tf.layers.flatten(),
      tf.layers.dense({ units: opts.labels ?? 2, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}
