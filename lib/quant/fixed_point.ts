/**
 * Exact 32-bit fixed-point arithmetic as TFLite and gemmlowp define it, in plain JavaScript Numbers.
 *
 * All values are int32 held in Numbers. Where C++ widens to 64 bits (a 32×32 product needs 62 bits,
 * more than a double's 53), the product is split into 16-bit halves so every intermediate stays exact.
 * `*BigInt` twins exist only to check the Number versions in tests.
 *
 * @module
 */

const TWO_31 = 2147483648;
const TWO_30 = 1073741824;
const TWO_16 = 65536;
const TWO_15 = 32768;
const TWO_53 = 9007199254740992;

/** Largest and smallest int32. */
export const INT32_MAX = 2147483647;
export const INT32_MIN = -2147483648;

/** Error for arguments outside the range a fixed-point helper is defined on. */
export class FixedPointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FixedPointError";
  }
}

/**
 * gemmlowp's SaturatingRoundingDoublingHighMul: the high 32 bits of `2·a·b`, rounded to nearest
 * (ties away from zero), saturating the single overflow case `a = b = INT32_MIN`.
 *
 * C: `(a*b + (a*b >= 0 ? 2^30 : 1 - 2^30)) / 2^31` with 64-bit maths and truncating division.
 *
 * @example saturatingRoundingDoublingHighMul(1 << 30, 1 << 30) // 536870912 (0.5 × 0.5 = 0.25 in Q31)
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  // Common case: the product is below 2^53, so the double arithmetic is exact (dividing by 2^31 is exact
  // too). A rounded product is never below 2^53 when the true one is not, so the test is sound.
  const ab = a * b;
  if (ab < TWO_53 && ab > -TWO_53) return ((ab + (ab >= 0 ? TWO_30 : 1 - TWO_30)) / TWO_31) | 0;
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // b = bh·2^16 + bl with bl in [0, 2^16): both partial products are exact (< 2^47).
  const bl = b & 0xffff;
  const bh = (b - bl) / TWO_16;
  const p1 = a * bh;
  const p0 = a * bl;
  // p1·2^16 = q1·2^31 + r1·2^16 with r1 in [0, 2^15)
  const r1 = ((p1 % TWO_15) + TWO_15) % TWO_15;
  const q1 = (p1 - r1) / TWO_15;
  const nonNegative = a === 0 || b === 0 || (a > 0) === (b > 0);
  const nudge = nonNegative ? TWO_30 : 1 - TWO_30;
  const t = r1 * TWO_16 + p0 + nudge; // exact: |t| < 2^48
  const ft = Math.floor(t / TWO_31);
  const q = q1 + ft; // floor((a·b + nudge) / 2^31)
  const rem = t - ft * TWO_31;
  // C++ division truncates toward zero: correct the floor for negative non-exact quotients.
  return q < 0 && rem !== 0 ? q + 1 : q;
}

/** BigInt reference for {@link saturatingRoundingDoublingHighMul} (slow; for tests). */
export function saturatingRoundingDoublingHighMulBigInt(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates like C
}

/**
 * gemmlowp's RoundingDivideByPOT: `x / 2^exponent` rounded to nearest, ties away from zero.
 * `exponent` must be in [0, 31].
 */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = exponent >= 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * gemmlowp's SaturatingRoundingMultiplyByPOT: multiply by `2^exponent`; positive exponents saturate
 * to int32, negative ones divide with rounding.
 */
export function saturatingRoundingMultiplyByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  if (exponent < 0) return roundingDivideByPOT(x, -exponent);
  const threshold = 2 ** (31 - exponent) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (x << exponent) | 0;
}

/**
 * TFLite's MultiplyByQuantizedMultiplier in its default (double-rounding) form, as TFLM builds it:
 * `RoundingDivideByPOT(SRDHM(x · 2^max(shift,0), m), max(-shift,0))`. Approximates `x · m · 2^(shift-31)`.
 *
 * The left shift wraps on int32 overflow, as the C code does on every real target.
 *
 * @example multiplyByQuantizedMultiplier(1000, 1 << 30, -1) // 250 (1000 × 0.5 × 0.5)
 */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul((x << left) | 0, multiplier), right);
}

