/**
 * Pruning: magnitude pruning of synapses (schedules, n:m patterns, masks kept during fine-tuning, a sparsity
 * report) and structured pruning of neurons/filters that builds a smaller model.
 * @module
 */
export { constantSparsity, polynomialDecay } from "./schedule.ts";
export type { PolynomialDecayOptions, PruningSchedule } from "./schedule.ts";
export { magnitudeMask, nmMask, pruneFit, PruningMasks, pruneNow } from "./magnitude.ts";
export type { MagnitudePruneOptions, MaskEntry, NmPattern, PruneFitOptions } from "./magnitude.ts";
export { sparsityReport } from "./report.ts";
export type { LayerSparsity, SparsityReport } from "./report.ts";
export { pruneUnits, sliceAxis, unitNorms } from "./structured.ts";
export type { Saliency, StructuredPruneOptions, StructuredPruneResult, UnitPruning } from "./structured.ts";
