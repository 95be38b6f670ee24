/**
 * Memory planning: tensor lifetimes and arena offsets (TFLite Micro's greedy strategy), flash use.
 *
 * @module
 */
export { alignUp, greedyPlace, lifetimesOverlap } from "./greedy.ts";
export type { BufferRequest } from "./greedy.ts";
export { PlanError, tensorLifetimes } from "./lifetimes.ts";
export type { Lifetime } from "./lifetimes.ts";
export { formatPlan, planMemory } from "./plan.ts";
export type { FlashUsage, MemoryPlan, PlannedTensor, PlanOptions } from "./plan.ts";
