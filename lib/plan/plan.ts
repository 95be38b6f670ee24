/**
 * `planMemory`: where each activation lives in the tensor arena, how big the arena is, and how much flash
 * the constants take. The result is a plain object; C code generation uses the same numbers.
 *
 * @module
 */
import type { DType, Graph } from "../graph/types.ts";
import { DTYPE_BYTES } from "../tflite/data.ts";
import { alignUp, greedyPlace } from "./greedy.ts";
import { type Lifetime, tensorLifetimes } from "./lifetimes.ts";


/** One activation placed in the arena. */
export interface PlannedTensor {
  tensor: number;
  name: string;
  shape: number[];
  dtype: DType;
  /** Exact size in bytes. */
  bytes: number;
  /** Size rounded up to the alignment: the space it takes in the arena. */
  alignedBytes: number;
  first: number;
  last: number;
  offset: number;
  /** With `shareReshape`: index of the tensor whose buffer this RESHAPE output shares. */
  alias?: number;
}

/** Flash (read-only) bytes of the model's constants. */
export interface FlashUsage {
  /** Constant data other than biases (weights, filters, shape tensors, lookup tables). */
  weights: number;
  /** Bias constants (input 2 of CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED). */
  biases: number;
  /** Quantization parameters: 8 bytes (float32 scale + int32 zero point) per channel of every quantized tensor. */
  quantParams: number;
  total: number;
}

/** The memory plan of a graph. */
export interface MemoryPlan {
  /** Arena bytes needed for activations (a multiple of `alignment`). */
  arenaBytes: number;
  alignment: number;
  /** Arena offset per tensor index, for the tensors in the arena (constants and unused tensors are absent). */
  offsets: Map<number, number>;
  /** RESHAPE output → the tensor whose buffer it shares (empty unless `shareReshape`). */
  aliases: Map<number, number>;
  /** Lifetime per tensor index; undefined where not in the arena. */
  lifetimes: (Lifetime | undefined)[];
  /** The arena tensors, in tensor-index order. */
  tensors: PlannedTensor[];
  /** Arena bytes with no reuse at all (every activation its own buffer, no sharing), for contrast. */
  naiveBytes: number;
  /** Largest sum of aligned buffer sizes alive at one op: no plan with these buffers can be smaller. */
  maxLiveBytes: number;
  /** Op index at which `maxLiveBytes` is reached. */
  peakOp: number;
  flashBytes: FlashUsage;
  /** The plan as a text table (see {@link formatPlan}). */
  table(): string;
}

/** Options for {@link planMemory}. */
export interface PlanOptions {
  /** Byte alignment of every buffer (default 16, as TFLite Micro's arena uses). */
  alignment?: number;
  /**
   * Let each RESHAPE output share its input's buffer (same bytes, new shape), as generated C code can.
   * Default false: TFLite Micro's allocator gives every tensor its own buffer, and so does this plan.
   */
  shareReshape?: boolean;
}

function flashUsage(graph: Graph): FlashUsage {
  const biasInputs = new Set<number>();
  for (const op of graph.operators) {
    const o = op.options.op;
    if ((o === "CONV_2D" || o === "DEPTHWISE_CONV_2D" || o === "FULLY_CONNECTED") && op.inputs[2] >= 0) {
      biasInputs.add(op.inputs[2]);
    }
  }
  let weights = 0;
  let biases = 0;
  let quantParams = 0;
  graph.tensors.forEach((t, i) => {
    if (t.data) {
      const bytes = t.data.length * DTYPE_BYTES[t.dtype];
      if (biasInputs.has(i)) biases += bytes;
      else weights += bytes;
    }
    if (t.quant) quantParams += 8 * t.quant.scale.length;
  });
  return { weights, biases, quantParams, total: weights + biases + quantParams };
}

/**
 * Plans the tensor arena: lifetimes from the op order, then greedy largest-first placement at 16-byte
 * aligned offsets (TFLite Micro's GreedyMemoryPlanner strategy). Throws {@link PlanError} when an
 * activation is read before it is written. The result also fits `lib/deploy/codegen`'s `ArenaPlan`
 * (`arenaBytes`, `offsets`, `aliases`); for generated C, `{ alignment: 4, shareReshape: true }` is typical.
 *
 * @example
 * ```ts
 * const plan = planMemory(readTflite(bytes));
 * console.log(plan.arenaBytes, plan.flashBytes.total);
 * console.log(plan.table());
 * ```
 */
