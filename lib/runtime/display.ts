/**
 * Show a MIME bundle: rich output in Jupyter (Deno kernel), plain text elsewhere.
 */
import process from "node:process";
import { jupyterApi } from "./runtime.ts";

/** A Jupyter MIME bundle, e.g. `{ "text/plain": "...", "text/html": "..." }`. */
export type MimeBundle = Record<string, unknown>;

/** Options for {@link display}. */
export interface DisplayOptions {
  /** Names this output so a later call with `update: true` replaces it in place. */
  displayId?: string;
  /** Replace the output created earlier with the same `displayId` instead of adding one. */
  update?: boolean;
}

/**
 * Display `bundle` as one cell output.
 *
 * In the Deno Jupyter kernel the bundle is sent raw (`display_data`, or
 * `update_display_data` when `update` is set). Elsewhere the `text/plain` part is
 * printed to stdout (updates are printed too, as new lines: a terminal has no
 * output to replace).
 *
 * @example
 * await display({ "text/plain": "step 1", "text/html": "<b>step 1</b>" }, { displayId: "p" });
 * await display({ "text/plain": "step 2", "text/html": "<b>step 2</b>" }, { displayId: "p", update: true });
 */
export async function display(bundle: MimeBundle, opts: DisplayOptions = {}): Promise<void> {
  const jupyter = jupyterApi();
  if (jupyter !== undefined) {
    if (opts.update && opts.displayId === undefined) {
      throw new DisplayError("display: `update: true` needs a `displayId` naming the output to replace.");
    }
    const options: { raw: boolean; update?: boolean; display_id?: string } = { raw: true };
    if (opts.displayId !== undefined) options.display_id = opts.displayId;
    if (opts.update) options.update = true;
    await jupyter.display(bundle, options);
    // Deno's kernel queues the message and may report the cell idle before a
    // large message is serialised and sent; frontends then drop it. Give the
    // queue time in proportion to the size (measured on a loaded 2-core box:
    // 5 MB arrived up to 0.8 s after the call returned).
    await sleep(flushDelayMs(bundle));
    return;
  }
  const text = bundle["text/plain"];
  if (typeof text === "string") process.stdout.write(text.endsWith("\n") ? text : text + "\n");
}

/** Milliseconds to wait after sending `bundle`: 50 ms plus 300 ms per MB, at most 2.5 s. */
export function flushDelayMs(bundle: MimeBundle): number {
  let chars = 0;
  for (const v of Object.values(bundle)) chars += typeof v === "string" ? v.length : JSON.stringify(v)?.length ?? 0;
  return Math.min(2500, Math.round(50 + (300 * chars) / 1e6));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Bad arguments to {@link display}. */
export class DisplayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DisplayError";
  }
}
