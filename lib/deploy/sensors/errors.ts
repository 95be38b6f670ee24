/** Typed errors of the live-sensor sketch sections. */

/** A live-sensor description that does not fit the model or the lesson's pipeline. */
export class LiveSensorError extends Error {
  override name = "LiveSensorError";
}
