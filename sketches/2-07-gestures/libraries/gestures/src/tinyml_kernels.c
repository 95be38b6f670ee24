/*
 * tinyml_kernels.c - portable C99 int8 kernels (see tinyml_kernels.h), with AVR assembly for the hot loops.
 *
 * The arithmetic follows TensorFlow Lite Micro's reference int8 kernels and gemmlowp's fixed-point helpers,
 * operation for operation, so results are bit-exact. Liberties, all exact in integer arithmetic:
 *  - FULLY_CONNECTED takes a bias that already contains input_offset * sum(row weights), so the inner loop is a
 *    plain int8 x int8 dot product (sum((x + off) * w) == sum(x * w) + off * sum(w)); CONV_2D and
 *    DEPTHWISE_CONV_2D do the same with filter sums computed here, once per output channel.
 *  - products of an int8 weight and an offset input (|.| <= 255 * 128) are formed in 16 bits, which is exact
 *    and lets 8-bit CPUs use their hardware multiplier.
 *  - on AVR, dot products, the 32 x 32 -> 64 multiply and the rounding shifts of the requantization are
 *    assembly (TML_AVR_ASM); on cores with the ARM DSP extension (Cortex-M4/M7: __ARM_FEATURE_DSP) the dot
 *    products use SXTB16/SMLAD, two MACs per instruction (TML_ARM_DSP); every other target compiles the plain
 *    C next to them. All give the same bytes (int32 sums wrap, so their order does not matter).
 * Right shifts of negative numbers are arithmetic, as on every compiler this kit targets (gcc, avr-gcc, clang).
 */
#include "tinyml_kernels.h"

#include <math.h> /* roundf: TFLite rounds half away from zero */
#include <string.h>

/* The AVR assembly below needs the hardware multiplier (every ATmega; not the smallest ATtinys). */
#if defined(__AVR__) && defined(__AVR_HAVE_MUL__)
#define TML_AVR_ASM 1
#else
#define TML_AVR_ASM 0
#endif

/* Cortex-M4/M7 (and other cores with the DSP extension): two 16-bit MACs per instruction (SMLAD) on int8 pairs
 * sign-extended by SXTB16. SMLAD's additions wrap (they only set the Q flag), so sums equal the plain C ones. */
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && !TML_AVR_ASM
#define TML_ARM_DSP 1
#else
#define TML_ARM_DSP 0
#endif

/* ---------------------------------------------------------------- fixed point */

#if TML_AVR_ASM
/*
 * AVR assembly for the whole of rdbpot(srdhm(x, m), e), ~150 cycles instead of ~450 in C: the 64-bit product
 * from 16 hardware MULs, the rounding of the doubling high multiply on bytes, then the rounding right shift by
 * whole bytes and at most 4 single-bit steps. Not for x == m == INT32_MIN (the caller saturates that).
 * avr-gcc ABI: x r25:r22, m r21:r18, e r16 (0..31); result r25:r22; r12-r17 are saved, r1 cleared.
 */
int32_t tml_avr_mbqm_core(int32_t x, int32_t m, uint8_t e);
__asm__(
    ".section .text.tml_avr_mbqm_core,\"ax\",@progbits\n"
    ".global tml_avr_mbqm_core\n"
    ".type tml_avr_mbqm_core, @function\n"
    "tml_avr_mbqm_core:\n"
    "  push r12\n"
    "  push r13\n"
    "  push r14\n"
    "  push r15\n"
    "  push r17\n"
    "  clr  r17  /* zero */\n"
    "  clr  r30\n"
    "  clr  r31\n"
    "  clr  r12\n"
    "  clr  r13\n"
    "  clr  r14\n"
    "  clr  r15\n"
    "/* unsigned x * m, column by column: byte product i*j adds to bytes i+j, i+j+1 and its carry to i+j+2 */\n"
    "  mul  r22, r18\n"
    "  movw r26, r0\n"
    "  mul  r22, r19\n"
    "  add  r27, r0\n"
    "  adc  r30, r1\n"
    "  adc  r31, r17\n"
    "  mul  r23, r18\n"
    "  add  r27, r0\n"
    "  adc  r30, r1\n"
    "  adc  r31, r17\n"
    "  mul  r22, r20\n"
    "  add  r30, r0\n"
    "  adc  r31, r1\n"
    "  adc  r12, r17\n"
    "  mul  r23, r19\n"
    "  add  r30, r0\n"
    "  adc  r31, r1\n"
    "  adc  r12, r17\n"
    "  mul  r24, r18\n"
    "  add  r30, r0\n"
    "  adc  r31, r1\n"
    "  adc  r12, r17\n"
    "  mul  r22, r21\n"
    "  add  r31, r0\n"
    "  adc  r12, r1\n"
    "  adc  r13, r17\n"
    "  mul  r23, r20\n"
    "  add  r31, r0\n"
    "  adc  r12, r1\n"
    "  adc  r13, r17\n"
    "  mul  r24, r19\n"
    "  add  r31, r0\n"
    "  adc  r12, r1\n"
    "  adc  r13, r17\n"
    "  mul  r25, r18\n"
    "  add  r31, r0\n"
    "  adc  r12, r1\n"
    "  adc  r13, r17\n"
    "  mul  r23, r21\n"
    "  add  r12, r0\n"
    "  adc  r13, r1\n"
    "  adc  r14, r17\n"
    "  mul  r24, r20\n"
    "  add  r12, r0\n"
    "  adc  r13, r1\n"
    "  adc  r14, r17\n"
    "  mul  r25, r19\n"
    "  add  r12, r0\n"
    "  adc  r13, r1\n"
    "  adc  r14, r17\n"
    "  mul  r24, r21\n"
    "  add  r13, r0\n"
    "  adc  r14, r1\n"
    "  adc  r15, r17\n"
    "  mul  r25, r20\n"
    "  add  r13, r0\n"
    "  adc  r14, r1\n"
    "  adc  r15, r17\n"
    "  mul  r25, r21\n"
    "  add  r14, r0\n"
    "  adc  r15, r1\n"
    "/* signed: subtract m * 2^32 if x < 0 and x * 2^32 if m < 0 */\n"
    "  sbrs r25, 7\n"
    "  rjmp .Lmq_1\n"
    "  sub  r12, r18\n"
    "  sbc  r13, r19\n"
    "  sbc  r14, r20\n"
    "  sbc  r15, r21\n"
    ".Lmq_1:\n"
    "  sbrs r21, 7\n"
    "  rjmp .Lmq_2\n"
    "  sub  r12, r22\n"
    "  sbc  r13, r23\n"
    "  sbc  r14, r24\n"
    "  sbc  r15, r25\n"
    ".Lmq_2:\n"
    "/* s = floor((x * m + 2^30) / 2^31) (gemmlowp SaturatingRoundingDoublingHighMul without its one overflow) */\n"
    "  ldi  r18, 0x40\n"
    "  add  r31, r18\n"
    "  adc  r12, r17\n"
    "  adc  r13, r17\n"
    "  adc  r14, r17\n"
    "  adc  r15, r17\n"
    "  lsl  r31\n"
    "  rol  r12\n"
    "  rol  r13\n"
    "  rol  r14\n"
    "  rol  r15\n"
    "  movw r22, r12\n"
    "  movw r24, r14\n"
    "/* s / 2^e rounded half away from zero (gemmlowp RoundingDivideByPOT): q = s >> (e - 1) keeping a sticky */\n"
    "/* byte r20 of the bits shifted out; then the half bit decides, ties of negative s stay down */\n"
    "  tst  r16\n"
    "  breq .Lmq_done\n"
    "  mov  r18, r25\n"
    "  lsl  r18\n"
    "  sbc  r18, r18  /* r18 = sign byte of s */\n"
    "  mov  r21, r18\n"
    "  clr  r20\n"
    "  mov  r19, r16\n"
    "  dec  r19  /* n = e - 1 */\n"
    "  mov  r26, r19\n"
    "  andi r26, 7\n"
    "  breq .Lmq_bytes\n"
    "  cpi  r26, 4\n"
    "  brsh .Lmq_left\n"
    ".Lmq_right:\n"
    "  asr  r25\n"
    "  ror  r24\n"
    "  ror  r23\n"
    "  ror  r22\n"
    "  adc  r20, r17\n"
    "  dec  r26\n"
    "  brne .Lmq_right\n"
    "  rjmp .Lmq_bytes\n"
    ".Lmq_left:  /* n % 8 >= 4: shift left by 8 - n % 8 and drop the low byte */\n"
    "  subi r26, 8\n"
    "  neg  r26\n"
    ".Lmq_l:\n"
    "  lsl  r22\n"
    "  rol  r23\n"
    "  rol  r24\n"
    "  rol  r25\n"
    "  rol  r21\n"
    "  dec  r26\n"
    "  brne .Lmq_l\n"
    "  or   r20, r22\n"
    "  mov  r22, r23\n"
    "  mov  r23, r24\n"
    "  mov  r24, r25\n"
    "  mov  r25, r21\n"
    ".Lmq_bytes:\n"
    "  mov  r27, r19\n"
    "  lsr  r27\n"
    "  lsr  r27\n"
    "  lsr  r27\n"
    "  breq .Lmq_half\n"
    ".Lmq_b:\n"
    "  or   r20, r22\n"
    "  mov  r22, r23\n"
    "  mov  r23, r24\n"
    "  mov  r24, r25\n"
    "  mov  r25, r18\n"
    "  dec  r27\n"
    "  brne .Lmq_b\n"
    ".Lmq_half:\n"
    "  asr  r25\n"
    "  ror  r24\n"
    "  ror  r23\n"
    "  ror  r22\n"
    "  brcc .Lmq_done\n"
    "  tst  r18\n"
    "  breq .Lmq_up\n"
    "  tst  r20\n"
    "  breq .Lmq_done\n"
    ".Lmq_up:\n"
    "  subi r22, 0xff\n"
    "  sbci r23, 0xff\n"
    "  sbci r24, 0xff\n"
    "  sbci r25, 0xff\n"
    ".Lmq_done:\n"
    "  clr  r1\n"
    "  pop  r17\n"
    "  pop  r15\n"
    "  pop  r14\n"
    "  pop  r13\n"
    "  pop  r12\n"
    "  ret\n"
    ".size tml_avr_mbqm_core, .-tml_avr_mbqm_core\n"
    ".text\n"
);
#endif

#if TML_AVR_ASM
int32_t tml_srdhm(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN) return INT32_MAX; /* the one product that overflows */
  return tml_avr_mbqm_core(a, b, 0);
}
#else
/* The exact 64-bit product of two int32, as a signed high word and an unsigned low word. */
static void mul32x32(int32_t a, int32_t b, int32_t* hi, uint32_t* lo) {
  const int64_t ab = (int64_t)a * (int64_t)b;
  *hi = (int32_t)(ab >> 32);
  *lo = (uint32_t)ab;
}

int32_t tml_srdhm(int32_t a, int32_t b) {
  int32_t hi;
  uint32_t lo, lo_nudged;
  if (a == b && a == INT32_MIN) return INT32_MAX; /* the one product that overflows */
  mul32x32(a, b, &hi, &lo);
  /*
   * gemmlowp computes (ab + nudge) / 2^31 truncating toward zero, with nudge = 2^30 for ab >= 0 and
   * 1 - 2^30 otherwise. For ab < 0, truncation equals flooring after adding 2^31 - 1, and the two nudges
   * become the same: the result is floor((ab + 2^30) / 2^31) for every ab. That is done here in 32-bit
   * halves (add with carry, then take bits 31..62), which 8-bit CPUs do far faster than 64-bit arithmetic.
   */
  lo_nudged = lo + 0x40000000u;
  if (lo_nudged < lo) ++hi;
  return (int32_t)(((uint32_t)hi << 1) | (lo_nudged >> 31));
}
#endif

#if TML_AVR_ASM
/* x >> n and x << n for n in [0, 31]: whole bytes first, then at most 7 single-bit steps (avr-gcc shifts a
 * 32-bit value by a variable count one bit per loop turn, ~7 cycles a bit). */
static int32_t asr_var(int32_t x, uint8_t n) {
  if (n & 16) x >>= 16;
  if (n & 8) x >>= 8;
  for (n &= 7; n; --n) x >>= 1;
  return x;
}
static uint32_t lsl_var(uint32_t x, uint8_t n) {
  if (n & 16) x <<= 16;
  if (n & 8) x <<= 8;
  for (n &= 7; n; --n) x <<= 1;
  return x;
}

int32_t tml_rdbpot(int32_t x, int32_t exponent) {
  /* The same rounding as below without masks: q1 = x >> (e - 1) holds the half bit in bit 0. Round up when
   * it is set and x >= 0, or when it is set and some lower bit is (x < 0: ties go down, i.e. away from 0). */
  int32_t q1;
  uint8_t e = (uint8_t)exponent;
  if (e == 0) return x;
  q1 = asr_var(x, (uint8_t)(e - 1));
  if ((q1 & 1) && (x >= 0 || (uint32_t)x != lsl_var((uint32_t)q1, (uint8_t)(e - 1)))) return (q1 >> 1) + 1;
  return q1 >> 1;
}

int32_t tml_mbqm(int32_t x, int32_t multiplier, int32_t shift) {
  const uint8_t right = shift > 0 ? 0 : (uint8_t)-shift;
  if (shift > 0) x = (int32_t)lsl_var((uint32_t)x, (uint8_t)shift);
  if (x == INT32_MIN && multiplier == INT32_MIN) return tml_rdbpot(INT32_MAX, right);
  return tml_avr_mbqm_core(x, multiplier, right);
}
#else
int32_t tml_rdbpot(int32_t x, int32_t exponent) {
  const int32_t mask = (int32_t)(((uint32_t)1 << exponent) - 1u);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int32_t tml_mbqm(int32_t x, int32_t multiplier, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0;
  const int32_t right = shift > 0 ? 0 : -shift;
  /* x * 2^left as a shift (TFLM multiplies; the same value whenever it does not overflow, which TFLM assumes) */
  return tml_rdbpot(tml_srdhm((int32_t)((uint32_t)x << left), multiplier), right);
}
#endif

static int32_t clamp32(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/* gemmlowp's saturating x * 2^exponent for exponent > 0 (SaturatingRoundingMultiplyByPOT). */
static int32_t sat_shl(int32_t x, int32_t exponent) {
  const int32_t threshold = (int32_t)(((uint32_t)1 << (31 - exponent)) - 1u);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << exponent);
}

/* gemmlowp Rescale between Q formats: from `src_bits` to `dst_bits` integer bits. */
static int32_t rescale(int32_t x, int32_t src_bits, int32_t dst_bits) {
  const int32_t e = src_bits - dst_bits;
  if (e > 0) return sat_shl(x, e);
  if (e < 0) return tml_rdbpot(x, -e);
  return x;
}

/* exp(a) for a in [-1/4, 0), a and result in Q0.31: Taylor series around -1/8 (gemmlowp). */
static int32_t exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a) {
  const int32_t constant_term = 1895147668;    /* exp(-1/8) */
  const int32_t constant_1_over_3 = 715827883; /* 1/3 */
  const int32_t x = a + ((int32_t)1 << 28);    /* a + 1/8 */
  const int32_t x2 = tml_srdhm(x, x);
  const int32_t x3 = tml_srdhm(x2, x);
  const int32_t x4 = tml_srdhm(x2, x2);
  const int32_t x4_over_4 = tml_rdbpot(x4, 2);
  const int32_t poly = tml_rdbpot(tml_srdhm(x4_over_4 + x3, constant_1_over_3) + x2, 1);
  return constant_term + tml_srdhm(constant_term, x + poly);
}

