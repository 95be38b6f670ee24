/**
 * Where generated code keeps its activations: one static arena, offsets from the kit's memory planner.
 *
 * @module
 */
import type { Graph } from "../../graph/types.ts";
import { planMemory } from "../../plan/mod.ts";

/** Where each activation tensor lives. */
export interface ArenaPlan {
  /** Bytes the arena needs. */
  arenaBytes: number;
  /** Tensor index -> byte offset in the arena (only activations; constants are absent). */
  offsets: Map<number, number>;
  /** Tensor index -> index of the tensor whose buffer it shares (RESHAPE outputs), for comments. */
  aliases: Map<number, number>;
}

const BYTES: Record<string, number> = { float32: 4, int8: 1, uint8: 1, int16: 2, int32: 4, int64: 8, bool: 1 };

/** Bytes of one tensor. */
export function tensorBytes(graph: Graph, index: number): number {
  const t = graph.tensors[index];
  return t.shape.reduce((a, b) => a * b, 1) * (BYTES[t.dtype] ?? 1);
}

/** Is this tensor an activation (lives in the arena) rather than a constant? */
export function isActivation(graph: Graph, index: number): boolean {
  return index >= 0 && graph.tensors[index].data === undefined;
}

/**
 * Plans the arena with the kit's memory planner (`lib/plan`, TFLite Micro's greedy strategy), 4-byte aligned,
 * RESHAPE outputs sharing their input's bytes. `fusedConvFc` maps each convolution op fused with the
 * FULLY_CONNECTED after it to the intermediate tensor that is never stored: that tensor gets no space, and the
 * convolution's inputs stay alive while the FULLY_CONNECTED writes (the pair runs as one step).
 *
 * @example
 * const { arenaBytes, offsets } = planArena(graph);
 */
export function planArena(graph: Graph, fusedConvFc: ReadonlyMap<number, number> = new Map()): ArenaPlan {
  const planGraph: Graph = {
    ...graph,
    operators: graph.operators.map((op, k) => {
      if (fusedConvFc.has(k)) return { ...op, outputs: op.outputs.filter((t) => t !== fusedConvFc.get(k)) };
      if (fusedConvFc.has(k - 1)) {
        const gone = fusedConvFc.get(k - 1);
        return { ...op, inputs: [...op.inputs.map((t) => (t === gone ? -1 : t)), ...graph.operators[k - 1].inputs] };
      }
      return op;
    }),
  };
  const plan = planMemory(planGraph, { alignment: 4, shareReshape: true });
  return { arenaBytes: plan.arenaBytes, offsets: plan.offsets, aliases: plan.aliases };
}
