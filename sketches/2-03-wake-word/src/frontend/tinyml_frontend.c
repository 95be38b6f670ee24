/*
 * tinyml_frontend.c - the micro_speech audio frontend, stage by stage (see tinyml_frontend.h).
 *
 * C's signed overflow is undefined, but the fixed-point FFT relies on int16/int32 wrap-around (as KISS FFT
 * does in practice). So sums that may overflow are done in uint32_t and converted back, which every C99
 * compiler we target (gcc, clang for ARM, AVR, x86) does by wrapping.
 */
#include "tinyml_frontend.h"

#include <string.h>

/* The tables are static to this file: one frontend configuration per build. */
#include "tinyml_frontend_tables.h"

#define TMLF_NCFFT (TMLF_FFT_SIZE / 2)

/* ---- bit helpers --------------------------------------------------------------------------------------- */

/** Position of the highest set bit, 1-based (0 for 0). */
static int msb32(uint32_t n) {
  int bits = 0;
  while (n) {
    ++bits;
    n >>= 1;
  }
  return bits;
}

/** int32 -> int16 with wrap-around. */
static int16_t wrap16(int32_t x) { return (int16_t)(uint16_t)(uint32_t)x; }

/** (x + 2^14) >> 15 with a wrapping add, then int16: KISS FFT's S_ROUND. */
static int16_t sround(int32_t x) { return wrap16((int32_t)((uint32_t)x + 16384u) >> 15); }

/** a*b - c*d in wrapping int32 arithmetic. */
static int32_t mulsub(int16_t a, int16_t b, int16_t c, int16_t d) {
  return (int32_t)((uint32_t)((int32_t)a * b) - (uint32_t)((int32_t)c * d));
}
static int32_t muladd(int16_t a, int16_t b, int16_t c, int16_t d) {
  return (int32_t)((uint32_t)((int32_t)a * b) + (uint32_t)((int32_t)c * d));
}

/** KISS's DIVSCALAR: x * (32767 / k) in Q15. */
static int16_t div2(int16_t x) { return sround((int32_t)x * (32767 / 2)); }
static int16_t div4(int16_t x) { return sround((int32_t)x * (32767 / 4)); }

/* ---- stage 2: fixed-point FFT (decimation in time, radix 4 and 2) ------------------------------------ */

static void butterfly2(int16_t *re, int16_t *im, int o, int fstride, int m) {
  for (int k = 0; k < m; ++k) {
    int a = o + k, b = o + k + m, w = k * fstride;
    re[a] = div2(re[a]);
    im[a] = div2(im[a]);
    re[b] = div2(re[b]);
    im[b] = div2(im[b]);
    int16_t tr = sround(mulsub(re[b], tmlf_tw_re[w], im[b], tmlf_tw_im[w]));
    int16_t ti = sround(muladd(re[b], tmlf_tw_im[w], im[b], tmlf_tw_re[w]));
    re[b] = wrap16(re[a] - tr);
    im[b] = wrap16(im[a] - ti);
    re[a] = wrap16(re[a] + tr);
    im[a] = wrap16(im[a] + ti);
  }
}

static void butterfly4(int16_t *re, int16_t *im, int o, int fstride, int m) {
  for (int k = 0; k < m; ++k) {
    int i0 = o + k, i1 = i0 + m, i2 = i0 + 2 * m, i3 = i0 + 3 * m;
    int w1 = k * fstride, w2 = 2 * k * fstride, w3 = 3 * k * fstride;
    re[i0] = div4(re[i0]);
    im[i0] = div4(im[i0]);
    re[i1] = div4(re[i1]);
    im[i1] = div4(im[i1]);
    re[i2] = div4(re[i2]);
    im[i2] = div4(im[i2]);
    re[i3] = div4(re[i3]);
    im[i3] = div4(im[i3]);
    int16_t s0r = sround(mulsub(re[i1], tmlf_tw_re[w1], im[i1], tmlf_tw_im[w1]));
    int16_t s0i = sround(muladd(re[i1], tmlf_tw_im[w1], im[i1], tmlf_tw_re[w1]));
    int16_t s1r = sround(mulsub(re[i2], tmlf_tw_re[w2], im[i2], tmlf_tw_im[w2]));
    int16_t s1i = sround(muladd(re[i2], tmlf_tw_im[w2], im[i2], tmlf_tw_re[w2]));
    int16_t s2r = sround(mulsub(re[i3], tmlf_tw_re[w3], im[i3], tmlf_tw_im[w3]));
    int16_t s2i = sround(muladd(re[i3], tmlf_tw_im[w3], im[i3], tmlf_tw_re[w3]));
    int16_t s5r = wrap16(re[i0] - s1r), s5i = wrap16(im[i0] - s1i);
    re[i0] = wrap16(re[i0] + s1r);
    im[i0] = wrap16(im[i0] + s1i);
    int16_t s3r = wrap16(s0r + s2r), s3i = wrap16(s0i + s2i);
    int16_t s4r = wrap16(s0r - s2r), s4i = wrap16(s0i - s2i);
    re[i2] = wrap16(re[i0] - s3r);
    im[i2] = wrap16(im[i0] - s3i);
    re[i0] = wrap16(re[i0] + s3r);
    im[i0] = wrap16(im[i0] + s3i);
    re[i1] = wrap16(s5r + s4i);
    im[i1] = wrap16(s5i - s4r);
    re[i3] = wrap16(s5r - s4i);
    im[i3] = wrap16(s5i + s4r);
  }
}