/* exp(a) for a <= 0; a has `integer_bits` integer bits, the result is Q0.31 (gemmlowp exp_on_negative_values). */
static int32_t exp_on_negative_values(int32_t a, int32_t integer_bits) {
  static const int32_t multipliers[7] = {
      1672461947, /* exp(-1/4) */
      1302514674, /* exp(-1/2) */
      790015084,  /* exp(-1)   */
      290630308,  /* exp(-2)   */
      39332535,   /* exp(-4)   */
      720401,     /* exp(-8)   */
      242,        /* exp(-16)  */
  };
  const int32_t fractional_bits = 31 - integer_bits;
  const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2);
  const int32_t a_mod_quarter_minus_one_quarter = (a & (one_quarter - 1)) - one_quarter;
  int32_t result = exp_on_interval_between_negative_one_quarter_and_0_excl(
      rescale(a_mod_quarter_minus_one_quarter, integer_bits, 0));
  const int32_t remainder = a_mod_quarter_minus_one_quarter - a;
  int32_t exponent;
  /* Multiply in exp(-2^e) for every bit e set in the remainder: a barrel shifter. */
  for (exponent = -2; exponent <= 4; ++exponent) {
    if (integer_bits > exponent) {
      const int32_t shift = fractional_bits + exponent;
      if (remainder & (int32_t)((uint32_t)1 << shift)) result = tml_srdhm(result, multipliers[exponent + 2]);
    }
  }
  if (integer_bits > 5) {
    const int32_t clamp = -((int32_t)1 << (36 - integer_bits)); /* -32.0: exp is 0 below it */
    if (a < clamp) result = 0;
  }
  return a == 0 ? INT32_MAX : result;
}

/* (a + b) / 2 rounded, without overflow (gemmlowp RoundingHalfSum). */
static int32_t rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = (int64_t)a + (int64_t)b;
  const int64_t sign = sum >= 0 ? 1 : -1;
  const int64_t v = sum + sign;
  return (int32_t)(v >= 0 ? (v >> 1) : -((-v) >> 1)); /* v / 2 truncating */
}

/* Newton-Raphson for 1 / half_denominator, in Q2.29 (shared part of the two gemmlowp reciprocals). */
static int32_t newton_reciprocal_q2(int32_t half_denominator) {
  const int32_t one_q2 = (int32_t)1 << 29;
  int32_t x = 1515870810 + tml_srdhm(half_denominator, -1010580540); /* 48/17 - 32/17 * d */
  int i;
  for (i = 0; i < 3; ++i) {
    const int32_t half_denominator_times_x = tml_srdhm(half_denominator, x);
    const int32_t one_minus = one_q2 - half_denominator_times_x;
    x = x + rescale(tml_srdhm(x, one_minus), 4, 2);
  }
  return x;
}

/* 1 / (1 + a) for a in [0, 1), Q0.31 in and out (gemmlowp one_over_one_plus_x_for_x_in_0_1). */
static int32_t one_over_one_plus_x_for_x_in_0_1(int32_t a) {
  const int32_t x = newton_reciprocal_q2(rounding_half_sum(a, INT32_MAX));
  return rescale(x, 1, 0); /* ExactMulByPot<-1>: same raw, one integer bit fewer */
}

/* (1 - a) / (1 + a) for a in [0, 1), Q0.31 (gemmlowp one_minus_x_over_one_plus_x_for_x_in_0_1). */
static int32_t one_minus_x_over_one_plus_x_for_x_in_0_1(int32_t a) {
  const int32_t x = newton_reciprocal_q2(rounding_half_sum(a, INT32_MAX));
  return rescale(x - ((int32_t)1 << 29), 2, 0);
}

static int32_t count_leading_zeros32(uint32_t x) {
  int32_t n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    ++n;
  }
  return n;
}

/* ---------------------------------------------------------------- dot products */

/*
 * The one inner loop of FULLY_CONNECTED and CONV_2D: sum of x[i] * w[i] over `rows` runs of `run` int8 pairs,
 * x in RAM (the next run starts `row_step` bytes after the previous one started), w constant and contiguous.
 * NHWC inputs and OHWI filters make a whole filter row (filter_w * channels taps) one such run, so no index
 * arithmetic is left per MAC.
 */
#define TML_RUN_MAX 2040 /* the AVR loop counts groups of 8 in 8 bits */

#if TML_AVR_ASM
/*
 * AVR assembly (a whole function, so no registers are spilled around it), 10.4 cycles per MAC:
 * ld x 2 + lpm w 3 + muls 2 + add/adc 2 + brvs 1, + dec/brne 3 per 8 MACs. The sum is kept in 16 bits; a
 * signed overflow (V flag) branches out of line (+5 cycles) to count +-65536 in a 16-bit counter, so the exact
 * sum is count * 65536 + (int16_t)sum. avr-gcc's own code for the C loop widens every product to 32 bits.
 * avr-gcc ABI: x r25:r24, w r23:r22, run r21:r20 (1..2047), rows r18 (>= 1), row_step r17:r16; result
 * r25..r22; r0, r18-r27, r30, r31 are free, r1 must be 0 again on return, r14-r17 are saved.
 */
int32_t tml_avr_dot_rows(const int8_t* x, const int8_t* w, uint16_t run, uint8_t rows, uint16_t row_step);
__asm__(
    ".section .text.tml_avr_dot_rows,\"ax\",@progbits\n"
    ".global tml_avr_dot_rows\n"
    ".type tml_avr_dot_rows, @function\n"
    "tml_avr_dot_rows:\n"
    "  push r14\n"
    "  push r15\n"
    "  push r16\n"
    "  push r17\n"
    "  movw r26, r24            /* X = x */\n"
    "  movw r30, r22            /* Z = w */\n"
    "  movw r14, r16            /* r15:r14 = row_step - run */\n"
    "  sub  r14, r20\n"
    "  sbc  r15, r21\n"
    "  mov  r19, r20            /* r19 = run % 8 */\n"
    "  andi r19, 7\n"
    "  lsr  r21                 /* r20 = run / 8 */\n"
    "  ror  r20\n"
    "  lsr  r21\n"
    "  ror  r20\n"
    "  lsr  r21\n"
    "  ror  r20\n"
    "  clr  r22                 /* r23:r22 = 16-bit sum */\n"
    "  clr  r23\n"
    "  clr  r24                 /* r25:r24 = overflow count */\n"
    "  clr  r25\n"
    "  rjmp .Ltd_row\n"
    "/* overflow of the sum (V): N=1 means it passed +32767, so count +65536, else -65536 */\n"
    ".Ltd_ovfs:\n"
    "  brmi .Ltd_ups\n"
    "  sbiw r24, 1\n"
    "  rjmp .Ltd_rets\n"
    ".Ltd_ups:\n"
    "  adiw r24, 1\n"
    "  rjmp .Ltd_rets\n"
    ".Ltd_row:\n"
    "  mov  r21, r19\n"
    "  tst  r21\n"
    "  breq .Ltd_oct\n"
    ".Ltd_one:\n"
    "  ld   r16, X+\n"
    "  lpm  r17, Z+\n"
    "  muls r16, r17\n"
    "  add  r22, r0\n"
    "  adc  r23, r1\n"
    "  brvs .Ltd_ovfs\n"
    ".Ltd_rets:\n"
    "  dec  r21\n"
    "  brne .Ltd_one\n"
    ".Ltd_oct:\n"
    "  mov  r21, r20\n"
    "  tst  r21\n"
    "  breq .Ltd_next\n"
    ".Ltd_eight:\n"
    "  ld   r16, X+\n"
    "  lpm  r17, Z+\n"
    "  muls r16, r17\n"
    "  add  r22, r0\n"
    "  adc  r23, r1\n"
    "  brvs .Ltd_ovf0\n"
    ".Ltd_ret0:\n"
    "  ld   r16, X+\n"
    "  lpm  r17, Z+\n"
    "  muls r16, r17\n"
    "  add  r22, r0\n"
    "  adc  r23, r1\n"
    "  brvs .Ltd_ovf1\n"
    ".Ltd_ret1:\n"
    "  ld   r16, X+\n"
    "  lpm  r17, Z+\n"
    "  muls r16, r17\n"
    "  add  r22, r0\n"
    "  adc  r23, r1\n"
    "  brvs .Ltd_ovf2\n"
    ".Ltd_ret2:\n"
    "  ld   r16, X+\n"
    "  lpm  r17, Z+\n"
    "  muls r16, r17\n"
    "  add  r22, r0\n"
    "  adc  r23, r1\n"
    "  brvs .Ltd_ovf3\n"
    ".Ltd_ret3:\n"
    "  ld   r16, X+\n"
    "  lpm  r17, Z+\n"
    "  muls r16, r17\n"
    "  add  r22, r0\n"
    "  adc  r23, r1\n"
    "  brvs .Ltd_ovf4\n"
    ".Ltd_ret4:\n"
    "  ld   r16, X+\n"
    "  lpm  r17, Z+\n"
    "  muls r16, r17\n"
    "  add  r22, r0\n"
    "  adc  r23, r1\n"
    "  brvs .Ltd_ovf5\n"
    ".Ltd_ret5:\n"
    "  ld   r16, X+\n"
    "  lpm  r17, Z+\n"
    "  muls r16, r17\n"
    "  add  r22, r0\n"
    "  adc  r23, r1\n"
    "  brvs .Ltd_ovf6\n"
    ".Ltd_ret6:\n"
    "  ld   r16, X+\n"
    "  lpm  r17, Z+\n"
    "  muls r16, r17\n"
    "  add  r22, r0\n"
    "  adc  r23, r1\n"
    "  brvs .Ltd_ovf7\n"
    ".Ltd_ret7:\n"
    "  dec  r21\n"
    "  brne .Ltd_eight\n"
    ".Ltd_next:\n"
    "  add  r26, r14            /* next row */\n"
    "  adc  r27, r15\n"
    "  dec  r18\n"
    "  breq .Ltd_end\n"
    "  rjmp .Ltd_row\n"
    ".Ltd_ovf0:\n"
    "  brmi .Ltd_up0\n"
    "  sbiw r24, 1\n"
    "  rjmp .Ltd_ret0\n"
    ".Ltd_up0:\n"
    "  adiw r24, 1\n"
    "  rjmp .Ltd_ret0\n"
    ".Ltd_ovf1:\n"
    "  brmi .Ltd_up1\n"
    "  sbiw r24, 1\n"
    "  rjmp .Ltd_ret1\n"
    ".Ltd_up1:\n"
    "  adiw r24, 1\n"
    "  rjmp .Ltd_ret1\n"
    ".Ltd_ovf2:\n"
    "  brmi .Ltd_up2\n"
    "  sbiw r24, 1\n"
    "  rjmp .Ltd_ret2\n"
    ".Ltd_up2:\n"
    "  adiw r24, 1\n"
    "  rjmp .Ltd_ret2\n"
    ".Ltd_ovf3:\n"
    "  brmi .Ltd_up3\n"
    "  sbiw r24, 1\n"
    "  rjmp .Ltd_ret3\n"
    ".Ltd_up3:\n"
    "  adiw r24, 1\n"
    "  rjmp .Ltd_ret3\n"
    ".Ltd_ovf4:\n"
    "  brmi .Ltd_up4\n"
    "  sbiw r24, 1\n"
    "  rjmp .Ltd_ret4\n"
    ".Ltd_up4:\n"
    "  adiw r24, 1\n"
    "  rjmp .Ltd_ret4\n"
    ".Ltd_ovf5:\n"
    "  brmi .Ltd_up5\n"
    "  sbiw r24, 1\n"
    "  rjmp .Ltd_ret5\n"
    ".Ltd_up5:\n"
    "  adiw r24, 1\n"
    "  rjmp .Ltd_ret5\n"
    ".Ltd_ovf6:\n"
    "  brmi .Ltd_up6\n"
    "  sbiw r24, 1\n"
    "  rjmp .Ltd_ret6\n"
    ".Ltd_up6:\n"
    "  adiw r24, 1\n"
    "  rjmp .Ltd_ret6\n"
    ".Ltd_ovf7:\n"
    "  brmi .Ltd_up7\n"
    "  sbiw r24, 1\n"
    "  rjmp .Ltd_ret7\n"
    ".Ltd_up7:\n"
    "  adiw r24, 1\n"
    "  rjmp .Ltd_ret7\n"
    ".Ltd_end:\n"
    "  sbrc r23, 7              /* r25..r22 = count * 65536 + (int16_t)sum */\n"
    "  sbiw r24, 1\n"
    "  clr  r1\n"
    "  pop  r17\n"
    "  pop  r16\n"
    "  pop  r15\n"
    "  pop  r14\n"
    "  ret\n"
    ".size tml_avr_dot_rows, .-tml_avr_dot_rows\n"
    ".text\n"
);

/*
 * Two dot products that share the filter: x and x + pos_step (two neighbouring output columns of a
 * convolution) against the same w, so each weight is read from flash once for two MACs: lpm 3 + 2 * (ld 2 +
 * muls 2 + add/adc/brvs 3) = 8.5 cycles per MAC, + dec/brne 3 per 8 MACs. Same overflow counting as above.
 * avr-gcc ABI: x r25:r24, w r23:r22, run r21:r20 (1..1023), rows r18 (>= 1), row_step r17:r16, pos_step
 * r15:r14, out r13:r12 (two int32); r2-r5, r14-r17, r28, r29 are saved.
 */
void tml_avr_dot2_rows(const int8_t* x, const int8_t* w, uint16_t run, uint8_t rows, uint16_t row_step,
                       uint16_t pos_step, int32_t* out);
