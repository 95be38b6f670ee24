/** Errors of the data-quality and bias lesson helpers. */

/** Bad input to a lesson helper: says what is wrong and how to fix it. */
export class DataLessonError extends Error {
  override name = "DataLessonError";
  constructor(message: string) {
    super(message);
  }
}