/** BigInt reference for {@link multiplyByQuantizedMultiplier} (slow; for tests). */
export function multiplyByQuantizedMultiplierBigInt(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  const shifted = Number(BigInt.asIntN(32, BigInt(x) << BigInt(left)));
  const h = BigInt(saturatingRoundingDoublingHighMulBigInt(shifted, multiplier));
  if (right === 0) return Number(h);
  const mask = (1n << BigInt(right)) - 1n;
  const rem = h & mask;
  const threshold = (mask >> 1n) + (h < 0n ? 1n : 0n);
  return Number((h >> BigInt(right)) + (rem > threshold ? 1n : 0n));
}

/** TFLite's MultiplyByQuantizedMultiplierSmallerThanOneExp (double rounding): shift ≤ 0. */
export function multiplyByQuantizedMultiplierSmallerThanOneExp(
  x: number,
  multiplier: number,
  leftShift: number,
): number {
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, multiplier), -leftShift);
}

/** TFLite's MultiplyByQuantizedMultiplierGreaterThanOne (double rounding): shift ≥ 0, no rounding shift. */
export function multiplyByQuantizedMultiplierGreaterThanOne(
  x: number,
  multiplier: number,
  leftShift: number,
): number {
  return saturatingRoundingDoublingHighMul((x << leftShift) | 0, multiplier);
}

/** Saturate a Number to int8 [−128, 127]. */
export function saturateInt8(x: number): number {
  return x < -128 ? -128 : x > 127 ? 127 : x;
}

/** Saturate a Number to int32. */
export function saturateInt32(x: number): number {
  return x < INT32_MIN ? INT32_MIN : x > INT32_MAX ? INT32_MAX : x;
}

/** Saturating int32 addition (gemmlowp SaturatingAdd semantics for int32). */
export function saturatingAdd(a: number, b: number): number {
  return saturateInt32(a + b);
}

/** Wrapping int32 addition, as the C kernels' `int32_t` adds behave on real targets. */
export function wrappingAdd(a: number, b: number): number {
  return (a + b) | 0;
}

/** gemmlowp RoundingHalfSum for int32: `(a + b ± 1) / 2` truncated, i.e. the rounded mean. */
export function roundingHalfSum(a: number, b: number): number {
  const sum = a + b; // exact: |sum| < 2^32
  const sign = sum >= 0 ? 1 : -1;
  return Math.trunc((sum + sign) / 2);
}

// ---- gemmlowp transcendental helpers on raw int32 fixed-point values ------------------------------
// A FixedPoint<int32, N> value is a raw int32 r meaning r / 2^(31-N).

const ONE_Q0 = INT32_MAX; // FixedPoint<int32,0>::One()

/** `FixedPoint<N> * FixedPoint<M>`: raw SRDHM, result has N+M integer bits. */
const fpMul = saturatingRoundingDoublingHighMul;

/** gemmlowp `Rescale<dst>(FixedPoint<src>)`. */
export function rescale(raw: number, srcIntegerBits: number, dstIntegerBits: number): number {
  return saturatingRoundingMultiplyByPOT(raw, srcIntegerBits - dstIntegerBits);
}

/** gemmlowp exp_on_interval_between_negative_one_quarter_and_0_excl (Q0 in, Q0 out). */
export function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a: number): number {
  const constantTerm = 1895147668; // exp(-1/8)
  const constant1Over3 = 715827883;
  const x = (a + (1 << 28)) | 0; // a + 1/8
  const x2 = fpMul(x, x);
  const x3 = fpMul(x2, x);
  const x4 = fpMul(x2, x2);
  const x4Over4 = roundingDivideByPOT(x4, 2);
  const poly = roundingDivideByPOT((fpMul((x4Over4 + x3) | 0, constant1Over3) + x2) | 0, 1);
  return (constantTerm + fpMul(constantTerm, (x + poly) | 0)) | 0;
}

/** Barrel-shifter multipliers exp(−2^k) in Q0 for k = −2 … 4 (gemmlowp exp_on_negative_values). */
const EXP_BARREL_MULTIPLIERS = [1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242];