__asm__(
    ".section .text.tml_avr_dot2_rows,\"ax\",@progbits\n"
    ".global tml_avr_dot2_rows\n"
    ".type tml_avr_dot2_rows, @function\n"
    "tml_avr_dot2_rows:\n"
    "  push r2\n"
    "  push r3\n"
    "  push r4\n"
    "  push r5\n"
    "  push r14\n"
    "  push r15\n"
    "  push r16\n"
    "  push r17\n"
    "  push r28\n"
    "  push r29\n"
    "  movw r26, r24  /* X = x */\n"
    "  movw r28, r24  /* Y = x + pos_step */\n"
    "  add  r28, r14\n"
    "  adc  r29, r15\n"
    "  movw r30, r22  /* Z = w */\n"
    "  movw r14, r16  /* r15:r14 = row_step - run */\n"
    "  sub  r14, r20\n"
    "  sbc  r15, r21\n"
    "  mov  r19, r20  /* r19 = run % 4 */\n"
    "  andi r19, 3\n"
    "  lsr  r21  /* r20 = run / 4 */\n"
    "  ror  r20\n"
    "  lsr  r21\n"
    "  ror  r20\n"
    "  clr  r2  /* r3:r2, r5:r4 = 16-bit sums */\n"
    "  clr  r3\n"
    "  clr  r4\n"
    "  clr  r5\n"
    "  clr  r24  /* r25:r24, r23:r22 = overflow counts */\n"
    "  clr  r25\n"
    "  clr  r22\n"
    "  clr  r23\n"
    "  rjmp .Lt2_row\n"
    ".Lt2_ovas:\n"
    "  brmi .Lt2_upas\n"
    "  sbiw r24, 1\n"
    "  rjmp .Lt2_ras\n"
    ".Lt2_upas:\n"
    "  adiw r24, 1\n"
    "  rjmp .Lt2_ras\n"
    ".Lt2_ovbs:\n"
    "  brmi .Lt2_upbs\n"
    "  subi r22, 1\n"
    "  sbci r23, 0\n"
    "  rjmp .Lt2_rbs\n"
    ".Lt2_upbs:\n"
    "  subi r22, 0xff\n"
    "  sbci r23, 0xff\n"
    "  rjmp .Lt2_rbs\n"
    ".Lt2_row:\n"
    "  mov  r21, r19\n"
    "  tst  r21\n"
    "  breq .Lt2_quad\n"
    ".Lt2_one:\n"
    "  lpm  r17, Z+\n"
    "  ld   r16, X+\n"
    "  muls r16, r17\n"
    "  add  r2, r0\n"
    "  adc  r3, r1\n"
    "  brvs .Lt2_ovas\n"
    ".Lt2_ras:\n"
    "  ld   r16, Y+\n"
    "  muls r16, r17\n"
    "  add  r4, r0\n"
    "  adc  r5, r1\n"
    "  brvs .Lt2_ovbs\n"
    ".Lt2_rbs:\n"
    "  dec  r21\n"
    "  brne .Lt2_one\n"
    ".Lt2_quad:\n"
    "  mov  r21, r20\n"
    "  tst  r21\n"
    "  breq .Lt2_next\n"
    ".Lt2_four:\n"
    "  lpm  r17, Z+\n"
    "  ld   r16, X+\n"
    "  muls r16, r17\n"
    "  add  r2, r0\n"
    "  adc  r3, r1\n"
    "  brvs .Lt2_ova0\n"
    ".Lt2_ra0:\n"
    "  ld   r16, Y+\n"
    "  muls r16, r17\n"
    "  add  r4, r0\n"
    "  adc  r5, r1\n"
    "  brvs .Lt2_ovb0\n"
    ".Lt2_rb0:\n"
    "  lpm  r17, Z+\n"
    "  ld   r16, X+\n"
    "  muls r16, r17\n"
    "  add  r2, r0\n"
    "  adc  r3, r1\n"
    "  brvs .Lt2_ova1\n"
    ".Lt2_ra1:\n"
    "  ld   r16, Y+\n"
    "  muls r16, r17\n"
    "  add  r4, r0\n"
    "  adc  r5, r1\n"
    "  brvs .Lt2_ovb1\n"
    ".Lt2_rb1:\n"
    "  lpm  r17, Z+\n"
    "  ld   r16, X+\n"
    "  muls r16, r17\n"
    "  add  r2, r0\n"
    "  adc  r3, r1\n"
    "  brvs .Lt2_ova2\n"
    ".Lt2_ra2:\n"
    "  ld   r16, Y+\n"
    "  muls r16, r17\n"
    "  add  r4, r0\n"
    "  adc  r5, r1\n"
    "  brvs .Lt2_ovb2\n"
    ".Lt2_rb2:\n"
    "  lpm  r17, Z+\n"
    "  ld   r16, X+\n"
    "  muls r16, r17\n"
    "  add  r2, r0\n"
    "  adc  r3, r1\n"
    "  brvs .Lt2_ova3\n"
    ".Lt2_ra3:\n"
    "  ld   r16, Y+\n"
    "  muls r16, r17\n"
    "  add  r4, r0\n"
    "  adc  r5, r1\n"
    "  brvs .Lt2_ovb3\n"
    ".Lt2_rb3:\n"
    "  dec  r21\n"
    "  brne .Lt2_four\n"
    ".Lt2_next:\n"
    "  add  r26, r14  /* next row */\n"
    "  adc  r27, r15\n"
    "  add  r28, r14\n"
    "  adc  r29, r15\n"
    "  dec  r18\n"
    "  breq .Lt2_end\n"
    "  rjmp .Lt2_row\n"
    ".Lt2_ova0:\n"
    "  brmi .Lt2_upa0\n"
    "  sbiw r24, 1\n"
    "  rjmp .Lt2_ra0\n"
    ".Lt2_upa0:\n"
    "  adiw r24, 1\n"
    "  rjmp .Lt2_ra0\n"
    ".Lt2_ovb0:\n"
    "  brmi .Lt2_upb0\n"
    "  subi r22, 1\n"
    "  sbci r23, 0\n"
    "  rjmp .Lt2_rb0\n"
    ".Lt2_upb0:\n"
    "  subi r22, 0xff\n"
    "  sbci r23, 0xff\n"
    "  rjmp .Lt2_rb0\n"
    ".Lt2_ova1:\n"
    "  brmi .Lt2_upa1\n"
    "  sbiw r24, 1\n"
    "  rjmp .Lt2_ra1\n"
    ".Lt2_upa1:\n"
    "  adiw r24, 1\n"
    "  rjmp .Lt2_ra1\n"
    ".Lt2_ovb1:\n"
    "  brmi .Lt2_upb1\n"
    "  subi r22, 1\n"
    "  sbci r23, 0\n"
    "  rjmp .Lt2_rb1\n"
    ".Lt2_upb1:\n"
    "  subi r22, 0xff\n"
    "  sbci r23, 0xff\n"
    "  rjmp .Lt2_rb1\n"
    ".Lt2_ova2:\n"
    "  brmi .Lt2_upa2\n"
    "  sbiw r24, 1\n"
    "  rjmp .Lt2_ra2\n"
    ".Lt2_upa2:\n"
    "  adiw r24, 1\n"
    "  rjmp .Lt2_ra2\n"
    ".Lt2_ovb2:\n"
    "  brmi .Lt2_upb2\n"
    "  subi r22, 1\n"
    "  sbci r23, 0\n"
    "  rjmp .Lt2_rb2\n"
    ".Lt2_upb2:\n"
    "  subi r22, 0xff\n"
    "  sbci r23, 0xff\n"
    "  rjmp .Lt2_rb2\n"
    ".Lt2_ova3:\n"
    "  brmi .Lt2_upa3\n"
    "  sbiw r24, 1\n"
    "  rjmp .Lt2_ra3\n"
    ".Lt2_upa3:\n"
    "  adiw r24, 1\n"
    "  rjmp .Lt2_ra3\n"
    ".Lt2_ovb3:\n"
    "  brmi .Lt2_upb3\n"
    "  subi r22, 1\n"
    "  sbci r23, 0\n"
    "  rjmp .Lt2_rb3\n"
    ".Lt2_upb3:\n"
    "  subi r22, 0xff\n"
    "  sbci r23, 0xff\n"
    "  rjmp .Lt2_rb3\n"
    ".Lt2_end:\n"
    "  movw r30, r12  /* out[0] = count * 65536 + (int16_t)sum, out[1] likewise */\n"
    "  sbrc r3, 7\n"
    "  sbiw r24, 1\n"
    "  st   Z+, r2\n"
    "  st   Z+, r3\n"
    "  st   Z+, r24\n"
    "  st   Z+, r25\n"
    "  sbrc r5, 7\n"
    "  subi r22, 1\n"
    "  sbrc r5, 7\n"
    "  sbci r23, 0\n"
    "  st   Z+, r4\n"
    "  st   Z+, r5\n"
    "  st   Z+, r22\n"
    "  st   Z+, r23\n"
    "  clr  r1\n"
    "  pop  r29\n"
    "  pop  r28\n"
    "  pop  r17\n"
    "  pop  r16\n"
    "  pop  r15\n"
    "  pop  r14\n"
    "  pop  r5\n"
    "  pop  r4\n"
    "  pop  r3\n"
    "  pop  r2\n"
    "  ret\n"
    ".size tml_avr_dot2_rows, .-tml_avr_dot2_rows\n"
    ".text\n"
);

/*
 * A strided dot product for DEPTHWISE_CONV_2D (one channel: taps x_step apart in the input, w_step apart in
 * the filter), `rows` rows of n taps, the input skipping x_row_skip more bytes after each row: ld 2 + lpm 3 +
 * muls 2 + add/adc/brvs 3 + two pointer steps 4 + loop 3 = 17 cycles per MAC. Same overflow counting.
 * avr-gcc ABI: x r25:r24, w r23:r22, n r20 (>= 1), rows r18 (>= 1), x_step r17:r16, w_step r15:r14,
 * x_row_skip r13:r12; r11 is saved.
 */
int32_t tml_avr_dot_strided(const int8_t* x, const int8_t* w, uint8_t n, uint8_t rows, uint16_t x_step,
                            uint16_t w_step, uint16_t x_row_skip);
__asm__(
    ".section .text.tml_avr_dot_strided,\"ax\",@progbits\n"
    ".global tml_avr_dot_strided\n"
    ".type tml_avr_dot_strided, @function\n"
    "tml_avr_dot_strided:\n"
    "  push r11\n"
    "  movw r26, r24  /* X = x */\n"
    "  movw r30, r22  /* Z = w */\n"
    "  clr  r22  /* r23:r22 = 16-bit sum */\n"
    "  clr  r23\n"
    "  clr  r24  /* r25:r24 = overflow count */\n"
    "  clr  r25\n"
    ".Lts_row:\n"
    "  mov  r11, r20\n"
    ".Lts_one:\n"
    "  ld   r19, X\n"
    "  lpm  r21, Z\n"
    "  muls r19, r21\n"
    "  add  r22, r0\n"
    "  adc  r23, r1\n"
    "  brvs .Lts_ovf\n"
    ".Lts_ret:\n"
    "  add  r26, r16  /* next tap */\n"
    "  adc  r27, r17\n"
    "  add  r30, r14\n"
    "  adc  r31, r15\n"
    "  dec  r11\n"
    "  brne .Lts_one\n"
    "  add  r26, r12  /* next row */\n"
    "  adc  r27, r13\n"
    "  dec  r18\n"
    "  brne .Lts_row\n"
    "  sbrc r23, 7  /* r25..r22 = count * 65536 + (int16_t)sum */\n"
    "  sbiw r24, 1\n"
    "  clr  r1\n"
    "  pop  r11\n"
    "  ret\n"
    ".Lts_ovf:\n"
    "  brmi .Lts_up\n"
    "  sbiw r24, 1\n"
    "  rjmp .Lts_ret\n"
    ".Lts_up:\n"
    "  adiw r24, 1\n"
    "  rjmp .Lts_ret\n"
    ".size tml_avr_dot_strided, .-tml_avr_dot_strided\n"
    ".text\n"
);
#define dot_rows tml_avr_dot_rows
#elif TML_ARM_DSP
/* Four int8 bytes from any address (the M4 loads unaligned words; gcc turns this into one LDR). */
static inline uint32_t ld4(const int8_t* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

/* acc + x0*w0 + x1*w1 + x2*w2 + x3*w3 for the four int8 lanes of x and w: bytes 0 and 2, then 1 and 3. */
static inline int32_t dot4(uint32_t x, uint32_t w, int32_t acc) {
  uint32_t xe, xo, we, wo;
  __asm__("sxtb16 %0, %1" : "=r"(xe) : "r"(x));
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(xo) : "r"(x));
  __asm__("sxtb16 %0, %1" : "=r"(we) : "r"(w));
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(wo) : "r"(w));
  __asm__("smlad %0, %1, %2, %0" : "+r"(acc) : "r"(xe), "r"(we));
  __asm__("smlad %0, %1, %2, %0" : "+r"(acc) : "r"(xo), "r"(wo));
  return acc;
}

/* dot4 with w already split into sign-extended pairs: lanes 0|2 in we, 1|3 in wo. */
static inline int32_t dot4_pre(uint32_t x, uint32_t we, uint32_t wo, int32_t acc) {
  uint32_t xe, xo;
  __asm__("sxtb16 %0, %1" : "=r"(xe) : "r"(x));
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(xo) : "r"(x));
  __asm__("smlad %0, %1, %2, %0" : "+r"(acc) : "r"(xe), "r"(we));
  __asm__("smlad %0, %1, %2, %0" : "+r"(acc) : "r"(xo), "r"(wo));
  return acc;
}

/* sum of x[i] * w[i] for i < n: 8 and then 4 lanes at a time, the last 0..3 one by one. */
static int32_t dot_run(const int8_t* x, const int8_t* w, size_t n, int32_t acc) {
  for (; n >= 8; n -= 8, x += 8, w += 8) acc = dot4(ld4(x + 4), ld4(w + 4), dot4(ld4(x), ld4(w), acc));
  if (n >= 4) {
    acc = dot4(ld4(x), ld4(w), acc);
    x += 4;
    w += 4;
    n -= 4;
  }
  while (n--) acc += (int16_t)(*x++ * *w++);
  return acc;
}

static int32_t dot_rows(const int8_t* x, const int8_t* w, uint16_t run, uint8_t rows, uint16_t row_step) {
  int32_t acc = 0;
  for (; rows; --rows, x += row_step, w += run) acc = dot_run(x, w, run, acc);
  return acc;
}
#else
static int32_t dot_rows(const int8_t* x, const int8_t* w, uint16_t run, uint8_t rows, uint16_t row_step) {
  int32_t acc = 0;
  while (rows--) {
    const int8_t* xr = x;
    uint16_t n = run;
    while (n--) acc += (int16_t)(*xr++ * TML_RD_I8(w++)); /* int8 x int8 fits 16 bits */
    x += row_step;
  }
  return acc;
}
#endif

/* dot_rows for any sizes: splits what does not fit its 8- and 16-bit counts. */
static int32_t dot_any(const int8_t* x, const int8_t* w, size_t run, size_t rows, size_t row_step) {
  int32_t acc = 0;
  if (run == 0) return 0;
  if (run <= TML_RUN_MAX && row_step <= 0xffffu) {
    while (rows > 0) {
      const uint8_t r = rows > 255 ? 255 : (uint8_t)rows;
      acc += dot_rows(x, w, (uint16_t)run, r, (uint16_t)row_step);
      x += (size_t)r * row_step;
      w += (size_t)r * run;
      rows -= r;
    }
    return acc;
  }
  for (; rows > 0; --rows, x += row_step) {
    size_t left = run, done = 0;
    while (left > 0) {
      const size_t n = left > TML_RUN_MAX ? TML_RUN_MAX : left;
      acc += dot_rows(x + done, w, (uint16_t)n, 1, (uint16_t)n);
      w += n;
      done += n;
      left -= n;
    }
  }
  return acc;
}

/* ---------------------------------------------------------------- FULLY_CONNECTED */

void tml_fully_connected_s8(const tml_fc_params* p, const int8_t* input, const int8_t* filter,
                            const int32_t* bias, int8_t* output) {
  const size_t depth = (size_t)p->accum_depth;
  const int32_t multiplier = p->output_multiplier, shift = p->output_shift;
  const int32_t offset = p->output_offset, lo = p->act_min, hi = p->act_max;
#if TML_AVR_ASM
  /* shift <= 0 and a multiplier other than INT32_MIN (always, for TFLite's multipliers): the core alone is exact */
  const uint8_t fast = shift <= 0 && multiplier != INT32_MIN, right = shift <= 0 ? (uint8_t)-shift : 0;
#endif
  int32_t b, c;
  for (b = 0; b < p->batches; ++b) {
    const int8_t* row = filter;
    const int8_t* x = input + (size_t)b * depth;
    int8_t* out = output + (size_t)b * (size_t)p->output_depth;
    for (c = 0; c < p->output_depth; ++c, row += depth) {
      int32_t acc = depth <= TML_RUN_MAX ? (depth ? dot_rows(x, row, (uint16_t)depth, 1, 0) : 0) : dot_any(x, row, depth, 1, depth);
      if (bias) acc += TML_RD_I32(&bias[c]);
#if TML_AVR_ASM
      acc = (fast ? tml_avr_mbqm_core(acc, multiplier, right) : tml_mbqm(acc, multiplier, shift)) + offset;
#else
      acc = tml_mbqm(acc, multiplier, shift) + offset;
#endif
      out[c] = (int8_t)(acc < lo ? lo : (acc > hi ? hi : acc));
    }
  }
}

