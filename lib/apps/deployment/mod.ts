/**
 * Helpers for Course 3 (deployment) lessons: requantization step by step, layer-by-layer comparison of the
 * notebook's interpreter with the emulated board, cycles and instructions per inference on emulated boards
 * (MLPerf-Tiny-style median latency), memory views (arena picture, board fit table), and a
 * responsible-deployment checklist.
 *
 * @module
 */
export { DeploymentLessonError } from "./errors.ts";
export { requantizeFullyConnected } from "./requantize.ts";
export type { RequantizationSteps } from "./requantize.ts";
export { compareTraces, formatTraceComparison, hostTrace, instrumentModelSource, traceOnCortexM4 } from "./device_trace.ts";
export type { DeviceLayer, DeviceTrace, LayerComparison, TraceOnCortexM4Options } from "./device_trace.ts";
export { avrTimingMain, measureAvrInference } from "./avr_timing.ts";
export type { AvrTiming, AvrTimingOptions } from "./avr_timing.ts";
export { countInstructionsBetween, measureCortexM4Inference } from "./m4_timing.ts";
export type { CortexM4Timing, CortexM4TimingOptions } from "./m4_timing.ts";
export { formatLatency, latencySummary, median } from "./latency.ts";
export type { LatencySummary } from "./latency.ts";
export { arenaFigure, fitAcrossBoards, formatBoardFits } from "./memory.ts";
export type { BoardFit } from "./memory.ts";
export {
  atLeast, atMost, CHECKLIST_AREAS, checklistMarkdown, checklistProblems, holds, renderChecklist, summarizeChecklist,
} from "./checklist.ts";
export type { ChecklistArea, ChecklistItem, ChecklistStatus, ChecklistSummary } from "./checklist.ts";
