/** Errors of the keyword-spotting helpers. */

/** A bad argument to a keyword-spotting helper: says what is wrong and how to fix it. */
export class KwsAppError extends Error {
  override name = "KwsAppError";
}
