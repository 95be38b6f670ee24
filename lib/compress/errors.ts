/** Errors of the compression tools. @module */

/** Raised for a model or an option the compression tools cannot handle; the message says how to fix it. */
export class CompressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CompressError";
  }
}
