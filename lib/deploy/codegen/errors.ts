/** Errors raised while turning a graph into C. */

/** The graph uses something the C generator cannot express (an op, a dtype, a layout). */
export class CodegenUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CodegenUnsupportedError";
  }
}

/** The graph is inconsistent (missing quantization, shapes that do not match). */
export class CodegenGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CodegenGraphError";
  }
}
