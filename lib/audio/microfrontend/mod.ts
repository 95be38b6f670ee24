/**
 * TFLM's integer audio frontend ("microfrontend"), bit-exact, stage by stage:
 * window (Q12 Hann) → fixed-point KISS FFT → |X|² → mel filterbank (Q12 weights) → sqrt →
 * noise reduction → PCAN gain control → integer log → uint16, then the int8 model input.
 *
 * `createFrontend()` + `frontendStages()` show every intermediate; `FrontendStream` is the
 * streaming (Arduino-style) API; `microSpeechFeatures()` is the one-call version.
 *
 * @module
 */
export * from "./config.ts";
export * from "./window.ts";
export * from "./kiss_fft_int16.ts";
export * from "./filterbank.ts";
export * from "./noise_reduction.ts";
export * from "./pcan.ts";
export * from "./log_scale.ts";
export * from "./frontend.ts";
