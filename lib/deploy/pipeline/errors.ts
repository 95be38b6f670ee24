/**
 * Typed errors of the lesson deploy pipeline.
 */

/** The board's output differs from the notebook's (the TS int8 interpreter) for at least one sample. */
export class OutputMismatchError extends Error {
  override name = "OutputMismatchError";
  constructor(
    readonly board: string,
    readonly sample: number,
    readonly host: Uint8Array,
    readonly device: Uint8Array | null,
  ) {
    const hex = (b: Uint8Array | null) => (b ? Array.from(b, (v) => v.toString(16).padStart(2, "0")).join(" ") : "(nothing)");
    super(
      `the emulated ${board} and the notebook disagree on sample ${sample}: notebook ${hex(host)}, board ${hex(device)}. ` +
        "The generated C and the TypeScript kernels should be bit-identical: report this with the lesson's sketch folder.",
    );
  }
}

/** Bad arguments to deployLesson (names, samples). */
export class DeployInputError extends Error {
  override name = "DeployInputError";
}

/** The firmware ran but did not finish (no END line: a crash, a hang or a too-small cycle budget). */
export class EmulationIncompleteError extends Error {
  override name = "EmulationIncompleteError";
  constructor(readonly board: string, readonly reason: string, readonly output: string) {
    super(
      `the emulated ${board} did not finish (${reason}); it printed:\n${output.slice(-600) || "(nothing)"}\n` +
        "Raise maxCycles / timeoutMs, or pass fewer samples.",
    );
  }
}
