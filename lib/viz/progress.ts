/**
 * Progress display for long loops: one in-place output in Jupyter, one `\r`
 * line on a terminal, occasional lines in logs (non-TTY).
 */
import process from "node:process";
import { display, isJupyter } from "../runtime/mod.ts";

/** Where terminal progress goes (default `process.stderr`). */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

/** Options of {@link progress}. */
export interface ProgressOptions {
  /** Shown before the bar, e.g. "epoch 3". */
  label?: string;
  /** Text stream for terminal output (default `process.stderr`). */
  stream?: ProgressStream;
  /** Minimum milliseconds between in-place updates (default 200: at most 5 updates/s). */
  minIntervalMs?: number;
  /** Called at each redraw for extra text when `tick` gives none, e.g. `() => \`loss ${loss.toFixed(3)}\``. */
  info?: () => string;
  /** Force Jupyter output on or off (default: detected). */
  jupyter?: boolean;
  /** Clock in milliseconds (default `performance.now`); tests pass a fake one. */
  now?: () => number;
}

/** Handle returned by {@link progress}. */
export interface Progress {
  /** Count `n` more items done (default 1); `info` replaces the extra text (e.g. "loss 0.12"). */
  tick(n?: number, info?: string): void;
  /** Draw the final state. Await it in notebooks so the last update is sent before the cell ends. */
  done(info?: string): Promise<void>;
}

/** Bad arguments to {@link progress}. */
export class ProgressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProgressError";
  }
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** The state of a progress bar at one moment. */
export interface ProgressState {
  label: string;
  count: number;
  /** Undefined when the total is unknown. */
  total?: number;
  elapsedMs: number;
  info: string;
}