/* ---------------------------------------------------------------- CONV_2D, DEPTHWISE_CONV_2D */

/*
 * Filter taps [*lo, *hi) along one axis that land inside the input (the rest read zero padding and add
 * nothing), for a window starting at `origin` with the given dilation.
 */
static void valid_taps(int32_t origin, int32_t dilation, int32_t filter, int32_t size, int32_t* lo, int32_t* hi) {
  int32_t a = 0, b = filter;
  if (dilation == 1) { /* no divisions (32-bit ones are slow on 8-bit CPUs) */
    if (origin < 0) a = -origin;
    if (origin + b > size) b = size - origin;
    *lo = a;
    *hi = b < a ? a : b;
    return;
  }
  if (origin < 0) a = (-origin + dilation - 1) / dilation;
  if (origin + dilation * (b - 1) >= size) b = size - origin <= 0 ? 0 : (size - origin + dilation - 1) / dilation;
  *lo = a;
  *hi = b < a ? a : b;
}

/*
 * CONV_2D as int8 dot products: sum((x + input_offset) * w) = sum(x * w) + input_offset * sum(w), where
 * sum(w) runs over the taps that land inside the input. Per output channel the filter's sum over input
 * channels is kept for each tap (up to TML_MAX_TAPS taps; larger filters re-read the weights at the edges).
 */
#define TML_MAX_TAPS 25
#define TML_DW_PACK_MAX 512 /* ARM DSP: filter taps of one depthwise channel copied out contiguously */

/* Everything the hot loop of conv_span needs, gathered so that it reads them through one pointer. */
typedef struct {
  const int8_t* w;
  size_t x_step, out_stride;
  int32_t bias, multiplier, shift;
  int16_t output_offset, act_min, act_max; /* |offset| <= 128, limits within int8 */
  uint16_t run, row_step;
  uint8_t rows, right;
  int fast_requantize; /* AVR: shift <= 0 and multiplier != INT32_MIN, so tml_avr_mbqm_core alone is exact */
} tml_conv_row;

typedef struct {
  const int8_t* w;                /* this output channel's filter [filter_h][filter_w][filter_in_c] */
  size_t channel0;                /* first input channel it reads (grouped convolutions) */
  int32_t full_bias;              /* bias + input_offset * sum of the whole filter */
  int32_t bias;
  int32_t multiplier, shift;
  int16_t tap_sums[TML_MAX_TAPS]; /* sum over input channels at each tap, when the filter is small enough */
  int has_tap_sums;
  int32_t interior_lo, interior_hi; /* output columns whose window is inside the input horizontally */
  int interior_fast;                /* dilation_w 1, no groups, sizes within dot_rows' counts */
  tml_conv_row row;                 /* the hot loop's constants; w, bias and rows are set per output row */
#if TML_ARM_DSP
  int8_t dw[TML_DW_PACK_MAX]; /* DEPTHWISE_CONV_2D with one input channel: this channel's filter, contiguous */
  uint32_t dw2[TML_DW_PACK_MAX / 2]; /* the same, per row in groups of 4 taps as sign-extended pairs 0|2, 1|3 */
  int dw_packed;
#endif
} tml_conv_channel;

/* What CONV_2D and DEPTHWISE_CONV_2D channels share: bias (and with input_offset * the filter sum), the
 * requantization, and the output columns whose window lies inside the input horizontally. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void channel_constants(const tml_conv_params* p, const int32_t* bias, const int32_t* multipliers,
                              const int8_t* shifts, int32_t oc, int32_t filter_sum, tml_conv_channel* ch) {
  ch->bias = bias ? TML_RD_I32(&bias[oc]) : 0;
  ch->full_bias = ch->bias + p->input_offset * filter_sum;
  ch->multiplier = TML_RD_I32(&multipliers[oc]);
  ch->shift = TML_RD_I8(&shifts[oc]);
  {
    /* in_x0 = ox * stride_w - pad_w >= 0 and in_x0 + (filter_w - 1) * dilation_w < in_w */
    const int32_t last = p->in_w - 1 - (p->filter_w - 1) * p->dilation_w + p->pad_w;
    ch->interior_lo = (p->pad_w + p->stride_w - 1) / p->stride_w;
    ch->interior_hi = last < 0 ? 0 : last / p->stride_w + 1;
    if (ch->interior_hi > p->out_w) ch->interior_hi = p->out_w;
  }
}

static void conv_channel(const tml_conv_params* p, const int8_t* filter, const int32_t* bias,
                         const int32_t* multipliers, const int8_t* shifts, int32_t oc, tml_conv_channel* ch) {
  const int32_t taps = p->filter_h * p->filter_w, groups = p->in_c / p->filter_in_c;
  const size_t fic = (size_t)p->filter_in_c;
  int32_t t, total = 0;
  ch->w = filter + (size_t)oc * (size_t)taps * fic;
  ch->channel0 = groups == 1 ? 0 : (size_t)(oc / (p->out_c / groups)) * fic;
  ch->has_tap_sums = taps <= TML_MAX_TAPS && p->filter_in_c <= 255; /* 255 * 128 fits int16 */
  for (t = 0; t < taps; ++t) {
    const int8_t* w = ch->w + (size_t)t * fic;
    int32_t s = 0;
    if (fic <= 255) {
      int16_t s16 = 0; /* 16-bit sums and an 8-bit count: several times cheaper on 8-bit CPUs */
      uint8_t n = (uint8_t)fic;
      while (n--) s16 += TML_RD_I8(w++);
      s = s16;
    } else {
      size_t i;
      for (i = 0; i < fic; ++i) s += TML_RD_I8(&w[i]);
    }
    if (ch->has_tap_sums) ch->tap_sums[t] = (int16_t)s;
    total += s;
  }
  channel_constants(p, bias, multipliers, shifts, oc, total, ch);
  {
    const size_t run = (size_t)p->filter_w * fic;
    const size_t row_step = (size_t)p->dilation_h * (size_t)p->in_w * (size_t)p->in_c;
    tml_conv_row* r = &ch->row;
    ch->interior_fast = p->dilation_w == 1 && p->filter_in_c == p->in_c && run <= TML_RUN_MAX &&
                        row_step <= 0xffffu && p->filter_h <= 255;
    r->x_step = (size_t)p->stride_w * (size_t)p->in_c;
    r->multiplier = ch->multiplier;
    r->shift = ch->shift;
    r->right = ch->shift > 0 ? 0 : (uint8_t)-ch->shift;
    r->fast_requantize = ch->shift <= 0 && ch->multiplier != INT32_MIN;
    r->output_offset = (int16_t)p->output_offset;
    r->act_min = (int16_t)p->act_min;
    r->act_max = (int16_t)p->act_max;
    r->run = (uint16_t)run;
    r->row_step = (uint16_t)row_step;
  }
}

/* Accumulator (with bias) of one CONV_2D output point: batch b, position oy/ox, channel ch. */
static int32_t conv_point(const tml_conv_params* p, const int8_t* input, const tml_conv_channel* ch, int32_t b,
                          int32_t oy, int32_t ox) {
  const int32_t in_y0 = oy * p->stride_h - p->pad_h, in_x0 = ox * p->stride_w - p->pad_w;
  const size_t fic = (size_t)p->filter_in_c, w_row = (size_t)p->filter_w * fic;
  const size_t row_step = (size_t)p->dilation_h * (size_t)p->in_w * (size_t)p->in_c;
  int32_t fy_lo, fy_hi, fx_lo, fx_hi, acc = 0, fy;
  const int8_t *x, *w;
  size_t ny, nx;
  valid_taps(in_y0, p->dilation_h, p->filter_h, p->in_h, &fy_lo, &fy_hi);
  valid_taps(in_x0, p->dilation_w, p->filter_w, p->in_w, &fx_lo, &fx_hi);
  if (fy_hi <= fy_lo || fx_hi <= fx_lo) return ch->bias; /* the window lies wholly in the padding */
  ny = (size_t)(fy_hi - fy_lo);
  nx = (size_t)(fx_hi - fx_lo);
  x = input + (((size_t)b * (size_t)p->in_h + (size_t)(in_y0 + p->dilation_h * fy_lo)) * (size_t)p->in_w +
               (size_t)(in_x0 + p->dilation_w * fx_lo)) * (size_t)p->in_c + ch->channel0;
  w = ch->w + (size_t)fy_lo * w_row + (size_t)fx_lo * fic;
  if (p->dilation_w == 1 && p->filter_in_c == p->in_c && (int32_t)nx == p->filter_w) {
    acc = dot_any(x, w, nx * fic, ny, row_step); /* every filter row is one run, the filter one block */
  } else {
    for (fy = fy_lo; fy < fy_hi; ++fy, x += row_step, w += w_row) {
      if (p->dilation_w == 1 && p->filter_in_c == p->in_c) acc += dot_any(x, w, nx * fic, 1, 0);
      else acc += dot_any(x, w, fic, nx, (size_t)p->dilation_w * (size_t)p->in_c);
    }
  }
  if (ny == (size_t)p->filter_h && nx == (size_t)p->filter_w) return acc + ch->full_bias;
  {
    /* Clipped window: input_offset * the filter sum over the taps inside the input. */
    int32_t s = 0, fx;
    for (fy = fy_lo; fy < fy_hi; ++fy) {
      for (fx = fx_lo; fx < fx_hi; ++fx) {
        const size_t t = (size_t)fy * (size_t)p->filter_w + (size_t)fx;
        if (ch->has_tap_sums) {
          s += ch->tap_sums[t];
        } else {
          size_t i;
          for (i = 0; i < fic; ++i) s += TML_RD_I8(&ch->w[t * fic + i]);
        }
      }
    }
    return acc + ch->bias + p->input_offset * s;
  }
}

/* Accumulator of one DEPTHWISE_CONV_2D output point (output channel oc reads input channel ic). */
static int32_t depthwise_point(const tml_conv_params* p, const int8_t* input, const int8_t* filter, int32_t b,
                               int32_t oy, int32_t ox, int32_t ic, int32_t oc) {
  const int32_t in_y0 = oy * p->stride_h - p->pad_h, in_x0 = ox * p->stride_w - p->pad_w;
  const int16_t offset = (int16_t)p->input_offset;
  const size_t x_step = (size_t)p->dilation_w * (size_t)p->in_c, w_step = (size_t)p->out_c;
  int32_t acc = 0, fy, fy_lo, fy_hi, fx_lo, fx_hi;
  valid_taps(in_y0, p->dilation_h, p->filter_h, p->in_h, &fy_lo, &fy_hi);
  valid_taps(in_x0, p->dilation_w, p->filter_w, p->in_w, &fx_lo, &fx_hi);
  for (fy = fy_lo; fy < fy_hi; ++fy) {
    const int32_t in_y = in_y0 + p->dilation_h * fy;
    /* Walk the row with pointers: no index arithmetic per tap. */
    const int8_t* x = input +
                      (((size_t)b * (size_t)p->in_h + (size_t)in_y) * (size_t)p->in_w +
                       (size_t)(in_x0 + p->dilation_w * fx_lo)) * (size_t)p->in_c + (size_t)ic;
    const int8_t* w = filter + ((size_t)fy * (size_t)p->filter_w + (size_t)fx_lo) * (size_t)p->out_c + (size_t)oc;
    int32_t n = fx_hi - fx_lo;
    while (n-- > 0) {
      acc += (int16_t)((int16_t)(*x + offset) * TML_RD_I8(w));
      x += x_step;
      w += w_step;
    }
  }
  return acc;
}

/* Requantization and the activation clamp of one output point. */
static int8_t requantize(const tml_conv_params* p, int32_t acc, int32_t multiplier, int32_t shift) {
  acc = tml_mbqm(acc, multiplier, shift) + p->output_offset;
  return (int8_t)clamp32(acc, p->act_min, p->act_max);
}


/* A requantized value plus the output zero point, clamped to the activation range [lo, hi]. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline int8_t output_clamp(int32_t v, int16_t offset, int16_t lo, int16_t hi) {
  /* Pre-clamp to +-16384 so the rest runs in 16 bits (cheaper on 8-bit CPUs): beyond that the int8 result
   * saturates either way, as the zero point and the activation limits lie within int8. */
  if (v > 16384) v = 16384;
  if (v < -16384) v = -16384;
  {
    const int16_t q = (int16_t)((int16_t)v + offset);
    return (int8_t)(q < lo ? lo : (q > hi ? hi : q));
  }
}

/* Requantization and clamp of one interior output. */
static int8_t conv_row_output(const tml_conv_row* r, int32_t v) {
#if TML_AVR_ASM
  v = r->fast_requantize ? tml_avr_mbqm_core(v, r->multiplier, r->right) : tml_mbqm(v, r->multiplier, r->shift);
#else
  v = tml_mbqm(v, r->multiplier, r->shift);
#endif
  return output_clamp(v, r->output_offset, r->act_min, r->act_max);
}

/* n >= 1 interior outputs of one channel: a dot product (on AVR two at a time) and a requantization each. */
__attribute__((noinline)) static void conv_interior(const tml_conv_row* r, const int8_t* x, int8_t* out, size_t n) {
#if TML_AVR_ASM
  if (r->run <= 1020) {
    int32_t pair[2];
    for (; n >= 2; n -= 2) {
      tml_avr_dot2_rows(x, r->w, r->run, r->rows, r->row_step, (uint16_t)r->x_step, pair);
      *out = conv_row_output(r, pair[0] + r->bias);
      out += r->out_stride;
      *out = conv_row_output(r, pair[1] + r->bias);
      out += r->out_stride;
      x += 2 * r->x_step;
    }
  }
#endif
  for (; n > 0; --n) {
    *out = conv_row_output(r, dot_rows(x, r->w, r->run, r->rows, r->row_step) + r->bias);
    x += r->x_step;
    out += r->out_stride;
  }
}

#define TML_EDGE_PATCH_MAX 96 /* bytes of one edge window copied out with its padding (on the stack) */

/*
 * An edge output on the fast path: the window's rows [fy_lo, fy_lo + rows) are copied out whole, the columns
 * that fall in the padding filled with the input zero point (whose x + input_offset is 0, so they add
 * nothing), which makes the window one dot_rows block like an interior one, with the same row bias.
 */
__attribute__((noinline)) static int32_t conv_edge(const tml_conv_params* p, const int8_t* input,
                                                   const tml_conv_channel* ch, int32_t b, int32_t in_y, int32_t ox) {
  int8_t patch[TML_EDGE_PATCH_MAX];
  const tml_conv_row* r = &ch->row;
  const int8_t pad = (int8_t)-p->input_offset;
  const size_t cin = (size_t)p->in_c, x_row = (size_t)p->dilation_h * (size_t)p->in_w * cin;
  const int32_t in_x0 = ox * p->stride_w - p->pad_w;
  int32_t fx_lo, fx_hi;
  size_t left, inside, right;
  const int8_t* xr;
  int8_t* dst = patch;
  uint8_t row;
  valid_taps(in_x0, 1, p->filter_w, p->in_w, &fx_lo, &fx_hi);
  left = (size_t)fx_lo * cin;
  inside = (size_t)(fx_hi - fx_lo) * cin;
  right = r->run - left - inside;
  xr = input + (((size_t)b * (size_t)p->in_h + (size_t)in_y) * (size_t)p->in_w + (size_t)(in_x0 + fx_lo)) * cin;
  for (row = r->rows; row; --row, xr += x_row) {
    memset(dst, pad, left);
    memcpy(dst + left, xr, inside);
    memset(dst + left + inside, pad, right);
    dst += r->run;
  }
  return dot_rows(patch, r->w, r->run, r->rows, r->run);
}

