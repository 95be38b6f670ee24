/**
 * The lesson deploy pipeline: one call at the end of every notebook turns an int8 graph into a sketch under
 * `sketches/<lesson>/`, checks it fits, compiles it, runs it on an emulated board and proves the board's
 * output is byte-identical to the notebook's.
 *
 * @example
 * ```ts
 * import { deployLesson } from "tinyml-kit/deploy/pipeline/mod.ts";
 * await deployLesson({ lesson: "02-one-neuron", graph: q.graph, board: "uno", samples });
 * ```
 * @module
 */
export { assertIdentical, BUILD_DIR, CORE_OVERHEAD, deployLesson, hostOutputs, lessonSketchExists, modelNameFor, SKETCHES_DIR, writeLessonSketch } from "./lesson.ts";
export type { DeployLessonOptions, DeployReport, MemoryUse } from "./lesson.ts";
export { formatBytes, formatDeployReport, memoryFigure } from "./report.ts";
export { DeployInputError, EmulationIncompleteError, OutputMismatchError } from "./errors.ts";