/** One line of text: `label [█████░░░░░] 12/50  24%  0:03 < 0:09  loss 0.12`. */
export function progressLine(s: ProgressState, barWidth = 24): string {
  const parts: string[] = [];
  if (s.label) parts.push(s.label);
  if (s.total !== undefined && s.total > 0) {
    const frac = Math.min(1, s.count / s.total);
    const full = Math.round(frac * barWidth);
    parts.push(`[${"█".repeat(full)}${"░".repeat(barWidth - full)}] ${s.count}/${s.total}`);
    parts.push(`${Math.floor(frac * 100).toString().padStart(3)}%`);
    const eta = s.count > 0 ? (s.elapsedMs / s.count) * Math.max(0, s.total - s.count) : NaN;
    parts.push(`elapsed ${formatDuration(s.elapsedMs)}`, `ETA ${s.count >= s.total ? "0:00" : formatDuration(eta)}`);
  } else {
    parts.push(`${s.count}${s.total === 0 ? "/0" : ""}`, `elapsed ${formatDuration(s.elapsedMs)}`);
  }
  if (s.info) parts.push(s.info);
  return parts.join("  ");
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function progressHtml(s: ProgressState): string {
  const bar = s.total !== undefined && s.total > 0
    ? `<progress value="${Math.min(s.count, s.total)}" max="${s.total}" style="width:240px;vertical-align:middle"></progress> `
    : "";
  const text = progressLine({ ...s, label: "" }).replace(/\[[█░]*\] /, "");
  return `<div style="font-family:monospace;white-space:pre">${escapeHtml(s.label)} ${bar}${escapeHtml(text)}</div>`;
}

let displayCounter = 0;

/**
 * A progress bar over `total` steps (`undefined` when unknown).
 * @example
 * const p = progress(epochs, { label: "training" });
 * for (let e = 0; e < epochs; e++) { const loss = await trainEpoch(); p.tick(1, `loss ${loss.toFixed(3)}`); }
 * await p.done();
 */
export function progress(total: number | undefined, opts: ProgressOptions = {}): Progress {
  if (total !== undefined && !(Number.isInteger(total) && total >= 0)) {
    throw new ProgressError(`progress: total must be a whole number ≥ 0 (or undefined when unknown), got ${total}.`);
  }
  const now = opts.now ?? (() => performance.now());
  const minInterval = opts.minIntervalMs ?? 200;
  const jupyter = opts.jupyter ?? isJupyter();
  const stream: ProgressStream = opts.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const t0 = now();
  const displayId = `tk-progress-${++displayCounter}`;
  let count = 0;
  let info = "";
  let lastDraw = -Infinity;
  let lastDecile = -1; // non-TTY: a line per 10% step
  let printed = ""; // non-TTY: count|info of the last line written
  let finished = false;
  let sending: Promise<void> = Promise.resolve();

  const state = (): ProgressState => ({
    label: opts.label ?? "", count, total, elapsedMs: now() - t0, info: info || (opts.info?.() ?? ""),
  });

  const sendJupyter = (first: boolean): void => {
    const s = state();
    const bundle = { "text/plain": progressLine(s), "text/html": progressHtml(s) };
    // Chain so updates arrive in order; a failed update must not break the training loop.
    sending = sending.then(() => display(bundle, { displayId, update: !first })).catch(() => {});
  };

  const draw = (final: boolean): void => {
    const t = now();
    if (jupyter) {
      if (final || t - lastDraw >= minInterval) { sendJupyter(false); lastDraw = t; }
      return;
    }
    if (tty) {
      if (final || t - lastDraw >= minInterval) {
        stream.write(`\r${progressLine(state())}\x1b[K${final ? "\n" : ""}`);
        lastDraw = t;
      }
      return;
    }
    // Logs: one line per 10% (or every 5 s when the total is unknown), plus a
    // final line unless the last one already said the same.
    const print = (): void => {
      stream.write(progressLine(state()) + "\n");
      printed = `${count}|${info}`;
      lastDraw = t;
    };
    if (final) {
      if (printed !== `${count}|${info}`) print();
    } else if (total !== undefined && total > 0) {
      const decile = Math.floor((10 * Math.min(count, total)) / total);
      if (decile > lastDecile) { lastDecile = decile; print(); }
    } else if (t - lastDraw >= 5000) {
      print();
    }
  };

  if (jupyter) { sendJupyter(true); lastDraw = t0; }
  else if (!tty) lastDecile = 0; // the 0% line is noise in logs

  return {
    tick(n = 1, newInfo?: string): void {
      if (finished) return;
      count += n;
      if (newInfo !== undefined) info = newInfo;
      draw(false);
    },
    done(newInfo?: string): Promise<void> {
      if (!finished) {
        finished = true;
        if (newInfo !== undefined) info = newInfo;
        draw(true);
        // The final state is usually the cell's last output: give Deno's kernel
        // extra time to send it before the cell reports idle (see runtime/display.ts).
        if (jupyter) sending = sending.then(() => new Promise<void>((r) => setTimeout(r, 150)));
      }
      return sending;
    },
  };
}

/** Options of {@link withProgress}. */
export interface WithProgressOptions extends ProgressOptions {
  /** Number of items, when `items` has no `length`/`size`. */
  total?: number;
}

/**
 * Iterate `items` while showing progress; each item counts when the loop body
 * asks for the next one.
 * @example
 * for await (const batch of withProgress(batches, { label: "epoch 1", info: () => `loss ${loss.toFixed(3)}` })) {
 *   loss = await trainStep(batch);
 * }
 */
export async function* withProgress<T>(
  items: Iterable<T> | AsyncIterable<T>,
  opts: WithProgressOptions = {},
): AsyncGenerator<T, void, undefined> {
  const sized = items as { length?: unknown; size?: unknown };
  const total = opts.total ??
    (typeof sized.length === "number" ? sized.length : typeof sized.size === "number" ? sized.size : undefined);
  const p = progress(total, opts);
  try {
    for await (const x of items) {
      yield x;
      p.tick();
    }
  } finally {
    await p.done();
  }
}