/*
 * CONV_2D outputs of channel ch at row oy, columns [ox0, ox1), into out[0], out[stride], ... With dilation_w 1
 * and no groups (the fast path), each filter row is one contiguous run in input and filter: the columns whose
 * window lies inside the input horizontally (the interior) are one dot_rows call each, the input pointer
 * stepping by stride_w * in_c; edge columns copy their window out with the padding filled in (conv_edge).
 * Rows cut off by the padding just shorten the block. Other layers go through conv_point.
 */
static void conv_span(const tml_conv_params* p, const int8_t* input, tml_conv_channel* ch, int32_t b,
                      int32_t oy, int32_t ox0, int32_t ox1, int8_t* out, size_t stride) {
  const size_t fic = (size_t)p->filter_in_c, run = ch->row.run;
  const int32_t in_y0 = oy * p->stride_h - p->pad_h;
  int32_t fy_lo, fy_hi, ox, lo = ox0, hi = ox0;
  int fast, patch;
  tml_conv_row* r = &ch->row;
  valid_taps(in_y0, p->dilation_h, p->filter_h, p->in_h, &fy_lo, &fy_hi);
  fast = ch->interior_fast && fy_hi > fy_lo;
  patch = fast && (size_t)(fy_hi - fy_lo) * run <= TML_EDGE_PATCH_MAX;
  if (fast) {
    int32_t bias_row;
    lo = ch->interior_lo;
    hi = ch->interior_hi;
    lo = lo < ox0 ? ox0 : (lo > ox1 ? ox1 : lo);
    hi = hi < lo ? lo : (hi > ox1 ? ox1 : hi);
    if (fy_hi - fy_lo == p->filter_h) {
      bias_row = ch->full_bias;
    } else {
      /* rows cut off by the padding: input_offset * the filter sum over the rows inside */
      int32_t s = 0, t;
      const int32_t t0 = fy_lo * p->filter_w, t1 = fy_hi * p->filter_w;
      for (t = t0; t < t1; ++t) {
        if (ch->has_tap_sums) {
          s += ch->tap_sums[t];
        } else {
          size_t i;
          for (i = 0; i < fic; ++i) s += TML_RD_I8(&ch->w[(size_t)t * fic + i]);
        }
      }
      bias_row = ch->bias + p->input_offset * s;
    }
    /* the hot loop's constants: one dot_rows call and one requantization per output, counts in 8/16 bits */
    r->w = ch->w + (size_t)fy_lo * run;
    r->out_stride = stride;
    r->bias = bias_row;
    r->rows = (uint8_t)(fy_hi - fy_lo);
  }
  for (ox = ox0; ox < lo; ++ox, out += stride) {
    *out = patch ? conv_row_output(r, conv_edge(p, input, ch, b, in_y0 + p->dilation_h * fy_lo, ox) + r->bias)
                 : requantize(p, conv_point(p, input, ch, b, oy, ox), ch->multiplier, ch->shift);
  }
  if (lo < hi) {
    const int8_t* x = input + (((size_t)b * (size_t)p->in_h + (size_t)(in_y0 + p->dilation_h * fy_lo)) * (size_t)p->in_w +
                               (size_t)(lo * p->stride_w - p->pad_w)) * (size_t)p->in_c + ch->channel0;
    conv_interior(r, x, out, (size_t)(hi - lo));
    out += (size_t)(hi - lo) * stride;
    ox = hi;
  }
  for (; ox < ox1; ++ox, out += stride) {
    *out = patch ? conv_row_output(r, conv_edge(p, input, ch, b, in_y0 + p->dilation_h * fy_lo, ox) + r->bias)
                 : requantize(p, conv_point(p, input, ch, b, oy, ox), ch->multiplier, ch->shift);
  }
}

void tml_conv_s8(const tml_conv_params* p, const int8_t* input, const int8_t* filter, const int32_t* bias,
                 const int32_t* multipliers, const int8_t* shifts, int8_t* output) {
  int32_t b, c, oy;
  tml_conv_channel ch;
  const size_t row = (size_t)p->out_w * (size_t)p->out_c;
  /* One output channel at a time: its filter sums and requantization constants are read once. */
  for (b = 0; b < p->batches; ++b) {
    for (c = 0; c < p->out_c; ++c) {
      int8_t* out = output + (size_t)b * (size_t)p->out_h * row + (size_t)c;
      conv_channel(p, filter, bias, multipliers, shifts, c, &ch);
      for (oy = 0; oy < p->out_h; ++oy, out += row) conv_span(p, input, &ch, b, oy, 0, p->out_w, out, (size_t)p->out_c);
    }
  }
}

/* DEPTHWISE_CONV_2D: the per-channel constants (filter start, filter sum, requantization), like conv_channel. */
static void depthwise_channel(const tml_conv_params* p, const int8_t* filter, const int32_t* bias,
                              const int32_t* multipliers, const int8_t* shifts, int32_t oc, tml_conv_channel* ch) {
  const int32_t taps = p->filter_h * p->filter_w;
  const int8_t* w = filter + oc;
  int32_t t, total = 0;
  tml_conv_row* r = &ch->row;
  /* output channel oc = ic * depth_multiplier + m reads input channel ic */
  ch->channel0 = (size_t)(p->depth_multiplier == 1 ? oc : oc / p->depth_multiplier);
  ch->w = w;
  for (t = 0; t < taps; ++t, w += p->out_c) total += TML_RD_I8(w);
  channel_constants(p, bias, multipliers, shifts, oc, total, ch);
  ch->interior_fast = p->filter_h <= 255 && p->filter_w <= 255 && (size_t)p->dilation_h * (size_t)p->in_w * (size_t)p->in_c <= 0xffffu &&
                      (size_t)p->out_c <= 0xffffu;
  r->x_step = (size_t)p->stride_w * (size_t)p->in_c;
  r->multiplier = ch->multiplier;
  r->shift = ch->shift;
  r->right = ch->shift > 0 ? 0 : (uint8_t)-ch->shift;
  r->fast_requantize = ch->shift <= 0 && ch->multiplier != INT32_MIN;
  r->output_offset = (int16_t)p->output_offset;
  r->act_min = (int16_t)p->act_min;
  r->act_max = (int16_t)p->act_max;
#if TML_ARM_DSP
  /* One input channel and dilation_w 1: a window row is contiguous in the input, so with the filter copied out
   * contiguously too, each window row is one SIMD dot product. */
  ch->dw_packed = p->in_c == 1 && p->dilation_w == 1 && taps <= TML_DW_PACK_MAX;
  if (ch->dw_packed) {
    int32_t fy, fx;
    uint32_t* d = ch->dw2;
    for (t = 0, w = filter + oc; t < taps; ++t, w += p->out_c) ch->dw[t] = *w;
    for (fy = 0; fy < p->filter_h; ++fy) {
      const int8_t* row = ch->dw + (size_t)fy * (size_t)p->filter_w;
      for (fx = 0; fx + 4 <= p->filter_w; fx += 4) {
        *d++ = (uint16_t)(int16_t)row[fx] | (uint32_t)(uint16_t)(int16_t)row[fx + 2] << 16;
        *d++ = (uint16_t)(int16_t)row[fx + 1] | (uint32_t)(uint16_t)(int16_t)row[fx + 3] << 16;
      }
    }
  }
#endif
}

#if TML_ARM_DSP
/* The dot product of a whole (unclipped) window whose width is a multiple of 4: per row, groups of 4 taps
 * against the pre-extended pairs (one load, two SXTB16 and two SMLAD per 4 MACs). Out of line, so that its few
 * live values stay in registers. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int32_t dw_window(const int8_t* x, size_t x_row, const uint32_t* w, int32_t fh, int32_t groups) {
  int32_t acc = 0;
  do {
    const int8_t* xr = x;
    int32_t g = groups;
    do {
      acc = dot4_pre(ld4(xr), w[0], w[1], acc);
      xr += 4;
      w += 2;
    } while (--g);
    x += x_row;
  } while (--fh);
  return acc;
}

/* dw_window for two windows x_step apart: each pair of weights is loaded once for both. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void dw_window2(const int8_t* x, size_t x_step, size_t x_row, const uint32_t* w, int32_t fh, int32_t groups,
                       int32_t* out) {
  int32_t a0 = 0, a1 = 0;
  do {
    const int8_t* xr = x;
    int32_t g = groups;
    do {
      const uint32_t we = w[0], wo = w[1];
      a0 = dot4_pre(ld4(xr), we, wo, a0);
      a1 = dot4_pre(ld4(xr + x_step), we, wo, a1);
      xr += 4;
      w += 2;
    } while (--g);
    x += x_row;
  } while (--fh);
  out[0] = a0;
  out[1] = a1;
}

/* A clipped window: rows of nx taps (the filter rows fw apart); also sums the filter taps into *wsum. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int32_t dw_clipped(const int8_t* x, size_t x_row, const int8_t* w, int32_t fw, int32_t nx, int32_t rows,
                          int32_t* wsum) {
  int32_t acc = 0, s = 0, k;
  for (; rows > 0; --rows, x += x_row, w += fw) {
    for (k = 0; k + 4 <= nx; k += 4) {
      const uint32_t wv = ld4(w + k);
      acc = dot4(ld4(x + k), wv, acc);
      s = dot4(0x01010101u, wv, s);
    }
    for (; k < nx; ++k) {
      acc += (int16_t)(x[k] * w[k]);
      s += w[k];
    }
  }
  *wsum = s;
  return acc;
}

/* depthwise_span for a channel with a packed filter (dw_packed). Windows that span the filter's whole width
 * (width a multiple of 4) use dw_window/dw_window2 over the rows inside the input, two outputs at a time;
 * the rest are clipped windows. Both add input_offset * the filter sum over the taps inside. */
static void depthwise_span_dsp(const tml_conv_params* p, const int8_t* input, const tml_conv_channel* ch,
                               int32_t b, int32_t oy, int32_t ox0, int32_t ox1, int8_t* out, size_t stride) {
  const int32_t in_y0 = oy * p->stride_h - p->pad_h, fw = p->filter_w;
  const size_t x_row = (size_t)p->dilation_h * (size_t)p->in_w;
  const int whole_groups = (fw & 3) == 0;
  int32_t fy_lo, fy_hi, ox, rows, bias_rows;
  const int8_t* x_top; /* input row of filter row fy_lo, column 0 */
  const uint32_t* w_top;
  valid_taps(in_y0, p->dilation_h, p->filter_h, p->in_h, &fy_lo, &fy_hi);
  rows = fy_hi - fy_lo;
  if (rows <= 0) {
    for (ox = ox0; ox < ox1; ++ox, out += stride) *out = conv_row_output(&ch->row, ch->bias);
    return;
  }
  if (rows == p->filter_h) {
    bias_rows = ch->full_bias;
  } else {
    int32_t s = 0, t;
    for (t = fy_lo * fw; t < fy_hi * fw; ++t) s += ch->dw[t];
    bias_rows = ch->bias + p->input_offset * s;
  }
  x_top = input + ((size_t)b * (size_t)p->in_h + (size_t)(in_y0 + p->dilation_h * fy_lo)) * (size_t)p->in_w + ch->channel0;
  w_top = ch->dw2 + (size_t)fy_lo * (size_t)(fw >> 2) * 2u;
  for (ox = ox0; ox < ox1; ++ox, out += stride) {
    const int32_t in_x0 = ox * p->stride_w - p->pad_w;
    int32_t acc;
    if (whole_groups && in_x0 >= 0 && in_x0 + fw <= p->in_w) {
      if (ox + 1 < ox1 && in_x0 + p->stride_w + fw <= p->in_w) {
        /* this window and the next are whole: both in one pass over the filter */
        int32_t pair[2];
        dw_window2(x_top + in_x0, (size_t)p->stride_w, x_row, w_top, rows, fw >> 2, pair);
        *out = conv_row_output(&ch->row, pair[0] + bias_rows);
        out += stride;
        ++ox;
        acc = pair[1] + bias_rows;
      } else {
        acc = dw_window(x_top + in_x0, x_row, w_top, rows, fw >> 2) + bias_rows;
      }
    } else {
      int32_t fx_lo, fx_hi, s = 0;
      valid_taps(in_x0, 1, fw, p->in_w, &fx_lo, &fx_hi);
      acc = ch->bias;
      if (fx_hi > fx_lo) {
        acc += dw_clipped(x_top + (in_x0 + fx_lo), x_row, ch->dw + (size_t)fy_lo * (size_t)fw + (size_t)fx_lo, fw,
                          fx_hi - fx_lo, rows, &s);
        acc += p->input_offset * s;
      }
    }
    *out = conv_row_output(&ch->row, acc);
  }
}
#endif

/*
 * DEPTHWISE_CONV_2D outputs of one channel at row oy, columns [ox0, ox1), into out[0], out[stride], ...
 * Windows wholly inside the input take a pointer-stepping loop with 16-bit products and the filter sum folded
 * into the bias; the others go through depthwise_point.
 */
static void depthwise_span(const tml_conv_params* p, const int8_t* input, const tml_conv_channel* ch, int32_t b,
                           int32_t oy, int32_t ox0, int32_t ox1, int8_t* out, size_t stride) {
  const int32_t in_y0 = oy * p->stride_h - p->pad_h, ic = (int32_t)ch->channel0;
  int32_t fy_lo, fy_hi, ox, lo = ox0, hi = ox0;
#if TML_ARM_DSP
  if (ch->dw_packed) {
    depthwise_span_dsp(p, input, ch, b, oy, ox0, ox1, out, stride);
    return;
  }
#endif
  valid_taps(in_y0, p->dilation_h, p->filter_h, p->in_h, &fy_lo, &fy_hi);
  if (ch->interior_fast && fy_lo == 0 && fy_hi == p->filter_h) {
    lo = ch->interior_lo < ox0 ? ox0 : (ch->interior_lo > ox1 ? ox1 : ch->interior_lo);
    hi = ch->interior_hi < lo ? lo : (ch->interior_hi > ox1 ? ox1 : ch->interior_hi);
  }
  for (ox = ox0; ox < lo; ++ox, out += stride) {
    *out = requantize(p, depthwise_point(p, input, ch->w, b, oy, ox, ic, 0) + ch->bias,
                      ch->multiplier, ch->shift);
  }
  if (lo < hi) {
    const size_t x_tap = (size_t)p->dilation_w * (size_t)p->in_c, w_tap = (size_t)p->out_c;
    const size_t x_row = (size_t)p->dilation_h * (size_t)p->in_w * (size_t)p->in_c;
    const uint8_t fh = (uint8_t)p->filter_h, fw = (uint8_t)p->filter_w;
    const int8_t* x0 = input + (((size_t)b * (size_t)p->in_h + (size_t)in_y0) * (size_t)p->in_w +
                                (size_t)(lo * p->stride_w - p->pad_w)) * (size_t)p->in_c + (size_t)ic;
    for (; ox < hi; ++ox, out += stride, x0 += ch->row.x_step) {
#if TML_AVR_ASM
      const int32_t acc = tml_avr_dot_strided(x0, ch->w, fw, fh, (uint16_t)x_tap, (uint16_t)w_tap,
                                              (uint16_t)(x_row - (size_t)fw * x_tap));
#else
      const int8_t *xr = x0, *w = ch->w;
      int32_t acc = 0;
      uint8_t fy, fx;
      for (fy = fh; fy; --fy, xr += x_row) {
        const int8_t* x = xr;
        for (fx = fw; fx; --fx, x += x_tap, w += w_tap) acc += (int16_t)(*x * TML_RD_I8(w)); /* fits 16 bits */
      }
#endif
      *out = conv_row_output(&ch->row, acc + ch->full_bias);
    }
  }
  for (; ox < ox1; ++ox, out += stride) {
    *out = requantize(p, depthwise_point(p, input, ch->w, b, oy, ox, ic, 0) + ch->bias, ch->multiplier, ch->shift);
  }
}

