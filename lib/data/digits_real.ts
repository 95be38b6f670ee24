/**
 * Real human speech for a "does it work for everyone?" check: the spoken digits 0–9 of the Asterisk
 * PBX prompt packages in Debian (asterisk-core-sounds-<lang>-wav), one professional speaker per
 * voice: asterisk-core-sounds-{en,es,fr,it,ru}-wav (en_US Allison, es_MX Allison, fr_CA June,
 * it_IT Carlo, ru_RU IvrvoiceRU) and the older prompt packages asterisk-prompt-es-co (Colombian
 * Spanish, GSM), asterisk-prompt-fr-armelle (French, Armelle Desjardins, GSM) and
 * asterisk-prompt-it-menardi-wav (Italian, Menardi).
 * The prompts are 8 kHz; sox resamples them to 16 kHz. Clips are trimmed of silence, centred and
 * padded or cropped to 1 s. Non-English voices say the digit in their own language ("cero", "un"…):
 * the label is the digit, not the English word.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeWav } from "../audio/wav.ts";
import { runPool, soxRead } from "./proc.ts";

/** Where Debian installs the prompts. */
export const ASTERISK_SOUNDS_DIR = "/usr/share/asterisk/sounds";

/** English names of the digits (the Speech Commands v2 folder names). */
export const DIGIT_WORDS: readonly string[] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

/** One installed prompt voice that has digits. */
export interface DigitVoice {
  /** Folder name, e.g. "fr_CA_f_June". */
  voice: string;
  /** BCP-47-like language tag, e.g. "fr-CA". */
  language: string;
  gender: "f" | "m" | "?";
  speaker: string;
  /** Absolute path of its digits/ folder. */
  dir: string;
  /** File extension of its prompts ("wav" or "gsm"). */
  ext: string;
}

/** One digit clip. */
export interface DigitClip {
  /** 16 kHz mono samples in [-1, 1], exactly `length` long. */
  samples: Float32Array;
  /** The digit 0..9. */
  label: number;
  word: string;
  voice: string;
  speaker: string;
  language: string;
  gender: "f" | "m" | "?";
  file: string;
}

/** Raised when no prompt package with digits is installed. */
export class AsteriskSoundsMissingError extends Error {
  constructor(root: string) {
    super(`No Asterisk digit prompts under ${root}. Install them with: apt-get install -y --no-install-recommends ` +
      `asterisk-core-sounds-en-wav asterisk-core-sounds-es-wav asterisk-core-sounds-fr-wav asterisk-core-sounds-it-wav ` +
      `asterisk-core-sounds-ru-wav asterisk-prompt-es-co asterisk-prompt-fr-armelle asterisk-prompt-it-menardi-wav`);
    this.name = "AsteriskSoundsMissingError";
  }
}

/** Prompt folders whose names do not follow <lang>_<REGION>_<f|m>_<Speaker>. */
const KNOWN_FOLDERS: Record<string, Omit<DigitVoice, "voice" | "dir" | "ext"> | undefined> = {
  es: { language: "es-CO", gender: "?", speaker: "es-co" },
  fr: { language: "fr-FR", gender: "f", speaker: "Armelle" },
};

/**
 * Installed voices with a complete digits/0..9 set (WAV or GSM).
 * @example
 * findDigitVoices().map((v) => v.language); // ["en-US", "es-MX", ...]
 */
export function findDigitVoices(root: string = ASTERISK_SOUNDS_DIR): DigitVoice[] {
  if (!existsSync(root)) return [];
  return readdirSync(root).sort().flatMap((voice): DigitVoice[] => {
    const dir = join(root, voice, "digits");
    const ext = ["wav", "gsm"].find((e) => DIGIT_WORDS.every((_, d) => existsSync(join(dir, `${d}.${e}`))));
    if (!ext) return [];
    // Names look like <lang>_<REGION>_<f|m>_<Speaker>; older packages use just "es", "fr".
    const m = /^([a-z]{2})_([A-Z]{2})_([fm])_(.+)$/.exec(voice);
    if (m) return [{ voice, language: `${m[1]}-${m[2]}`, gender: m[3] as "f" | "m", speaker: m[4], dir, ext }];
    const known = KNOWN_FOLDERS[voice] ?? { language: voice, gender: "?", speaker: voice };
    return [{ voice, ...known, dir, ext }];
  });
}

/** Read a prompt as mono float samples at `rate` with leading/trailing silence trimmed (sox). */
function readTrimmed(file: string, rate: number): Promise<Float32Array> {
  return soxRead(file, rate, ["silence", "1", "0.01", "0.5%", "reverse", "silence", "1", "0.01", "0.5%", "reverse"]);
}

/** Centre `x` in a window of `length` samples (cropping the middle when too long). */
function centre(x: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  if (x.length >= length) out.set(x.subarray((x.length - length) >> 1, ((x.length - length) >> 1) + length));
  else out.set(x, (length - x.length) >> 1);
  return out;
}

/**
 * All digit clips of all installed voices (10 per voice).
 * @example
 * const clips = await loadAsteriskDigits();
 * clips.filter((c) => c.language === "fr-CA").length; // 10
 */
export async function loadAsteriskDigits(
  opts: { root?: string; sampleRate?: number; length?: number; voices?: readonly string[] } = {},
): Promise<DigitClip[]> {
  const root = opts.root ?? ASTERISK_SOUNDS_DIR;
  const voices = findDigitVoices(root).filter((v) => !opts.voices || opts.voices.includes(v.voice));
  if (voices.length === 0) throw new AsteriskSoundsMissingError(root);
  const rate = opts.sampleRate ?? 16000;
  const length = opts.length ?? rate;
  const jobs = voices.flatMap((v) => DIGIT_WORDS.map((word, label) => ({ v, word, label })));
  return await runPool(jobs, 2, async ({ v, word, label }) => {
    const file = join(v.dir, `${label}.${v.ext}`);
    const samples = centre(await readTrimmed(file, rate), length);
    return { samples, label, word, voice: v.voice, speaker: v.speaker, language: v.language, gender: v.gender, file };
  });
}

/**
 * Copy the digits into the Speech Commands layout (`zero/ … nine/`, 1 s 16 kHz 16-bit WAVs named
 * `<voicehash>_nohash_0.wav`), all listed in `testing_list.txt` (a held-out set), plus `manifest.json`.
 */
export async function writeDigitsLayout(out: string, opts: { root?: string } = {}): Promise<{ clips: number; voices: string[] }> {
  const clips = await loadAsteriskDigits({ root: opts.root });
  const manifest = [];
  for (const c of clips) {
    const speaker = createHash("sha1").update(c.voice).digest("hex").slice(0, 8);
    const rel = `${c.word}/${speaker}_nohash_0.wav`;
    mkdirSync(join(out, c.word), { recursive: true });
    const tmp = join(out, c.word, `.tmp-${speaker}.wav`);
    writeFileSync(tmp, writeWav(c.samples, { sampleRate: 16000 }));
    renameSync(tmp, join(out, rel));
    manifest.push({ file: rel, label: c.word, digit: c.label, speaker, voice: c.voice, language: c.language, gender: c.gender, split: "testing", source: c.file });
  }
  writeFileSync(join(out, "testing_list.txt"), manifest.map((m) => m.file).join("\n") + "\n");
  writeFileSync(join(out, "validation_list.txt"), "");
  writeFileSync(join(out, "manifest.json"), JSON.stringify({ version: 1, sampleRate: 16000, clips: manifest }, null, 1));
  return { clips: clips.length, voices: [...new Set(clips.map((c) => c.voice))] };
}
