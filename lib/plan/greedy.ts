/**
 * Greedy arena placement, after TFLite Micro's GreedyMemoryPlanner: take buffers largest first and put each
 * at the lowest offset where it does not overlap (in memory) any already placed buffer whose lifetime
 * overlaps its own. Simple, fast and usually within a few percent of optimal for chain-like models.
 *
 * @module
 */
import type { Lifetime } from "./lifetimes.ts";

/** One buffer to place: its size (already aligned) and lifetime. */
export interface BufferRequest extends Lifetime {
  size: number;
}

/** Rounds `n` up to a multiple of `alignment`. */
export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

/** Whether two inclusive lifetimes share an op. */
export function lifetimesOverlap(a: Lifetime, b: Lifetime): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/**
 * Offsets for each request (same order as given), all multiples of `alignment`.
 * Ties in size are broken by earlier first use, then by request order, so the result is deterministic.
 */
export function greedyPlace(requests: readonly BufferRequest[], alignment: number): number[] {
  const order = requests.map((_, i) => i).sort((a, b) =>
    requests[b].size - requests[a].size || requests[a].first - requests[b].first || a - b
  );
  const offsets = new Array<number>(requests.length).fill(-1);
  const placed: number[] = [];
  for (const i of order) {
    const r = requests[i];
    // Buffers alive at the same time, by offset: slide past each one that would collide.
    const rivals = placed.filter((j) => lifetimesOverlap(requests[j], r)).sort((a, b) => offsets[a] - offsets[b]);
    let at = 0;
    for (const j of rivals) {
      if (at + r.size <= offsets[j]) break;
      at = Math.max(at, alignUp(offsets[j] + requests[j].size, alignment));
    }
    offsets[i] = at;
    placed.push(i);
  }
  return offsets;
}
