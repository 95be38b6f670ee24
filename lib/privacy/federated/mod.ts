/**
 * Federated learning, simulated on one machine: client splits (IID, label skew, Dirichlet), federated averaging
 * with per-round global accuracy, and what leaves a device in bytes.
 *
 * @example
 * ```ts
 * import { fedAvg, labelSkewSplit } from "tinyml-kit/privacy/federated/mod.ts";
 * const r = await fedAvg(model, x, y, { clients: labelSkewSplit(labels, 10, 2), rounds: 10, localEpochs: 1,
 *   batchSize: 16, learningRate: 0.1, test: { x: xTest, y: yTest } });
 * ```
 * @module
 */
export * from "./fedavg.ts";
export * from "./payload.ts";
export * from "./splits.ts";
