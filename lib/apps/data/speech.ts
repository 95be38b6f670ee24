/**
 * Spoken digits for the bias lesson: a synthetic training set (espeak-ng/flite voices saying "zero" … "nine",
 * generated once and cached), the real Asterisk prompt voices as the test of "does it work for real people?",
 * and small features a microcontroller can afford.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { logMelSpectrogram } from "../../audio/features.ts";
import { ensureDigits, ensureKws, kwsDir } from "../../data/cache.ts";
import { DIGIT_WORDS } from "../../data/digits_real.ts";
import type { KwsManifest } from "../../data/kws_synth.ts";
import { readKwsManifest } from "../../data/kws_synth.ts";
import type { QualityItem } from "../../data/quality.ts";
import { loadClip } from "../../data/speech_commands.ts";
import { DataLessonError } from "./errors.ts";

/** Feature settings: 1 s at 16 kHz → `frames` × `mels` log-mel values. */
export interface DigitFeatureOptions {
  /** Mel bands (default 16). */
  mels?: number;
  /** Hop in samples (default 640 = 40 ms: 25 frames of 30 ms for 1 s). */
  hop?: number;
  /** Highest frequency in Hz (default 4000: the real prompts are 8 kHz telephone audio). */
  fMax?: number;
  /** Dynamic range kept below the clip's loudest value, in natural-log units (default 10 ≈ 43 dB). */
  range?: number;
}

/**
 * Move the clip so its energy centroid (10 ms frames) sits in the middle: a word said early or late
 * gives the same features. Returns a new array of the same length.
 * @example
 * const c = centreByEnergy(samples);
 */
export function centreByEnergy(x: Float32Array): Float32Array {
  const f = 160;
  let num = 0, den = 0;
  for (let s = 0; s + f <= x.length; s += f) {
    let e = 0;
    for (let i = s; i < s + f; i++) e += x[i] * x[i];
    num += e * (s + f / 2);
    den += e;
  }
  const shift = den > 0 ? Math.round(x.length / 2 - num / den) : 0;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const j = i - shift;
    if (j >= 0 && j < x.length) out[i] = x[j];
  }
  return out;
}

/**
 * Features of one 1 s clip: centred by energy, log-mel (frames × mels, row-major), scaled so the loudest
 * value is 1 and everything `range` below it is 0. Loudness-independent, so a quiet speaker and a loud one
 * look alike.
 * @example
 * const f = digitFeatures(samples); // Float32Array(25 * 16)
 */
export function digitFeatures(samples: Float32Array, opts: DigitFeatureOptions = {}): Float32Array {
  const range = opts.range ?? 10;
  const lm = logMelSpectrogram(centreByEnergy(samples), {
    sampleRate: 16000, frameLength: 480, fftLength: 512, hopLength: opts.hop ?? 640, numMels: opts.mels ?? 16, fMin: 100, fMax: opts.fMax ?? 4000,
  });
  let max = -Infinity;
  for (const v of lm.data) max = Math.max(max, v);
  return Float32Array.from(lm.data, (v) => Math.max(0, 1 + (v - max) / range));
}

/** Number of frames {@link digitFeatures} makes for 1 s of audio. */
export function digitFeatureFrames(opts: DigitFeatureOptions = {}): number {
  return 1 + Math.floor((16000 - 480) / (opts.hop ?? 640));
}

/** One spoken digit with who said it. */
export interface SpokenDigit {
  id: string;
  /** 0..9. */
  digit: number;
  samples: Float32Array;
  speaker: string;
  /** Synthetic: the espeak language / flite accent ("en-us", "de", …). Real: the language tag ("fr-CA"). */
  accent: string;
  /** Synthetic: "training"/"validation"/"testing". Real: "real". */
  split: string;
  /** Real voices: the Asterisk voice folder; synthetic: the synthesiser voice. */
  voice: string;
}

/** Options of {@link loadSynthDigits}. */
export interface SynthDigitsOptions {
  /** Synthetic speakers (default 150; about 10 s to generate the first time). */
  speakers?: number;
  /** Percentage of speakers held out for testing (default 30). */
  testingPct?: number;
  seed?: number;
  /** Folder name under datasets/generated (default "digits_synth"). */
  name?: string;
}

/**
 * Synthetic voices saying the digits zero … nine, generated once into `datasets/generated/<name>` with
 * lib/data's keyword-spotting synthesiser (commands = the digit words, no wake word, no unknown words,
 * no silence) and loaded as 16 kHz clips.
 * @example
 * const synth = await loadSynthDigits(); // ~1 500 clips, 10 per speaker
 */
export async function loadSynthDigits(opts: SynthDigitsOptions = {}): Promise<{ clips: SpokenDigit[]; manifest: KwsManifest }> {
  const name = opts.name ?? "digits_synth";
  const manifest = await ensureKws({
    name, commands: DIGIT_WORDS, wakeWord: "", unknownWords: [], unknownPerSpeaker: 0, silenceClips: 0, noiseSeconds: 5,
    speakers: opts.speakers ?? 150, repeats: 1, validationPct: 0, testingPct: opts.testingPct ?? 30, seed: opts.seed ?? 5, progress: false,
  });
  const want = { speakers: opts.speakers ?? 150, seed: opts.seed ?? 5 };
  if (manifest.speakers.length !== want.speakers || manifest.seed !== want.seed) {
    throw new DataLessonError(`datasets/generated/${name} holds ${manifest.speakers.length} speakers (seed ${manifest.seed}), not ${want.speakers} (seed ${want.seed}); delete the folder or pass another name`);
  }
  const dir = kwsDir(name);
  const clips = manifest.clips.map((c) => ({
    id: c.file, digit: DIGIT_WORDS.indexOf(c.label), samples: loadClip(join(dir, c.file)), speaker: c.speaker, accent: c.accent, split: c.split, voice: c.voice,
  }));
  return { clips, manifest };
}

/** A row of the real digits' manifest (see lib/data/digits_real writeDigitsLayout). */
interface RealDigitRow {
  file: string;
  digit: number;
  speaker: string;
  voice: string;
  language: string;
}

/**
 * The real human digit prompts of the installed Asterisk voices (10 clips per voice), written once by
 * `ensureDigits()`. `accent` is the language tag, `speaker` the voice folder.
 * @example
 * const real = await loadRealDigits(); real.length; // 10 × installed voices
 */
export async function loadRealDigits(): Promise<SpokenDigit[]> {
  const dir = await ensureDigits();
  const rows = (JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { clips: RealDigitRow[] }).clips;
  return rows.map((r) => ({ id: r.file, digit: r.digit, samples: loadClip(join(dir, r.file)), speaker: r.voice, accent: r.language, split: "real", voice: r.voice }));
}

/**
 * The clips of a synthetic keyword-spotting set as quality items (samples, speaker, split; no features yet).
 * @example
 * const items = kwsQualityItems(kwsDir(), await ensureKws());
 */
export function kwsQualityItems(dir: string, manifest: KwsManifest = readKwsManifest(dir)): QualityItem[] {
  return manifest.clips.map((c) => ({ id: c.file, label: c.label, split: c.split, speaker: c.speaker, samples: loadClip(join(dir, c.file)) }));
}

/** Coarse accent group of a synthetic speaker: "English accent" or "foreign accent" (espeak reading English with another language's rules). */
export function accentGroup(accent: string): "English accent" | "foreign accent" {
  return accent.startsWith("en") ? "English accent" : "foreign accent";
}
