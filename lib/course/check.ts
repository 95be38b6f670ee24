/**
 * Self-checking exercises: `check` prints ✓ or ✗ with a hint, so a learner knows at once whether an answer
 * is right without seeing the solution.
 */

/** What `check` compares against: a predicate, or an expected number/string/boolean. */
export type Expectation<T> = ((value: T) => boolean) | number | string | boolean;

/** Options of {@link check}. */
export interface CheckOptions {
  /** Shown after ✗: a nudge, not the answer. */
  hint?: string;
  /** For numeric expectations: allowed relative error (default 1e-6). */
  rtol?: number;
  /** For numeric expectations: allowed absolute error (default 1e-9). */
  atol?: number;
  /** Where to print (default console.log). */
  log?: (line: string) => void;
}

/** Approximately equal, like numpy.isclose. */
export function isClose(a: number, b: number, rtol = 1e-6, atol = 1e-9): boolean {
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

function show(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(6);
  if (typeof v === "string") return JSON.stringify(v);
  if (ArrayBuffer.isView(v) || Array.isArray(v)) {
    const a = Array.from(v as ArrayLike<unknown>);
    return `[${a.slice(0, 8).map(show).join(", ")}${a.length > 8 ? ", …" : ""}]`;
  }
  return String(v);
}

/**
 * Check an exercise answer; prints `✓ name` or `✗ name: got … — hint`, and returns whether it passed.
 * A predicate that throws counts as ✗ (its message is shown).
 *
 * @example
 * check("battery life", hours, (h) => h > 1000 && h < 2000, { hint: "duty = active time / period" });
 * check("int8 weight", q, 64);
 * check("scale", s, 0.0392, { rtol: 1e-3 });
 */
export function check<T>(name: string, value: T, expected: Expectation<T>, options: CheckOptions = {}): boolean {
  const log = options.log ?? console.log;
  let ok = false;
  let why = "";
  try {
    if (typeof expected === "function") ok = Boolean(expected(value));
    else if (typeof expected === "number") ok = typeof value === "number" && isClose(value, expected, options.rtol ?? 1e-6, options.atol ?? 1e-9);
    else ok = value === expected;
  } catch (e) {
    why = ` (${(e as Error).message})`;
  }
  if (ok) log(`✓ ${name}`);
  else log(`✗ ${name}: got ${show(value)}${why}${options.hint ? ` — hint: ${options.hint}` : ""}`);
  return ok;
}
