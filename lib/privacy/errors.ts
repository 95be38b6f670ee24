/** Errors of the privacy library. @module */

/** A privacy function was given input it cannot use; the message says what is wrong and how to fix it. */
export class PrivacyInputError extends Error {
  override name = "PrivacyInputError";
}

/** Throws {@link PrivacyInputError} with `message` unless `ok`. */
export function require(ok: boolean, message: string): asserts ok {
  if (!ok) throw new PrivacyInputError(message);
}
