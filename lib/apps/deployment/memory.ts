/**
 * Memory views for the deployment lessons: the arena plan as a picture (each activation a rectangle spanning
 * the operators it lives through, at its byte offset), and which boards a model fits.
 *
 * @module
 */
import type { MemoryPlan } from "../../plan/plan.ts";
import { BOARD_IDS, BOARDS, type BoardId, type BoardPreset } from "../../deploy/arduino/boards.ts";
import type { Figure, ScatterTrace } from "../../viz/types.ts";
import { DeploymentLessonError } from "./errors.ts";

const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/**
 * The arena plan as rectangles: x = operator index (lifetime first−0.4 … last+0.4), y = arena bytes
 * (offset … offset + size). Rectangles that overlap in x never overlap in y: that is the plan's promise.
 *
 * @example await show(arenaFigure(planMemory(graph), "micro_speech's arena"));
 */
export function arenaFigure(plan: MemoryPlan, title = "Tensor arena: lifetimes and offsets"): Figure {
  if (plan.tensors.length === 0) throw new DeploymentLessonError("the plan has no arena tensors to draw");
  const data: ScatterTrace[] = plan.tensors.map((t, k) => {
    const x0 = t.first - 0.4, x1 = t.last + 0.4, y0 = t.offset, y1 = t.offset + t.bytes;
    return {
      type: "scatter",
      name: `#${t.tensor} ${t.name.length > 24 ? "…" + t.name.slice(-23) : t.name} (${t.bytes} B)`,
      x: [x0, x1, x1, x0, x0],
      y: [y0, y0, y1, y1, y0],
      mode: "lines",
      line: { width: 2, color: COLOURS[k % COLOURS.length] },
      fill: "toself",
    } as ScatterTrace;
  });
  const ops = Math.max(...plan.tensors.map((t) => t.last)) + 1;
  return {
    data,
    layout: {
      title: { text: title },
      width: 760,
      height: 420,
      margin: { l: 70, r: 20, t: 50, b: 50 },
      xaxis: { title: { text: "operator (execution order)" }, tickmode: "linear", dtick: 1, range: [-0.6, ops - 0.4] },
      yaxis: { title: { text: "arena offset (bytes)" }, range: [0, Math.max(plan.arenaBytes, 1) * 1.05] },
      showlegend: true,
      paper_bgcolor: "white",
      plot_bgcolor: "white",
    },
  };
}

/** One board in a fit table. */
export interface BoardFit {
  id: BoardId;
  name: string;
  clockHz: number;
  flashBytes: number;
  ramBytes: number;
  /** Fractions of the board's usable flash / RAM the need takes. */
  flashUsed: number;
  ramUsed: number;
  fits: boolean;
}

/**
 * Which presets hold a model: `need` is what it takes in all (weights + code + core in flash, arena + buffers +
 * core in RAM). `overhead(board)` adds per-board extras (e.g. the mbed OS core on the Nano 33 BLE).
 *
 * @example fitAcrossBoards({ flashBytes: 20_000, ramBytes: 3_000 }).filter((b) => b.fits).map((b) => b.id)
 */
export function fitAcrossBoards(
  need: { flashBytes: number; ramBytes: number },
  overhead: (board: BoardPreset) => { flashBytes: number; ramBytes: number } = () => ({ flashBytes: 0, ramBytes: 0 }),
  ids: readonly BoardId[] = BOARD_IDS,
): BoardFit[] {
  if (!(need.flashBytes >= 0) || !(need.ramBytes >= 0)) throw new DeploymentLessonError("need.flashBytes and need.ramBytes must be non-negative byte counts");
  return ids.map((id) => {
    const b = BOARDS[id];
    const o = overhead(b);
    const flash = need.flashBytes + o.flashBytes, ram = need.ramBytes + o.ramBytes;
    const flashUsed = flash / b.usableFlashBytes, ramUsed = ram / b.ramBytes;
    return { id, name: b.name, clockHz: b.clockHz, flashBytes: flash, ramBytes: ram, flashUsed, ramUsed, fits: flashUsed <= 1 && ramUsed <= 1 };
  });
}

/** A fit table as text, one board a line. */
export function formatBoardFits(rows: readonly BoardFit[]): string {
  const head = ["board", "clock", "flash need", "flash used", "RAM need", "RAM used", "fits"];
  const body = rows.map((r) => [
    r.name, `${r.clockHz / 1e6} MHz`, `${r.flashBytes.toLocaleString("en-US")} B`, `${(100 * r.flashUsed).toFixed(1)}%`,
    `${r.ramBytes.toLocaleString("en-US")} B`, `${(100 * r.ramUsed).toFixed(1)}%`, r.fits ? "yes" : "NO",
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 6 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ").trimEnd();
  return [line(head), line(w.map((n) => "-".repeat(n))), ...body.map(line)].join("\n");
}
