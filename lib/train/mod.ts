/**
 * Training on TensorFlow.js: backend set-up (wasm, with the gradient kernels it lacks), the course's model
 * builders, and a seeded `fit` with progress and training curves.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fit, sineNet, useBackend } from "tinyml-kit/train/mod.ts";
 * await useBackend();
 * const model = sineNet({ seed: 1 });
 * model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });
 * ```
 * @module
 */
export * from "./backend.ts";
export * from "./fit.ts";
export * from "./models.ts";
export * from "./wasm_gradients.ts";
