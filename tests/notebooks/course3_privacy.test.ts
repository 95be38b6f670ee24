/**
 * Course 3, lesson 5 (privacy): the notebook runs, plots, deploys the DP-trained model with an identical verdict,
 * and the numbers it reports are sensible: ε falls as σ grows, DP costs some accuracy, IID FedAvg beats non-IID,
 * and the membership attack leaks more from the overfit model than from the DP one.
 */
import { describe, expect, test } from "vitest";
import { solutionText } from "../../lib/course/mod.ts";
import { expectLessonComplete, printedNumber, runNotebook } from "./helpers.ts";

const NOTEBOOK = "notebooks/3-deployment/05-privacy.ipynb";

describe("Course 3: privacy", () => {
  test(
    "05-privacy runs, reports ε and accuracies, and the board matches the notebook",
    { timeout: 240_000 },
    async () => {
      const text = expectLessonComplete(await runNotebook(NOTEBOOK), "05-privacy", 3);

      // What leaves the device.
      expect(text).toMatch(/1 s raw audio \(16 kHz, int16\)\s+32,000 B/);
      expect(text).toMatch(/model update \(float32\)\s+9,640 B/);

      // DP-SGD: ε per σ from the accountant, accuracy per σ.
      const eps = (s: string) => printedNumber(text, new RegExp(`DP-SGD σ = ${s}: ε = ([\\d.]+)`));
      const acc = (s: string) => printedNumber(text, new RegExp(`DP-SGD σ = ${s}: .*test accuracy ([\\d.]+)%`));
      const baseline = printedNumber(text, /non-private SGD: test accuracy ([\d.]+)%/);
      const sigmas = ["0.60", "1.00", "2.00", "4.00"];
      const epsilons = sigmas.map(eps);
      for (let i = 1; i < epsilons.length; i++) expect(epsilons[i]).toBeLessThan(epsilons[i - 1]);
      expect(epsilons[1]).toBeGreaterThan(3); // σ = 1, q = 64/1438, 220 steps, δ = 1e-5: ε ≈ 5.0
      expect(epsilons[1]).toBeLessThan(7);
      expect(epsilons[3]).toBeLessThan(1);
      expect(baseline).toBeGreaterThan(90);
      expect(acc("1.00")).toBeGreaterThan(85);
      expect(acc("1.00")).toBeLessThanOrEqual(baseline + 0.5);
      expect(acc("4.00")).toBeLessThan(acc("1.00"));
      expect(acc("4.00")).toBeGreaterThan(40);

      // Federated averaging.
      const iid = printedNumber(text, /FedAvg after \d+ rounds: IID ([\d.]+)%/);
      const skew = printedNumber(text, /two digits per device ([\d.]+)%/);
      expect(iid).toBeGreaterThan(75);
      expect(iid).toBeGreaterThan(skew + 3);
      expect(printedNumber(text, /uploaded per round: (\d+) B/)).toBe(10 * 2410 * 4);

      // Membership inference.
      const aucOverfit = printedNumber(text, /overfit model: .*attack AUC ([\d.]+)/);
      const aucDp = printedNumber(text, /DP model \(ε = [\d.]+, δ = 1e-3\): .*attack AUC ([\d.]+)/);
      const epsDp = printedNumber(text, /DP model \(ε = ([\d.]+), δ = 1e-3\)/);
      expect(aucOverfit).toBeGreaterThan(0.58);
      expect(aucOverfit).toBeGreaterThan(aucDp + 0.05);
      expect(aucDp).toBeLessThan(0.6);
      expect(epsDp).toBeLessThan(5);

      // To the board: the quantized DP model keeps its accuracy.
      const f32 = printedNumber(text, /DP model \(ε = [\d.]+\): float32 accuracy ([\d.]+)%/);
      const i8 = printedNumber(text, /int8 accuracy ([\d.]+)%/);
      expect(f32).toBe(acc("1.00"));
      expect(Math.abs(f32 - i8)).toBeLessThan(2);
      expect(solutionText("3-05-noise-for-epsilon")).toMatch(/noiseForEpsilon/);
    },
  );
});
