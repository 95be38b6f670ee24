/**
 * Executes a notebook headlessly in a fresh Deno kernel and returns it with its outputs.
 *
 * Why not `jupyter nbconvert --execute`: the Deno kernel can report "idle" before a cell's last
 * outputs are published (seen under CPU load), and nbconvert then drops them. Here every iopub
 * message goes to the cell whose request is its parent (by msg_id, never "the current cell"), and a
 * cell only counts as finished after: its execute_reply, its idle status, the reply and idle of a
 * silent sentinel request sent behind it, and a short quiet period with no new messages for it.
 */
import { dirname, resolve } from "node:path";
import { type FailureKind, NotebookRunError } from "./errors.ts";
import { Kernel } from "./kernel.ts";
import type { JupyterMessage } from "./message.ts";
import { type CodeCell, joinText, type Notebook, readNotebook } from "./notebook.ts";
import { OutputCollector } from "./outputs.ts";
import { Signal } from "./signal.ts";

/** Options for {@link executeNotebook}. */
export interface ExecuteOptions {
  /** Name of the notebook in error messages; default: the path as given. */
  name?: string;
  /**
   * Per-cell timeout in seconds (default 300). A cell's metadata `tinyml.timeout` overrides it.
   * A cell tagged `raises-exception` may fail without stopping the run.
   */
  timeoutSec?: number;
  /** Quiet period after a cell's sentinel (ms, default 100): any late output still lands in the cell. */
  quietMs?: number;
  /** Kernel working directory; defaults to the notebook's folder, so relative paths in cells work. */
  cwd?: string;
  /** Deno binary; defaults to the project's `node_modules/.bin/deno`. */
  deno?: string;
  /** Extra environment for the kernel. */
  env?: Record<string, string>;
  /** Called once the kernel is up (e.g. to note its pid). */
  onKernel?: (kernel: Kernel) => void;
  /** Called after each code cell finishes (for progress output). */
  onCell?: (cell: CellResult) => void;
}

/** What happened to one code cell. */
export interface CellResult {
  /** 1-based number among code cells. */
  number: number;
  /** 0-based index among all cells. */
  index: number;
  seconds: number;
  status: "ok" | "error" | "timeout";
  executionCount: number | null;
  outputs: number;
}

/** The result of {@link executeNotebook}. */
export interface NotebookResult {
  /** The notebook path as given. */
  path: string;
  /** The notebook with outputs and execution counts (nbformat 4). Cells after a failure have no outputs. */
  notebook: Notebook;
  /** One entry per code cell that ran (up to and including a failed one). */
  cells: CellResult[];
  /** Number of code cells in the notebook. */
  codeCells: number;
  /** Wall time of the whole run, kernel start and shutdown included. */
  seconds: number;
  status: "ok" | "failed";
  error?: NotebookRunError;
}

const DEFAULT_TIMEOUT_SEC = 300;

/** A cell tagged `raises-exception` (as in nbclient/Jupyter Book) shows an error on purpose: the run goes on. */
export function expectsError(cell: CodeCell): boolean {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) && tags.includes("raises-exception");
}

/** Reads a cell's own timeout (`metadata.tinyml.timeout`, seconds) if it has a valid one. */
export function cellTimeoutSec(cell: CodeCell, fallback: number): number {
  const t = (cell.metadata?.tinyml as { timeout?: unknown } | undefined)?.timeout;
  return typeof t === "number" && t > 0 ? t : fallback;
}

/**
 * Runs every code cell of the notebook at `path` in order, in a new Deno kernel; stops at the first
 * error or timeout. Never throws for notebook failures: they come back as `status: "failed"` with `error`.
 * The kernel is always shut down (and killed if it does not exit).
 *
 * @example
 * const r = await executeNotebook("notebooks/01-intro.ipynb", { timeoutSec: 120 });
 * if (r.error) console.error(r.error.message);
 */
export async function executeNotebook(path: string, opts: ExecuteOptions = {}): Promise<NotebookResult> {
  const started = Date.now();
  const nb = readNotebook(path);
  const codeIdx = nb.cells.flatMap((c, i) => (c.cell_type === "code" ? [i] : []));
  for (const i of codeIdx) {
    const cell = nb.cells[i] as CodeCell;
    cell.outputs = [];
    cell.execution_count = null;
  }
  nb.metadata.kernelspec ??= { name: "deno", display_name: "Deno", language: "typescript" };

  const cells: CellResult[] = [];
  const fail = (
    kind: FailureKind,
    number: number,
    index: number,
    ename: string,
    evalue: string,
    traceback: string[] = [],
  ) =>
    new NotebookRunError({
      kind,
      notebook: opts.name ?? path,
      cellNumber: number,
      cellIndex: index,
      ename,
      evalue,
      traceback,
    });
  const finish = (error?: NotebookRunError): NotebookResult => ({
    path,
    notebook: nb,
    cells,
    codeCells: codeIdx.length,
    seconds: (Date.now() - started) / 1000,
    status: error ? "failed" : "ok",
    error,
  });

  let kernel: Kernel;
  try {
    kernel = await Kernel.start({ cwd: opts.cwd ?? dirname(resolve(path)), deno: opts.deno, env: opts.env });
  } catch (err) {
    return finish(fail("kernel", 0, -1, "KernelError", (err as Error).message));
  }

  try {
    opts.onKernel?.(kernel);
    const run = new CellRunner(kernel, nb, opts.quietMs ?? 100);
    if (kernel.info?.language_info) nb.metadata.language_info = kernel.info.language_info;
    for (const [n, index] of codeIdx.entries()) {
      const cell = nb.cells[index] as CodeCell;
      const timeoutSec = cellTimeoutSec(cell, opts.timeoutSec ?? DEFAULT_TIMEOUT_SEC);
      const t0 = Date.now();
      const code = joinText(cell.source);
      // Like nbclient: blank cells are not sent (no execution count).
      const outcome: Outcome = code.trim() ? await run.execute(index, code, timeoutSec * 1000) : { kind: "ok" };
      const result: CellResult = {
        number: n + 1,
        index,
        seconds: (Date.now() - t0) / 1000,
        status: outcome.kind === "ok" ? "ok" : outcome.kind === "timeout" ? "timeout" : "error",
        executionCount: cell.execution_count,
        outputs: cell.outputs.length,
      };
      cells.push(result);
      opts.onCell?.(result);
      if (outcome.kind === "ok" || (outcome.kind === "error" && expectsError(cell))) continue;
      if (outcome.kind === "timeout") {
        await kernel.interrupt(2000);
        return finish(
          fail(
            "timeout",
            n + 1,
            index,
            "TimeoutError",
            `the cell ran longer than ${timeoutSec} s (set a larger --timeout or the cell's metadata tinyml.timeout)`,
          ),
        );
      }
      if (outcome.kind === "kernel") return finish(fail("kernel", n + 1, index, "KernelError", outcome.message));
      return finish(fail("error", n + 1, index, outcome.ename, outcome.evalue, outcome.traceback));
    }
    return finish();
  } finally {
    await kernel.shutdown();
  }
}

