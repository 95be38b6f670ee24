/**
 * The one error type the .tflite reader and writer throw for bad input.
 *
 * @module
 */

/** A .tflite file (or a Graph to be written) is malformed, unsupported or inconsistent. */
export class TfliteError extends Error {
  /** What is wrong, in a few words (e.g. "tensor index out of range"). */
  readonly what: string;
  /** Where: a path into the model (e.g. `subgraphs[0].operators[3].inputs[1]`). */
  readonly where: string;
  /** Byte offset in the file the problem was found at, when known. */
  readonly offset?: number;
  /** How to fix it. */
  readonly hint: string;

  constructor(what: string, where: string, hint: string, offset?: number) {
    const at = offset === undefined ? where : `${where} (byte ${offset})`;
    super(`${what} at ${at}: ${hint}`);
    this.name = "TfliteError";
    this.what = what;
    this.where = where;
    this.hint = hint;
    this.offset = offset;
  }
}
