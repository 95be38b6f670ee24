/**
 * Turns iopub messages into nbformat outputs: stream, display_data, update_display_data,
 * execute_result, error and clear_output, the way a notebook front end shows them.
 */
import type { JupyterMessage } from "./message.ts";
import type { DisplayDataOutput, ExecuteResultOutput, Output } from "./notebook.ts";
import { joinText } from "./notebook.ts";

/** The iopub message types that change a cell's outputs. */
export const OUTPUT_MESSAGES: ReadonlySet<string> = new Set([
  "stream",
  "display_data",
  "update_display_data",
  "execute_result",
  "error",
  "clear_output",
]);

/**
 * Applies output messages to cells' output lists. One collector per notebook run, because a display
 * created in one cell can be updated from a later one.
 */
export class OutputCollector {
  /** display_id → outputs showing it (a display can be shown more than once). */
  private readonly displays = new Map<string, (DisplayDataOutput | ExecuteResultOutput)[]>();
  /** Output lists with a pending clear_output(wait=true): cleared when the next output arrives. */
  private readonly clearPending = new Set<Output[]>();

  /** Applies one iopub message to `outputs` (the target cell's list); returns false if it is not an output message. */
  apply(outputs: Output[], msg: JupyterMessage): boolean {
    const type = msg.header.msg_type;
    const c = msg.content;
    if (!OUTPUT_MESSAGES.has(type)) return false;
    if (type === "clear_output") {
      if (c.wait) this.clearPending.add(outputs);
      else outputs.length = 0;
      return true;
    }
    if (type === "update_display_data") {
      // Updates change outputs in place wherever they are and never append.
      for (const out of this.displays.get(c.transient?.display_id) ?? []) {
        out.data = c.data ?? {};
        out.metadata = c.metadata ?? {};
      }
      return true;
    }
    if (this.clearPending.delete(outputs)) outputs.length = 0;
    switch (type) {
      case "stream": {
        const last = outputs[outputs.length - 1];
        const text = joinText(c.text);
        if (last?.output_type === "stream" && last.name === c.name) last.text = joinText(last.text) + text;
        else outputs.push({ output_type: "stream", name: c.name, text });
        break;
      }
      case "display_data":
      case "execute_result": {
        const out: DisplayDataOutput | ExecuteResultOutput = type === "display_data"
          ? { output_type: "display_data", data: c.data ?? {}, metadata: c.metadata ?? {} }
          : {
            output_type: "execute_result",
            execution_count: c.execution_count ?? null,
            data: c.data ?? {},
            metadata: c.metadata ?? {},
          };
        outputs.push(out);
        const id = c.transient?.display_id;
        if (typeof id === "string") this.displays.set(id, [...(this.displays.get(id) ?? []), out]);
        break;
      }
      case "error":
        outputs.push({
          output_type: "error",
          ename: String(c.ename ?? ""),
          evalue: String(c.evalue ?? ""),
          traceback: (c.traceback ?? []).map(String),
        });
        break;
    }
    return true;
  }
}
