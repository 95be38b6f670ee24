/*
 * tinyml_kernels.h - portable C99 int8 kernels for tinyml-kit's generated models.
 *
 * Each kernel computes exactly what TensorFlow Lite Micro's reference int8 kernel computes (same integer
 * arithmetic, same rounding), so a generated model gives the same bytes as TFLM. Parameters that TFLM computes in
 * its Prepare step (multipliers, shifts, activation ranges, padding) are computed by the code generator and
 * passed in as numbers.
 *
 * On AVR cores with a hardware multiplier the hot loops (dot products, requantization) are assembly in the .c
 * file; the plain C next to them is what every other target compiles, with the same results.
 *
 * Portability rules: no heap, no floating point except in QUANTIZE/DEQUANTIZE, and explicit int32_t/int64_t
 * everywhere, because `int` is only 16 bits on AVR. Constant data (weights, biases, per-channel multipliers)
 * is declared TML_CONST and read through the TML_RD_* macros: on AVR it stays in flash (PROGMEM) and is read
 * with pgm_read_*; everywhere else these are plain reads.
 */
#ifndef TINYML_KERNELS_H
#define TINYML_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#if defined(__AVR__)
#include <avr/pgmspace.h>
#define TML_CONST PROGMEM
#define TML_RD_I8(p) ((int8_t)pgm_read_byte(p))
#define TML_RD_I32(p) ((int32_t)pgm_read_dword(p))
#else
#define TML_CONST
#define TML_RD_I8(p) (*(const int8_t*)(p))
#define TML_RD_I32(p) (*(const int32_t*)(p))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- fixed-point helpers (TFLM / gemmlowp semantics) ---- */

/** (a * b * 2) >> 32 with rounding to nearest, saturating the single overflow case (gemmlowp). */
int32_t tml_srdhm(int32_t a, int32_t b);
/** x / 2^exponent rounded to nearest, ties away from zero (gemmlowp RoundingDivideByPOT). */
int32_t tml_rdbpot(int32_t x, int32_t exponent);
/** x * multiplier * 2^shift, TFLM's double-rounding MultiplyByQuantizedMultiplier. */
int32_t tml_mbqm(int32_t x, int32_t multiplier, int32_t shift);

/* ---- parameter blocks: one per kernel family; the generated model fills them with constants ---- */

/** FULLY_CONNECTED. `bias` must already include input_offset * sum(weights of the row) (see the .c file). */
typedef struct {
  int32_t output_offset;      /* output zero point */
  int32_t output_multiplier;  /* effective scale s_in*s_w/s_out as a Q31 multiplier ... */
  int32_t output_shift;       /* ... and a power-of-two exponent */
  int32_t act_min, act_max;   /* fused activation as a clamp in the quantized domain */
  int32_t batches, accum_depth, output_depth;
} tml_fc_params;

/** CONV_2D and DEPTHWISE_CONV_2D (NHWC input, OHWI conv filter, 1HWO depthwise filter). */
typedef struct {
  int32_t input_offset, output_offset, act_min, act_max;
  int32_t stride_w, stride_h, dilation_w, dilation_h, pad_w, pad_h;
  int32_t depth_multiplier;   /* depthwise only */
  int32_t batches, in_h, in_w, in_c, filter_h, filter_w, filter_in_c, out_h, out_w, out_c;
} tml_conv_params;

/** AVERAGE_POOL_2D and MAX_POOL_2D. */
typedef struct {
  int32_t stride_w, stride_h, filter_w, filter_h, pad_w, pad_h, act_min, act_max;
  int32_t batches, in_h, in_w, depth, out_h, out_w;
} tml_pool_params;

/** SOFTMAX (int8 in, int8 out), TFLM's gemmlowp fixed-point algorithm. */
typedef struct {
  int32_t input_multiplier, input_left_shift, diff_min;
  int32_t outer_size, depth;
} tml_softmax_params;

/** ADD and MUL with up to 4-D broadcasting: out index (d0..d3) reads in1 at sum(d_i*s1_i), in2 likewise. */
typedef struct {
  int32_t input1_offset, input2_offset, output_offset;
  int32_t left_shift;                              /* ADD only */
  int32_t input1_multiplier, input1_shift;         /* ADD only */
  int32_t input2_multiplier, input2_shift;         /* ADD only */
  int32_t output_multiplier, output_shift;
  int32_t act_min, act_max;
  int32_t dims[4], strides1[4], strides2[4];
} tml_binary_params;

/** LOGISTIC and TANH (int8). */
typedef struct {
  int32_t input_zero_point, input_range_radius, input_multiplier, input_left_shift;
  int32_t size;
} tml_activation_params;

/** PAD (int8, up to 4-D). */
typedef struct {
  int32_t in_dims[4], before[4], after[4];
  int8_t pad_value;
} tml_pad_params;

/* ---- kernels ---- */

void tml_fully_connected_s8(const tml_fc_params* p, const int8_t* input, const int8_t* filter,
                            const int32_t* bias, int8_t* output);
void tml_conv_s8(const tml_conv_params* p, const int8_t* input, const int8_t* filter, const int32_t* bias,
                 const int32_t* multipliers, const int8_t* shifts, int8_t* output);
void tml_depthwise_conv_s8(const tml_conv_params* p, const int8_t* input, const int8_t* filter,
                           const int32_t* bias, const int32_t* multipliers, const int8_t* shifts,
                           int8_t* output);
