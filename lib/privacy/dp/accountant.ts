/**
 * A privacy accountant for DP-SGD: Rényi differential privacy (RDP) of the Poisson-subsampled Gaussian
 * mechanism at integer orders, composed over T steps, then converted to (ε, δ).
 *
 * One DP-SGD step releases the sum of clipped per-example gradients (sensitivity C) plus N(0, σ²C²) noise, on a
 * batch where each example was included with probability q. With μ0 = N(0, σ²) and μ1 = (1 − q)·N(0, σ²) +
 * q·N(1, σ²), the RDP of order α is log(A_α)/(α − 1), where for integer α (Mironov, Talwar & Zhang 2019)
 *
 *   A_α = E_{z∼μ0}[(μ1(z)/μ0(z))^α] = Σ_{k=0..α} C(α, k) (1 − q)^(α−k) q^k exp((k² − k)/(2σ²)).
 *
 * RDP adds up over steps; the (ε, δ) guarantee is the best over the orders of the conversion
 * ε = rdp + log((α − 1)/α) − (log δ + log α)/(α − 1) (Balle et al. 2020; Canonne, Kamath & Steinke 2020),
 * or the classic ε = rdp + log(1/δ)/(α − 1) (Mironov 2017).
 * @module
 */
import { require } from "../errors.ts";

/** The default orders: every integer from 2 to 256 (large orders matter for small ε). */
export const DEFAULT_ORDERS: readonly number[] = Array.from({ length: 255 }, (_, i) => i + 2);

/** log(e^a + e^b) without overflow. */
function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/**
 * log A_α of the sampled Gaussian mechanism for an integer order α ≥ 2 (sum computed in log space, so large
 * orders and small σ do not overflow).
 */
export function logA(q: number, sigma: number, alpha: number): number {
  checkMechanism(q, sigma);
  require(Number.isInteger(alpha) && alpha >= 2, `order α must be an integer ≥ 2, got ${alpha}`);
  if (q === 0) return 0;
  if (sigma === 0) return Infinity;
  if (q === 1) return (alpha * alpha - alpha) / (2 * sigma * sigma);
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  let logBinom = 0; // log C(α, 0)
  let total = -Infinity;
  for (let k = 0; k <= alpha; k++) {
    if (k > 0) logBinom += Math.log(alpha - k + 1) - Math.log(k);
    const term = logBinom + (alpha - k) * log1mQ + k * logQ + (k * k - k) / (2 * sigma * sigma);
    total = logAddExp(total, term);
  }
  return total;
}

function checkMechanism(q: number, sigma: number): void {
  require(Number.isFinite(q) && q >= 0 && q <= 1, `sampling rate q must be in [0, 1], got ${q}`);
  require(Number.isFinite(sigma) && sigma >= 0, `noise multiplier σ must be ≥ 0, got ${sigma}`);
}

/**
 * RDP of one step of the Poisson-subsampled Gaussian mechanism at integer order α: log(A_α)/(α − 1).
 * With q = 1 this is the plain Gaussian mechanism's α/(2σ²).
 *
 * @example
 * rdpSampledGaussian(1, 2, 8); // 8 / (2·4) = 1
 */
export function rdpSampledGaussian(q: number, sigma: number, alpha: number): number {
  return Math.max(0, logA(q, sigma, alpha) / (alpha - 1));
}

/** How (ε, δ) is obtained from RDP: the tighter conversion (default) or Mironov's classic one. */
export type RdpConversion = "improved" | "classic";

