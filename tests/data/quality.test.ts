import { describe, expect, test } from "vitest";
import { findDigits8x8, loadDigits8x8All } from "../../lib/data/digits8x8.ts";
import { clipStats, qualityReport, type QualityItem } from "../../lib/data/quality.ts";
import { mulberry32, randn } from "../../lib/util/random.ts";

/** precision and recall of `found` against the planted set. */
function pr(found: Set<string>, planted: Set<string>): { precision: number; recall: number } {
  const hit = [...found].filter((x) => planted.has(x)).length;
  return { precision: found.size ? hit / found.size : 1, recall: planted.size ? hit / planted.size : 1 };
}

describe.skipIf(!findDigits8x8())("quality report on 8×8 digits with planted problems", () => {
  if (!findDigits8x8()) console.warn("python3-sklearn's digits.csv.gz is missing: apt-get install python3-sklearn");

  test("finds planted exact duplicates, near duplicates, mislabels and writer leaks", () => {
    const ds = loadDigits8x8All();
    const rng = mulberry32(11);
    const size = 64;
    // Writers: 20 consecutive images each (the file is ordered by writer); split by writer.
    const items: QualityItem[] = Array.from({ length: ds.n }, (_, i) => {
      const writer = `w${Math.floor(i / 20)}`;
      const h = (Math.floor(i / 20) * 2654435761) % 10;
      return {
        id: `img${i}`, label: String(ds.labels[i]), speaker: writer, split: h < 2 ? "test" : "train",
        features: ds.images.slice(i * size, (i + 1) * size),
      };
    });

    // 1. Mislabels: 30 random images get a wrong label.
    const mislabeled = new Set<string>();
    while (mislabeled.size < 30) {
      const it = items[Math.floor(rng() * ds.n)];
      if (mislabeled.has(it.id)) continue;
      it.label = String((Number(it.label) + 1 + Math.floor(rng() * 9)) % 10);
      mislabeled.add(it.id);
    }
    // 2. Writer leaks: 6 writers get one image moved into the other split.
    const leaked = new Set<string>();
    for (let w = 3; w < 90 && leaked.size < 6; w += 14) {
      const it = items[w * 20 + 5];
      it.split = it.split === "test" ? "train" : "test";
      leaked.add(`w${w}`);
    }
    // 3. Exact duplicates (new ids, some across splits) and 4. near duplicates (a little noise).
    const exactPlanted = new Set<string>(), nearPlanted = new Set<string>();
    for (let k = 0; k < 12; k++) {
      const src = items[Math.floor(rng() * ds.n)];
      if (mislabeled.has(src.id)) continue;
      const copy = { ...src, id: `dup${k}`, split: k % 2 ? "test" : src.split, speaker: `copy${k}` };
      items.push(copy);
      exactPlanted.add(`${src.id}|${copy.id}`);
      const noisy = Float32Array.from(src.features!, (v) => v + 0.01 * randn(rng));
      items.push({ ...src, id: `near${k}`, features: noisy, speaker: `near${k}` });
      nearPlanted.add(`${src.id}|near${k}`);
    }

    const t0 = performance.now();
    const r = qualityReport(items, { nearDuplicateThreshold: 0.985 });
    console.log(`qualityReport on ${items.length} images: ${(performance.now() - t0).toFixed(0)} ms\n${r.summary}`);
    console.log(r.tables.map((t) => `${t.title}\n${t.text.split("\n").slice(0, 6).join("\n")}`).join("\n\n"));

    const exactFound = new Set(r.exactDuplicates.flatMap((g) => g.ids.slice(1).map((id) => `${g.ids[0]}|${id}`)));
    const ex = pr(exactFound, exactPlanted);
    const nearFound = new Set(r.nearDuplicates.map((p) => `${p.a}|${p.b}`));
    const near = pr(new Set([...nearFound].filter((p) => p.includes("near"))), nearPlanted);
    const nearRecallOnly = [...nearPlanted].filter((p) => nearFound.has(p)).length / nearPlanted.size;
    const ln = pr(new Set(r.labelNoise.map((c) => c.id).filter((id) => id.startsWith("img"))), mislabeled);
    const lk = pr(new Set(r.speakerLeaks.map((l) => l.speaker)), leaked);
    console.log(`exact duplicates: precision ${ex.precision.toFixed(2)} recall ${ex.recall.toFixed(2)}`);
    console.log(`near duplicates: recall ${nearRecallOnly.toFixed(2)} (${r.nearDuplicates.length} pairs in all)`);
    console.log(`label noise: precision ${ln.precision.toFixed(2)} recall ${ln.recall.toFixed(2)} (${r.labelNoise.length} flagged)`);
    console.log(`writer leaks: precision ${lk.precision.toFixed(2)} recall ${lk.recall.toFixed(2)}`);

    expect(ex.recall).toBe(1);
    expect(ex.precision).toBeGreaterThanOrEqual(0.7); // the original set has a few real duplicates
    expect(near.recall).toBeGreaterThanOrEqual(0.9);
    expect(ln.recall).toBeGreaterThanOrEqual(0.8);
    expect(ln.precision).toBeGreaterThanOrEqual(0.5);
    expect(lk).toEqual({ precision: 1, recall: 1 });
    // Cross-split copies are reported as leakage.
    expect(r.exactDuplicates.filter((g) => g.ids.some((id) => id.startsWith("dup")) && g.crossSplit).length).toBeGreaterThanOrEqual(3);
    expect(r.crossSplitDuplicates.length).toBeGreaterThan(0);
    // Balance and figures.
    expect(Object.values(r.balance.counts).reduce((a, b) => a + b, 0)).toBe(items.length);
    expect(r.figures[0].data.length).toBe(2); // one bar series per split
  }, 60_000);
});

describe("clip statistics", () => {
  const fs = 16000;
  /** A 0.4 s tone burst in noise: SNR = (A²/2) / σ². */
  function burst(snrDb: number, seed: number): Float32Array {
    const rng = mulberry32(seed);
    const sigma = 0.01, amp = Math.sqrt(2 * sigma * sigma * 10 ** (snrDb / 10));
    return Float32Array.from({ length: fs }, (_, i) =>
      (i > 0.3 * fs && i < 0.7 * fs ? amp * Math.sin((2 * Math.PI * 440 * i) / fs) : 0) + sigma * randn(rng));
  }

  test("SNR estimate follows the true SNR", () => {
    for (const snr of [0, 10, 20, 30]) {
      const est = clipStats(burst(snr, snr)).snrDb;
      console.log(`true SNR ${snr} dB → estimated ${est.toFixed(1)} dB`);
      expect(Math.abs(est - snr)).toBeLessThan(snr === 0 ? 1.5 : 1);
    }
  });

  test("flags clipped, silent and noisy clips in a report", () => {
    const clean = burst(25, 1);
    const clipped = Float32Array.from(burst(25, 2), (v) => Math.max(-1, Math.min(1, v * 30)));
    const silent = new Float32Array(fs);
    const noisy = burst(1, 3);
    const items: QualityItem[] = [clean, clipped, silent, noisy].map((samples, i) => ({ id: ["clean", "clipped", "silent", "noisy"][i], label: "yes", samples }));
    const r = qualityReport(items);
    expect(r.flagged.clipped).toEqual(["clipped"]);
    expect(r.flagged.silent).toEqual(["silent"]);
    expect(r.flagged.lowSnr).toContain("noisy");
    expect(r.flagged.lowSnr).not.toContain("clean");
    expect(r.clips.find((c) => c.id === "clipped")!.clippedFraction).toBeGreaterThan(0.1);
  });
});