void tml_depthwise_conv_s8(const tml_conv_params* p, const int8_t* input, const int8_t* filter,
                           const int32_t* bias, const int32_t* multipliers, const int8_t* shifts,
                           int8_t* output) {
  int32_t b, c, oy;
  tml_conv_channel ch;
  const size_t row = (size_t)p->out_w * (size_t)p->out_c;
  for (b = 0; b < p->batches; ++b) {
    for (c = 0; c < p->out_c; ++c) {
      int8_t* out = output + (size_t)b * (size_t)p->out_h * row + (size_t)c;
      depthwise_channel(p, filter, bias, multipliers, shifts, c, &ch);
      for (oy = 0; oy < p->out_h; ++oy, out += row) depthwise_span(p, input, &ch, b, oy, 0, p->out_w, out, (size_t)p->out_c);
    }
  }
}

#define TML_FUSED_SPAN 32 /* convolution outputs computed before they are summed into the FULLY_CONNECTED */

/* One body for both fused kernels; each public entry point passes a constant `depthwise`, so the compiler
 * keeps only the convolution kind it uses and the linker can drop the other (--gc-sections). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void conv_fc(const tml_conv_params* cp, int depthwise, const int8_t* input, const int8_t* filter,
                           const int32_t* bias, const int32_t* multipliers, const int8_t* shifts,
                           const tml_fc_params* fp, const int8_t* fc_weights, const int32_t* fc_bias, int32_t* acc,
                           int8_t* output) {
  int32_t b, c, oy, ox, o;
  int8_t vals[TML_FUSED_SPAN]; /* a few convolution outputs of one channel, on their way into the sums */
  tml_conv_channel ch;
  for (c = 0; c < fp->output_depth; ++c) acc[c] = fc_bias ? TML_RD_I32(&fc_bias[c]) : 0;
  for (b = 0; b < cp->batches; ++b) {
    for (c = 0; c < cp->out_c; ++c) {
      if (depthwise) depthwise_channel(cp, filter, bias, multipliers, shifts, c, &ch);
      else conv_channel(cp, filter, bias, multipliers, shifts, c, &ch);
      for (oy = 0; oy < cp->out_h; ++oy) {
        for (ox = 0; ox < cp->out_w; ox += TML_FUSED_SPAN) {
          const int32_t n = cp->out_w - ox < TML_FUSED_SPAN ? cp->out_w - ox : TML_FUSED_SPAN;
          /* index of the first output in the FULLY_CONNECTED weight rows, stored channel-major [c][h][w] */
          const size_t k = (((size_t)b * (size_t)cp->out_c + (size_t)c) * (size_t)cp->out_h + (size_t)oy) *
                               (size_t)cp->out_w + (size_t)ox;
          const int8_t* w = fc_weights + k;
          if (depthwise) depthwise_span(cp, input, &ch, b, oy, ox, ox + n, vals, 1);
          else conv_span(cp, input, &ch, b, oy, ox, ox + n, vals, 1);
          /* the span's n outputs against n contiguous weights of each row: one dot product per output */
          for (o = 0; o < fp->output_depth; ++o, w += fp->accum_depth) acc[o] += dot_rows(vals, w, (uint16_t)n, 1, 0);
        }
      }
    }
  }
  for (c = 0; c < fp->output_depth; ++c) {
    const int32_t v = tml_mbqm(acc[c], fp->output_multiplier, fp->output_shift) + fp->output_offset;
    output[c] = (int8_t)clamp32(v, fp->act_min, fp->act_max);
  }
}

void tml_conv_fc_s8(const tml_conv_params* cp, const int8_t* input, const int8_t* filter, const int32_t* bias,
                    const int32_t* multipliers, const int8_t* shifts, const tml_fc_params* fp,
                    const int8_t* fc_weights, const int32_t* fc_bias, int32_t* acc, int8_t* output) {
  conv_fc(cp, 0, input, filter, bias, multipliers, shifts, fp, fc_weights, fc_bias, acc, output);
}

void tml_depthwise_conv_fc_s8(const tml_conv_params* cp, const int8_t* input, const int8_t* filter,
                              const int32_t* bias, const int32_t* multipliers, const int8_t* shifts,
                              const tml_fc_params* fp, const int8_t* fc_weights, const int32_t* fc_bias,
                              int32_t* acc, int8_t* output) {
  conv_fc(cp, 1, input, filter, bias, multipliers, shifts, fp, fc_weights, fc_bias, acc, output);
}

#if TML_AVR_ASM
/* ---------------------------------------------------------------- AVR: generated convolution rows */

/*
 * AVR: the convolution outputs above act_min of one channel and row, from the kernel's found sums (4 bytes
 * each: column, sum), for layers whose outputs above act_min have positive accumulators v = sum + offset
 * < 2^24 (after a ReLU; the generator checks offset <= 0) and a right shift e: each column < out_w goes to
 * idx, and min(rdbpot(srdhm(v, m), e), vmax) = output - zero point to vals. Returns how many.
 * rdbpot(srdhm(v, m), e) = floor((floor((v m + 2^30) / 2^31) + 2^(e-1)) / 2^e) for v > 0, computed as
 * x = (v m + 2^30) >> 31 from the exact 56-bit product (12 MULs), then floor((floor(x / 2^(e-1)) + 1) / 2),
 * the same number (floor((floor(a/b) + c)/d) = floor((a + cb)/(bd))). ~130 cycles an output.
 * avr-gcc ABI: found r25:r24, end r23:r22, q r21:r20, idx r19:r18, vals r17:r16; result r24.
 */
typedef struct {
  int32_t offset, m;   /* read by the assembly, in this order */
  uint8_t e, out_w, vmax;
  int32_t low;         /* the C driver's: sums below give act_min */
  int8_t shift;
} tml_avr_rq;
uint8_t tml_avr_requantize_found(const uint8_t* found, const uint8_t* end, const tml_avr_rq* q, uint8_t* idx,
                                 uint8_t* vals);
__asm__(
    ".section .text.tml_avr_requantize_found,\"ax\",@progbits\n"
    ".global tml_avr_requantize_found\n"
    ".type tml_avr_requantize_found, @function\n"
    "tml_avr_requantize_found:\n"
    "  .irp r, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15, r16, r17, r28, r29\n"
    "  push \\r\n"
    "  .endr\n"
    "  push r18 /* idx, to count what was written */\n"
    "  movw r26, r24 /* X: found */\n"
    "  movw r4, r22 /* end */\n"
    "  movw r30, r20 /* the channel's constants */\n"
    "  ld   r10, Z+ /* offset (3 bytes do: 0 < sum + offset < 2^24) */\n"
    "  ld   r11, Z+\n"
    "  ld   r12, Z+\n"
    "  ld   r0, Z+\n"
    "  ld   r6, Z+ /* m */\n"
    "  ld   r7, Z+\n"
    "  ld   r8, Z+\n"
    "  ld   r9, Z+\n"
    "  ld   r13, Z+ /* e */\n"
    "  ld   r14, Z+ /* out_w */\n"
    "  ld   r15, Z+ /* vmax */\n"
    "  movw r28, r18 /* Y: idx */\n"
    "  movw r2, r16 /* vals */\n"
    "  clr  r16 /* zero */\n"
    "1: cp   r26, r4\n"
    "  cpc  r27, r5\n"
    "  brne 12f\n"
    "  rjmp 11f\n"
    "12: ld   r17, X+ /* column */\n"
    "  cp   r17, r14\n"
    "  brlo 2f\n"
    "  adiw r26, 3 /* past the output: skip */\n"
    "  rjmp 1b\n"
    "2: st   Y+, r17\n"
    "  ld   r22, X+ /* v = sum + offset */\n"
    "  ld   r23, X+\n"
    "  ld   r24, X+\n"
    "  add  r22, r10\n"
    "  adc  r23, r11\n"
    "  adc  r24, r12\n"
    "  clr  r20 /* P = v * m, 56 bits; carries go only as far as the bytes the partial sum can reach */\n"
    "  clr  r21\n"
    "  clr  r30\n"
    "  clr  r31\n"
    "  clr  r25\n"
    "  mul  r22, r6\n"
    "  movw r18, r0\n"
    "  mul  r22, r7\n"
    "  add  r19, r0\n"
    "  adc  r20, r1\n"
    "  mul  r23, r6\n"
    "  add  r19, r0\n"
    "  adc  r20, r1\n"
    "  adc  r21, r16\n"
    "  mul  r22, r8\n"
    "  add  r20, r0\n"
    "  adc  r21, r1\n"
    "  mul  r23, r7\n"
    "  add  r20, r0\n"
    "  adc  r21, r1\n"
    "  adc  r30, r16\n"
    "  mul  r24, r6\n"
    "  add  r20, r0\n"
    "  adc  r21, r1\n"
    "  adc  r30, r16\n"
    "  mul  r22, r9\n"
    "  add  r21, r0\n"
    "  adc  r30, r1\n"
    "  adc  r31, r16\n"
    "  mul  r23, r8\n"
    "  add  r21, r0\n"
    "  adc  r30, r1\n"
    "  adc  r31, r16\n"
    "  mul  r24, r7\n"
    "  add  r21, r0\n"
    "  adc  r30, r1\n"
    "  adc  r31, r16\n"
    "  mul  r23, r9\n"
    "  add  r30, r0\n"
    "  adc  r31, r1\n"
    "  adc  r25, r16\n"
    "  mul  r24, r8\n"
    "  add  r30, r0\n"
    "  adc  r31, r1\n"
    "  adc  r25, r16\n"
    "  mul  r24, r9\n"
    "  add  r31, r0\n"
    "  adc  r25, r1\n"
    "  ldi  r17, 0x40 /* + 2^30 */\n"
    "  add  r21, r17\n"
    "  adc  r30, r16\n"
    "  adc  r31, r16\n"
    "  adc  r25, r16\n"
    "  lsl  r21 /* x = bits 31.. : r25:r31:r30 */\n"
    "  rol  r30\n"
    "  rol  r31\n"
    "  rol  r25\n"
    "  mov  r17, r13\n"
    "  tst  r17\n"
    "  breq 4f /* e == 0: x itself */\n"
    "  dec  r17 /* y = x >> (e - 1) */\n"
    "5: cpi  r17, 8\n"
    "  brlo 6f\n"
    "  mov  r30, r31\n"
    "  mov  r31, r25\n"
    "  clr  r25\n"
    "  subi r17, 8\n"
    "  rjmp 5b\n"
    "6: tst  r17\n"
    "  breq 7f\n"
    "8: lsr  r25\n"
    "  ror  r31\n"
    "  ror  r30\n"
    "  dec  r17\n"
    "  brne 8b\n"
    "7: subi r30, 0xff /* (y + 1) >> 1 */\n"
    "  sbci r31, 0xff\n"
    "  sbci r25, 0xff\n"
    "  lsr  r25\n"
    "  ror  r31\n"
    "  ror  r30\n"
    "4: or   r31, r25 /* at most vmax */\n"
    "  brne 9f\n"
    "  cp   r15, r30\n"
    "  brsh 10f\n"
    "9: mov  r30, r15\n"
    "10: mov  r17, r30\n"
    "  movw r30, r2\n"
    "  st   Z+, r17\n"
    "  movw r2, r30\n"
    "  rjmp 1b\n"
    "11: pop  r0\n"
    "  mov  r24, r28 /* count */\n"
    "  sub  r24, r0\n"
    "  clr  r1\n"
    "  .irp r, r29, r28, r17, r16, r15, r14, r13, r12, r11, r10, r9, r8, r7, r6, r5, r4, r3, r2\n"
    "  pop \\r\n"
    "  .endr\n"
    "  ret\n"
    ".size tml_avr_requantize_found, .-tml_avr_requantize_found\n"
    ".text\n");

/*
 * AVR: acc[o] += sum over k < count of val[k] * w[o * step + idx[k]], for o < depth (>= 1): a FULLY_CONNECTED
 * fed by the few convolution outputs that are not at the zero point (val[k] = output - zero point, 0..255).
 * Each product gets 2^15 added (its top bit flipped) so the 32-bit sums need no sign extension; count * 2^15
 * is taken off at the end. 20 cycles per MAC. avr-gcc ABI: idx r25:r24, val r23:r22, count r20, w r19:r18
 * (flash), step r17:r16, acc r15:r14, depth r12.
 */
void tml_avr_fc_sparse(const uint8_t* idx, const uint8_t* val, uint8_t count, const int8_t* w, uint16_t step,
                       int32_t* acc, uint8_t depth);
__asm__(
    ".section .text.tml_avr_fc_sparse,\"ax\",@progbits\n"
    ".global tml_avr_fc_sparse\n"
    ".type tml_avr_fc_sparse, @function\n"
    "tml_avr_fc_sparse:\n"
    "  .irp r, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15, r28, r29\n"
    "  push \\r\n"
    "  .endr\n"
    "  movw r8, r24 /* idx */\n"
    "  movw r10, r22 /* val */\n"
    "  clr  r6 /* zero */\n"
    "  ldi  r21, 0x80\n"
    "  mov  r7, r21\n"
    "  mov  r13, r20 /* count * 2^15: byte 2 in r13, byte 1 in r25 */\n"
    "  clr  r25\n"
    "  lsr  r13\n"
    "  ror  r25\n"
    "1: movw r30, r14 /* each o: its sum into r5:r2 */\n"
    "  ld   r2, Z+\n"
    "  ld   r3, Z+\n"
    "  ld   r4, Z+\n"
    "  ld   r5, Z+\n"
    "  movw r26, r8\n"
    "  movw r28, r10\n"
    "  mov  r21, r20\n"
    "  tst  r21\n"
    "  breq 3f\n"
    "2: ld   r24, X+ /* each k: w[o * step + idx[k]] */\n"
    "  ld   r22, Y+\n"
    "  movw r30, r18\n"
    "  add  r30, r24\n"
    "  adc  r31, r6\n"
    "  lpm  r23, Z\n"
    "  mulsu r23, r22 /* w * val[k], + 2^15 (top bit flipped): unsigned */\n"
    "  eor  r1, r7\n"
    "  add  r2, r0\n"
    "  adc  r3, r1\n"
    "  adc  r4, r6\n"
    "  adc  r5, r6\n"
    "  dec  r21\n"
    "  brne 2b\n"
    "  sub  r3, r25 /* - count * 2^15 */\n"
    "  sbc  r4, r13\n"
    "  sbc  r5, r6\n"
    "3: movw r30, r14\n"
    "  st   Z+, r2\n"
    "  st   Z+, r3\n"
    "  st   Z+, r4\n"
    "  st   Z+, r5\n"
    "  movw r14, r30\n"
    "  add  r18, r16 /* next row of weights */\n"
    "  adc  r19, r17\n"
    "  dec  r12\n"
    "  brne 1b\n"
    "  clr  r1\n"
    "  .irp r, r29, r28, r15, r14, r13, r12, r11, r10, r9, r8, r7, r6, r5, r4, r3, r2\n"
    "  pop \\r\n"
    "  .endr\n"
    "  ret\n"
    ".size tml_avr_fc_sparse, .-tml_avr_fc_sparse\n"
    ".text\n");

