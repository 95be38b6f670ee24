/**
 * The model builders the course trains, as tfjs layers models. Every initializer is seeded, so a builder called
 * with the same options gives the same weights.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Hands out seeded initializers, one seed per layer, from a base seed. */
class Seeds {
  #next: number;
  constructor(seed: number) {
    this.#next = seed * 1000;
  }
  glorot() {
    return tf.initializers.glorotUniform({ seed: this.#next++ });
  }
}

/** Options shared by every builder. */
export interface BuildOptions {
  /** Base seed of the weight initializers (default 0). */
  seed?: number;
}

/** Options of {@link denseNet}. */
export interface DenseNetOptions extends BuildOptions {
  inputs: number;
  hidden: number[];
  outputs: number;
  /** Hidden activation (default relu). */
  activation?: "relu" | "tanh" | "sigmoid";
  /** Output activation (default linear; "softmax" for classifiers). */
  outputActivation?: "linear" | "softmax" | "sigmoid";
}

/** A fully connected network: inputs → hidden layers → outputs. */
export function denseNet(opts: DenseNetOptions): tf.Sequential {
  const seeds = new Seeds(opts.seed ?? 0);
  const model = tf.sequential({ name: "dense_net" });
  opts.hidden.forEach((units, i) =>
    model.add(tf.layers.dense({
      units,
      activation: opts.activation ?? "relu",
      kernelInitializer: seeds.glorot(),
      ...(i === 0 ? { inputShape: [opts.inputs] } : {}),
    }))
  );
  model.add(tf.layers.dense({
    units: opts.outputs,
    activation: opts.outputActivation ?? "linear",
    kernelInitializer: seeds.glorot(),
    ...(opts.hidden.length === 0 ? { inputShape: [opts.inputs] } : {}),
  }));
  return model;
}

/** TFLite Micro's "hello world": x → sin(x) with two hidden layers of 16 ReLUs. */
export function sineNet(opts: BuildOptions & { hidden?: number } = {}): tf.Sequential {
  const h = opts.hidden ?? 16;
  return denseNet({ inputs: 1, hidden: [h, h], outputs: 1, seed: opts.seed });
}

/** Options of {@link digitsCnn}. */
export interface DigitsCnnOptions extends BuildOptions {
  /** Image size: 8 for the 8×8 digits, 28 for MNIST. */
  size: number;
  classes?: number;
  /** Filters of the two conv blocks (default [8, 16]). */
  filters?: [number, number];
}

/** A small CNN for digit images: two conv 3×3 + max-pool blocks, then a softmax classifier. */
export function digitsCnn(opts: DigitsCnnOptions): tf.Sequential {
  const seeds = new Seeds(opts.seed ?? 0);
  const [f1, f2] = opts.filters ?? [8, 16];
  return tf.sequential({
    name: `digits_cnn_${opts.size}`,
    layers: [
      tf.layers.conv2d({
        inputShape: [opts.size, opts.size, 1],
        filters: f1,
        kernelSize: 3,
        padding: "same",
        activation: "relu",
        kernelInitializer: seeds.glorot(),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: f2, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: seeds.glorot() }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: opts.classes ?? 10, activation: "softmax", kernelInitializer: seeds.glorot() }),
    ],
  });
}

/** Options of the keyword-spotting builders. */
export interface KwsOptions extends BuildOptions {
  /** Feature frames (default 49: 1 s at a 20 ms stride). */
  frames?: number;
  /** Features per frame (default 40 filterbank channels). */
  channels?: number;
  /** Output classes (default 4: silence, unknown, yes, no). */
  labels?: number;
}

/**
 * micro_speech's `tiny_conv`: one 10×8 convolution with 8 filters at stride 2, ReLU, then a softmax layer
 * (TFLite converts the single-input-channel conv to DEPTHWISE_CONV_2D).
 */
export function tinyConv(opts: KwsOptions = {}): tf.Sequential {
  const seeds = new Seeds(opts.seed ?? 0);
  return tf.sequential({
    name: "tiny_conv",
    layers: [
      tf.layers.conv2d({
        inputShape: [opts.frames ?? 49, opts.channels ?? 40, 1],
        filters: 8,
        kernelSize: [10, 8],
        strides: 2,
        padding: "same",
        activation: "relu",
        kernelInitializer: seeds.glorot(),
      }),
      tf.layers.flatten(),
      tf.layers.dense({ units: opts.labels ?? 4, activation: "softmax", kernelInitializer: seeds.glorot() }),
    ],
  });
}

/** Options of {@link dsCnn}. */
export interface DsCnnOptions extends KwsOptions {
  /** Filters of every block (default 64, MLPerf Tiny's DS-CNN small). */
  filters?: number;
  /** Depthwise-separable blocks (default 4). */
  blocks?: number;
  /** Batch normalisation after each conv (default true; folded into the convs when quantizing). */
  batchNorm?: boolean;
}

/**
 * MLPerf Tiny's DS-CNN for keyword spotting: a 10×4 stride-2 convolution, then depthwise-separable blocks
 * (3×3 depthwise + 1×1 pointwise, each with batch norm and ReLU), global average pooling and a softmax layer.
 */
export function dsCnn(opts: DsCnnOptions = {}): tf.Sequential {
  const seeds = new Seeds(opts.seed ?? 0);
  const filters = opts.filters ?? 64;
  const bn = opts.batchNorm ?? true;
  const frames = opts.frames ?? 49;
  const channels = opts.channels ?? 40;
  const model = tf.sequential({ name: "ds_cnn" });
  const normAndRelu = () => {
    if (bn) model.add(tf.layers.batchNormalization());
    model.add(tf.layers.reLU());
  };
  model.add(tf.layers.conv2d({
    inputShape: [frames, channels, 1],
    filters,
    kernelSize: [10, 4],
    strides: 2,
    padding: "same",
    useBias: !bn,
    kernelInitializer: seeds.glorot(),
  }));
  normAndRelu();
  for (let b = 0; b < (opts.blocks ?? 4); b++) {
    model.add(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: "same", useBias: !bn, depthwiseInitializer: seeds.glorot() }));
    normAndRelu();
    model.add(tf.layers.conv2d({ filters, kernelSize: 1, useBias: !bn, kernelInitializer: seeds.glorot() }));
    normAndRelu();
  }
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: opts.labels ?? 12, activation: "softmax", kernelInitializer: seeds.glorot() }));
  return model;
}

/** Options of {@link autoencoder}. */
export interface AutoencoderOptions extends BuildOptions {
  inputs: number;
  /** Encoder widths (the decoder mirrors them; default [128, 128, 128] as MLPerf Tiny's anomaly detector). */
  hidden?: number[];
  /** Bottleneck width (default 8). */
  bottleneck?: number;
}

/** A dense autoencoder for anomaly detection: reconstruction error is the anomaly score. */
export function autoencoder(opts: AutoencoderOptions): tf.Sequential {
  const hidden = opts.hidden ?? [128, 128, 128];
  return denseNet({
    inputs: opts.inputs,
    hidden: [...hidden, opts.bottleneck ?? 8, ...[...hidden].reverse()],
    outputs: opts.inputs,
    seed: opts.seed,
  });
}
