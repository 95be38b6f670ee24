/**
 * A responsible-deployment checklist: each item asks one question ("does it work for every group?", "does raw
 * data leave the device?"), carries the evidence that answers it (a measured number and the limit it must meet,
 * or a yes/no from a check), and a status: pass, fail, or unknown when nothing was measured. A learner fills one
 * for their own project; {@link renderChecklist} lays it out as a table.
 *
 * @module
 */
import { DeploymentLessonError } from "./errors.ts";

/** The areas a deployment review covers. */
export type ChecklistArea = "fairness" | "privacy" | "security" | "resources" | "reliability";

/** Every area, in report order. */
export const CHECKLIST_AREAS: readonly ChecklistArea[] = ["fairness", "privacy", "security", "resources", "reliability"];

/** Outcome of one item. */
export type ChecklistStatus = "pass" | "fail" | "unknown";

/** One answered question. */
export interface ChecklistItem {
  /** Short stable id, e.g. "group-gap". */
  id: string;
  area: ChecklistArea;
  question: string;
  /** What was measured or checked, in words with the number(s). */
  evidence: string;
  status: ChecklistStatus;
  /** The measured value and the limit, when the item is numeric. */
  value?: number;
  limit?: number;
  unit?: string;
}

const ID_RE = /^[a-z0-9][a-z0-9-]{0,39}$/;

function base(id: string, area: ChecklistArea, question: string): void {
  if (!ID_RE.test(id)) throw new DeploymentLessonError(`checklist id "${id}" must be lower-case letters, digits and "-" (e.g. "group-gap")`);
  if (!CHECKLIST_AREAS.includes(area)) throw new DeploymentLessonError(`unknown area "${area}"; use one of ${CHECKLIST_AREAS.join(", ")}`);
  if (!question.trim()) throw new DeploymentLessonError(`checklist item "${id}" needs a question`);
}

function fmt(v: number, unit?: string): string {
  const s = Number.isInteger(v) ? v.toLocaleString("en-US") : Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
  return unit ? `${s} ${unit}` : s;
}

/**
 * Passes when `value ≤ limit` (e.g. accuracy gap between groups, bytes sent per hour, RAM used).
 * A non-finite value (not measured) gives "unknown".
 * @example atMost("group-gap", "fairness", "Is the accuracy gap between groups small?", 3.2, 10, "points")
 */
export function atMost(id: string, area: ChecklistArea, question: string, value: number, limit: number, unit?: string, note = ""): ChecklistItem {
  base(id, area, question);
  const known = Number.isFinite(value);
  return {
    id, area, question, value, limit, unit,
    status: !known ? "unknown" : value <= limit ? "pass" : "fail",
    evidence: (known ? `${fmt(value, unit)} (limit ≤ ${fmt(limit, unit)})` : "not measured") + (note ? `; ${note}` : ""),
  };
}

/** Passes when `value ≥ limit` (e.g. accuracy of the worst group, flash headroom). Non-finite → "unknown". */
export function atLeast(id: string, area: ChecklistArea, question: string, value: number, limit: number, unit?: string, note = ""): ChecklistItem {
  base(id, area, question);
  const known = Number.isFinite(value);
  return {
    id, area, question, value, limit, unit,
    status: !known ? "unknown" : value >= limit ? "pass" : "fail",
    evidence: (known ? `${fmt(value, unit)} (limit ≥ ${fmt(limit, unit)})` : "not measured") + (note ? `; ${note}` : ""),
  };
}

/** A yes/no check: true passes, false fails, null means it could not be checked ("unknown"). */
export function holds(id: string, area: ChecklistArea, question: string, ok: boolean | null, evidence: string): ChecklistItem {
  base(id, area, question);
  if (!evidence.trim()) throw new DeploymentLessonError(`checklist item "${id}" needs evidence: say what was checked`);
  return { id, area, question, evidence, status: ok === null ? "unknown" : ok ? "pass" : "fail" };
}

/** Counts per status, and whether the checklist as a whole passes (no fail, no unknown). */
export interface ChecklistSummary {
  pass: number;
  fail: number;
  unknown: number;
  /** True when every item passed. */
  ready: boolean;
}

/** Counts the statuses. */
export function summarizeChecklist(items: readonly ChecklistItem[]): ChecklistSummary {
  const count = (s: ChecklistStatus) => items.filter((i) => i.status === s).length;
  const pass = count("pass"), fail = count("fail"), unknown = count("unknown");
  return { pass, fail, unknown, ready: items.length > 0 && fail === 0 && unknown === 0 };
}

/**
 * What is wrong with a checklist as a review: duplicate ids, areas with no item, items without evidence.
 * An empty list means it is complete (whether it *passes* is {@link summarizeChecklist}'s business).
 */
export function checklistProblems(items: readonly ChecklistItem[], areas: readonly ChecklistArea[] = CHECKLIST_AREAS): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const it of items) {
    if (seen.has(it.id)) problems.push(`duplicate id "${it.id}"`);
    seen.add(it.id);
    if (!it.evidence || !it.evidence.trim()) problems.push(`"${it.id}" has no evidence`);
    if (!CHECKLIST_AREAS.includes(it.area)) problems.push(`"${it.id}" has unknown area "${it.area}"`);
  }
  for (const a of areas) if (!items.some((i) => i.area === a)) problems.push(`no item for ${a}`);
  return problems;
}

const MARK: Record<ChecklistStatus, string> = { pass: "✓ pass", fail: "✗ FAIL", unknown: "? unknown" };

/** The checklist as an aligned text table (area, question, evidence, status) with a summary line. */
export function renderChecklist(items: readonly ChecklistItem[]): string {
  const sorted = [...items].sort((a, b) => CHECKLIST_AREAS.indexOf(a.area) - CHECKLIST_AREAS.indexOf(b.area));
  const head = ["area", "question", "evidence", "status"];
  const body = sorted.map((i) => [i.area, i.question, i.evidence, MARK[i.status]]);
  const w = head.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((c, k) => c.padEnd(w[k])).join("  ").trimEnd();
  const s = summarizeChecklist(items);
  return [
    line(head), line(w.map((n) => "-".repeat(n))), ...body.map(line), "",
    `${s.pass} passed, ${s.fail} failed, ${s.unknown} unknown — ${s.ready ? "ready to deploy" : "not ready: fix the failures and measure the unknowns"}`,
  ].join("\n");
}

/** The checklist as a Markdown table (for a report or a README). */
export function checklistMarkdown(items: readonly ChecklistItem[]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  return [
    "| area | question | evidence | status |",
    "|---|---|---|---|",
    ...items.map((i) => `| ${i.area} | ${esc(i.question)} | ${esc(i.evidence)} | ${MARK[i.status]} |`),
  ].join("\n");
}
