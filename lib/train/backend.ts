/**
 * Choosing the tfjs backend for training. The wasm backend is ~10× faster than the cpu backend for the course's
 * small conv nets once the gradient kernels it lacks are registered (see `wasm_gradients.ts`).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerWasmGradients } from "./wasm_gradients.ts";

/** Backends the kit trains on. */
export type TrainingBackend = "wasm" | "cpu";

/**
 * Selects the backend (default wasm, with the missing gradient kernels registered) and silences tfjs' console
 * hints about native Node backends. Returns the backend now in use.
 *
 * @example
 * ```ts
 * import { useBackend } from "tinyml-kit/train/mod.ts";
 * await useBackend();          // "wasm"
 * ```
 */
export async function useBackend(name: TrainingBackend = "wasm"): Promise<TrainingBackend> {
  tf.env().set("PROD", true);
  registerWasmGradients();
  if (!(await tf.setBackend(name))) {
    throw new Error(`tfjs backend "${name}" failed to initialise; try useBackend("cpu")`);
  }
  await tf.ready();
  return tf.getBackend() as TrainingBackend;
}
