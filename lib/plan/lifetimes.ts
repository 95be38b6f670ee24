/**
 * Tensor lifetimes over the operator order: which op first writes each activation and which op last reads it.
 *
 * Conventions (as TFLite Micro's allocator uses them): graph inputs live from op 0, graph outputs to the
 * last op, variable tensors for the whole run; constants (tensors with `data`) live in flash and get no
 * lifetime. Lifetimes are inclusive: a tensor read by op k and another written by op k overlap.
 *
 * @module
 */
import type { Graph } from "../graph/types.ts";

/** Inclusive op-index range during which a tensor must stay in the arena. */
export interface Lifetime {
  /** Op that first needs the tensor (0 for graph inputs and variables). */
  first: number;
  /** Op that last needs it (the last op for graph outputs and variables). */
  last: number;
}

/** A graph the planner cannot lay out (e.g. an activation read before anything writes it). */
export class PlanError extends Error {
  constructor(readonly what: string, readonly where: string, readonly hint: string) {
    super(`${what} at ${where}: ${hint}`);
    this.name = "PlanError";
  }
}

/**
 * Lifetimes per tensor index; `undefined` for constants and for tensors no op or graph I/O touches.
 */
export function tensorLifetimes(graph: Graph): (Lifetime | undefined)[] {
  const n = graph.operators.length;
  const end = Math.max(n - 1, 0);
  const life: (Lifetime | undefined)[] = new Array(graph.tensors.length).fill(undefined);
  const isArena = (t: number) => t >= 0 && t < graph.tensors.length && graph.tensors[t].data === undefined;
  const touch = (t: number, k: number) => {
    const l = life[t];
    if (!l) life[t] = { first: k, last: k };
    else {
      l.first = Math.min(l.first, k);
      l.last = Math.max(l.last, k);
    }
  };
  for (const t of graph.inputs) if (isArena(t)) touch(t, 0);
  graph.tensors.forEach((t, i) => {
    if (t.isVariable && isArena(i)) {
      touch(i, 0);
      touch(i, end);
    }
  });
  const written = new Set<number>([...graph.inputs, ...graph.tensors.flatMap((t, i) => (t.isVariable ? [i] : []))]);
  graph.operators.forEach((op, k) => {
    op.inputs.forEach((t, j) => {
      if (!isArena(t)) return;
      if (!written.has(t)) {
        throw new PlanError(
          `tensor #${t} '${graph.tensors[t].name}' is read by op #${k} before any op writes it`,
          `operators[${k}].inputs[${j}]`,
          "make it a graph input, give it constant data, or reorder the operators so its producer runs first",
        );
      }
      touch(t, k);
    });
    for (const t of op.outputs) {
      if (!isArena(t)) continue;
      written.add(t);
      touch(t, k);
    }
  });
  for (const t of graph.outputs) if (isArena(t)) touch(t, end);
  return life;
}
