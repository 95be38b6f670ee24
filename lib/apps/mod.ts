/**
 * The glue behind the course's application lessons, one namespace per course part: `kws` (sound, keyword spotting and wake-word lessons), `data` (dataset quality
 * and bias lessons), `sensing` (anomaly detection, gestures, sound events), `deployment` (the int8 runtime,
 * memory and speed, the responsible-deployment checklist). Lessons import a part directly, e.g.
 * `import { rocAuc } from "tinyml-kit/apps/sensing/mod.ts"`.
 * @module
 */
export * as data from "./data/mod.ts";
export * as deployment from "./deployment/mod.ts";
export * as kws from "./kws/mod.ts";
export * as sensing from "./sensing/mod.ts";
