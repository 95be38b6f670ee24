import { describe, expect, test } from "vitest";
import {
  calculateActivationRangeQuantized,
  calculateInputRadius,
  chooseQuantParams,
  dequantize,
  dequantizeValue,
  frexp,
  preprocessSoftmaxScaling,
  QuantizationError,
  quantize,
  quantizeBias,
  quantizeMultiplier,
  quantizeMultiplierSmallerThanOneExp,
  quantizeValue,
  quantizeWeightsPerChannel,
  roundHalfAwayFromZero,
} from "../../lib/quant/mod.ts";

describe("QuantizeMultiplier", () => {
  test("frexp", () => {
    expect(frexp(8)).toEqual({ fraction: 0.5, exponent: 4 });
    expect(frexp(0.75)).toEqual({ fraction: 0.75, exponent: 0 });
    expect(frexp(-3)).toEqual({ fraction: -0.75, exponent: 2 });
    expect(frexp(2 ** -1070)).toEqual({ fraction: 0.5, exponent: -1069 });
    expect(frexp(0)).toEqual({ fraction: 0, exponent: 0 });
    const f = frexp(1 - 2 ** -53);
    expect(f.exponent).toBe(0);
  });
  test("hand-computed values", () => {
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 1610612736, shift: 0 });
    expect(quantizeMultiplier(0.001)).toEqual({ multiplier: 1099511628, shift: -9 });
    expect(quantizeMultiplier(-0.5)).toEqual({ multiplier: -(2 ** 30), shift: 0 });
  });
  test("the 2^31 rounding edge renormalises", () => {
    // fraction 1 − 2^-40 rounds to 2^31 → 2^30 with shift + 1
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(0.5 - 2 ** -45)).toEqual({ multiplier: 2 ** 30, shift: 0 });
  });
  test("tiny multipliers flush to zero below 2^-32", () => {
    expect(quantizeMultiplier(2 ** -31)).toEqual({ multiplier: 2 ** 30, shift: -30 });
    expect(quantizeMultiplier(2 ** -32)).toEqual({ multiplier: 2 ** 30, shift: -31 });
    expect(quantizeMultiplier(2 ** -33)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(1e-20)).toEqual({ multiplier: 0, shift: 0 });
  });
  test("micro_speech's FC multiplier from its float32 scales", () => {
    // s_in, s_w, s_out of micro_speech's FULLY_CONNECTED, as float32 values in the model.
    const real = Math.fround(0.08418698608875275) * Math.fround(0.0004787050711456686) / Math.fround(0.09173192083835602);
    expect(quantizeMultiplier(real)).toEqual({ multiplier: 1932201080, shift: -11 });
  });
  test("smaller-than-one requires (0, 1)", () => {
    expect(() => quantizeMultiplierSmallerThanOneExp(1.5)).toThrow(QuantizationError);
  });
  test("softmax scaling (micro_speech: beta 1, s_in 0.0917…)", () => {
    const s = preprocessSoftmaxScaling(1, Math.fround(0.09173192083835602), 5);
    expect(s).toEqual({ multiplier: 1575942400, leftShift: 23 });
    expect(-calculateInputRadius(5, s.leftShift)).toBe(-248);
  });
  test("round half away from zero", () => {
    expect(roundHalfAwayFromZero(2.5)).toBe(3);
    expect(roundHalfAwayFromZero(-2.5)).toBe(-3);
    expect(roundHalfAwayFromZero(-2.4)).toBe(-2);
  });
});

describe("choosing and applying parameters", () => {
  test("quantize / dequantize round trip", () => {
    const p = { scale: 1 / 256, zeroPoint: -128 };
    expect(quantizeValue(0.5, p)).toBe(0);
    expect(quantizeValue(2, p)).toBe(127);
    expect(quantizeValue(-1, p)).toBe(-128);
    expect(dequantizeValue(0, p)).toBe(0.5);
    const x = [0, 0.1, 0.25, 0.9];
    const back = dequantize(quantize(x, p), p);
    x.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(1 / 512));
  });
  test("asymmetric params make 0 exact and cover the range", () => {
    const p = chooseQuantParams(-1, 3);
    expect(p.scale).toBeCloseTo(4 / 255, 6);
    expect(p.zeroPoint).toBe(-64);
    expect(dequantizeValue(p.zeroPoint, p)).toBe(0);
    expect(chooseQuantParams(0, 6).zeroPoint).toBe(-128);
    expect(chooseQuantParams(-6, 0).zeroPoint).toBe(127);
    expect(() => chooseQuantParams(2, 1)).toThrow(QuantizationError);
  });
  test("symmetric per-channel weights stay in [−127, 127]", () => {
    const w = [1, -2, 0.5, 0, 10, -10, 5, 2.5];
    const q = quantizeWeightsPerChannel(w, [2, 4], 0);
    expect(q.scales[0]).toBeCloseTo(2 / 127, 7);
    expect(q.scales[1]).toBeCloseTo(10 / 127, 7);
    expect(Array.from(q.data)).toEqual([64, -127, 32, 0, 127, -127, 64, 32]);
    const dw = quantizeWeightsPerChannel([1, 2, -4, 8], [1, 2, 1, 2], 3); // channels along the last axis
    expect(dw.scales.length).toBe(2);
    expect(Array.from(dw.data)).toEqual([32, 32, -127, 127]); // 1/4·127 and 2/8·127 → 31.75 → 32
  });
  test("bias scale is s_in·s_w[c]", () => {
    expect(Array.from(quantizeBias([1, -1], 0.5, [0.01, 0.02]))).toEqual([200, -100]);
  });
  test("activation ranges (CalculateActivationRangeQuantized)", () => {
    expect(calculateActivationRangeQuantized("NONE", 0.1, 0)).toEqual({ min: -128, max: 127 });
    expect(calculateActivationRangeQuantized("RELU", 0.1, -10)).toEqual({ min: -10, max: 127 });
    expect(calculateActivationRangeQuantized("RELU6", 0.1, -10)).toEqual({ min: -10, max: 50 });
    expect(calculateActivationRangeQuantized("RELU6", 6 / 255, -128)).toEqual({ min: -128, max: 127 });
    expect(calculateActivationRangeQuantized("RELU_N1_TO_1", 0.01, 0)).toEqual({ min: -100, max: 100 });
  });
});
