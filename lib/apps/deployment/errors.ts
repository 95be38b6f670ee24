/** Errors of the deployment lessons' helpers. */

/** A bad argument: says what is wrong and how to fix it. */
export class DeploymentLessonError extends Error {
  override name = "DeploymentLessonError";
}
