/**
 * Gradient descent by hand for one neuron, y = w·x + b, with the mean squared error: the loss, its gradient,
 * the loss surface over (w, b), and the path descent takes across it. Small and explicit on purpose: this is
 * what `model.fit` does for every weight of a big network.
 */

/** A point of the descent path. */
export interface DescentStep {
  step: number;
  w: number;
  b: number;
  loss: number;
}

/** Mean squared error of y = w·x + b on the examples. */
export function mseLoss(w: number, b: number, xs: readonly number[], ys: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += (w * xs[i] + b - ys[i]) ** 2;
  return sum / xs.length;
}

/** ∂loss/∂w and ∂loss/∂b of {@link mseLoss}: 2·mean(error·x) and 2·mean(error). */
export function mseGradient(w: number, b: number, xs: readonly number[], ys: readonly number[]): { dw: number; db: number } {
  let dw = 0;
  let db = 0;
  for (let i = 0; i < xs.length; i++) {
    const err = w * xs[i] + b - ys[i];
    dw += err * xs[i];
    db += err;
  }
  return { dw: (2 * dw) / xs.length, db: (2 * db) / xs.length };
}

/** Options of {@link gradientDescent}. */
export interface DescentOptions {
  /** Learning rate: how far each step goes along the negative gradient. */
  lr: number;
  steps: number;
  /** Starting point (default w = 0, b = 0). */
  w0?: number;
  b0?: number;
}

/**
 * Plain gradient descent on {@link mseLoss}; returns every point visited (steps + 1 entries). Stops early if
 * the loss overflows (a learning rate that is too big makes it diverge).
 * @example gradientDescent([0, 1, 2], [-1, 1, 3], { lr: 0.1, steps: 100 }).at(-1) // w ≈ 2, b ≈ -1
 */
export function gradientDescent(xs: readonly number[], ys: readonly number[], o: DescentOptions): DescentStep[] {
  let w = o.w0 ?? 0;
  let b = o.b0 ?? 0;
  const path: DescentStep[] = [{ step: 0, w, b, loss: mseLoss(w, b, xs, ys) }];
  for (let s = 1; s <= o.steps; s++) {
    const { dw, db } = mseGradient(w, b, xs, ys);
    w -= o.lr * dw;
    b -= o.lr * db;
    const loss = mseLoss(w, b, xs, ys);
    path.push({ step: s, w, b, loss });
    if (!Number.isFinite(loss)) break;
  }
  return path;
}

/** The loss on a grid: `z[i][j]` is the loss at (w = ws[j], b = bs[i]) — ready for a heatmap. */
export function lossSurface(xs: readonly number[], ys: readonly number[], ws: readonly number[], bs: readonly number[]): number[][] {
  return bs.map((b) => ws.map((w) => mseLoss(w, b, xs, ys)));
}

/** `n` evenly spaced numbers from `lo` to `hi` inclusive. */
export function linspace(lo: number, hi: number, n: number): number[] {
  if (n < 2) return [lo];
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}
