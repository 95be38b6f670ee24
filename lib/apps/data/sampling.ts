/** Making a dataset unrepresentative on purpose, to study what that does (the bias lesson). */
import { mulberry32, shuffle } from "../../util/random.ts";
import { DataLessonError } from "./errors.ts";

/**
 * Indices of the examples left when only `keepFraction` of one group's speakers were recorded (whole
 * speakers are dropped, as in a real collection; every other group is kept). Deterministic for a seed.
 * @example
 * const idx = underRepresent(speakers, accentGroups, "foreign accent", 0.25, 1);
 */
export function underRepresent(
  speakers: ArrayLike<string>, groups: ArrayLike<string>, group: string, keepFraction: number, seed = 0,
): number[] {
  if (speakers.length !== groups.length) throw new DataLessonError(`${speakers.length} speakers but ${groups.length} groups`);
  if (!(keepFraction >= 0 && keepFraction <= 1)) throw new DataLessonError(`keepFraction must be in [0, 1], got ${keepFraction}`);
  const inGroup = [...new Set(Array.from(speakers).filter((_, i) => groups[i] === group))].sort();
  if (inGroup.length === 0) throw new DataLessonError(`no speaker in group "${group}"; groups are: ${[...new Set(Array.from(groups))].join(", ")}`);
  const kept = new Set(shuffle(inGroup, mulberry32(seed)).slice(0, Math.round(keepFraction * inGroup.length)));
  return Array.from({ length: speakers.length }, (_, i) => i).filter((i) => groups[i] !== group || kept.has(speakers[i]));
}

/**
 * Count of examples per group, in sorted group order.
 * @example
 * countBy(["a", "b", "a"]); // { a: 2, b: 1 }
 */
export function countBy(groups: ArrayLike<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of [...Array.from(groups)].sort()) out[g] = (out[g] ?? 0) + 1;
  return out;
}
