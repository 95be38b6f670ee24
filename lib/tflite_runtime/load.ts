/**
 * TensorFlow Lite (C++, compiled to WebAssembly by @tensorflow/tfjs-tflite) as a cross-check runtime.
 *
 * tfjs-tflite's own loader expects a browser; here its emscripten module is instantiated directly with
 * the wasm bytes (`wasmBinary`), which works in Node, Deno and Bun. Its int8 FULLY_CONNECTED/CONV_2D go
 * through XNNPACK (floating-point requantization), so results may differ from TFLM's integer reference by
 * a few LSB: use it as a cross-check, not as the exact oracle.
 *
 * @module
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** A loaded model: run it on typed-array inputs, get typed-array outputs. */
export interface TfliteRuntime {
  /** Input tensors as TFLite reports them. */
  inputs: RuntimeTensorInfo[];
  /** Output tensors as TFLite reports them. */
  outputs: RuntimeTensorInfo[];
  /** Copy the inputs in, invoke, and return copies of the outputs. */
  run(inputs: ArrayLike<number>[]): TypedOutput[];
  /** Free the model's wasm memory. */
  dispose(): void;
}

/** Name, shape and dtype of one runtime tensor. */
export interface RuntimeTensorInfo {
  name: string;
  shape: number[];
  dtype: string;
}

/** Output data of the runtime. */
export type TypedOutput = Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** Options of {@link loadTfliteRuntime}. */
export interface TfliteRuntimeOptions {
  /** Threads for XNNPACK (the non-threaded build is used; default 1). */
  numThreads?: number;
  /** Use the SIMD build (default true). */
  simd?: boolean;
}

/** Raised when the runtime cannot be loaded or refuses a model. */
export class TfliteRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TfliteRuntimeError";
  }
}

// deno-lint-ignore no-explicit-any
type EmModule = any;

const modules = new Map<string, Promise<EmModule>>();

function wasmDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve("@tensorflow/tfjs-tflite/package.json")), "wasm");
  } catch {
    throw new TfliteRuntimeError(
      "@tensorflow/tfjs-tflite is not installed; run `npm install` in the repository (it is a dependency)",
    );
  }
}

/** Instantiate (once per build flavour) the emscripten module of tfjs-tflite. */
function loadModule(simd: boolean): Promise<EmModule> {
  const key = simd ? "simd" : "plain";
  let m = modules.get(key);
  if (!m) {
    const dir = wasmDir();
    const base = simd ? "tflite_web_api_cc_simd" : "tflite_web_api_cc";
    const require = createRequire(import.meta.url);
    const factory = require(join(dir, `${base}.js`));
    const wasmBinary = readFileSync(join(dir, `${base}.wasm`));
    m = factory({ wasmBinary, print: () => {}, printErr: () => {} }) as Promise<EmModule>;
    modules.set(key, m);
  }
  return m;
}

function toArray(vec: EmModule): EmModule[] {
  const out: EmModule[] = [];
  try {
    for (let i = 0; i < vec.size(); i++) out.push(vec.get(i));
  } finally {
    vec.delete();
  }
  return out;
}

/**
 * Load a .tflite model into TensorFlow Lite's WebAssembly runtime.
 *
 * @example
 * const rt = await loadTfliteRuntime(bytes);
 * const [scores] = rt.run([features]); // Int8Array
 */
export async function loadTfliteRuntime(modelBytes: Uint8Array, options: TfliteRuntimeOptions = {}): Promise<TfliteRuntime> {
  const mod = await loadModule(options.simd ?? true);
  const ptr = mod._malloc(modelBytes.length);
  mod.HEAPU8.set(modelBytes, ptr);
  const status = mod.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, modelBytes.length, {
    numThreads: options.numThreads ?? 1,
    enableProfiling: false,
    maxProfilingBufferEntries: 1024,
  });
  if (!status || !status.ok()) {
    const msg = status ? status.errorMessage() : "no status";
    mod._free(ptr);
    throw new TfliteRuntimeError(`TFLite refused the model: ${msg}`);
  }
  const runner = status.value();
  const inputTensors = toArray(runner.GetInputs());
  const outputTensors = toArray(runner.GetOutputs());
  const info = (t: EmModule): RuntimeTensorInfo => ({
    name: t.name,
    shape: String(t.shape).split(",").map(Number),
    dtype: t.dataType,
  });
  // data() views into wasm memory; refresh them if the memory grew (the old buffer is then detached).
  let inViews: TypedOutput[] = inputTensors.map((t) => t.data());
  let outViews: TypedOutput[] = outputTensors.map((t) => t.data());
  const refresh = () => {
    if (inViews.some((v) => v.buffer !== mod.HEAPU8.buffer) || outViews.some((v) => v.buffer !== mod.HEAPU8.buffer)) {
      inViews = inputTensors.map((t) => t.data());
      outViews = outputTensors.map((t) => t.data());
    }
  };
  return {
    inputs: inputTensors.map(info),
    outputs: outputTensors.map(info),
    run(inputs: ArrayLike<number>[]): TypedOutput[] {
      if (inputs.length !== inViews.length) {
        throw new TfliteRuntimeError(`the model takes ${inViews.length} input(s), got ${inputs.length}`);
      }
      refresh();
      inputs.forEach((x, i) => {
        if (x.length !== inViews[i].length) {
          throw new TfliteRuntimeError(`input ${i} needs ${inViews[i].length} values, got ${x.length}`);
        }
        inViews[i].set(x);
      });
      if (!runner.Infer()) throw new TfliteRuntimeError("TFLite failed to run inference");
      refresh();
      return outViews.map((v) => v.slice());
    },
    dispose() {
      runner.delete();
      mod._free(ptr);
    },
  };
}