type Outcome =
  | { kind: "ok" }
  | { kind: "timeout" }
  | { kind: "kernel"; message: string }
  | { kind: "error"; ename: string; evalue: string; traceback: string[] };

/** Sends cells to one kernel and routes its iopub messages back to the cells by parent msg_id. */
class CellRunner {
  /** request msg_id → index of the cell it belongs to (its own request and its sentinel). */
  private readonly routes = new Map<string, number>();
  private readonly idle = new Set<string>();
  private readonly replies = new Map<string, JupyterMessage>();
  private readonly lastMessage = new Map<number, number>();
  private readonly outputs = new OutputCollector();
  private readonly changed = new Signal();

  constructor(private readonly kernel: Kernel, private readonly nb: Notebook, private readonly quietMs: number) {
    kernel.onIopub((m) => this.onIopub(m));
    kernel.onExit(() => this.changed.notify());
  }

  async execute(index: number, code: string, timeoutMs: number): Promise<Outcome> {
    const deadline = Date.now() + timeoutMs;
    const cell = this.nb.cells[index] as CodeCell;
    const main = this.request(index, {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    }, timeoutMs);
    if (!(await this.settled(main, deadline))) return this.stuck();
    const reply = this.replies.get(main);
    cell.execution_count = reply?.content.execution_count ?? cell.execution_count;

    // The sentinel queues behind the cell in the kernel, so outputs the cell published late are out by its idle.
    const sentinel = this.request(index, {
      code: "",
      silent: true,
      store_history: false,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: false,
    }, timeoutMs);
    if (!(await this.settled(sentinel, deadline))) return this.stuck();
    while (Date.now() - (this.lastMessage.get(index) ?? 0) < this.quietMs) {
      if (Date.now() > deadline) return this.stuck();
      await Signal.sleep(this.quietMs - (Date.now() - (this.lastMessage.get(index) ?? 0)));
    }

    const error = cell.outputs.find((o) => o.output_type === "error");
    if (error?.output_type === "error") {
      return { kind: "error", ename: error.ename, evalue: error.evalue, traceback: error.traceback };
    }
    if (reply?.content.status === "error") {
      const c = reply.content;
      return {
        kind: "error",
        ename: String(c.ename ?? "Error"),
        evalue: String(c.evalue ?? ""),
        traceback: (c.traceback ?? []).map(String),
      };
    }
    if (reply?.content.status === "aborted") {
      return { kind: "error", ename: "Aborted", evalue: "the kernel aborted the cell", traceback: [] };
    }
    return { kind: "ok" };
  }

  private request(index: number, content: Record<string, unknown>, timeoutMs: number): string {
    const msg = this.kernel.send("shell", "execute_request", content);
    const id = msg.header.msg_id;
    this.routes.set(id, index);
    this.kernel.reply(id, timeoutMs + 5000).then(
      (r) => {
        this.replies.set(id, r);
        this.changed.notify();
      },
      () => this.changed.notify(), // timeouts and kernel death are judged in settled()
    );
    return id;
  }

  /** Waits for a request's reply and idle status; false on deadline or kernel exit. */
  private settled(id: string, deadline: number): Promise<boolean> {
    return this.changed.until(
      () => (this.replies.has(id) && this.idle.has(id)) || this.kernel.exitReason !== undefined,
      deadline,
    )
      .then((ok) => ok && this.kernel.exitReason === undefined);
  }

  private stuck(): Outcome {
    if (this.kernel.exitReason) {
      return {
        kind: "kernel",
        message: `the kernel ${this.kernel.exitReason} while running the cell${this.kernel.outputTail()}`,
      };
    }
    return { kind: "timeout" };
  }

  private onIopub(msg: JupyterMessage): void {
    const id = msg.parent_header.msg_id;
    if (!id) return;
    if (msg.header.msg_type === "status" && msg.content.execution_state === "idle") this.idle.add(id);
    const index = this.routes.get(id);
    if (index !== undefined) {
      this.lastMessage.set(index, Date.now());
      this.outputs.apply((this.nb.cells[index] as CodeCell).outputs, msg);
    }
    this.changed.notify();
  }
}