export function planMemory(graph: Graph, opts: PlanOptions = {}): MemoryPlan {
  const alignment = opts.alignment ?? 16;
  const lifetimes = tensorLifetimes(graph);
  const tensors: PlannedTensor[] = [];
  lifetimes.forEach((l, i) => {
    if (!l) return;
    const t = graph.tensors[i];
    const bytes = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
    tensors.push({
      tensor: i,
      name: t.name,
      shape: [...t.shape],
      dtype: t.dtype,
      bytes,
      alignedBytes: alignUp(bytes, alignment),
      first: l.first,
      last: l.last,
      offset: -1,
    });
  });
  const aliases = opts.shareReshape ? reshapeAliases(graph, lifetimes) : new Map<number, number>();

  // One buffer per alias group (per tensor without sharing): lifetime and size span the group.
  const groupOf = (t: number) => aliases.get(t) ?? t;
  const buffers = new Map<number, { size: number; first: number; last: number }>();
  for (const t of tensors) {
    const g = groupOf(t.tensor);
    const b = buffers.get(g);
    if (!b) buffers.set(g, { size: t.alignedBytes, first: t.first, last: t.last });
    else {
      b.size = Math.max(b.size, t.alignedBytes);
      b.first = Math.min(b.first, t.first);
      b.last = Math.max(b.last, t.last);
    }
  }
  const roots = [...buffers.keys()];
  const placed = greedyPlace(roots.map((g) => buffers.get(g)!), alignment);
  const offsetOfGroup = new Map(roots.map((g, k) => [g, placed[k]]));
  const offsets = new Map<number, number>();
  for (const t of tensors) {
    t.offset = offsetOfGroup.get(groupOf(t.tensor))!;
    if (aliases.has(t.tensor)) t.alias = aliases.get(t.tensor);
    offsets.set(t.tensor, t.offset);
  }

  let maxLiveBytes = 0;
  let peakOp = 0;
  for (let k = 0; k < Math.max(graph.operators.length, 1); k++) {
    let live = 0;
    for (const b of buffers.values()) if (b.first <= k && k <= b.last) live += b.size;
    if (live > maxLiveBytes) [maxLiveBytes, peakOp] = [live, k];
  }
  let arenaBytes = 0;
  roots.forEach((g, k) => (arenaBytes = Math.max(arenaBytes, placed[k] + buffers.get(g)!.size)));
  const plan: MemoryPlan = {
    arenaBytes,
    alignment,
    offsets,
    aliases,
    lifetimes,
    tensors,
    naiveBytes: tensors.reduce((s, t) => s + t.alignedBytes, 0),
    maxLiveBytes,
    peakOp,
    flashBytes: flashUsage(graph),
    table: () => formatPlan(plan),
  };
  return plan;
}

/** RESHAPE output → root tensor of the buffer it can share (input and output both activations, same size). */
function reshapeAliases(graph: Graph, lifetimes: readonly (Lifetime | undefined)[]): Map<number, number> {
  const aliases = new Map<number, number>();
  for (const op of graph.operators) {
    if (op.options.op !== "RESHAPE") continue;
    const [src, dst] = [op.inputs[0], op.outputs[0]];
    if (!lifetimes[src] || !lifetimes[dst]) continue;
    const bytes = (t: number) => graph.tensors[t].shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[graph.tensors[t].dtype];
    if (bytes(src) !== bytes(dst)) continue;
    aliases.set(dst, aliases.get(src) ?? src);
  }
  return aliases;
}

/** Lays out rows as a text table: numbers right-aligned, text left-aligned. */
function textTable(header: string[], rows: string[][], numeric: boolean[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((v, c) => (numeric[c] ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/**
 * The plan as a text table (tensor, shape, bytes, first/last op, offset, sorted by offset) with totals:
 * arena vs. no-reuse vs. peak live set, and flash use.
 */
export function formatPlan(plan: MemoryPlan): string {
  const rows = [...plan.tensors]
    .sort((a, b) => a.offset - b.offset || a.first - b.first)
    .map((t) => [
      `${t.tensor}`,
      t.name.length > 40 ? `…${t.name.slice(-39)}` : t.name,
      `${t.dtype}[${t.shape.join("×")}]`,
      `${t.bytes}`,
      `${t.first}`,
      `${t.last}`,
      `${t.offset}`,
      `${t.offset + t.alignedBytes}`,
      t.alias !== undefined ? `= #${t.alias}` : "",
    ]);
  const f = plan.flashBytes;
  return [
    textTable(
      ["#", "tensor", "shape", "bytes", "first op", "last op", "offset", "end", plan.aliases.size ? "shares" : ""],
      rows,
      [true, false, false, true, true, true, true, true, false],
    ),
    "",
    `arena: ${plan.arenaBytes} bytes (${plan.alignment}-byte aligned); no reuse: ${plan.naiveBytes}; ` +
    `peak live set: ${plan.maxLiveBytes} at op ${plan.peakOp}`,
    `flash: ${f.total} bytes = weights ${f.weights} + biases ${f.biases} + quantization params ${f.quantParams}`,
  ].join("\n");
}
