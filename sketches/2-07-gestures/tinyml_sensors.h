/* tinyml_sensors.h - the sensing lessons' input pipelines in portable C99 (also valid C++), written by hand for
 * tinyml-kit. It mirrors lib/apps/sensing/features.ts step by step so that a live sketch feeds its model exactly
 * what the notebook fed it:
 *
 *   gestures   tml_imu_window         = imuWindows (average `decimate` samples, divide by the full scale)
 *              tml_quantize           = quantizeValue (round half away from zero, clamp to int8)
 *   vibration  tml_vibration_features = vibrationFeatures (log band energies of the spectrum and of the envelope)
 *              tml_standardize_quantize, tml_reconstruction_error = standardize, quantize, reconstructionErrors
 *
 * Precision: the cheap steps (window scaling, standardising, quantizing, the score) repeat the TypeScript's
 * double/float roundings one for one, so they give the same bits. The FFT runs in TML_REAL, float by default (the
 * Cortex-M4F has a single-precision FPU; double is emulated in software): the log10 band energies then differ from
 * the TypeScript's (which uses double) by a few 1e-6 (tests/deploy/sensors.test.ts measures it). Define
 * TML_DOUBLE to trade speed for agreement to ~1e-12.
 *
 * No heap, no globals: callers pass every buffer. Header-only (static functions) so that a sketch includes it
 * without the Arduino builder compiling it in builds that do not use it.
 */
#ifndef TINYML_SENSORS_H
#define TINYML_SENSORS_H

#include <math.h>
#include <stdint.h>

/* Define TML_DOUBLE to run the FFT in double (slow on an FPU for floats; used by the host test). */
#ifdef TML_DOUBLE
#define TML_REAL double
#define TML_COS(x) cos(x)
#define TML_SIN(x) sin(x)
#else
#define TML_REAL float
#define TML_COS(x) cosf(x)
#define TML_SIN(x) sinf(x)
#endif

#define TML_PI 3.14159265358979323846

/* ---------------------------------------------------------------------------------------------------------
 * Gestures: IMU windows and input quantization
 * --------------------------------------------------------------------------------------------------------- */

/* raw: `length` steps x 6 channels (ax ay az in m/s^2, gx gy gz in deg/s), interleaved, oldest first.
 * out: (length / decimate) x 6, each channel averaged over `decimate` steps and divided by its full scale
 * (accel_range in m/s^2, gyro_range in deg/s): about -1..1. Same roundings as imuWindows: a float accumulator,
 * each term computed in double. */
static inline void tml_imu_window(const float* raw, int length, int decimate, double accel_range, double gyro_range, float* out) {
  const int steps = length / decimate;
  for (int i = 0; i < steps * 6; ++i) out[i] = 0.0f;
  for (int i = 0; i < length; ++i) {
    for (int c = 0; c < 6; ++c) {
      const double full = c < 3 ? accel_range : gyro_range;
      float* o = &out[(i / decimate) * 6 + c];
      *o = (float)((double)*o + (double)raw[i * 6 + c] / ((double)decimate * full));
    }
  }
}

/* int8 value of x with the tensor's scale and zero point, as TFLite quantizes: round(x / scale) + zp, half away
 * from zero (roundf), clamped to -128..127. The division is in float, as in quantizeValue. */
