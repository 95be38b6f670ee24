/*
 * tinyml_kernels.c - portable C99 int8 kernels (see tinyml_kernels.h).
 *
 * The arithmetic follows TensorFlow Lite Micro's reference int8 kernels and gemmlowp's fixed-point helpers,
 * operation for operation, so results are bit-exact. Two liberties, both exact in integer arithmetic:
 *  - FULLY_CONNECTED takes a bias that already contains input_offset * sum(row weights), so the inner loop is a
 *    plain int8 x int8 dot product (sum((x + off) * w) == sum(x * w) + off * sum(w)).
 *  - products of an int8 weight and an offset input (|.| <= 255 * 128) are formed in 16 bits, which is exact
 *    and lets 8-bit CPUs use their hardware multiplier.
 * Right shifts of negative numbers are arithmetic, as on every compiler this kit targets (gcc, avr-gcc, clang).
 */
#include "tinyml_kernels.h"

#include <math.h> /* roundf: TFLite rounds half away from zero */
#include <string.h>

/* ---------------------------------------------------------------- fixed point */

#if defined(__AVR__)
/* 16 x 16 -> 32 products. Kept out of line so avr-gcc sees 16-bit operands and uses its MUL-based helpers
 * (__mulhisi3 and friends) instead of a full 32 x 32 multiply. */
__attribute__((noinline)) static int32_t mul_ss(int16_t a, int16_t b) { return (int32_t)a * (int32_t)b; }
__attribute__((noinline)) static int32_t mul_su(int16_t a, uint16_t b) { return (int32_t)a * (int32_t)b; }
__attribute__((noinline)) static uint32_t mul_uu(uint16_t a, uint16_t b) { return (uint32_t)a * (uint32_t)b; }
#endif