/*
 * kf_work: scatter the packed input (even samples real, odd imaginary) in digit-reversed order on the way
 * down, combine with butterflies on the way up. Depth = number of radix stages (at most ~8).
 */
static void fft_work(tmlf_state *st, int o, int i, int fstride, int stage) {
  int p = tmlf_factors[stage];
  int m = TMLF_NCFFT / (fstride * p);
  if (m == 1) {
    for (int q = 0; q < p; ++q) {
      st->tmp_re[o + q] = st->fft_in[2 * (i + q * fstride)];
      st->tmp_im[o + q] = st->fft_in[2 * (i + q * fstride) + 1];
    }
  } else {
    for (int q = 0; q < p; ++q) fft_work(st, o + q * m, i + q * fstride, fstride * p, stage + 1);
  }
  if (p == 4) {
    butterfly4(st->tmp_re, st->tmp_im, o, fstride, m);
  } else {
    butterfly2(st->tmp_re, st->tmp_im, o, fstride, m);
  }
}

/** kiss_fftr: real FFT of fft_in into bin_re/bin_im (TMLF_FFT_SIZE/2 + 1 bins, about X[k] / N). */
static void fft_real(tmlf_state *st) {
  const int n = TMLF_NCFFT;
  fft_work(st, 0, 0, 1, 0);
  int16_t dcr = div2(st->tmp_re[0]), dci = div2(st->tmp_im[0]);
  st->bin_re[0] = wrap16(dcr + dci);
  st->bin_re[n] = wrap16(dcr - dci);
  st->bin_im[0] = 0;
  st->bin_im[n] = 0;
  for (int k = 1; k <= n / 2; ++k) {
    int16_t fpkr = div2(st->tmp_re[k]), fpki = div2(st->tmp_im[k]);
    int16_t fpnkr = div2(st->tmp_re[n - k]), fpnki = div2(wrap16(-st->tmp_im[n - k]));
    int16_t f1r = wrap16(fpkr + fpnkr), f1i = wrap16(fpki + fpnki);
    int16_t f2r = wrap16(fpkr - fpnkr), f2i = wrap16(fpki - fpnki);
    int16_t twr = sround(mulsub(f2r, tmlf_stw_re[k - 1], f2i, tmlf_stw_im[k - 1]));
    int16_t twi = sround(muladd(f2r, tmlf_stw_im[k - 1], f2i, tmlf_stw_re[k - 1]));
    st->bin_re[k] = wrap16((f1r + twr) >> 1);
    st->bin_im[k] = wrap16((f1i + twi) >> 1);
    st->bin_re[n - k] = wrap16((f1r - twr) >> 1);
    st->bin_im[n - k] = wrap16((twi - f1i) >> 1);
  }
}

/* ---- stage 3: filterbank and square root ------------------------------------------------------------- */

/** floor(sqrt(num)) for a 64-bit value, digit by digit (no division, no float). */
static uint64_t isqrt64(uint64_t num) {
  uint64_t res = 0, bit = (uint64_t)1 << 62;
  while (bit > num) bit >>= 2;
  while (bit) {
    if (num >= res + bit) {
      num -= res + bit;
      res = (res >> 1) + bit;
    } else {
      res >>= 1;
    }
    bit >>= 2;
  }
  return res;
}

/** Square root rounded to nearest, with the C library's caps (Sqrt32 saturates at 0xFFFF). */
static uint32_t rounded_sqrt(uint64_t num) {
  if (num == 0) return 0;
  uint64_t r = isqrt64(num);
  uint64_t cap = num < ((uint64_t)1 << 32) ? 0xFFFFu : 0xFFFFFFFFu;
  if (num - r * r > r && r != cap) ++r;
  return (uint32_t)r;
}

