/**
 * Privacy for TinyML: differentially private training (DP-SGD with an RDP accountant), federated averaging over
 * simulated devices, and membership inference to measure what a model leaks.
 * @module
 */
export * from "./dp/mod.ts";
export { PrivacyInputError } from "./errors.ts";
export * from "./federated/mod.ts";
export * from "./membership/mod.ts";
export * from "./metrics.ts";
