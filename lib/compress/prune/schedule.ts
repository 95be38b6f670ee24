/**
 * Pruning schedules: the target sparsity at each training step, as TF-MOT's ConstantSparsity and
 * PolynomialDecay define them.
 * @module
 */
import { CompressError } from "../errors.ts";

/** A pruning schedule: whether masks are updated at `step`, and the sparsity they aim for. */
export interface PruningSchedule {
  /** Target sparsity at `step`, or undefined when masks should not be recomputed at this step. */
  sparsityAt(step: number): number | undefined;
  /** The final sparsity. */
  readonly finalSparsity: number;
  /** The step after which the masks stop changing. */
  readonly endStep: number;
}

function check(s: number, what: string) {
  if (!(s >= 0 && s < 1)) throw new CompressError(`${what} ${s} must be in [0, 1)`);
}

/**
 * Constant sparsity from `beginStep` on, masks recomputed every `frequency` steps until `endStep`
 * (default: only at `beginStep`).
 *
 * @example constantSparsity(0.8).sparsityAt(0) // 0.8
 */
export function constantSparsity(sparsity: number, beginStep = 0, endStep = beginStep, frequency = 100): PruningSchedule {
  check(sparsity, "sparsity");
  return {
    finalSparsity: sparsity,
    endStep,
    sparsityAt: (step) => (step >= beginStep && step <= endStep && (step - beginStep) % frequency === 0 ? sparsity : undefined),
  };
}

/** Options of {@link polynomialDecay}. */
export interface PolynomialDecayOptions {
  initialSparsity: number;
  finalSparsity: number;
  beginStep: number;
  endStep: number;
  /** Exponent of the decay (default 3, as TF-MOT). */
  power?: number;
  /** Masks are recomputed every `frequency` steps (default 100). */
  frequency?: number;
}

/**
 * TF-MOT's PolynomialDecay: sparsity rises from `initial` to `final` between `beginStep` and `endStep` as
 * `final + (initial − final)·(1 − t)^power`, t the fraction of the way; updated every `frequency` steps.
 *
 * @example
 * const s = polynomialDecay({ initialSparsity: 0, finalSparsity: 0.8, beginStep: 0, endStep: 400, frequency: 20 });
 * s.sparsityAt(200) // 0.7
 */
export function polynomialDecay(o: PolynomialDecayOptions): PruningSchedule {
  check(o.initialSparsity, "initialSparsity");
  check(o.finalSparsity, "finalSparsity");
  if (!(o.endStep > o.beginStep)) throw new CompressError(`endStep ${o.endStep} must be after beginStep ${o.beginStep}`);
  const power = o.power ?? 3;
  const frequency = o.frequency ?? 100;
  const at = (step: number) => {
    const t = Math.min(1, Math.max(0, (step - o.beginStep) / (o.endStep - o.beginStep)));
    return o.finalSparsity + (o.initialSparsity - o.finalSparsity) * (1 - t) ** power;
  };
  return {
    finalSparsity: o.finalSparsity,
    endStep: o.endStep,
    sparsityAt: (step) => {
      if (step < o.beginStep || step > o.endStep) return undefined;
      // TF-MOT also updates at the very end, so the final sparsity is always reached.
      return (step - o.beginStep) % frequency === 0 || step === o.endStep ? at(step) : undefined;
    },
  };
}
