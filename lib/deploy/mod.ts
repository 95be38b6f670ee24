/**
 * From an int8 model to a board: C code generation, the arduino-cli wrapper (and Debian's arduino-builder when
 * arduino-cli is absent), emulated boards, and the one-call lesson pipeline.
 *
 * @example
 * ```ts
 * import { pipeline } from "tinyml-kit/deploy/mod.ts";
 * await pipeline.deployLesson({ lesson: "my-model", graph, board: "uno", samples });
 * ```
 * @module
 */
export * as arduino from "./arduino/mod.ts";
export * as codegen from "./codegen/mod.ts";
export * as emulate from "./emulate/mod.ts";
export * as kws from "./kws/mod.ts";
export * as pipeline from "./pipeline/mod.ts";
export * as sensors from "./sensors/mod.ts";