/**
 * gemmlowp exp_on_negative_values: `exp(a)` for `a ≤ 0` given as FixedPoint<int32, integerBits>,
 * result in Q0 (FixedPoint<int32, 0>).
 */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = 2 ** (fractionalBits - 2);
  const mask = oneQuarter - 1;
  const aModQuarterMinusOneQuarter = ((a & mask) - oneQuarter) | 0;
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(
    rescale(aModQuarterMinusOneQuarter, integerBits, 0),
  );
  const remainder = (aModQuarterMinusOneQuarter - a) | 0;
  for (let k = 0; k < EXP_BARREL_MULTIPLIERS.length; k++) {
    const exponent = k - 2;
    if (integerBits > exponent && (remainder & (1 << (fractionalBits + exponent))) !== 0) {
      result = fpMul(result, EXP_BARREL_MULTIPLIERS[k]);
    }
  }
  if (integerBits > 5) {
    const clamp = -(2 ** (36 - integerBits));
    if (a < clamp) result = 0;
  }
  return a === 0 ? ONE_Q0 : result;
}

/** Newton–Raphson reciprocal core shared by the two gemmlowp helpers below; returns x in Q2. */
function newtonReciprocalQ2(halfDenominator: number): number {
  const c48Over17 = 1515870810;
  const cNeg32Over17 = -1010580540;
  const oneQ2 = 1 << 29;
  let x = (c48Over17 + fpMul(halfDenominator, cNeg32Over17)) | 0;
  for (let i = 0; i < 3; i++) {
    const halfDenominatorTimesX = fpMul(halfDenominator, x); // Q2
    const oneMinus = (oneQ2 - halfDenominatorTimesX) | 0; // Q2
    x = (x + rescale(fpMul(x, oneMinus), 4, 2)) | 0;
  }
  return x;
}

/** gemmlowp one_over_one_plus_x_for_x_in_0_1: `1 / (1 + a)` for a in [0, 1), Q0 in and out. */
export function oneOverOnePlusXForXIn01(a: number): number {
  const x = newtonReciprocalQ2(roundingHalfSum(a, ONE_Q0));
  // ExactMulByPot<-1> turns Q2 into Q1 without touching the raw value; then Rescale<0>.
  return rescale(x, 1, 0);
}

/** gemmlowp one_minus_x_over_one_plus_x_for_x_in_0_1: `(1 − a) / (1 + a)`, Q0 in and out. */
export function oneMinusXOverOnePlusXForXIn01(a: number): number {
  const x = newtonReciprocalQ2(roundingHalfSum(a, ONE_Q0));
  return rescale((x - (1 << 29)) | 0, 2, 0);
}

/** gemmlowp logistic: `1 / (1 + exp(−a))`, a in FixedPoint<int32, integerBits>, result Q0. */
export function logisticFixed(a: number, integerBits: number): number {
  if (a === 0) return 1 << 30;
  const positive = a > 0;
  const absInput = positive ? a : -a | 0;
  const resultIfPositive = oneOverOnePlusXForXIn01(expOnNegativeValues(-absInput | 0, integerBits));
  return positive ? resultIfPositive : (ONE_Q0 - resultIfPositive) | 0;
}

/** gemmlowp tanh: a in FixedPoint<int32, integerBits>, result Q0. */
export function tanhFixed(a: number, integerBits: number): number {
  if (a === 0) return 0;
  const negative = a < 0;
  const n = negative ? a : -a | 0;
  // ExactMulByPot<1>: same raw, one more integer bit, i.e. 2n.
  const t = oneMinusXOverOnePlusXForXIn01(expOnNegativeValues(n, integerBits + 1));
  return negative ? -t | 0 : t;
}

/**
 * TFLite's GetReciprocal: `1 / x` for a positive FixedPoint<int32, xIntegerDigits>, returned as a Q0
 * value scaled by `2^-numBitsOverUnit`.
 */
export function getReciprocal(x: number, xIntegerDigits: number): { reciprocal: number; numBitsOverUnit: number } {
  const headroomPlusOne = Math.clz32(x >>> 0);
  const numBitsOverUnit = xIntegerDigits - headroomPlusOne;
  // (uint32(x) << headroom_plus_one) − 2^31, reinterpreted as int32
  const shiftedSumMinusOne = (((x >>> 0) * 2 ** headroomPlusOne) % 4294967296 - TWO_31) | 0;
  return { reciprocal: oneOverOnePlusXForXIn01(shiftedSumMinusOne), numBitsOverUnit };
}
