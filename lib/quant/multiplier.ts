/**
 * Turning a real-valued scale into TFLite's integer `{multiplier, shift}` pair, exactly as
 * `tensorflow/lite/kernels/internal/quantization_util.cc` does it.
 *
 * @module
 */

/** A real multiplier as `multiplier · 2^(shift − 31)`, multiplier a Q31 int32 in [2^30, 2^31) (or 0). */
export interface QuantizedMultiplier {
  multiplier: number;
  shift: number;
}

/** Error for scales TFLite's kernels refuse (e.g. a softmax input multiplier ≤ 1). */
export class QuantizationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QuantizationError";
  }
}

/**
 * C's `frexp`: `x = fraction · 2^exponent` with `0.5 ≤ |fraction| < 1` (both 0 for x = 0).
 *
 * @example frexp(8) // { fraction: 0.5, exponent: 4 }
 */
export function frexp(x: number): { fraction: number; exponent: number } {
  if (x === 0 || !Number.isFinite(x)) return { fraction: x, exponent: 0 };
  let a = Math.abs(x);
  let bias = 0;
  // Keep powers of two representable for subnormal inputs.
  if (a < 2 ** -1000) {
    a *= 2 ** 100;
    bias = -100;
  }
  let e = Math.ceil(Math.log2(a));
  // log2 can be off by one near powers of two; fix with exact power-of-two scaling.
  let f = a / 2 ** e;
  while (f >= 1) {
    e++;
    f = a / 2 ** e;
  }
  while (f < 0.5) {
    e--;
    f = a / 2 ** e;
  }
  return { fraction: x < 0 ? -f : f, exponent: e + bias };
}

/** C's `round`/TfLiteRound: to nearest, ties away from zero (JS Math.round ties toward +∞). */
export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/**
 * TFLite's QuantizeMultiplier: frexp, round the fraction to Q31 (ties away from zero), renormalise the
 * `2^31` case, and flush multipliers below `2^-32` to zero.
 *
 * @example quantizeMultiplier(0.5) // { multiplier: 1073741824, shift: 0 }
 */
export function quantizeMultiplier(realMultiplier: number): QuantizedMultiplier {
  if (realMultiplier === 0) return { multiplier: 0, shift: 0 };
  const { fraction, exponent } = frexp(realMultiplier);
  let shift = exponent;
  let qFixed = roundHalfAwayFromZero(fraction * 2147483648);
  if (qFixed === 2147483648) {
    qFixed /= 2;
    shift++;
  }
  if (shift < -31) {
    shift = 0;
    qFixed = 0;
  }
  return { multiplier: qFixed, shift };
}

/** TFLite's QuantizeMultiplierSmallerThanOneExp: requires 0 < m < 1; shift ≤ 0. */
export function quantizeMultiplierSmallerThanOneExp(realMultiplier: number): QuantizedMultiplier {
  if (!(realMultiplier > 0 && realMultiplier < 1)) {
    throw new QuantizationError(`multiplier ${realMultiplier} must be in (0, 1); check the tensors' scales`);
  }
  return quantizeMultiplier(realMultiplier);
}

/** TFLite's QuantizeMultiplierGreaterThanOne: requires m > 1; shift ≥ 0. */
export function quantizeMultiplierGreaterThanOne(realMultiplier: number): QuantizedMultiplier {
  if (!(realMultiplier > 1)) {
    throw new QuantizationError(`multiplier ${realMultiplier} must be > 1; check the input scale and beta`);
  }
  return quantizeMultiplier(realMultiplier);
}

/**
 * TFLite's PreprocessSoftmaxScaling: the multiplier that maps an input difference onto a
 * FixedPoint<int32, inputIntegerBits>, capped at `2^31 − 1`.
 */
export function preprocessSoftmaxScaling(
  beta: number,
  inputScale: number,
  inputIntegerBits: number,
): { multiplier: number; leftShift: number } {
  const maxRealMultiplier = 2147483647;
  const real = Math.min(beta * inputScale * 2 ** (31 - inputIntegerBits), maxRealMultiplier);
  const q = quantizeMultiplierGreaterThanOne(real);
  return { multiplier: q.multiplier, leftShift: q.shift };
}

/** TFLite's CalculateInputRadius: the largest |input| that does not saturate the fixed-point format. */
export function calculateInputRadius(inputIntegerBits: number, inputLeftShift: number, totalSignedBits = 31): number {
  const maxInputRescaled = (2 ** inputIntegerBits - 1) * 2 ** (totalSignedBits - inputIntegerBits) /
    2 ** inputLeftShift;
  return Math.floor(maxInputRescaled);
}
