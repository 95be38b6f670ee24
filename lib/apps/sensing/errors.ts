/** Errors of the sensing lessons' helpers. */

/** A bad argument: the message says what is wrong and how to fix it. */
export class SensingInputError extends Error {
  override name = "SensingInputError";
}
