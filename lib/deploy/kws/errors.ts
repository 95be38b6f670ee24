/** Typed errors of the keyword-spotting deploy. */

/** Bad arguments to deployKeywordSpotter or the stream settings (the message says what to change). */
export class KwsInputError extends Error {
  override name = "KwsInputError";
}

/** The C frontend / board disagreed with the TypeScript reference, or a check program failed to run. */
export class KwsCheckError extends Error {
  override name = "KwsCheckError";
}
