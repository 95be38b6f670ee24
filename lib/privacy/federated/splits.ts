/**
 * Splitting a labelled data set across simulated devices: IID (every device sees every class) and non-IID
 * (label skew: a few classes per device, or Dirichlet(α) class proportions), as federated learning meets them.
 * Each split is a list of example indices per client. All seeded.
 * @module
 */
import { mulberry32, randn, type Rng, shuffle } from "../../util/random.ts";
import { require } from "../errors.ts";

/** Example indices per client. */
export type ClientSplit = number[][];

function checkClients(n: number, clients: number): void {
  require(Number.isInteger(clients) && clients >= 1, `clients must be a whole number ≥ 1, got ${clients}`);
  require(n >= clients, `${n} examples cannot be split over ${clients} clients`);
}

/**
 * IID: a seeded shuffle dealt out in equal parts (sizes differ by at most one).
 * @example const parts = iidSplit(train.labels, 10, 0);
 */
export function iidSplit(labels: ArrayLike<number>, clients: number, seed = 0): ClientSplit {
  checkClients(labels.length, clients);
  const order = shuffle(Array.from({ length: labels.length }, (_, i) => i), mulberry32(seed));
  return Array.from({ length: clients }, (_, c) => order.filter((_, i) => i % clients === c));
}

/** Indices of each class, in order, for classes 0..max label. */
function byClass(labels: ArrayLike<number>): number[][] {
  const classes = Math.max(...Array.from(labels)) + 1;
  const out: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) {
    require(
      Number.isInteger(labels[i]) && labels[i] >= 0,
      `labels must be class indices ≥ 0, got ${labels[i]} at ${i}`,
    );
    out[labels[i]].push(i);
  }
  return out;
}

/**
 * Label skew: each client holds exactly `classesPerClient` classes (taken in turn from a seeded permutation of
 * the classes, so every class goes to about the same number of clients); a class's examples are shared out
 * equally among the clients that hold it.
 * @example const parts = labelSkewSplit(train.labels, 10, 2, 0); // two digits per device
 */
export function labelSkewSplit(
  labels: ArrayLike<number>,
  clients: number,
  classesPerClient: number,
  seed = 0,
): ClientSplit {
  checkClients(labels.length, clients);
  const members = byClass(labels);
  const k = members.length;
  require(
    classesPerClient >= 1 && classesPerClient <= k,
    `classesPerClient must be in 1..${k}, got ${classesPerClient}`,
  );
  require(
    clients * classesPerClient >= k,
    `${clients} clients × ${classesPerClient} classes cannot cover all ${k} classes`,
  );
  const rng = mulberry32(seed);
  const perm = shuffle(Array.from({ length: k }, (_, c) => c), rng);
  const holders: number[][] = Array.from({ length: k }, () => []);
  for (let c = 0; c < clients; c++) {
    for (let j = 0; j < classesPerClient; j++) holders[perm[(c * classesPerClient + j) % k]].push(c);
  }
  const split: ClientSplit = Array.from({ length: clients }, () => []);
  members.forEach((idx, cls) => {
    const h = holders[cls];
    shuffle([...idx], rng).forEach((i, r) => split[h[r % h.length]].push(i));
  });
  return split.map((s) => s.sort((a, b) => a - b));
}

/** One Gamma(shape, 1) sample (Marsaglia & Tsang; shape < 1 via the boost Gamma(shape + 1)·U^(1/shape)). */
export function gammaSample(shape: number, rng: Rng): number {
  require(shape > 0, `gamma shape must be > 0, got ${shape}`);
  if (shape < 1) return gammaSample(shape + 1, rng) * Math.pow(1 - rng(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = randn(rng);
    const v = Math.pow(1 + c * z, 3);
    if (v <= 0) continue;
    const u = 1 - rng();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

/**
 * Dirichlet label skew (Hsu et al. 2019): for each class, client proportions are drawn from Dirichlet(α, …, α)
 * and the class's shuffled examples are cut at those proportions. Small α (0.1): each client sees few classes;
 * large α (100): close to IID. A client may end up with very few examples.
 * @example const parts = dirichletSplit(train.labels, 10, 0.3, 0);
 */
export function dirichletSplit(labels: ArrayLike<number>, clients: number, alpha: number, seed = 0): ClientSplit {
  checkClients(labels.length, clients);
  require(alpha > 0, `Dirichlet α must be > 0, got ${alpha}`);
  const rng = mulberry32(seed);
  const split: ClientSplit = Array.from({ length: clients }, () => []);
  for (const idx of byClass(labels)) {
    const g = Array.from({ length: clients }, () => gammaSample(alpha, rng));
    const total = g.reduce((a, b) => a + b, 0);
    const shuffled = shuffle([...idx], rng);
    let start = 0, cum = 0;
    g.forEach((gi, c) => {
      cum += gi / total;
      const end = c === clients - 1 ? shuffled.length : Math.round(cum * shuffled.length);
      split[c].push(...shuffled.slice(start, end));
      start = end;
    });
  }
  return split.map((s) => s.sort((a, b) => a - b));
}

/** Examples per class on each client: rows are clients, columns classes. */
export function classCounts(labels: ArrayLike<number>, split: ClientSplit, classes?: number): number[][] {
  const k = classes ?? Math.max(...Array.from(labels)) + 1;
  return split.map((idx) => {
    const row = new Array<number>(k).fill(0);
    for (const i of idx) row[labels[i]]++;
    return row;
  });
}
