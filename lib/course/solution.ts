/**
 * Solutions on demand: notebooks call `solution("02-learning-rate")` in a cell of their own, so the answer
 * stays hidden until the learner runs it.
 */
import { SOLUTIONS } from "./solutions/mod.ts";

/** The exercise id is unknown. */
export class UnknownExerciseError extends Error {
  override name = "UnknownExerciseError";
  constructor(readonly id: string) {
    super(`no solution called "${id}"; known: ${Object.keys(SOLUTIONS).sort().join(", ")}`);
  }
}

/** The solution text of an exercise (throws UnknownExerciseError for an unknown id). */
export function solutionText(id: string): string {
  const s = SOLUTIONS[id];
  if (s === undefined) throw new UnknownExerciseError(id);
  return s;
}

/**
 * Print an exercise's solution.
 * @example solution("01-battery")
 */
export function solution(id: string, log: (line: string) => void = console.log): void {
  log(`Solution (${id}):\n${solutionText(id)}`);
}

/** The ids of all stored solutions, sorted. */
export function exerciseIds(): string[] {
  return Object.keys(SOLUTIONS).sort();
}
