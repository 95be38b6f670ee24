import { describe, expect, test } from "vitest";
import { BATTERIES, captureProbability, dutyCycleSweep, SensingInputError, simulateCapture } from "../../../lib/apps/sensing/mod.ts";
import { batteryLifeHours } from "../../../lib/course/mod.ts";

describe("duty-cycle arithmetic", () => {
  test("hand-computed capture probabilities", () => {
    // need = min(0.5, 2) / 2 = 0.25 s: (0.5 + 2 − 0.5) / 10 = 0.2
    expect(captureProbability({ listenS: 0.5, periodS: 10, eventS: 2 })).toBeCloseTo(0.2, 12);
    expect(captureProbability({ listenS: 0.5, periodS: 10, eventS: 2, recall: 0.5 })).toBeCloseTo(0.1, 12);
    // Any overlap at all: (1 + 3) / 8
    expect(captureProbability({ listenS: 1, periodS: 8, eventS: 3, needS: 0 })).toBeCloseTo(0.5, 12);
    // Listening all the time catches everything the classifier sees.
    expect(captureProbability({ listenS: 1, periodS: 1, eventS: 5 })).toBe(1);
    // An event of 12 s against windows every 4 s: a = (1 + 12 − 1) / 4 = 3 windows, each with recall 0.5.
    expect(captureProbability({ listenS: 1, periodS: 4, eventS: 12, needS: 0.5, recall: 0.5 })).toBeCloseTo(1 - 0.5 ** 3, 12);
    // The window can never hold more of the event than the event's length.
    expect(captureProbability({ listenS: 1, periodS: 4, eventS: 0.2, needS: 0.3 })).toBe(0);
  });

  test("the formula agrees with a simulation", () => {
    const cases = [
      { listenS: 0.5, periodS: 10, eventS: 2 },
      { listenS: 0.5, periodS: 3, eventS: 10, recall: 0.7 }, // several windows per event, a fractional count
      { listenS: 2, periodS: 5, eventS: 0.5, needS: 0.4, recall: 0.9 },
      { listenS: 1, periodS: 60, eventS: 30, needS: 0.2 },
    ];
    for (const c of cases) expect(Math.abs(simulateCapture(c, 40_000, 7) - captureProbability(c))).toBeLessThan(0.012);
  });

  test("sweep: battery life from lib/course, longer sleep = longer life, fewer detections", () => {
    const rows = dutyCycleSweep({ listenS: 0.5, periodsS: [0.5, 5, 50], eventS: 10, recall: 0.8, activeMw: 12, sleepMw: 0.006, battery: BATTERIES.cr2032 });
    expect(rows[0].duty).toBe(1);
    expect(rows[0].batteryHours).toBeCloseTo((225 * 3) / 12, 9);
    expect(rows[2].batteryHours).toBeCloseTo(batteryLifeHours(225, 12, 0.006, 0.01, 3), 9);
    expect(rows[2].averageMw).toBeCloseTo(0.01 * 12 + 0.99 * 0.006, 12);
    expect(rows[1].batteryDays).toBeCloseTo(rows[1].batteryHours / 24, 12);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i].batteryHours).toBeGreaterThan(rows[i - 1].batteryHours);
      expect(rows[i].detection).toBeLessThan(rows[i - 1].detection);
    }
    const aa = dutyCycleSweep({ listenS: 0.5, periodsS: [5], eventS: 10, activeMw: 12, sleepMw: 0.006, battery: BATTERIES.aa2 });
    expect(aa[0].batteryHours / rows[1].batteryHours).toBeCloseTo(2500 / 225, 9);
  });

  test("bad input is refused", () => {
    expect(() => captureProbability({ listenS: 2, periodS: 1, eventS: 1 })).toThrow(SensingInputError);
    expect(() => captureProbability({ listenS: 0, periodS: 1, eventS: 1 })).toThrow(/listenS/);
    expect(() => captureProbability({ listenS: 1, periodS: 2, eventS: 1, recall: 1.2 })).toThrow(/recall/);
    expect(() => dutyCycleSweep({ listenS: 1, periodsS: [], eventS: 1, activeMw: 1, sleepMw: 0, battery: BATTERIES.cr2032 })).toThrow(/periodsS/);
    expect(() => simulateCapture({ listenS: 1, periodS: 2, eventS: 1 }, 0)).toThrow(/trials/);
  });
});
