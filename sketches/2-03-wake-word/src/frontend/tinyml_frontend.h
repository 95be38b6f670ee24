/*
 * tinyml_frontend.h - TFLite Micro's audio "microfrontend" (micro_speech features) in portable C99.
 *
 * int16 audio in, one feature vector per hop out: Hann window (Q12) -> 16-bit fixed-point FFT (KISS FFT's
 * arithmetic) -> power spectrum -> mel filterbank (Q12 weights) -> sqrt -> noise reduction -> PCAN gain
 * control -> integer log -> uint16, then the int8 the model takes. Written for tinyml-kit; every integer step
 * matches lib/audio/microfrontend (TypeScript), which matches TFLM's C library bit for bit.
 *
 * No heap and no floating point: every table (window, twiddles, filterbank weights, gain and log look-up
 * tables) is computed by tinyml-kit at generation time and stored in tinyml_frontend_tables.h (flash); the
 * sizes come from tinyml_frontend_config.h. All state lives in one tmlf_state the caller owns.
 */
#ifndef TINYML_FRONTEND_H
#define TINYML_FRONTEND_H

#include <stddef.h>
#include <stdint.h>

#include "tinyml_frontend_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Everything that persists between calls, and the per-frame work buffers (no heap). */
typedef struct {
  /* Window stage: samples not yet consumed by a full window. */
  int16_t input[TMLF_WINDOW_SIZE];
  int32_t input_used;
  /* FFT input (windowed, shifted up, zero padded) and the real FFT's output bins. */
  int16_t fft_in[TMLF_FFT_SIZE];
  int16_t tmp_re[TMLF_FFT_SIZE / 2];
  int16_t tmp_im[TMLF_FFT_SIZE / 2];
  int16_t bin_re[TMLF_FFT_SIZE / 2 + 1];
  int16_t bin_im[TMLF_FFT_SIZE / 2 + 1];
  /* Noise estimate per channel, scaled up by 2^TMLF_SMOOTHING_BITS: the only state that carries over frames. */
  uint32_t noise_estimate[TMLF_NUM_CHANNELS];
} tmlf_state;

/** Forgets buffered samples and the noise estimate (FrontendReset). Call once before the first samples. */
void tmlf_reset(tmlf_state *st);

/**
 * Feeds samples[0..n): reads at most what the window buffer can take, stores that count in *read. Returns 1
 * and writes TMLF_NUM_CHANNELS uint16 features to out when a window completed (then call again with the rest),
 * else 0 (FrontendProcessSamples).
 */
int tmlf_process_samples(tmlf_state *st, const int16_t *samples, size_t n, size_t *read, uint16_t *out);

/** uint16 features -> the micro_speech model's int8 input: clamp((v*256 + 333)/666 - 128, -128, 127). */
void tmlf_to_int8(const uint16_t *in, int8_t *out, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* TINYML_FRONTEND_H */
