/** The failure of one notebook run, pointing at the notebook and the cell. */

/** What went wrong: the cell raised, ran past its timeout, or the kernel died / did not start. */
export type FailureKind = "error" | "timeout" | "kernel";

/** Removes ANSI escape sequences (colours) from kernel text. */
export function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07/g, "");
}

/** Details of a failed notebook run. */
export interface FailureInfo {
  kind: FailureKind;
  /** The notebook's path as given to the runner. */
  notebook: string;
  /** 1-based number among the code cells (0 when no cell was running, e.g. the kernel did not start). */
  cellNumber: number;
  /** 0-based index among all cells (markdown included), as Jupyter counts; -1 when no cell. */
  cellIndex: number;
  ename: string;
  evalue: string;
  /** Traceback lines, ANSI codes stripped. */
  traceback: string[];
}

/**
 * A notebook failed. The message names the notebook, the cell and the error:
 * `notebooks/a.ipynb: code cell 3 (cell index 5) failed: TypeError: x is not a function` + traceback.
 */
export class NotebookRunError extends Error implements FailureInfo {
  kind: FailureKind;
  notebook: string;
  cellNumber: number;
  cellIndex: number;
  ename: string;
  evalue: string;
  traceback: string[];

  constructor(info: FailureInfo) {
    const where = info.cellNumber > 0 ? `code cell ${info.cellNumber} (cell index ${info.cellIndex})` : "kernel";
    const what = info.kind === "timeout" ? "timed out" : "failed";
    const head = `${info.notebook}: ${where} ${what}: ${info.ename}${info.evalue ? `: ${info.evalue}` : ""}`;
    const tb = info.traceback.map(stripAnsi).filter((l) => l.trim() !== "");
    // Deno's traceback often repeats "Name: value" as its first line; do not print it twice.
    const first = tb[0]?.trim();
    const body = first === `${info.ename}: ${info.evalue}`.trim() ? tb.slice(1) : tb;
    super(body.length ? `${head}\n${body.join("\n")}` : head);
    this.name = "NotebookRunError";
    this.kind = info.kind;
    this.notebook = info.notebook;
    this.cellNumber = info.cellNumber;
    this.cellIndex = info.cellIndex;
    this.ename = stripAnsi(info.ename);
    this.evalue = stripAnsi(info.evalue);
    this.traceback = info.traceback.map(stripAnsi);
  }
}