static inline int8_t tml_quantize(float x, float scale, int zero_point) {
  const long q = (long)roundf(x / scale) + zero_point;
  return (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
}

/* Index of the largest value (the first one on ties). */
static inline int tml_argmax(const int8_t* v, int n) {
  int best = 0;
  for (int i = 1; i < n; ++i) {
    if (v[i] > v[best]) best = i;
  }
  return best;
}

/* ---------------------------------------------------------------------------------------------------------
 * Vibration: log band energies of the spectrum and of the envelope
 * --------------------------------------------------------------------------------------------------------- */

/* In-place radix-2 complex FFT (forward, unnormalised), n a power of two: the same butterflies as lib/audio's
 * fftInPlace, twiddles e^(-2 pi i k / n) computed once per stage and k instead of from a table. */
static inline void tml_fft(TML_REAL* re, TML_REAL* im, int n) {
  for (int i = 1, j = 0; i < n; ++i) {
    int bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const TML_REAL tr = re[i], ti = im[i];
      re[i] = re[j];
      im[i] = im[j];
      re[j] = tr;
      im[j] = ti;
    }
  }
  for (int size = 2; size <= n; size <<= 1) {
    const int half = size >> 1;
    for (int k = 0; k < half; ++k) {
      const TML_REAL phase = (TML_REAL)(2.0 * TML_PI) * (TML_REAL)k / (TML_REAL)size;
      const TML_REAL wr = TML_COS(phase), wi = -TML_SIN(phase);
      for (int a = k; a < n; a += size) {
        const int b = a + half;
        const TML_REAL tr = re[b] * wr - im[b] * wi;
        const TML_REAL ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

/* log10 of the power in `bands` equal-width bands between lo_hz and hi_hz, averaged over the frames of x (Hann
 * window, frames of `frame` samples every frame / 2, only whole frames), like logBandEnergies with
 * { bands, minHz: lo_hz, maxHz: hi_hz, frameLength: frame }. frame must be a power of two and n >= frame.
 * scratch: 2 * frame TML_REALs. power: `bands` doubles (the per-band sums). */
static inline void tml_log_band_energies(const float* x, int n, double sample_rate, int bands, double lo_hz, double hi_hz, int frame,
                                  TML_REAL* scratch, double* power, float* out) {
  TML_REAL* re = scratch;
  TML_REAL* im = scratch + frame;
  const int hop = frame / 2;
  const int frames = n < frame ? 0 : 1 + (n - frame) / hop;
  for (int b = 0; b < bands; ++b) power[b] = 0.0;
  for (int f = 0; f < frames; ++f) {
    const float* s = x + f * hop;
    for (int i = 0; i < frame; ++i) {
      /* Hann, a float table in lib/audio (makeWindow); in float builds from cosf (may differ in the last bit). */
      const float w = (float)((TML_REAL)0.5 - (TML_REAL)0.5 * TML_COS((TML_REAL)(2.0 * TML_PI) * (TML_REAL)i / (TML_REAL)frame));
      re[i] = (TML_REAL)s[i] * (TML_REAL)w;
      im[i] = 0;
    }
    tml_fft(re, im, frame);
    for (int k = 0; k <= frame / 2; ++k) {
      const double hz = (double)k * sample_rate / (double)frame;
      if (hz < lo_hz || hz >= hi_hz) continue;
      int b = (int)floor((hz - lo_hz) / (hi_hz - lo_hz) * (double)bands);
      if (b > bands - 1) b = bands - 1;
      power[b] += (double)(float)(re[k] * re[k] + im[k] * im[k]); /* the spectrogram holds floats */
    }
  }
  for (int b = 0; b < bands; ++b) out[b] = (float)log10(power[b] / (double)frames + 1e-12);
}

/* The envelope of a vibration signal, in place: |x| minus its mean (lib/data's envelope). */
static inline void tml_envelope(float* x, int n) {
  double sum = 0.0;
  for (int i = 0; i < n; ++i) {
    x[i] = fabsf(x[i]);
    sum += (double)x[i];
  }
  const double mean = sum / (double)n;
  for (int i = 0; i < n; ++i) x[i] = (float)((double)x[i] - mean);
}

#define TML_VIBRATION_FEATURES 48
/* Longest frame tml_vibration_features uses: its scratch needs 2 * TML_VIBRATION_MAX_FRAME TML_REALs. */
#define TML_VIBRATION_MAX_FRAME 1024

/* vibrationFeatures: 32 log band energies of the spectrum up to Nyquist (512-sample frames), then 16 of the
 * envelope's spectrum up to 400 Hz (1024-sample frames). x (n >= 1024 samples, in g) is OVERWRITTEN with its
 * envelope (saves a second n-sample buffer). out: TML_VIBRATION_FEATURES floats. */
static inline void tml_vibration_features(float* x, int n, double sample_rate, TML_REAL* scratch, float* out) {
  double power[32];
  tml_log_band_energies(x, n, sample_rate, 32, 0.0, sample_rate / 2.0, 512, scratch, power, out);
  tml_envelope(x, n);
  tml_log_band_energies(x, n, sample_rate, 16, 0.0, 400.0, 1024, scratch, power, out + 32);
}

/* standardize + quantize: z = (f - mean) / std (in double, rounded to float, as standardize does), stored in z
 * (the score needs it), and its int8 value in q. */
static inline void tml_standardize_quantize(const float* f, const float* mean, const float* std_dev, int n, float scale, int zero_point,
                                     float* z, int8_t* q) {
  for (int j = 0; j < n; ++j) {
    z[j] = (float)(((double)f[j] - (double)mean[j]) / (double)std_dev[j]);
    q[j] = tml_quantize(z[j], scale, zero_point);
  }
}

/* The autoencoder's anomaly score: mean squared difference between the standardised input z and the
 * dequantized reconstruction float(scale * (q - zp)), as reconstructionErrors(dequantizeOutputs(...)). */
static inline double tml_reconstruction_error(const float* z, const int8_t* q, int n, float scale, int zero_point) {
  double sum = 0.0;
  for (int j = 0; j < n; ++j) {
    const float y = (float)((double)scale * (double)(q[j] - zero_point));
    const double d = (double)z[j] - (double)y;
    sum += d * d;
  }
  return sum / (double)n;
}

/* Subtracts the mean of x (in place). Live use only: an accelerometer on a housing also measures gravity, a
 * constant the training recordings do not have; left in, it would fill the lowest spectrum band. */
static inline void tml_remove_mean(float* x, int n) {
  double sum = 0.0;
  for (int i = 0; i < n; ++i) sum += (double)x[i];
  const double mean = sum / (double)n;
  for (int i = 0; i < n; ++i) x[i] = (float)((double)x[i] - mean);
}

#endif /* TINYML_SENSORS_H */
