/**
 * The int8 inference engine: TFLite Micro's reference integer kernels (bit-exact), a fast path for the
 * heavy ops, float32 kernels, per-op Prepare, and an interpreter with layer-by-layer tracing.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./params.ts";
export * from "./padding.ts";
export { numElements, perChannelMultipliers, prepareOp } from "./prepare.ts";
export { evalOp, type KernelSet } from "./eval.ts";
export * from "./interpreter.ts";
export * from "./fully_connected.ts";
export * from "./conv.ts";
export { convInt8Fast, depthwiseConvInt8Fast, fullyConnectedInt8Fast } from "./fast.ts";
export * from "./pooling.ts";
export * from "./softmax.ts";
export * from "./arithmetic.ts";
export * from "./mean.ts";
export * from "./activations.ts";
export * from "./shape_ops.ts";
export * from "./quantize.ts";
export { MIN_WASM_MACS, wasmSimdAvailable } from "./wasm/engine.ts";