/*
 * AVR: tml_avr_fc_sparse for depth 4 (four FULLY_CONNECTED outputs, keyword spotters' usual), each column's
 * four weights read while its value is in a register, the four sums in registers: 13.5 cycles per MAC. The
 * weights are made unsigned (w + 128) for MUL and 128 * (the sum of val) is taken off at the end.
 */
void tml_avr_fc_sparse4(const uint8_t* idx, const uint8_t* val, uint8_t count, const int8_t* w, uint16_t step,
                        int32_t* acc);
__asm__(
    ".section .text.tml_avr_fc_sparse4,\"ax\",@progbits\n"
    ".global tml_avr_fc_sparse4\n"
    ".type tml_avr_fc_sparse4, @function\n"
    "tml_avr_fc_sparse4:\n"
    "  .irp r, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15, r28, r29\n"
    "  push \\r\n"
    "  .endr\n"
    "  movw r26, r24 /* X: idx */\n"
    "  movw r24, r14 /* acc */\n"
    "  movw r28, r22 /* Y: val */\n"
    "  clr  r14 /* zero */\n"
    "  clr  r2\n"
    "  clr  r3\n"
    "  clr  r4\n"
    "  clr  r5\n"
    "  clr  r6\n"
    "  clr  r7\n"
    "  clr  r8\n"
    "  clr  r9\n"
    "  clr  r10\n"
    "  clr  r11\n"
    "  clr  r12\n"
    "  clr  r13\n"
    "  mov  r15, r20\n"
    "1: ld   r21, X+ /* each k: the four weights of its column */\n"
    "  ld   r22, Y+\n"
    "  movw r30, r18\n"
    "  add  r30, r21\n"
    "  adc  r31, r14\n"
    "  lpm  r23, Z\n"
    "  subi r23, 0x80 /* w + 128 */\n"
    "  mul  r23, r22\n"
    "  add  r2, r0\n"
    "  adc  r3, r1\n"
    "  adc  r4, r14\n"
    "  add  r30, r16\n"
    "  adc  r31, r17\n"
    "  lpm  r23, Z\n"
    "  subi r23, 0x80 /* w + 128 */\n"
    "  mul  r23, r22\n"
    "  add  r5, r0\n"
    "  adc  r6, r1\n"
    "  adc  r7, r14\n"
    "  add  r30, r16\n"
    "  adc  r31, r17\n"
    "  lpm  r23, Z\n"
    "  subi r23, 0x80 /* w + 128 */\n"
    "  mul  r23, r22\n"
    "  add  r8, r0\n"
    "  adc  r9, r1\n"
    "  adc  r10, r14\n"
    "  add  r30, r16\n"
    "  adc  r31, r17\n"
    "  lpm  r23, Z\n"
    "  subi r23, 0x80 /* w + 128 */\n"
    "  mul  r23, r22\n"
    "  add  r11, r0\n"
    "  adc  r12, r1\n"
    "  adc  r13, r14\n"
    "  dec  r15\n"
    "  brne 1b\n"
    "  sub  r28, r20 /* 128 * the sum of val */\n"
    "  sbc  r29, r14\n"
    "  clr  r22\n"
    "  clr  r23\n"
    "  mov  r15, r20\n"
    "2: ld   r21, Y+\n"
    "  add  r22, r21\n"
    "  adc  r23, r14\n"
    "  dec  r15\n"
    "  brne 2b\n"
    "  mov  r15, r23\n"
    "  mov  r23, r22\n"
    "  lsr  r15\n"
    "  ror  r23\n"
    "  clr  r22\n"
    "  ror  r22\n"
    "  movw r30, r24\n"
    "  sub  r2, r22 /* acc[0] += sum - 128 * sum of val */\n"
    "  sbc  r3, r23\n"
    "  sbc  r4, r15\n"
    "  sbc  r21, r21\n"
    "  ld   r0, Z\n"
    "  add  r0, r2\n"
    "  st   Z+, r0\n"
    "  ld   r0, Z\n"
    "  adc  r0, r3\n"
    "  st   Z+, r0\n"
    "  ld   r0, Z\n"
    "  adc  r0, r4\n"
    "  st   Z+, r0\n"
    "  ld   r0, Z\n"
    "  adc  r0, r21\n"
    "  st   Z+, r0\n"
    "  sub  r5, r22\n"
    "  sbc  r6, r23\n"
    "  sbc  r7, r15\n"
    "  sbc  r21, r21\n"
    "  ld   r0, Z\n"
    "  add  r0, r5\n"
    "  st   Z+, r0\n"
    "  ld   r0, Z\n"
    "  adc  r0, r6\n"
    "  st   Z+, r0\n"
    "  ld   r0, Z\n"
    "  adc  r0, r7\n"
    "  st   Z+, r0\n"
    "  ld   r0, Z\n"
    "  adc  r0, r21\n"
    "  st   Z+, r0\n"
    "  sub  r8, r22\n"
    "  sbc  r9, r23\n"
    "  sbc  r10, r15\n"
    "  sbc  r21, r21\n"
    "  ld   r0, Z\n"
    "  add  r0, r8\n"
    "  st   Z+, r0\n"
    "  ld   r0, Z\n"
    "  adc  r0, r9\n"
    "  st   Z+, r0\n"
    "  ld   r0, Z\n"
    "  adc  r0, r10\n"
    "  st   Z+, r0\n"
    "  ld   r0, Z\n"
    "  adc  r0, r21\n"
    "  st   Z+, r0\n"
    "  sub  r11, r22\n"
    "  sbc  r12, r23\n"
    "  sbc  r13, r15\n"
    "  sbc  r21, r21\n"
    "  ld   r0, Z\n"
    "  add  r0, r11\n"
    "  st   Z+, r0\n"
    "  ld   r0, Z\n"
    "  adc  r0, r12\n"
    "  st   Z+, r0\n"
    "  ld   r0, Z\n"
    "  adc  r0, r13\n"
    "  st   Z+, r0\n"
    "  ld   r0, Z\n"
    "  adc  r0, r21\n"
    "  st   Z+, r0\n"
    "  clr  r1\n"
    "  .irp r, r29, r28, r15, r14, r13, r12, r11, r10, r9, r8, r7, r6, r5, r4, r3, r2\n"
    "  pop \\r\n"
    "  .endr\n"
    "  ret\n"
    ".size tml_avr_fc_sparse4, .-tml_avr_fc_sparse4\n"
    ".text\n");

/* Batch b of the input into a->scratch as u = x + 128 (the kernel's unsigned bytes), with the padding around it
 * filled with the zero point's u, which adds nothing once the window sums are taken off. */
static void avr_conv_pad(const tml_conv_params* p, const tml_avr_conv* a, const int8_t* input, int32_t b) {
  const size_t cin = (size_t)p->in_c, row = (size_t)a->padded_w * cin;
  const uint8_t pad = (uint8_t)(128 - p->input_offset);
  int32_t inside = p->in_w, y;
  uint8_t* dst = a->scratch;
  if (inside > a->padded_w - p->pad_w) inside = a->padded_w - p->pad_w;
  if (inside < 0) inside = 0;
  for (y = 0; y < a->padded_h; ++y, dst += row) {
    const int32_t in_y = y - p->pad_h;
    const size_t left = (size_t)p->pad_w * cin, n = (size_t)inside * cin;
    const uint8_t* src = (const uint8_t*)input + ((size_t)b * (size_t)p->in_h + (size_t)in_y) * (size_t)p->in_w * cin;
    size_t i;
    if (in_y < 0 || in_y >= p->in_h) {
      memset(dst, pad, row);
      continue;
    }
    memset(dst, pad, left);
    for (i = 0; i < n; ++i) dst[left + i] = src[i] ^ 0x80;
    memset(dst + left + n, pad, row - left - n);
  }
}

/* colsum[k] += each of `rows` rows of `row` bytes from x: the column sums of a window's rows. */
static void avr_colsum(uint16_t* colsum, const uint8_t* x, uint8_t rows, uint16_t row) {
  for (; rows; --rows) {
    uint16_t* c = colsum;
    uint16_t k = row;
    do *c++ += *x++;
    while (--k);
  }
}

/* The column sums slid down by `rows` rows: + each row from in, - each row from out (as many). */
static void avr_colsum_slide(uint16_t* colsum, const uint8_t* out, const uint8_t* in, uint8_t rows, uint16_t row) {
  for (; rows; --rows) {
    uint16_t* c = colsum;
    uint16_t k = row;
    do *c++ += (uint16_t)*in++ - *out++;
    while (--k);
  }
}

/* Each output column's starting sum from the column sums: 2^23 - 128 * (the sum of u over its window); the
 * window sums slide along the row when windows overlap. */
static void avr_conv_start(const tml_conv_params* p, const tml_avr_conv* a, const uint16_t* colsum, uint32_t* start) {
  const uint8_t step = (uint8_t)(p->stride_w * p->in_c), win = (uint8_t)(p->filter_w * p->in_c);
  uint8_t j = (uint8_t)(a->groups * a->cols), i;
  uint16_t s = 0;
  const uint16_t* c = colsum;
  for (i = win; i; --i) s += *c++;
  for (;;) {
    /* 128 s, as byte moves (a 32-bit shift by 7 is a loop on AVR) */
    *start++ = 8388608UL - (((uint32_t)(s >> 1) << 8) | (s & 1 ? 0x80u : 0u));
    if (!--j) break;
    if (step < win) {
      const uint16_t* leaving = colsum;
      for (i = step; i; --i) s += *c++ - *leaving++;
      colsum += step;
    } else {
      colsum += step;
      for (s = 0, c = colsum, i = win; i; --i) s += *c++;
    }
  }
}

/* Requantization and clamp of one output whose kernel sum is at or above the channel's `low`. */
__attribute__((noinline)) static int8_t avr_conv_requantize(const tml_conv_params* p, const tml_avr_rq* ch,
                                                             uint32_t sum) {
  int32_t v = (int32_t)sum + ch->offset;
  v = ch->shift <= 0 && ch->m != INT32_MIN ? tml_avr_mbqm_core(v, ch->m, (uint8_t)-ch->shift)
                                           : tml_mbqm(v, ch->m, ch->shift);
  return output_clamp(v, (int16_t)p->output_offset, (int16_t)p->act_min, (int16_t)p->act_max);
}

/* acc[o] += sum over j of (vals[j] - zp) * w[o * step + j], o < depth, skipping values at the zero point. */
static void avr_fc_add(const int8_t* vals, uint8_t n, int8_t zp, const int8_t* w, uint16_t step, int32_t* acc,
                       uint16_t depth) {
  for (; n; --n, ++w) {
    const int16_t v = (int16_t)(*vals++ - zp);
    const int8_t* wo = w;
    int32_t* o = acc;
    uint16_t k = depth;
    if (!v) continue;
    do {
      *o++ += (int16_t)(v * TML_RD_I8(wo));
      wo += step;
    } while (--k);
  }
}

/* The convolution, its outputs stored (fp NULL) or summed into a FULLY_CONNECTED's acc (fused; fc_weights
 * channel-major like conv_fc's, acc starting at the plain bias). Outputs at act_min are the zero point after a
 * ReLU and add nothing to the FULLY_CONNECTED: the kernel only reports the sums at or above the channel's
 * `low` (the others give act_min), and only those are requantized and multiplied in. */
static void avr_conv(const tml_conv_params* p, const tml_avr_conv* a, const int8_t* input, const int32_t* multipliers,
                     const int8_t* shifts, int8_t* output, const tml_fc_params* fp, const int8_t* fc_weights,
                     int32_t* acc) {
  const uint16_t row = (uint16_t)(a->padded_w * p->in_c);
  const size_t taps = (size_t)p->filter_h * (size_t)p->filter_w * (size_t)p->in_c;
  const uint8_t n = (uint8_t)(a->groups * a->cols), sh = (uint8_t)p->stride_h, fh = (uint8_t)p->filter_h;
  const uint8_t out_w = (uint8_t)p->out_w;
  const uint16_t out_c = (uint16_t)p->out_c;
  const size_t plane = (size_t)p->out_h * (size_t)p->out_w; /* one channel's outputs */
  const int8_t act_min = (int8_t)p->act_min;
  /* scratch: padded input, start sums, found sums, column sums, a row's values, columns and whole row, the
   * per-channel constants, the filter */
  uint32_t* start = (uint32_t*)(void*)(a->scratch + (size_t)a->padded_h * row);
  uint8_t* found = (uint8_t*)(void*)(start + n);
  uint16_t* colsum = (uint16_t*)(void*)(found + 4 * (size_t)n);
  int8_t* vals = (int8_t*)(void*)(colsum + row);
  uint8_t* idx = (uint8_t*)(void*)(vals + out_w);
  int8_t* row_vals = (int8_t*)(void*)(idx + out_w);
  tml_avr_rq* rqs = (tml_avr_rq*)(void*)(row_vals + out_w);
  uint8_t* filter_copy = (uint8_t*)(void*)(rqs + out_c);
  const uint8_t* filter = a->filter;
  /* largest output - zero point (the activation's top) */
  const uint8_t vmax = (uint8_t)(p->act_max - p->output_offset > 255 ? 255 : p->act_max - p->output_offset);
  /* every channel's outputs above act_min have positive accumulators < 2^24 (a ReLU, offsets <= 0), shift <= 0:
   * their requantization takes tml_avr_requantize_found, and the FULLY_CONNECTED tml_avr_fc_sparse */
  uint8_t fast = p->act_min >= p->output_offset;
  int32_t b, oy;
  uint16_t c;
  for (c = 0; c < out_c; ++c) {
    tml_avr_rq* q = &rqs[c];
    const int8_t shift = TML_RD_I8(&shifts[c]);
    q->low = TML_RD_I32(&a->low[c]);
    q->offset = TML_RD_I32(&a->offsets[c]);
    q->m = TML_RD_I32(&multipliers[c]);
    q->shift = shift;
    q->e = shift <= 0 ? (uint8_t)-shift : 0;
    q->out_w = out_w;
    q->vmax = vmax;
    if (shift > 0 || q->offset > 0) fast = 0;
  }
  if (a->filter_in_ram) {
    memcpy_P(filter_copy, a->filter, taps * (size_t)out_c);
    filter = filter_copy;
  }
  for (b = 0; b < p->batches; ++b) {
    avr_conv_pad(p, a, input, b);
    for (oy = 0; oy < p->out_h; ++oy) {
      const uint8_t* x = a->scratch + (size_t)oy * sh * row;
      /* per channel, pointer steps: this row's weights in the channel-major FULLY_CONNECTED rows, its outputs
       * among the stored ones (NHWC), the filter */
      const int8_t* fcw = fp ? fc_weights + (size_t)b * (size_t)out_c * plane + (size_t)oy * (size_t)out_w : NULL;
      int8_t* out = fp ? NULL : output + ((size_t)b * plane + (size_t)oy * (size_t)out_w) * (size_t)out_c;
      const uint8_t* fw = filter;
      if (oy == 0 || sh >= fh) {
        memset(colsum, 0, 2 * (size_t)row);
        avr_colsum(colsum, x, fh, row);
      } else {
        /* the rows leaving the window, the rows entering it */
        avr_colsum_slide(colsum, x - (size_t)sh * row, x + (size_t)(fh - sh) * row, sh, row);
      }
      avr_conv_start(p, a, colsum, start);
      for (c = 0; c < out_c; ++c, fw += taps, ++out, fcw += plane) {
        const tml_avr_rq* q = &rqs[c];
        const uint8_t* end = q->low < 16777216L ? a->rows(x, fw, (const uint8_t*)start, found, a->groups, (uint32_t)q->low) : found;
        const uint8_t* f;
        uint8_t k = 0, j;
        /* the outputs above act_min: columns to idx, values to vals (output - zero point when fast) */
        if (fast) {
          k = tml_avr_requantize_found(found, end, q, idx, (uint8_t*)vals);
          if (fp && fp->output_depth <= 255) {
            if (k && fp->output_depth == 4) tml_avr_fc_sparse4(idx, (const uint8_t*)vals, k, fcw, (uint16_t)fp->accum_depth, acc);
            else if (k) tml_avr_fc_sparse(idx, (const uint8_t*)vals, k, fcw, (uint16_t)fp->accum_depth, acc, (uint8_t)fp->output_depth);
            continue;
          }
          for (j = 0; j < k; ++j) vals[j] = (int8_t)(vals[j] + p->output_offset);
        } else {
          for (f = found; f != end; f += 4) {
            if (f[0] >= out_w) continue; /* a column past the output (the last group's spare ones) */
            idx[k] = f[0];
            vals[k++] = avr_conv_requantize(p, q, *(const uint32_t*)(const void*)f >> 8);
          }
        }
        /* vals[j] is the output at column idx[j]; every other output of the row is act_min */
        if (!fp) {
          for (j = 0; j < out_w; ++j) out[(size_t)j * out_c] = act_min;
          for (j = 0; j < k; ++j) out[(size_t)idx[j] * out_c] = vals[j];
        } else {
          memset(row_vals, act_min, out_w);
          for (j = 0; j < k; ++j) row_vals[idx[j]] = vals[j];
          avr_fc_add(row_vals, out_w, (int8_t)p->output_offset, fcw, (uint16_t)fp->accum_depth, acc,
                     (uint16_t)fp->output_depth);
        }
      }
    }
  }
}

