/**
 * Course helpers: self-checking exercises, solutions on demand, and TinyML's constraints as numbers
 * (boards, battery life, cloud vs edge).
 *
 * @example
 * ```ts
 * import { batteryLifeHours, check, solution } from "tinyml-kit/course/mod.ts";
 * check("coin cell, 1% duty", batteryLifeHours(225, 30, 0.01, 0.01), (h) => h > 24 * 30);
 * solution("01-battery");
 * ```
 * @module
 */
export { check, isClose } from "./check.ts";
export type { CheckOptions, Expectation } from "./check.ts";
export { exerciseIds, solution, solutionText, UnknownExerciseError } from "./solution.ts";
export {
  averagePowerMw,
  batteryLifeHours,
  boardTable,
  cloudVsEdge,
  ConstraintInputError,
  formatBoardTable,
  transferSeconds,
} from "./constraints.ts";
export type { BoardRow, CloudVsEdge, CloudVsEdgeOptions } from "./constraints.ts";
export { gradientDescent, linspace, lossSurface, mseGradient, mseLoss } from "./descent.ts";
export type { DescentOptions, DescentStep } from "./descent.ts";
export { conv2d, ImageShapeError, maxPool2d, relu2d, tileImages, toImage } from "./images.ts";
export type { Image2D } from "./images.ts";
export { confusionCounts } from "./metrics.ts";
