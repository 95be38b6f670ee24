import { describe, expect, test } from "vitest";
import {
  DEFAULT_ORDERS,
  logA,
  noiseForEpsilon,
  PrivacyInputError,
  privacySpent,
  rdpSampledGaussian,
  rdpToEpsilon,
} from "../../lib/privacy/mod.ts";

/** A_α = ∫ μ0(z)·(μ1(z)/μ0(z))^α dz by Simpson's rule, μ0 = N(0, σ²), μ1 = (1 − q)N(0, σ²) + qN(1, σ²). */
function aByIntegration(q: number, sigma: number, alpha: number): number {
  // The integrand peaks near z = α (μ1/μ0 grows like e^{αz/σ²}), so the range reaches past it.
  const lo = -12 * sigma - 2, hi = 12 * sigma + 2 + alpha;
  const n = 200_000; // even
  const h = (hi - lo) / n;
  const f = (z: number) => {
    const mu0 = Math.exp(-(z * z) / (2 * sigma * sigma)) / (sigma * Math.sqrt(2 * Math.PI));
    const ratio = 1 - q + q * Math.exp((2 * z - 1) / (2 * sigma * sigma));
    return mu0 * Math.pow(ratio, alpha);
  };
  let s = f(lo) + f(hi);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(lo + i * h);
  return (s * h) / 3;
}

describe("RDP accountant of the sampled Gaussian mechanism", () => {
  test("sampling rate 1 is the plain Gaussian mechanism: RDP = α/(2σ²)", () => {
    for (const sigma of [0.5, 1, 1.7, 4]) {
      for (const alpha of [2, 3, 10, 64]) {
        expect(rdpSampledGaussian(1, sigma, alpha)).toBeCloseTo(alpha / (2 * sigma * sigma), 10);
      }
    }
  });

  test("order 2 has the closed form A₂ = 1 + q²(e^{1/σ²} − 1)", () => {
    for (const [q, sigma] of [[0.01, 1], [0.1, 0.8], [0.5, 3]]) {
      expect(logA(q, sigma, 2)).toBeCloseTo(Math.log(1 + q * q * (Math.exp(1 / (sigma * sigma)) - 1)), 12);
    }
  });

  test("log A_α equals a direct numerical integration of E_μ0[(μ1/μ0)^α]", () => {
    for (const [q, sigma, alpha] of [[0.01, 1, 4], [0.05, 0.9, 8], [0.2, 2, 6], [0.5, 1.5, 3], [0.01, 2.5, 12]]) {
      const direct = Math.log(aByIntegration(q, sigma, alpha));
      expect(Math.abs(logA(q, sigma, alpha) - direct)).toBeLessThan(1e-6 * Math.max(1, Math.abs(direct)) + 1e-10);
    }
  });

  test("matches published RDP values (google/differential-privacy dp_accounting tests: q = 0.01, σ = 2.5, 50 steps)", () => {
    const published: [number, number][] = [[5, 2.18075656e-3], [50, 2.38460375e-2], [100, 1.67416308e2]];
    for (const [alpha, rdp] of published) {
      expect(50 * rdpSampledGaussian(0.01, 2.5, alpha)).toBeCloseTo(rdp, 6 - Math.ceil(Math.log10(rdp)));
      expect(Math.abs(50 * rdpSampledGaussian(0.01, 2.5, alpha) / rdp - 1)).toBeLessThan(1e-4);
    }
  });

  test("RDP → (ε, δ): constant RDP 1.1 at orders 2..32, δ = 1e-5 gives ε = 1.32783806176 at order 32", () => {
    const orders = Array.from({ length: 31 }, (_, i) => i + 2);
    const r = rdpToEpsilon(orders, orders.map(() => 1.1), 1e-5);
    expect(r.epsilon).toBeCloseTo(1.32783806176, 9);
    expect(r.order).toBe(32);
    // The classic conversion is never tighter.
    expect(rdpToEpsilon(orders, orders.map(() => 1.1), 1e-5, "classic").epsilon).toBeGreaterThan(r.epsilon);
  });

  test("a Gaussian calibrated to exactly (1, 1e-6)-DP (σ = 4.530877117) is reported at ε just above 1", () => {
    const { epsilon } = privacySpent({ samplingRate: 1, noiseMultiplier: 4.530877117, steps: 1, delta: 1e-6 });
    expect(epsilon).toBeGreaterThanOrEqual(1 - 1e-9); // RDP conversion is an upper bound
    expect(epsilon).toBeLessThan(1.01); // integer orders only lose a little
  });

  test("ε grows with the number of steps and with the sampling rate, and falls as σ grows", () => {
    const eps = (q: number, sigma: number, steps: number) =>
      privacySpent({ samplingRate: q, noiseMultiplier: sigma, steps }).epsilon;
    const bySteps = [10, 100, 1000, 10000].map((t) => eps(0.01, 1.1, t));
    const bySigma = [0.6, 0.8, 1.1, 2, 4].map((s) => eps(0.01, s, 1000));
    const byQ = [0.001, 0.01, 0.1, 1].map((q) => eps(q, 1.1, 100));
    for (let i = 1; i < bySteps.length; i++) expect(bySteps[i]).toBeGreaterThan(bySteps[i - 1]);
    for (let i = 1; i < bySigma.length; i++) expect(bySigma[i]).toBeLessThan(bySigma[i - 1]);
    for (let i = 1; i < byQ.length; i++) expect(byQ[i]).toBeGreaterThan(byQ[i - 1]);
    // Subsampling amplifies privacy: 100 steps at q = 0.01 cost far less than 1 full-batch step's 100 copies.
    expect(eps(0.01, 1.1, 100)).toBeLessThan(eps(1, 1.1, 100));
  });

  test("edge cases: no steps or q = 0 spend nothing; σ = 0 is not private", () => {
    expect(privacySpent({ samplingRate: 0.1, noiseMultiplier: 1, steps: 0 }).epsilon).toBe(0);
    expect(privacySpent({ samplingRate: 0, noiseMultiplier: 1, steps: 100 }).epsilon).toBe(0);
    expect(privacySpent({ samplingRate: 0.1, noiseMultiplier: 0, steps: 1 }).epsilon).toBe(Infinity);
    expect(privacySpent({ samplingRate: 0.1, noiseMultiplier: 1, steps: 1 }).orders).toEqual(DEFAULT_ORDERS);
  });

  test("noiseForEpsilon inverts the accountant", () => {
    const p = { samplingRate: 64 / 1437, steps: 225, delta: 1e-5 };
    for (const target of [0.5, 2, 8]) {
      const sigma = noiseForEpsilon(target, p);
      expect(privacySpent({ ...p, noiseMultiplier: sigma }).epsilon).toBeLessThanOrEqual(target);
      expect(privacySpent({ ...p, noiseMultiplier: sigma - 0.01 }).epsilon).toBeGreaterThan(target);
    }
  });

  test("bad input is rejected with a typed error", () => {
    expect(() => rdpSampledGaussian(1.5, 1, 2)).toThrow(PrivacyInputError);
    expect(() => rdpSampledGaussian(0.1, -1, 2)).toThrow(PrivacyInputError);
    expect(() => rdpSampledGaussian(0.1, 1, 2.5)).toThrow(/integer/);
    expect(() => rdpToEpsilon([2], [1], 0)).toThrow(PrivacyInputError);
  });
});