/* The exact 64-bit product of two int32, as a signed high word and an unsigned low word. */
static void mul32x32(int32_t a, int32_t b, int32_t* hi, uint32_t* lo) {
#if defined(__AVR__)
  /* avr-gcc calls a generic 64 x 64 multiply for int64 products; 16 x 16 -> 32 pieces (hardware MUL) and
   * 32-bit adds with carries are several times faster. a = ah * 2^16 + al (ah signed, al unsigned). */
  const int16_t ah = (int16_t)(a >> 16), bh = (int16_t)(b >> 16);
  const uint16_t al = (uint16_t)a, bl = (uint16_t)b;
  const int32_t m1 = mul_su(ah, bl), m2 = mul_su(bh, al);
  uint32_t l = mul_uu(al, bl), t;
  int32_t h = mul_ss(ah, bh);
  t = l + ((uint32_t)m1 << 16);
  h += (m1 >> 16) + (t < l);
  l = t;
  t = l + ((uint32_t)m2 << 16);
  h += (m2 >> 16) + (t < l);
  *hi = h;
  *lo = t;
#else
  const int64_t ab = (int64_t)a * (int64_t)b;
  *hi = (int32_t)(ab >> 32);
  *lo = (uint32_t)ab;
#endif
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

/* ---------------------------------------------------------------- FULLY_CONNECTED */

#if defined(__AVR__)
/*
 * AVR: sum of x[i] * w[i] (x in RAM, w in flash) in hand-written assembly, ~12 cycles per MAC instead of ~70
 * for what avr-gcc makes of the C loop (it widens to a 32-bit multiply call).
 * Each signed 16-bit product gets bit 15 flipped, which adds 32768 and makes it unsigned, so it can be summed
 * with a plain add/adc/adc into 24 bits; up to 256 products fit, and 32768 per product is taken off afterwards.
 */
__attribute__((noinline)) static int32_t dot_s8_flash(const int8_t* x, const int8_t* w, size_t n) {
  int32_t total = 0;
  /* The odd 0-3 elements in C, the rest four at a time. */
  while (n & 3u) {
    total += (int16_t)(*x++ * (int8_t)pgm_read_byte(w++));
    --n;
  }
  while (n > 0) {
    const uint16_t chunk = n > 256 ? 256 : (uint16_t)n; /* at most 256 products per 24-bit sum */
    uint8_t count = (uint8_t)(chunk / 4);
    uint8_t a, b;
    uint32_t sum = 0;
    __asm__ volatile(
        "1:                      \n\t"
#define TML_AVR_MAC                                                                         \
        "ld   %[a], X+           \n\t"                                                        \
        "lpm  %[b], Z+           \n\t"                                                        \
        "muls %[a], %[b]         \n\t" /* r1:r0 = a * b, signed */                            \
        "eor  r1, %[k80]         \n\t" /* + 32768: now unsigned */                            \
        "add  %A[sum], r0        \n\t"                                                        \
        "adc  %B[sum], r1        \n\t"                                                        \
        "adc  %C[sum], %[zero]   \n\t"
        TML_AVR_MAC TML_AVR_MAC TML_AVR_MAC TML_AVR_MAC
#undef TML_AVR_MAC
        "dec  %[count]           \n\t"
        "brne 1b                 \n\t"
        "clr  r1                 \n\t" /* r1 is gcc's zero register */
        : [sum] "+r"(sum), [count] "+r"(count), [a] "=&d"(a), [b] "=&d"(b), "+x"(x), "+z"(w)
        : [k80] "r"((uint8_t)0x80), [zero] "r"((uint8_t)0)
        : "r0", "r1", "memory");
    total += (int32_t)sum - (int32_t)chunk * 32768;
    n -= chunk;
  }
  return total;
}

#endif

void tml_fully_connected_s8(const tml_fc_params* p, const int8_t* input, const int8_t* filter,
                            const int32_t* bias, int8_t* output) {
  int32_t b, c;
  for (b = 0; b < p->batches; ++b) {
    const int8_t* row = filter;
    for (c = 0; c < p->output_depth; ++c) {
      const int8_t* x = input + (size_t)b * (size_t)p->accum_depth;
      int32_t acc = bias ? TML_RD_I32(&bias[c]) : 0;
#if defined(__AVR__)
      acc += dot_s8_flash(x, row, (size_t)p->accum_depth);
      row += p->accum_depth;
#else
      size_t n = (size_t)p->accum_depth;
      while (n--) {
        acc += (int16_t)(*x * TML_RD_I8(row)); /* int8 x int8 fits 16 bits */
        ++x;
        ++row;
      }
#endif
      acc = tml_mbqm(acc, p->output_multiplier, p->output_shift) + p->output_offset;
      output[(size_t)b * (size_t)p->output_depth + (size_t)c] = (int8_t)clamp32(acc, p->act_min, p->act_max);
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
  if (origin < 0) a = (-origin + dilation - 1) / dilation;
  if (origin + dilation * (b - 1) >= size) b = size - origin <= 0 ? 0 : (size - origin + dilation - 1) / dilation;
  *lo = a;
  *hi = b < a ? a : b;
}

/* Accumulator of one CONV_2D output point (batch b, position oy/ox, channel oc), before bias. */
/* `channel0` is the first input channel the output channel reads (nonzero only in grouped convolutions). */
static int32_t conv_point(const tml_conv_params* p, const int8_t* input, const int8_t* filter, int32_t b,
                          int32_t oy, int32_t ox, int32_t oc, size_t channel0) {
  const int32_t in_y0 = oy * p->stride_h - p->pad_h, in_x0 = ox * p->stride_w - p->pad_w;
  const int16_t offset = (int16_t)p->input_offset;
  int32_t acc = 0, fy, fx, fy_lo, fy_hi, fx_lo, fx_hi;
  valid_taps(in_y0, p->dilation_h, p->filter_h, p->in_h, &fy_lo, &fy_hi);
  valid_taps(in_x0, p->dilation_w, p->filter_w, p->in_w, &fx_lo, &fx_hi);
  for (fy = fy_lo; fy < fy_hi; ++fy) {
    const int32_t in_y = in_y0 + p->dilation_h * fy;
    for (fx = fx_lo; fx < fx_hi; ++fx) {
      const int32_t in_x = in_x0 + p->dilation_w * fx;
      /* size_t arithmetic: 16-bit on AVR, where it is much cheaper than int32 and as wide as memory. */
      const int8_t* x = input + (((size_t)b * (size_t)p->in_h + (size_t)in_y) * (size_t)p->in_w + (size_t)in_x) *
                                    (size_t)p->in_c + channel0;
      const int8_t* w = filter + (((size_t)oc * (size_t)p->filter_h + (size_t)fy) * (size_t)p->filter_w + (size_t)fx) *
                                     (size_t)p->filter_in_c;
      size_t n = (size_t)p->filter_in_c;
      while (n--) acc += (int16_t)((int16_t)(*x++ + offset) * TML_RD_I8(w++));
    }
  }
  return acc;
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

/* Bias, per-channel requantization and the activation clamp of one output point. */
static int8_t conv_output(const tml_conv_params* p, int32_t acc, const int32_t* bias, const int32_t* multipliers,
                          const int8_t* shifts, int32_t oc) {
  if (bias) acc += TML_RD_I32(&bias[oc]);
  acc = tml_mbqm(acc, TML_RD_I32(&multipliers[oc]), TML_RD_I8(&shifts[oc])) + p->output_offset;
  return (int8_t)clamp32(acc, p->act_min, p->act_max);
}

/* Visits the output points of a (depthwise) convolution in NHWC order, handing each value to `emit`. */
#define TML_CONV_LOOP(p, depthwise, input, filter, bias, multipliers, shifts, EMIT)                    \
  do {                                                                                                \
    int32_t b_, oy_, ox_, c_;                                                                         \
    const int32_t groups_ = (p)->in_c / (p)->filter_in_c;                                             \
    const int32_t per_group_ = (p)->out_c / groups_;                                                  \
    for (b_ = 0; b_ < (p)->batches; ++b_)                                                             \
      for (oy_ = 0; oy_ < (p)->out_h; ++oy_)                                                          \
        for (ox_ = 0; ox_ < (p)->out_w; ++ox_)                                                        \
          for (c_ = 0; c_ < (p)->out_c; ++c_) {                                                       \
            /* depthwise: output channel c_ = ic * depth_multiplier + m reads input channel ic */     \
            const int32_t acc_ = (depthwise)                                                          \
                ? depthwise_point((p), (input), (filter), b_, oy_, ox_,                               \
                                  (p)->depth_multiplier == 1 ? c_ : c_ / (p)->depth_multiplier, c_)   \
                : conv_point((p), (input), (filter), b_, oy_, ox_, c_,                                \
                             groups_ == 1 ? 0 : (size_t)(c_ / per_group_) * (size_t)(p)->filter_in_c); \
            const int8_t v_ = conv_output((p), acc_, (bias), (multipliers), (shifts), c_);            \
            EMIT                                                                                      \
          }                                                                                           \
  } while (0)

void tml_conv_s8(const tml_conv_params* p, const int8_t* input, const int8_t* filter, const int32_t* bias,
                 const int32_t* multipliers, const int8_t* shifts, int8_t* output) {
  TML_CONV_LOOP(p, 0, input, filter, bias, multipliers, shifts, { *output++ = v_; });
}

void tml_depthwise_conv_s8(const tml_conv_params* p, const int8_t* input, const int8_t* filter,
                           const int32_t* bias, const int32_t* multipliers, const int8_t* shifts,
                           int8_t* output) {
  TML_CONV_LOOP(p, 1, input, filter, bias, multipliers, shifts, { *output++ = v_; });
}

void tml_conv_fc_s8(const tml_conv_params* cp, int depthwise, const int8_t* input, const int8_t* filter,
                    const int32_t* bias, const int32_t* multipliers, const int8_t* shifts,
                    const tml_fc_params* fp, const int8_t* fc_weights, const int32_t* fc_bias, int32_t* acc,
                    int8_t* output) {
  size_t k = 0; /* index of the convolution output in the flattened FULLY_CONNECTED input */
  int32_t c;
  for (c = 0; c < fp->output_depth; ++c) acc[c] = fc_bias ? TML_RD_I32(&fc_bias[c]) : 0;
  TML_CONV_LOOP(cp, depthwise, input, filter, bias, multipliers, shifts, {
    const int8_t* w_ = fc_weights + k;
    int32_t o_;
    for (o_ = 0; o_ < fp->output_depth; ++o_) {
      acc[o_] += (int16_t)(v_ * TML_RD_I8(w_));
      w_ += fp->accum_depth;
    }
    ++k;
  });
  for (c = 0; c < fp->output_depth; ++c) {
    const int32_t v = tml_mbqm(acc[c], fp->output_multiplier, fp->output_shift) + fp->output_offset;
    output[c] = (int8_t)clamp32(v, fp->act_min, fp->act_max);
  }
}

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
