import { describe, expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKws, type KwsSynthOptions, planKws, readKwsManifest } from "../../lib/data/kws_synth.ts";
import { findDigitVoices, loadAsteriskDigits, writeDigitsLayout } from "../../lib/data/digits_real.ts";
import { indexSpeechCommands, loadClips } from "../../lib/data/speech_commands.ts";
import { clipStats, qualityReport, speakerLeaks } from "../../lib/data/quality.ts";
import { audioEmbedding } from "../../lib/data/features.ts";

const hasTools = ["sox", "espeak-ng", "flite"].every((t) => {
  try { execFileSync("sh", ["-c", `command -v ${t}`]); return true; } catch { return false; }
});

/** Minimal check of a 16-bit PCM WAV header; returns the samples scaled to [-1, 1]. */
function readPcm16(file: string): { rate: number; channels: number; bits: number; samples: Float32Array } {
  const b = readFileSync(file);
  expect(b.toString("ascii", 0, 4)).toBe("RIFF");
  expect(b.toString("ascii", 8, 12)).toBe("WAVE");
  let p = 12, rate = 0, channels = 0, bits = 0;
  while (p + 8 <= b.length) {
    const id = b.toString("ascii", p, p + 4), size = b.readUInt32LE(p + 4);
    if (id === "fmt ") { channels = b.readUInt16LE(p + 10); rate = b.readUInt32LE(p + 12); bits = b.readUInt16LE(p + 22); }
    if (id === "data") {
      const samples = new Float32Array(size / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = b.readInt16LE(p + 8 + 2 * i) / 32768;
      return { rate, channels, bits, samples };
    }
    p += 8 + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

describe.skipIf(!hasTools)("synthetic KWS set (espeak-ng, flite, sox)", () => {
  if (!hasTools) console.warn("sox / espeak-ng / flite missing: apt-get install sox espeak-ng flite");
  const opts = (out: string): KwsSynthOptions => ({
    out, commands: ["yes", "no"], wakeWord: "marvin", unknownWords: ["cat", "tree"], speakers: 14, fliteShare: 0.3,
    repeats: 1, unknownPerSpeaker: 1, silenceClips: 6, noiseSeconds: 4, validationPct: 20, testingPct: 20, seed: 3,
  });

  test("writes the Speech Commands layout with no speaker in two splits, reproducibly", async () => {
    const out = mkdtempSync(join(tmpdir(), "kws-"));
    try {
      const t0 = performance.now();
      const m = await generateKws(opts(out));
      const s = (performance.now() - t0) / 1000;
      console.log(`generated ${m.clips.length} clips in ${s.toFixed(1)} s (${(m.clips.length / s).toFixed(0)} files/s)`);
      expect(m.clips.length).toBe(14 * 4 + 6);
      expect(m.labels).toEqual(["_silence_", "_unknown_", "yes", "no", "marvin"]);
      expect(new Set(m.speakers.map((x) => x.engine))).toEqual(new Set(["espeak-ng", "flite"]));
      for (const c of m.clips) {
        if (c.engine === "espeak-ng") expect(c.accent).toBe(c.voice.split("+")[0]);
        else if (c.engine === "flite") expect(["en-us", "en-gb-scotland"]).toContain(c.accent);
        else expect(c.accent).toBe("noise");
      }
      expect(readKwsManifest(out)).toEqual(m);
      const dirs = readdirSync(out).sort();
      expect(dirs).toEqual(["_background_noise_", "_silence_", "cat", "manifest.json", "marvin", "no", "testing_list.txt", "tree", "validation_list.txt", "yes"]);
      expect(readdirSync(join(out, "_background_noise_")).length).toBe(6);
      expect(readdirSync(join(out, "yes")).every((f) => /^[0-9a-f]{8}_nohash_\d+\.wav$/.test(f))).toBe(true);
      expect(readdirSync(out, { recursive: true }).filter((f) => String(f).includes(".tmp")).length).toBe(0);

      // Every clip: 1 s, 16 kHz, 16-bit, mono; words are audible, above the noise.
      for (const c of m.clips) {
        const w = readPcm16(join(out, c.file));
        expect([w.rate, w.channels, w.bits, w.samples.length]).toEqual([16000, 1, 16, 16000]);
        if (c.engine !== "noise") {
          const st = clipStats(w.samples);
          expect(st.rmsDb).toBeGreaterThan(-45);
          expect(st.peak).toBeLessThanOrEqual(1);
          if (c.snrDb !== undefined && c.snrDb > 15) expect(st.snrDb).toBeGreaterThan(5);
        }
      }

      // Splits: from the list files, per speaker, none shared; every split used.
      const ix = indexSpeechCommands(out, { wanted: ["yes", "no", "marvin"] });
      expect(ix.entries.length).toBe(m.clips.length);
      const items = ix.entries.map((e) => ({ id: e.relPath, label: e.label, split: e.split, speaker: e.speaker }));
      expect(speakerLeaks(items)).toEqual([]);
      expect(new Set(ix.entries.map((e) => e.split))).toEqual(new Set(["training", "validation", "testing"]));
      for (const e of ix.entries) expect(e.split).toBe(m.clips.find((c) => c.file === e.relPath)!.split);
      expect(ix.entries.filter((e) => e.word === "cat").every((e) => e.label === "_unknown_")).toBe(true);

      // loadClips reads the test split as one block with label indices.
      const testEntries = ix.entries.filter((e) => e.split === "testing");
      const block = loadClips(testEntries, ix.labels);
      expect(block.x.length).toBe(testEntries.length * 16000);
      const first = readPcm16(testEntries[0].file).samples;
      expect(block.x.subarray(0, 16000).every((v, i) => v === first[i])).toBe(true);
      expect(Array.from(block.y).map((k) => ix.labels[k])).toEqual(testEntries.map((e) => e.label));

      // The quality report finds no duplicates in a fresh set.
      const qItems = ix.entries.map((e) => {
        const samples = readPcm16(e.file).samples;
        return { id: e.relPath, label: e.label, split: e.split, speaker: e.speaker, samples, features: audioEmbedding(samples) };
      });
      const q = qualityReport(qItems);
      expect(q.exactDuplicates).toEqual([]);
      expect(q.speakerLeaks).toEqual([]);

      // Re-run: deleted file comes back byte-identical, the rest is skipped; the plan is the same.
      const victim = m.clips.find((c) => c.engine === "espeak-ng")!.file;
      const before = readFileSync(join(out, victim));
      unlinkSync(join(out, victim));
      let skipped = 0;
      const m2 = await generateKws({ ...opts(out), onProgress: (p) => (skipped = p.skipped) });
      expect(skipped).toBe(m.clips.length - 1);
      expect(readFileSync(join(out, victim)).equals(before)).toBe(true);
      expect(m2).toEqual(m);
      expect(statSync(join(out, "manifest.json")).size).toBeGreaterThan(1000);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  test("the plan is deterministic and the seed matters", () => {
    const a = planKws({ ...opts("x"), speakers: 40 });
    const b = planKws({ ...opts("x"), speakers: 40 });
    const c = planKws({ ...opts("x"), speakers: 40, seed: 4 });
    expect(a).toEqual(b);
    expect(a.speakers.map((s) => s.id)).not.toEqual(c.speakers.map((s) => s.id));
    expect(new Set(a.speakers.map((s) => s.id)).size).toBe(40);
    expect(() => planKws({ ...opts("x"), unknownWords: ["yes"] })).toThrow(/unknownWords/);
  });
});

const voices = findDigitVoices();
describe.skipIf(voices.length === 0)("real spoken digits (Debian asterisk prompts)", () => {
  if (voices.length === 0) console.warn("no asterisk prompts: apt-get install asterisk-core-sounds-en-wav (and -es/-fr/-it/-ru)");

  test("loads 10 centred 1 s clips per installed voice", async () => {
    const clips = await loadAsteriskDigits();
    console.log(`voices: ${voices.map((v) => `${v.voice} (${v.language}, ${v.gender})`).join(", ")}`);
    expect(clips.length).toBe(10 * voices.length);
    const clean = new Set(voices.filter((v) => v.ext === "wav").map((v) => v.voice));
    for (const c of clips) {
      expect(c.samples.length).toBe(16000);
      const mid = clipStats(c.samples.subarray(6000, 10000)).rmsDb;
      expect(mid).toBeGreaterThan(-40);
      // Studio WAV prompts: the word is centred in silence (the old GSM prompts carry noise and breaths).
      if (clean.has(c.voice)) expect(mid).toBeGreaterThan(clipStats(c.samples.subarray(0, 1000)).rmsDb + 10);
    }
    expect(new Set(clips.map((c) => c.label))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  }, 60_000);

  test("writes a held-out Speech Commands tree", async () => {
    const out = mkdtempSync(join(tmpdir(), "digits-"));
    try {
      const r = await writeDigitsLayout(out);
      const ix = indexSpeechCommands(out);
      expect(ix.entries.length).toBe(r.clips);
      expect(ix.entries.every((e) => e.split === "testing")).toBe(true);
      expect(new Set(ix.entries.map((e) => e.word)).size).toBe(10);
      expect(readPcm16(ix.entries[0].file).samples.length).toBe(16000);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