void tml_avr_conv_s8(const tml_conv_params* p, const tml_avr_conv* a, const int8_t* input,
                     const int32_t* multipliers, const int8_t* shifts, int8_t* output) {
  avr_conv(p, a, input, multipliers, shifts, output, NULL, NULL, NULL);
}

void tml_avr_conv_fc_s8(const tml_conv_params* cp, const tml_avr_conv* a, const int8_t* input,
                        const int32_t* multipliers, const int8_t* shifts, const tml_fc_params* fp,
                        const int8_t* fc_weights, const int32_t* fc_bias, int32_t* acc, int8_t* output) {
  int32_t c;
  for (c = 0; c < fp->output_depth; ++c) acc[c] = fc_bias ? TML_RD_I32(&fc_bias[c]) : 0;
  avr_conv(cp, a, input, multipliers, shifts, NULL, fp, fc_weights, acc);
  for (c = 0; c < fp->output_depth; ++c) {
    const int32_t v = tml_mbqm(acc[c], fp->output_multiplier, fp->output_shift) + fp->output_offset;
    output[c] = (int8_t)clamp32(v, fp->act_min, fp->act_max);
  }
}
#endif

/* ---------------------------------------------------------------- pooling */

/* Window of one output position, clipped to the input (padding is never averaged in). */
static void pool_window(const tml_pool_params* p, int32_t oy, int32_t ox, int32_t* y0, int32_t* y1,
                        int32_t* x0, int32_t* x1, int32_t* in_y0, int32_t* in_x0) {
  *in_y0 = oy * p->stride_h - p->pad_h;
  *in_x0 = ox * p->stride_w - p->pad_w;
  *y0 = *in_y0 < 0 ? -*in_y0 : 0;
  *y1 = p->in_h - *in_y0 < p->filter_h ? p->in_h - *in_y0 : p->filter_h;
  *x0 = *in_x0 < 0 ? -*in_x0 : 0;
  *x1 = p->in_w - *in_x0 < p->filter_w ? p->in_w - *in_x0 : p->filter_w;
}

void tml_average_pool_s8(const tml_pool_params* p, const int8_t* input, int8_t* output) {
  int32_t b, oy, ox, c, fy, fx;
  int8_t* out = output;
  for (b = 0; b < p->batches; ++b) {
    for (oy = 0; oy < p->out_h; ++oy) {
      for (ox = 0; ox < p->out_w; ++ox) {
        int32_t y0, y1, x0, x1, in_y0, in_x0;
        pool_window(p, oy, ox, &y0, &y1, &x0, &x1, &in_y0, &in_x0);
        for (c = 0; c < p->depth; ++c) {
          int32_t acc = 0, count = 0;
          for (fy = y0; fy < y1; ++fy) {
            for (fx = x0; fx < x1; ++fx) {
              acc += input[(((size_t)b * p->in_h + in_y0 + fy) * p->in_w + in_x0 + fx) * p->depth + c];
              ++count;
            }
          }
          if (count == 0) count = 1; /* cannot happen with TFLite's padding rules; avoids a division by 0 */
          /* Round half away from zero, as TFLM does. */
          acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
          *out++ = (int8_t)clamp32(acc, p->act_min, p->act_max);
        }
      }
    }
  }
}

void tml_max_pool_s8(const tml_pool_params* p, const int8_t* input, int8_t* output) {
  int32_t b, oy, ox, c, fy, fx;
  int8_t* out = output;
  for (b = 0; b < p->batches; ++b) {
    for (oy = 0; oy < p->out_h; ++oy) {
      for (ox = 0; ox < p->out_w; ++ox) {
        int32_t y0, y1, x0, x1, in_y0, in_x0;
        pool_window(p, oy, ox, &y0, &y1, &x0, &x1, &in_y0, &in_x0);
        for (c = 0; c < p->depth; ++c) {
          int32_t m = -128;
          for (fy = y0; fy < y1; ++fy) {
            for (fx = x0; fx < x1; ++fx) {
              const int32_t v = input[(((size_t)b * p->in_h + in_y0 + fy) * p->in_w + in_x0 + fx) * p->depth + c];
              if (v > m) m = v;
            }
          }
          *out++ = (int8_t)clamp32(m, p->act_min, p->act_max);
        }
      }
    }
  }
}

/* ---------------------------------------------------------------- SOFTMAX */

void tml_softmax_s8(const tml_softmax_params* p, const int8_t* input, int8_t* output) {
  /* exp(x - max) in Q5.26 in, Q0.31 out; the sum is kept in Q12.19. */
  const int32_t scaled_diff_integer_bits = 5, accumulation_integer_bits = 12;
  int32_t i, c;
  for (i = 0; i < p->outer_size; ++i) {
    const int8_t* in = input + (size_t)i * (size_t)p->depth;
    int8_t* out = output + (size_t)i * (size_t)p->depth;
    int32_t max_in_row = -128, sum_of_exps = 0, num_bits_over_unit, headroom_plus_one, shifted_scale;
    for (c = 0; c < p->depth; ++c) {
      if (in[c] > max_in_row) max_in_row = in[c];
    }
    for (c = 0; c < p->depth; ++c) {
      const int32_t diff = (int32_t)in[c] - max_in_row;
      if (diff >= p->diff_min) {
        const int32_t scaled = tml_srdhm(diff * ((int32_t)1 << p->input_left_shift), p->input_multiplier);
        sum_of_exps += rescale(exp_on_negative_values(scaled, scaled_diff_integer_bits), 0,
                               accumulation_integer_bits);
      }
    }
    /* 1 / sum as a Q0.31 mantissa and a power of two (TFLite's GetReciprocal). */
    headroom_plus_one = count_leading_zeros32((uint32_t)sum_of_exps);
    num_bits_over_unit = accumulation_integer_bits - headroom_plus_one;
    shifted_scale = one_over_one_plus_x_for_x_in_0_1(
        (int32_t)(((uint32_t)sum_of_exps << headroom_plus_one) - ((uint32_t)1 << 31)));
    for (c = 0; c < p->depth; ++c) {
      const int32_t diff = (int32_t)in[c] - max_in_row;
      if (diff >= p->diff_min) {
        const int32_t scaled = tml_srdhm(diff * ((int32_t)1 << p->input_left_shift), p->input_multiplier);
        const int32_t e = exp_on_negative_values(scaled, scaled_diff_integer_bits);
        const int32_t unsat = tml_rdbpot(tml_srdhm(shifted_scale, e), num_bits_over_unit + 31 - 8);
        out[c] = (int8_t)clamp32(unsat - 128, -128, 127);
      } else {
        out[c] = -128;
      }
    }
  }
}

/* ---------------------------------------------------------------- ADD / MUL */

/* Walks the 4-D output and calls `op` with the two broadcast inputs of each element. */
#define TML_BROADCAST_LOOP(p, in1, in2, output, BODY)                                          \
  do {                                                                                         \
    int32_t i0, i1, i2, i3;                                                                    \
    int8_t* out_ = (output);                                                                   \
    for (i0 = 0; i0 < (p)->dims[0]; ++i0)                                                      \
      for (i1 = 0; i1 < (p)->dims[1]; ++i1)                                                    \
        for (i2 = 0; i2 < (p)->dims[2]; ++i2)                                                  \
          for (i3 = 0; i3 < (p)->dims[3]; ++i3) {                                              \
            const int32_t a_ = (in1)[i0 * (p)->strides1[0] + i1 * (p)->strides1[1] +           \
                                     i2 * (p)->strides1[2] + i3 * (p)->strides1[3]];           \
            const int32_t b_ = (in2)[i0 * (p)->strides2[0] + i1 * (p)->strides2[1] +           \
                                     i2 * (p)->strides2[2] + i3 * (p)->strides2[3]];           \
            BODY                                                                               \
          }                                                                                    \
  } while (0)

void tml_add_s8(const tml_binary_params* p, const int8_t* in1, const int8_t* in2, int8_t* output) {
  TML_BROADCAST_LOOP(p, in1, in2, output, {
    const int32_t x1 = (a_ + p->input1_offset) * ((int32_t)1 << p->left_shift);
    const int32_t x2 = (b_ + p->input2_offset) * ((int32_t)1 << p->left_shift);
    const int32_t s1 = tml_mbqm(x1, p->input1_multiplier, p->input1_shift);
    const int32_t s2 = tml_mbqm(x2, p->input2_multiplier, p->input2_shift);
    const int32_t raw = tml_mbqm(s1 + s2, p->output_multiplier, p->output_shift) + p->output_offset;
    *out_++ = (int8_t)clamp32(raw, p->act_min, p->act_max);
  });
}

void tml_mul_s8(const tml_binary_params* p, const int8_t* in1, const int8_t* in2, int8_t* output) {
  TML_BROADCAST_LOOP(p, in1, in2, output, {
    const int32_t prod = (a_ + p->input1_offset) * (b_ + p->input2_offset);
    const int32_t raw = tml_mbqm(prod, p->output_multiplier, p->output_shift) + p->output_offset;
    *out_++ = (int8_t)clamp32(raw, p->act_min, p->act_max);
  });
}

/* ---------------------------------------------------------------- LOGISTIC / TANH */

void tml_logistic_s8(const tml_activation_params* p, const int8_t* input, int8_t* output) {
  int32_t i;
  for (i = 0; i < p->size; ++i) {
    const int32_t x = (int32_t)input[i] - p->input_zero_point;
    if (x <= -p->input_range_radius) {
      output[i] = -128;
    } else if (x >= p->input_range_radius) {
      output[i] = 127;
    } else {
      const int32_t q4 = tml_mbqm(x, p->input_multiplier, p->input_left_shift); /* Q4.27 */
      int32_t r;
      if (q4 == 0) {
        r = (int32_t)1 << 30; /* 0.5 */
      } else {
        const int32_t abs_q4 = q4 > 0 ? q4 : -q4;
        const int32_t pos = one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(-abs_q4, 4));
        r = q4 > 0 ? pos : INT32_MAX - pos;
      }
      output[i] = (int8_t)clamp32(tml_rdbpot(r, 23) - 128, -128, 127);
    }
  }
}

void tml_tanh_s8(const tml_activation_params* p, const int8_t* input, int8_t* output) {
  int32_t i;
  for (i = 0; i < p->size; ++i) {
    const int32_t x = (int32_t)input[i] - p->input_zero_point;
    if (x <= -p->input_range_radius) {
      output[i] = -128;
    } else if (x >= p->input_range_radius) {
      output[i] = 127;
    } else {
      const int32_t q4 = tml_mbqm(x, p->input_multiplier, p->input_left_shift); /* Q4.27 */
      int32_t r = 0;
      if (q4 != 0) {
        const int32_t n = q4 < 0 ? q4 : -q4; /* -|x| */
        /* -tanh(n) = (1 - exp(2n)) / (1 + exp(2n)); 2n is the same raw value read with 5 integer bits. */
        const int32_t t = one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(n, 5));
        r = q4 < 0 ? -t : t;
      }
      output[i] = (int8_t)clamp32(tml_rdbpot(r, 24), -128, 127);
    }
  }
}

/* ---------------------------------------------------------------- data movement */

void tml_pad_s8(const tml_pad_params* p, const int8_t* input, int8_t* output) {
  int32_t o[4], d, i0, i1, i2, i3;
  for (d = 0; d < 4; ++d) o[d] = p->before[d] + p->in_dims[d] + p->after[d];
  for (i0 = 0; i0 < o[0]; ++i0)
    for (i1 = 0; i1 < o[1]; ++i1)
      for (i2 = 0; i2 < o[2]; ++i2)
        for (i3 = 0; i3 < o[3]; ++i3) {
          const int32_t j0 = i0 - p->before[0], j1 = i1 - p->before[1];
          const int32_t j2 = i2 - p->before[2], j3 = i3 - p->before[3];
          const int inside = j0 >= 0 && j0 < p->in_dims[0] && j1 >= 0 && j1 < p->in_dims[1] && j2 >= 0 &&
                             j2 < p->in_dims[2] && j3 >= 0 && j3 < p->in_dims[3];
          *output++ = inside ? input[((((size_t)j0 * p->in_dims[1] + j1) * p->in_dims[2] + j2) * p->in_dims[3]) + j3]
                             : p->pad_value;
        }
}

void tml_concat_s8(int32_t outer, int32_t count, const int8_t* const* inputs, const int32_t* sizes,
                   int8_t* output) {
  int32_t o, i;
  for (o = 0; o < outer; ++o) {
    for (i = 0; i < count; ++i) {
      memcpy(output, inputs[i] + (size_t)o * (size_t)sizes[i], (size_t)sizes[i]);
      output += sizes[i];
    }
  }
}

void tml_copy(const void* input, void* output, size_t bytes) {
  if (input != output) memmove(output, input, bytes);
}

void tml_quantize_f32_s8(const float* input, int8_t* output, int32_t size, float scale, int32_t zero_point) {
  int32_t i;
  for (i = 0; i < size; ++i) {
    const float v = input[i] / scale;
    /* Saturate before converting: a float outside int32 has no defined conversion. */
    const int32_t q = v > 1000.0f ? 1000 : (v < -1000.0f ? -1000 : (int32_t)roundf(v));
    output[i] = (int8_t)clamp32(q + zero_point, -128, 127);
  }
}

void tml_requantize_s8(const int8_t* input, int8_t* output, int32_t size, int32_t input_zero_point,
                       int32_t output_zero_point, int32_t multiplier, int32_t shift) {
  int32_t i;
  for (i = 0; i < size; ++i) {
    const int32_t v = tml_mbqm((int32_t)input[i] - input_zero_point, multiplier, shift) + output_zero_point;
    output[i] = (int8_t)clamp32(v, -128, 127);
  }
}

void tml_dequantize_s8_f32(const int8_t* input, float* output, int32_t size, double scale, int32_t zero_point) {
  int32_t i;
  for (i = 0; i < size; ++i) output[i] = (float)(scale * (double)((int32_t)input[i] - zero_point));
}