/** The best ε over `orders` for curves `rdp` (same length) at δ, and the order that gave it. */
export function rdpToEpsilon(
  orders: readonly number[],
  rdp: readonly number[],
  delta: number,
  conversion: RdpConversion = "improved",
): { epsilon: number; order: number } {
  require(
    orders.length === rdp.length && orders.length > 0,
    `need one RDP value per order (${orders.length} orders, ${rdp.length} values)`,
  );
  require(delta > 0 && delta < 1, `δ must be in (0, 1), got ${delta}`);
  let best = { epsilon: Infinity, order: orders[0] };
  orders.forEach((alpha, i) => {
    require(alpha > 1, `orders must be > 1, got ${alpha}`);
    const eps = conversion === "classic"
      ? rdp[i] + Math.log(1 / delta) / (alpha - 1)
      : rdp[i] + Math.log1p(-1 / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1);
    if (eps < best.epsilon) best = { epsilon: Math.max(0, eps), order: alpha };
  });
  return best;
}

/** What DP-SGD did, for the accountant. */
export interface DpSgdPrivacy {
  /** Poisson sampling rate q = expected batch size / training set size. */
  samplingRate: number;
  /** σ: noise std divided by the clipping norm C. */
  noiseMultiplier: number;
  /** Number of noisy steps T. */
  steps: number;
  /** Target δ (default 1e-5; take it below 1/N). */
  delta?: number;
  /** Integer orders ≥ 2 to optimise over (default {@link DEFAULT_ORDERS}). */
  orders?: readonly number[];
  conversion?: RdpConversion;
}

/** The accountant's answer. */
export interface PrivacySpent {
  epsilon: number;
  delta: number;
  /** The order α that gave the smallest ε. */
  order: number;
  orders: number[];
  /** Total RDP after T steps, per order. */
  rdp: number[];
}

/**
 * (ε, δ) of DP-SGD with Poisson sampling: T·RDP(α) at each order, converted and minimised over the orders.
 *
 * @example
 * const { epsilon } = privacySpent({ samplingRate: 256 / 60000, noiseMultiplier: 1.1, steps: 14000, delta: 1e-5 });
 */
export function privacySpent(p: DpSgdPrivacy): PrivacySpent {
  require(Number.isInteger(p.steps) && p.steps >= 0, `steps must be a whole number ≥ 0, got ${p.steps}`);
  const orders = [...(p.orders ?? DEFAULT_ORDERS)];
  const delta = p.delta ?? 1e-5;
  const rdp = orders.map((
    a,
  ) => (p.steps === 0 ? 0 : p.steps * rdpSampledGaussian(p.samplingRate, p.noiseMultiplier, a)));
  // Nothing released about anyone: ε = 0 (the conversion formula alone would leave a small positive slack).
  if (rdp.every((r) => r === 0)) return { epsilon: 0, delta, order: orders[0], orders, rdp };
  const { epsilon, order } = rdpToEpsilon(orders, rdp, delta, p.conversion);
  return { epsilon, delta, order, orders, rdp };
}

/**
 * The smallest noise multiplier σ whose ε (at the given q, T, δ) is at most `targetEpsilon`, by bisection
 * (ε falls monotonically as σ grows). Accurate to `tolerance` in σ.
 *
 * @example
 * const sigma = noiseForEpsilon(2, { samplingRate: 0.01, steps: 1000, delta: 1e-5 });
 */
export function noiseForEpsilon(
  targetEpsilon: number,
  p: Omit<DpSgdPrivacy, "noiseMultiplier">,
  tolerance = 1e-4,
): number {
  require(targetEpsilon > 0, `target ε must be > 0, got ${targetEpsilon}`);
  const eps = (sigma: number) => privacySpent({ ...p, noiseMultiplier: sigma }).epsilon;
  let lo = 0.05;
  let hi = 1;
  while (eps(hi) > targetEpsilon) {
    hi *= 2;
    require(hi < 1e6, `no σ below 1e6 reaches ε = ${targetEpsilon}; use fewer steps or a smaller sampling rate`);
  }
  if (eps(lo) <= targetEpsilon) return lo;
  while (hi - lo > tolerance) {
    const mid = (lo + hi) / 2;
    if (eps(mid) > targetEpsilon) lo = mid;
    else hi = mid;
  }
  return hi;
}
