/**
 * Runtime adapter: the only module that touches `Deno.*` / `Bun.*`.
 * @module
 */
export { env, isJupyter, jupyterApi, repoRoot, runtimeName } from "./runtime.ts";
export type { DenoJupyter, RuntimeName } from "./runtime.ts";
export { display, DisplayError } from "./display.ts";
export type { DisplayOptions, MimeBundle } from "./display.ts";
