/**
 * Headless notebook runner for the Deno Jupyter kernel: a small Jupyter client over ZMTP 3.0.
 *
 * @example
 * import { executeNotebook, writeNotebook } from "./tools/notebook/mod.ts";
 * const r = await executeNotebook("notebooks/01-intro.ipynb");
 * writeNotebook("build/notebooks/01-intro.ipynb", r.notebook);
 */
export {
  type CellResult,
  cellTimeoutSec,
  executeNotebook,
  type ExecuteOptions,
  expectsError,
  type NotebookResult,
} from "./execute.ts";
export { type FailureInfo, type FailureKind, NotebookRunError, stripAnsi } from "./errors.ts";
export { type ConnectionInfo, freePorts, Kernel, KernelError, type KernelOptions, PROJECT_DENO } from "./kernel.ts";
export { type JupyterMessage, MessageError, type MessageHeader, Session } from "./message.ts";
export {
  type CodeCell,
  type MimeBundle,
  type Notebook,
  NotebookFormatError,
  type Output,
  readNotebook,
  type TextCell,
  writeNotebook,
} from "./notebook.ts";
export { OUTPUT_MESSAGES, OutputCollector } from "./outputs.ts";
export { Signal } from "./signal.ts";
export { ZmtpError, ZmtpSocket, type ZmtpSocketType } from "./zmtp.ts";