/**
 * A CONV_2D (or, with the depthwise_ variant, a DEPTHWISE_CONV_2D) whose output feeds only a FULLY_CONNECTED,
 * fused: each convolution output is multiplied into the FULLY_CONNECTED sums as soon as it is computed, so the
 * convolution's output tensor never exists in RAM. `acc` is scratch for output_depth sums. Same bytes as
 * running the two kernels one after the other.
 */
void tml_conv_fc_s8(const tml_conv_params* cp, const int8_t* input, const int8_t* filter, const int32_t* bias,
                    const int32_t* multipliers, const int8_t* shifts, const tml_fc_params* fp,
                    const int8_t* fc_weights, const int32_t* fc_bias, int32_t* acc, int8_t* output);
void tml_depthwise_conv_fc_s8(const tml_conv_params* cp, const int8_t* input, const int8_t* filter,
                              const int32_t* bias, const int32_t* multipliers, const int8_t* shifts,
                              const tml_fc_params* fp, const int8_t* fc_weights, const int32_t* fc_bias,
                              int32_t* acc, int8_t* output);
#if defined(__AVR__) && defined(__AVR_HAVE_MUL__)
/**
 * AVR: a CONV_2D whose inner loop is assembly generated for its shape (lib/deploy/codegen/avr_conv.ts). The
 * generated `rows` computes, for one output channel and one output row, `groups` groups of `cols` unsigned
 * sums of (w + 128)(x + 128) over each window, and writes to `found` the column and sum of those at or above
 * `low` (the others give act_min); this driver pads the input into `scratch`, starts each sum at
 * 2^23 - 128 * (its window's input sum), and turns the found sums into outputs exactly as tml_conv_s8 would.
 */
typedef uint8_t* (*tml_avr_conv_rows)(const uint8_t* x, const uint8_t* w, const uint8_t* start, uint8_t* found,
                                      uint8_t groups, uint32_t low);
typedef struct {
  tml_avr_conv_rows rows;
  const uint8_t* filter;  /* flash: per output channel, filter_h * filter_w * in_c bytes w + 128, kernel order */
  const int32_t* offsets; /* flash: per channel, bias - (128 + zp) * sum(w) - 2^23 */
  const int32_t* low;     /* flash: per channel, sums below this give act_min (no requantization needed) */
  uint8_t* scratch;       /* padded_h * padded_w * in_c + 8 * groups * cols + 2 * padded_w * in_c + 3 * out_w
                           * + 16 * out_c bytes, + the filter's bytes when filter_in_ram */
  uint16_t padded_w, padded_h;
  uint8_t cols, groups;
  uint8_t filter_in_ram;  /* the kernel reads the filter from a copy in scratch (ld, 2 cycles; lpm takes 3) */
} tml_avr_conv;

void tml_avr_conv_s8(const tml_conv_params* p, const tml_avr_conv* a, const int8_t* input,
                     const int32_t* multipliers, const int8_t* shifts, int8_t* output);
/** The same fused with the FULLY_CONNECTED that alone reads it (like tml_conv_fc_s8); fc_bias is the plain bias. */
void tml_avr_conv_fc_s8(const tml_conv_params* cp, const tml_avr_conv* a, const int8_t* input,
                        const int32_t* multipliers, const int8_t* shifts, const tml_fc_params* fp,
                        const int8_t* fc_weights, const int32_t* fc_bias, int32_t* acc, int8_t* output);
#endif
void tml_average_pool_s8(const tml_pool_params* p, const int8_t* input, int8_t* output);
void tml_max_pool_s8(const tml_pool_params* p, const int8_t* input, int8_t* output);
void tml_softmax_s8(const tml_softmax_params* p, const int8_t* input, int8_t* output);
void tml_add_s8(const tml_binary_params* p, const int8_t* in1, const int8_t* in2, int8_t* output);
void tml_mul_s8(const tml_binary_params* p, const int8_t* in1, const int8_t* in2, int8_t* output);
void tml_logistic_s8(const tml_activation_params* p, const int8_t* input, int8_t* output);
void tml_tanh_s8(const tml_activation_params* p, const int8_t* input, int8_t* output);
void tml_pad_s8(const tml_pad_params* p, const int8_t* input, int8_t* output);
/** CONCATENATION: for each of `outer` rows, copy `sizes[i]` bytes from each input in turn. */
void tml_concat_s8(int32_t outer, int32_t count, const int8_t* const* inputs, const int32_t* sizes,
                   int8_t* output);
/** RESHAPE: a byte copy (skipped by the generator when input and output share memory). */
void tml_copy(const void* input, void* output, size_t bytes);
/** QUANTIZE float -> int8: round(x / scale) + zero_point, clamped. */
void tml_quantize_f32_s8(const float* input, int8_t* output, int32_t size, float scale, int32_t zero_point);
/** QUANTIZE int8 -> int8 (requantize). */
void tml_requantize_s8(const int8_t* input, int8_t* output, int32_t size, int32_t input_zero_point,
                       int32_t output_zero_point, int32_t multiplier, int32_t shift);
/** DEQUANTIZE int8 -> float: scale * (q - zero_point). */
void tml_dequantize_s8_f32(const int8_t* input, float* output, int32_t size, double scale, int32_t zero_point);

#ifdef __cplusplus
}
#endif

#endif /* TINYML_KERNELS_H */
