/**
 * Differentially private training: per-example gradients, clipping and noise (DP-SGD), and an RDP accountant
 * for the Poisson-subsampled Gaussian mechanism that reports (ε, δ).
 *
 * @example
 * ```ts
 * import { dpFit } from "tinyml-kit/privacy/dp/mod.ts";
 * const r = await dpFit(model, xTrain, yTrain, { epochs: 10, batchSize: 64, clipNorm: 1, noiseMultiplier: 1.1 });
 * console.log(r.privacy.epsilon);
 * ```
 * @module
 */
export * from "./accountant.ts";
export * from "./dp_sgd.ts";
export * from "./per_example.ts";
