/**
 * tinyml-kit: the library behind the course. Each area is a namespace here; notebooks and programs usually import
 * one area directly, e.g. `import { show, lineChart } from "tinyml-kit/viz/mod.ts"`.
 *
 * | area | what |
 * |---|---|
 * | `graph` | the model graph type shared by the reader, the engine, the planner and code generation |
 * | `quant`, `int8` | TFLite quantization math and int8 kernels, bit-exact with TFLite Micro; the interpreter |
 * | `tflite`, `tfliteRuntime` | .tflite read/write; TFLite itself (tfjs-tflite) for cross-checks |
 * | `plan` | tensor lifetimes → arena offsets; arena and flash bytes |
 * | `train`, `compress` | training on tfjs; pruning, quantization, distillation |
 * | `audio`, `data` | WAV, the micro_speech frontend, features; datasets, quality and bias tools |
 * | `deploy` | C code generation, arduino-cli and the Debian build engine, emulated boards |
 * | `security`, `privacy` | signed model updates, adversarial audio; DP training, federated learning |
 * | `apps` | the glue of the application lessons: KWS streaming, sensing, data lessons, deployment lessons |
 * | `course` | self-checked exercises, solutions on demand, TinyML's constraints as numbers |
 * | `viz`, `runtime`, `env`, `util` | figures and progress; the runtime adapter; environment checks; seeded PRNG |
 *
 * @module
 */
export type * as graph from "./graph/types.ts";
export * as apps from "./apps/mod.ts";
export * as audio from "./audio/mod.ts";
export * as compress from "./compress/mod.ts";
export * as course from "./course/mod.ts";
export * as data from "./data/mod.ts";
export * as deploy from "./deploy/mod.ts";
export * as env from "./env/mod.ts";
export * as int8 from "./int8/mod.ts";
export * as plan from "./plan/mod.ts";
export * as privacy from "./privacy/mod.ts";
export * as quant from "./quant/mod.ts";
export * as runtime from "./runtime/mod.ts";
export * as security from "./security/mod.ts";
export * as tflite from "./tflite/mod.ts";
export * as tfliteRuntime from "./tflite_runtime/mod.ts";
export * as train from "./train/mod.ts";
export * as util from "./util/random.ts";
export * as viz from "./viz/mod.ts";
