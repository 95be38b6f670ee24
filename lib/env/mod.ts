/**
 * Environment checks: which tools the course can use on this machine.
 *
 * @example
 * ```ts
 * import { checkTools, formatToolChecks } from "tinyml-kit/env/mod.ts";
 * console.log(formatToolChecks(checkTools()));
 * ```
 * @module
 */
export * from "./check.ts";
