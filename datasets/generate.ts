/**
 * Dataset generator command.
 *
 *   deno run -A datasets/generate.ts kws [--out DIR] [--small] [--seed N] [--wake-word WORD] [--speakers N] [--jobs N]
 *   deno run -A datasets/generate.ts digits [--out DIR]
 *
 * Output goes under datasets/generated/ (git-ignored) unless --out says otherwise.
 */
import process from "node:process";
import { generateKws, KWS_SMALL, type KwsSynthOptions } from "../lib/data/kws_synth.ts";
import { writeDigitsLayout } from "../lib/data/digits_real.ts";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const has = (name: string): boolean => process.argv.includes(name);
const what = process.argv.slice(2).find((a) => !a.startsWith("-"));

if (what === "kws") {
  const small = has("--small");
  const out = arg("--out") ?? (small ? "datasets/generated/kws_small" : "datasets/generated/kws");
  const opts: KwsSynthOptions = {
    out,
    ...(small ? KWS_SMALL : {}),
    seed: Number(arg("--seed") ?? 0),
    concurrency: Number(arg("--jobs") ?? 2),
  };
  if (arg("--wake-word") !== undefined) opts.wakeWord = arg("--wake-word");
  if (arg("--speakers") !== undefined) opts.speakers = Number(arg("--speakers"));
  const t0 = Date.now();
  let last = 0;
  const m = await generateKws({
    ...opts,
    onProgress: (p) => {
      const now = Date.now();
      if (now - last > 500 || p.done === p.total) {
        last = now;
        const rate = p.done / ((now - t0) / 1000);
        process.stdout.write(`\r[kws] ${p.done}/${p.total} files (${p.skipped} already there) ${rate.toFixed(0)} files/s   `);
      }
    },
  });
  const s = (Date.now() - t0) / 1000;
  const bySplit = (x: string) => m.clips.filter((c) => c.split === x).length;
  console.log(`\n[kws] ${m.clips.length} clips, ${m.speakers.length} speakers, labels ${m.labels.join(" ")} in ${s.toFixed(1)} s → ${out}`);
  console.log(`[kws] training ${bySplit("training")}, validation ${bySplit("validation")}, testing ${bySplit("testing")}`);
} else if (what === "digits") {
  const out = arg("--out") ?? "datasets/generated/digits_real";
  const r = await writeDigitsLayout(out);
  console.log(`[digits] ${r.clips} clips from ${r.voices.join(", ")} → ${out}`);
} else {
  console.error("usage: deno run -A datasets/generate.ts kws [--out DIR] [--small] [--seed N] [--wake-word WORD] [--speakers N] [--jobs N]\n" +
    "       deno run -A datasets/generate.ts digits [--out DIR]");
  process.exit(2);
}
