/**
 * The nbformat 4 document: types for the parts the runner touches, reading, and writing without
 * ever leaving a half-written file.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomUUID } from "node:crypto";

/** A MIME bundle: mime type → data (strings, or JSON for application/json and friends). */
export type MimeBundle = Record<string, unknown>;

/** Text that nbformat stores either as one string or as a list of lines. */
export type MultilineString = string | string[];

/** stream output (stdout / stderr). */
export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}

/** display_data output. */
export interface DisplayDataOutput {
  output_type: "display_data";
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

/** execute_result output (the cell's final expression). */
export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

/** error output. */
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}

/** Any cell output. */
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

/** A code cell. */
export interface CodeCell {
  cell_type: "code";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  outputs: Output[];
  execution_count: number | null;
}

/** A markdown or raw cell (left untouched by the runner). */
export interface TextCell {
  cell_type: "markdown" | "raw";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  attachments?: Record<string, unknown>;
}

/** A notebook (nbformat 4). */
export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: (CodeCell | TextCell)[];
}

/** A file that is not an nbformat 4 notebook. */
export class NotebookFormatError extends Error {
  constructor(path: string, problem: string) {
    super(`${path} is not a usable Jupyter notebook: ${problem}. Save it from Jupyter as nbformat 4.`);
    this.name = "NotebookFormatError";
  }
}

/** Joins nbformat's multiline text into one string. */
export function joinText(text: MultilineString | undefined): string {
  return Array.isArray(text) ? text.join("") : (text ?? "");
}

/** Reads and checks a notebook file. */
export function readNotebook(path: string): Notebook {
  let nb: Notebook;
  try {
    nb = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new NotebookFormatError(path, (err as Error).message);
  }
  if (nb?.nbformat !== 4) throw new NotebookFormatError(path, `nbformat is ${nb?.nbformat}, expected 4`);
  if (!Array.isArray(nb.cells)) throw new NotebookFormatError(path, "it has no cells array");
  nb.metadata ??= {};
  return nb;
}

/** Writes JSON to a temporary file beside `path`, then renames it over `path` (atomic on one file system). */
export function writeNotebook(path: string, nb: Notebook): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  try {
    writeFileSync(tmp, JSON.stringify(nb, null, 1) + "\n");
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}
