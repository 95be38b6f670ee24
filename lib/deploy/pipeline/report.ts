/**
 * The deploy report: text for the notebook and a flash/RAM figure against the board's budget.
 */
import { barChart } from "../../viz/charts.ts";
import type { Figure } from "../../viz/types.ts";
import { relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { DeployReport } from "./lesson.ts";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** A path relative to the repository when it lies inside it (stable across machines), else as given. */
function shortPath(p: string): string {
  const r = relative(REPO_ROOT, p);
  return r.startsWith("..") || r === "" ? p : r.split(sep).join("/");
}

type ReportData = Omit<DeployReport, "text" | "figure">;

/** 1234 → "1,234 B", 40960 → "40.0 KB". */
export function formatBytes(n: number): string {
  if (n < 10_000) return `${n.toLocaleString("en-US")} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1048576).toFixed(2)} MB`;
}

const hex = (b: Uint8Array): string => Array.from(b, (v) => v.toString(16).padStart(2, "0")).join(" ");
const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(1)}%`;

/** The text report deployLesson prints (at most `maxRows` sample rows). */
export function formatDeployReport(r: ReportData, maxRows = 6): string {
  const lines: string[] = [];
  lines.push(`── ${r.title} → ${r.board.name} ──`);
  lines.push(`sketch   ${shortPath(r.inoPath)}`);
  lines.push(`model    ${r.model.name}: ${formatBytes(r.model.constBytes)} weights, ${formatBytes(r.model.arenaBytes)} arena, ${r.model.macs.toLocaleString("en-US")} MACs per inference`);
  lines.push(`built    with ${r.tool}${r.tool === "arm-gcc" ? " (bare-metal: sizes exclude mbed OS, ~80 KB flash / ~45 KB RAM on the real board)" : ""}`);
  lines.push(`flash    ${formatBytes(r.flash.used)} of ${formatBytes(r.flash.budget)} (${pct(r.flash.used, r.flash.budget)}; the model's weights: ${formatBytes(r.flash.model)})`);
  lines.push(`RAM      ${formatBytes(r.ram.used)} of ${formatBytes(r.ram.budget)} (${pct(r.ram.used, r.ram.budget)}; the model's arena: ${formatBytes(r.ram.model)}; the stack comes on top)`);
  if (r.cyclesPerInference !== null) {
    const ms = ((r.secondsPerInference ?? 0) * 1000).toFixed(2);
    lines.push(`speed    ${r.cyclesPerInference.toLocaleString("en-US")} cycles per inference ≈ ${ms} ms at ${r.board.clockHz / 1e6} MHz (emulated ${r.emulator}; start-up and printing included)`);
  } else if (r.instructionsPerInference !== null) {
    lines.push(`speed    ${r.instructionsPerInference.toLocaleString("en-US")} instructions per inference (emulated ${r.emulator}; start-up and printing included)`);
  } else if (r.emulator === "simavr") {
    lines.push("speed    not counted (simavr reports no cycle count)");
  } else if (r.emulator) {
    lines.push(`speed    not counted (too many instructions to trace in ${r.emulator})`);
  }
  for (const note of r.notes) lines.push(`note     ${note}`);
  if (r.identical === null) {
    lines.push(`outputs  ${r.host.length} computed in the notebook; ${r.board.name} has no emulator here, so nothing to compare`);
    return lines.join("\n");
  }
  lines.push(`outputs  sample | notebook (TS int8)       | board (${r.emulator})`);
  const rows = Math.min(maxRows, r.host.length);
  for (let i = 0; i < rows; i++) {
    const same = r.device[i] && hex(r.device[i]) === hex(r.host[i]);
    lines.push(`         ${String(i).padStart(6)} | ${hex(r.host[i]).padEnd(23)} | ${hex(r.device[i] ?? new Uint8Array())} ${same ? "✓" : "✗"}`);
  }
  if (r.host.length > rows) lines.push(`         … ${r.host.length - rows} more`);
  const bytes = r.host.reduce((n, b) => n + b.length, 0);
  lines.push(`verdict  identical: ${r.host.length}/${r.host.length} samples, ${bytes} output bytes — the board computes exactly what the notebook computed`);
  return lines.join("\n");
}

/** Stacked bars: the model's share, the rest of the sketch, and what is free, as % of the board's flash and RAM. */
export function memoryFigure(r: ReportData): Figure {
  const p = (v: number, of: number) => Math.round((1000 * v) / of) / 10;
  const modelShare = [p(Math.min(r.flash.model, r.flash.used), r.flash.budget), p(Math.min(r.ram.model, r.ram.used), r.ram.budget)];
  const used = [p(r.flash.used, r.flash.budget), p(r.ram.used, r.ram.budget)];
  return barChart({
    title: `${r.title} on ${r.board.id}: ${formatBytes(r.flash.used)} flash, ${formatBytes(r.ram.used)} RAM`,
    labels: [`flash (${formatBytes(r.flash.budget)})`, `RAM (${formatBytes(r.ram.budget)})`],
    series: [
      { name: "model", values: modelShare },
      { name: "rest of the sketch", values: used.map((u, i) => Math.round((u - modelShare[i]) * 10) / 10) },
      { name: "free", values: used.map((u) => Math.round((100 - Math.min(100, u)) * 10) / 10) },
    ],
    barmode: "stack",
    yLabel: "% of the board's budget",
    width: 640,
    height: 380,
  });
}
