/**
 * Audio: WAV I/O, resampling, TFLM's bit-exact integer frontend, float features, augmentation.
 *
 * @module
 */
export * from "./wav.ts";
export * from "./resample.ts";
export * from "./features.ts";
export * from "./augment.ts";
export * from "./microfrontend/mod.ts";
