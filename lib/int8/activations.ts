/**
 * LOGISTIC, TANH, RELU and RELU6 kernels (TFLite reference_integer_ops logistic.h / tanh.h, TFLM
 * activations, and float versions).
 *
 * @module
 */
import {
  logisticFixed,
  multiplyByQuantizedMultiplier,
  roundingDivideByPOT,
  tanhFixed,
} from "../quant/fixed_point.ts";
import type { LutActivationParams, ReluParams } from "./params.ts";

/** Integer bits of the Q4.27 input of the int8 LOGISTIC and TANH kernels. */
export const ACTIVATION_INPUT_INTEGER_BITS = 4;

/** int8 LOGISTIC; output quantization fixed at (1/256, −128). */
export function logisticInt8(p: LutActivationParams, input: Int8Array, output: Int8Array): void {
  for (let i = 0; i < p.size; i++) {
    const x = input[i] - p.inputZeroPoint;
    if (x <= -p.inputRangeRadius) output[i] = -128;
    else if (x >= p.inputRangeRadius) output[i] = 127;
    else {
      const q4 = multiplyByQuantizedMultiplier(x, p.inputMultiplier, p.inputLeftShift);
      const q0 = logisticFixed(q4, ACTIVATION_INPUT_INTEGER_BITS);
      const v = roundingDivideByPOT(q0, 31 - 8) - 128;
      output[i] = Math.min(Math.max(v, -128), 127);
    }
  }
}

/** int8 TANH; output quantization fixed at (1/128, 0). */
export function tanhInt8(p: LutActivationParams, input: Int8Array, output: Int8Array): void {
  for (let i = 0; i < p.size; i++) {
    const x = input[i] - p.inputZeroPoint;
    if (x <= -p.inputRangeRadius) output[i] = -128;
    else if (x >= p.inputRangeRadius) output[i] = 127;
    else {
      const q4 = multiplyByQuantizedMultiplier(x, p.inputMultiplier, p.inputLeftShift);
      const q0 = tanhFixed(q4, ACTIVATION_INPUT_INTEGER_BITS);
      const v = roundingDivideByPOT(q0, 31 - 7);
      output[i] = Math.min(Math.max(v, -128), 127);
    }
  }
}

/** int8 RELU / RELU6: requantize input → output, then clamp (TFLM ReluQuantized). */
export function reluInt8(p: ReluParams, input: Int8Array, output: Int8Array): void {
  for (let i = 0; i < p.size; i++) {
    let v = p.outputZeroPoint +
      multiplyByQuantizedMultiplier(input[i] - p.inputZeroPoint, p.outputMultiplier, p.outputShift);
    v = Math.max(p.actMin, v);
    output[i] = Math.min(p.actMax, v);
  }
}

/** float32 LOGISTIC. */
export function logisticFloat(p: LutActivationParams, input: Float32Array, output: Float32Array): void {
  for (let i = 0; i < p.size; i++) output[i] = 1 / (1 + Math.exp(-input[i]));
}

/** float32 TANH. */
export function tanhFloat(p: LutActivationParams, input: Float32Array, output: Float32Array): void {
  for (let i = 0; i < p.size; i++) output[i] = Math.tanh(input[i]);
}

/** float32 RELU / RELU6. */
export function reluFloat(p: ReluParams, input: Float32Array, output: Float32Array): void {
  for (let i = 0; i < p.size; i++) output[i] = Math.min(Math.max(input[i], p.actMin), p.actMax);
}