/** |X|^2 -> mel channels -> sqrt, shifted back down by the FFT input shift. */
static void filterbank(const tmlf_state *st, int scale_down_shift, uint32_t *out) {
  uint64_t work[TMLF_NUM_CHANNELS + 1];
  uint64_t weighted = 0, unweighted = 0;
  for (int c = 0; c <= TMLF_NUM_CHANNELS; ++c) {
    int s = tmlf_fb_starts[c], w0 = tmlf_fb_weight_starts[c];
    for (int j = 0; j < tmlf_fb_widths[c]; ++j) {
      int16_t re = st->bin_re[s + j], im = st->bin_im[s + j];
      uint32_t e = (uint32_t)((int32_t)re * re) + (uint32_t)((int32_t)im * im);
      weighted += (uint64_t)(uint16_t)tmlf_fb_weights[w0 + j] * e;
      unweighted += (uint64_t)(uint16_t)tmlf_fb_unweights[w0 + j] * e;
    }
    work[c] = weighted;
    /* What a band leaves over (1 - weight) belongs to the next channel. */
    weighted = unweighted;
    unweighted = 0;
  }
  for (int c = 0; c < TMLF_NUM_CHANNELS; ++c) out[c] = rounded_sqrt(work[c + 1]) >> scale_down_shift;
}

/* ---- stages 4-6: noise reduction, PCAN, log --------------------------------------------------------- */

#define NR_BITS 14

static void noise_reduction(tmlf_state *st, uint32_t *signal) {
  for (int i = 0; i < TMLF_NUM_CHANNELS; ++i) {
    uint32_t smoothing = (i & 1) == 0 ? TMLF_EVEN_SMOOTHING : TMLF_ODD_SMOOTHING;
    uint32_t scaled_up = signal[i] << TMLF_SMOOTHING_BITS;
    uint32_t estimate = (uint32_t)(((uint64_t)scaled_up * smoothing +
                                    (uint64_t)st->noise_estimate[i] * ((1u << NR_BITS) - smoothing)) >> NR_BITS);
    st->noise_estimate[i] = estimate;
    if (estimate > scaled_up) estimate = scaled_up; /* keep signal - estimate non-negative */
    uint32_t floor = (uint32_t)(((uint64_t)signal[i] * TMLF_MIN_SIGNAL_REMAINING) >> NR_BITS);
    uint32_t subtracted = (scaled_up - estimate) >> TMLF_SMOOTHING_BITS;
    signal[i] = subtracted > floor ? subtracted : floor;
  }
}

#if TMLF_ENABLE_PCAN
#define PCAN_SNR_BITS 12
#define PCAN_OUTPUT_BITS 6

/** Gain for a noise estimate from the piecewise-quadratic LUT (WideDynamicFunction). */
static int16_t wide_dynamic_function(uint32_t x) {
  if (x <= 2) return tmlf_pcan_lut[x];
  int interval = msb32(x);
  int base = 4 * interval - 6;
  int32_t frac = (int32_t)((interval < 11 ? (x << (11 - interval)) : (x >> (interval - 11))) & 0x3FF);
  int32_t result = ((int32_t)tmlf_pcan_lut[base + 2] * frac) >> 5;
  result = (int32_t)((uint32_t)result + (uint32_t)((int32_t)tmlf_pcan_lut[base + 1] * 32));
  result = (int32_t)((uint32_t)result * (uint32_t)frac);
  result = (int32_t)((uint32_t)result + (1u << 14)) >> 15;
  result += tmlf_pcan_lut[base];
  return wrap16(result);
}

static uint32_t pcan_shrink(uint32_t x) {
  if (x < (2u << PCAN_SNR_BITS)) return (x * x) >> (2 + 2 * PCAN_SNR_BITS - PCAN_OUTPUT_BITS);
  return (x >> (PCAN_SNR_BITS - PCAN_OUTPUT_BITS)) - (1u << PCAN_OUTPUT_BITS);
}

static void pcan(const tmlf_state *st, uint32_t *signal) {
  for (int i = 0; i < TMLF_NUM_CHANNELS; ++i) {
    uint32_t gain = (uint32_t)(int32_t)wide_dynamic_function(st->noise_estimate[i]);
    uint32_t snr = (uint32_t)(((uint64_t)signal[i] * gain) >> TMLF_PCAN_SNR_SHIFT);
    signal[i] = pcan_shrink(snr);
  }
}
#endif

#define LOG_SEGMENTS_LOG2 7
#define LOG_SCALE_LOG2 16
#define LOG_COEFF 45426u /* ln 2 in Q16 */

