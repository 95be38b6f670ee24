/**
 * Building and deploying Arduino sketches: board presets, arduino-cli, Debian's arduino-builder, bare arm-gcc.
 */
export * from "./errors.ts";
export * from "./types.ts";
export * from "./boards.ts";
export * from "./tools.ts";
export * from "./size.ts";
export * from "./sketch.ts";
export * from "./cli.ts";
export * from "./builder.ts";
export * from "./armgcc.ts";
export * from "./fit.ts";
export * from "./compile.ts";
