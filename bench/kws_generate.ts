/**
 * Times the generation of the synthetic keyword-spotting set (datasets/generate.ts kws).
 *
 *   deno run -A bench/kws_generate.ts [--small] [--jobs N] [--out DIR] [--keep]
 *
 * Generates into a fresh folder (default datasets/generated/kws_bench, deleted afterwards unless
 * --keep) and prints files/s and total seconds, plus the share of time spent before the first clip
 * (background noise synthesis). Also times a re-run over the finished set (everything skipped).
 *
 * Peer comparison, same run, same clips, one process chain at a time: espeak-ng synthesis of each
 * speaker's words in one batch (what the generator does) vs one espeak-ng | sox run per word.
 */
import { rmSync } from "node:fs";
import os from "node:os";
import process from "node:process";
import { generateKws, KWS_SMALL, planKws, synthesizeWords } from "../lib/data/kws_synth.ts";

const argv = process.argv.slice(2);
const arg = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const small = argv.includes("--small");
const out = arg("--out") ?? "datasets/generated/kws_bench";
const jobs = Number(arg("--jobs") ?? 2);
const opts = { out, ...(small ? KWS_SMALL : {}), concurrency: jobs };

rmSync(out, { recursive: true, force: true });
const plan = planKws(opts);
const total = plan.clips.length;

// Peer: batched vs per-word synthesis of the first espeak speakers' words.
const speakers = plan.speakers.filter((s) => s.engine === "espeak-ng").slice(0, small ? 3 : 6).map((s) => s.id);
const groups = speakers.map((id) => plan.clips.filter((c) => c.speaker === id));
const nWords = groups.reduce((a, g) => a + g.length, 0);
let tb = performance.now();
for (const g of groups) await synthesizeWords(g);
const batchS = (performance.now() - tb) / 1000;
tb = performance.now();
for (const g of groups) await synthesizeWords(g, { batch: false });
const eachS = (performance.now() - tb) / 1000;
console.log(`[bench] synthesis of ${nWords} words: batched ${(nWords / batchS).toFixed(1)} words/s, per word ${(nWords / eachS).toFixed(1)} words/s → ${(eachS / batchS).toFixed(2)}× faster batched`);

console.log(`[bench] ${small ? "small" : "full"} KWS set: ${total} clips, ${jobs} parallel jobs, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`);
const t0 = performance.now();
let tFirst = 0, last = 0;
await generateKws({
  ...opts,
  onProgress: (p) => {
    const now = performance.now();
    if (p.done === 1) tFirst = now;
    if (now - last > 2000) {
      last = now;
      console.log(`[bench] ${p.done}/${p.total} (${(p.done / ((now - t0) / 1000)).toFixed(1)} files/s)`);
    }
  },
});
const s = (performance.now() - t0) / 1000;
const t1 = performance.now();
await generateKws(opts);
const rerun = (performance.now() - t1) / 1000;
console.log(`[bench] generated ${total} clips in ${s.toFixed(1)} s = ${(total / s).toFixed(1)} files/s ` +
  `(background noise ${((tFirst - t0) / 1000).toFixed(1)} s); re-run over finished set ${rerun.toFixed(2)} s`);
console.log(JSON.stringify({ bench: "kws_generate", small, clips: total, jobs, synthSpeedupVsPerWord: +(eachS / batchS).toFixed(2), seconds: +s.toFixed(2), filesPerSecond: +(total / s).toFixed(2), noiseSeconds: +((tFirst - t0) / 1000).toFixed(2), rerunSeconds: +rerun.toFixed(3), load: +os.loadavg()[0].toFixed(2) }));
if (!argv.includes("--keep")) rmSync(out, { recursive: true, force: true });