/** ln(x) * 2^TMLF_LOG_SCALE_SHIFT, rounded, for x >= 1 (log2 by leading bit + LUT-corrected fraction). */
static uint32_t integer_log(uint32_t x) {
  int integer = msb32(x) - 1;
  int32_t frac = (int32_t)(x - ((uint32_t)1 << integer));
  frac = integer < LOG_SCALE_LOG2 ? frac << (LOG_SCALE_LOG2 - integer) : frac >> (integer - LOG_SCALE_LOG2);
  int32_t seg = frac >> (LOG_SCALE_LOG2 - LOG_SEGMENTS_LOG2);
  int32_t seg_unit = (1 << LOG_SCALE_LOG2) >> LOG_SEGMENTS_LOG2;
  int32_t c0 = tmlf_log_lut[seg], c1 = tmlf_log_lut[seg + 1];
  int32_t rel_pos = (int32_t)((uint32_t)(c1 - c0) * (uint32_t)(frac - seg_unit * seg)) >> LOG_SCALE_LOG2;
  uint32_t fraction = (uint32_t)(frac + c0 + rel_pos);
  uint32_t log2 = ((uint32_t)integer << LOG_SCALE_LOG2) + fraction;
  const uint32_t round = 1u << (LOG_SCALE_LOG2 - 1);
  uint32_t loge = (uint32_t)(((uint64_t)LOG_COEFF * log2 + round) >> LOG_SCALE_LOG2);
  return (uint32_t)(((uint64_t)(uint32_t)(loge << TMLF_LOG_SCALE_SHIFT) + round) >> LOG_SCALE_LOG2);
}

static void log_scale(const uint32_t *signal, uint16_t *out) {
  for (int i = 0; i < TMLF_NUM_CHANNELS; ++i) {
    uint32_t value = signal[i];
#if TMLF_ENABLE_LOG
#if TMLF_CORRECTION_BITS < 0
    value >>= -(TMLF_CORRECTION_BITS);
#else
    value <<= TMLF_CORRECTION_BITS;
#endif
    value = value > 1 ? integer_log(value) : 0;
#endif
    out[i] = (uint16_t)(value < 0xFFFF ? value : 0xFFFF);
  }
}

/* ---- the pipeline ------------------------------------------------------------------------------------ */

void tmlf_reset(tmlf_state *st) { memset(st, 0, sizeof *st); }

int tmlf_process_samples(tmlf_state *st, const int16_t *samples, size_t n, size_t *read, uint16_t *out) {
  size_t room = (size_t)(TMLF_WINDOW_SIZE - st->input_used);
  size_t take = n < room ? n : room;
  memcpy(st->input + st->input_used, samples, take * sizeof *samples);
  st->input_used += (int32_t)take;
  if (read) *read = take;
  if (st->input_used < TMLF_WINDOW_SIZE) return 0;

  /* Stage 1: window (Q12), remember the peak to scale the FFT input up to full range. */
  int16_t max_abs = 0;
  for (int i = 0; i < TMLF_WINDOW_SIZE; ++i) {
    int16_t v = wrap16(((int32_t)st->input[i] * tmlf_window[i]) >> TMLF_WINDOW_BITS);
    st->fft_in[i] = v;
    int16_t a = v < 0 ? wrap16(-v) : v; /* -(-32768) wraps to -32768, as in the C library */
    if (a > max_abs) max_abs = a;
  }
  memmove(st->input, st->input + TMLF_WINDOW_STEP, (TMLF_WINDOW_SIZE - TMLF_WINDOW_STEP) * sizeof *st->input);
  st->input_used -= TMLF_WINDOW_STEP;

  int shift = 15 - msb32((uint32_t)(int32_t)max_abs);
  for (int i = 0; i < TMLF_WINDOW_SIZE; ++i) {
    st->fft_in[i] = (int16_t)(uint16_t)((uint32_t)(uint16_t)st->fft_in[i] << shift);
  }
  for (int i = TMLF_WINDOW_SIZE; i < TMLF_FFT_SIZE; ++i) st->fft_in[i] = 0;

  fft_real(st);
  uint32_t signal[TMLF_NUM_CHANNELS];
  filterbank(st, shift, signal);
  noise_reduction(st, signal);
#if TMLF_ENABLE_PCAN
  pcan(st, signal);
#endif
  log_scale(signal, out);
  return 1;
}

void tmlf_to_int8(const uint16_t *in, int8_t *out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    int32_t v = (int32_t)(((uint32_t)in[i] * 256u + 333u) / 666u) - 128;
    out[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
  }
}
