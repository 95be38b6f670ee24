/**
 * TensorFlow Lite's own runtime (WebAssembly, from @tensorflow/tfjs-tflite) for cross-checks and benches.
 *
 * @module
 */
export { loadTfliteRuntime, TfliteRuntimeError } from "./load.ts";
export type { RuntimeTensorInfo, TfliteRuntime, TfliteRuntimeOptions, TypedOutput } from "./load.ts";
