/**
 * A synthetic keyword-spotting dataset in the Speech Commands layout, spoken by the speech
 * synthesisers espeak-ng (many languages/accents × voice variants × pitch × speed) and flite, shaped
 * with sox (16 kHz, trimmed, random gain and time shift, background noise).
 *
 * Every "speaker" is one synthesiser setting; its id is a hash of that setting, and splits are made
 * per speaker with the Speech Commands rule (`whichSet`), so no speaker is in two splits.
 * The plan is computed from the seed alone, so re-running gives the same files; finished files are
 * skipped and every file is written under a temporary name and renamed when complete.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { mulberry32, randn, type Rng } from "../util/random.ts";
import { readWav, writeWav } from "../audio/wav.ts";
import { hasTool, runPool, sh, shQuote, toFloat32 } from "./proc.ts";
import { SPEECH_COMMANDS_WORDS, type Split, whichSet } from "./speech_commands.ts";

/** Words used as `_unknown_` by default (none sounds like a command). */
export const DEFAULT_UNKNOWN_WORDS: readonly string[] = ["bed", "bird", "cat", "dog", "happy", "house", "tree", "wow", "seven", "learn", "follow", "visual"];

/** espeak-ng English accents. Half of the espeak speakers use one of these. */
export const ESPEAK_ENGLISH: readonly string[] = [
  "en", "en-us", "en-gb-scotland", "en-029", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-us-nyc",
];

/** Other espeak-ng languages, reading the English words with their own rules: strong foreign accents. */
export const ESPEAK_FOREIGN: readonly string[] = [
  "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "fi", "cs", "ro", "id", "hu", "af", "da",
];

/** All espeak-ng languages used. */
export const ESPEAK_LANGUAGES: readonly string[] = [...ESPEAK_ENGLISH, ...ESPEAK_FOREIGN];

/** Accent of each flite voice (awb is a Scottish English speaker; the others are US English). */
const FLITE_ACCENT: Record<string, string> = { kal: "en-us", kal16: "en-us", awb: "en-gb-scotland", rms: "en-us", slt: "en-us" };

/** espeak-ng voice variants (files in espeak-ng-data/voices/!v). */
export const ESPEAK_VARIANTS: readonly string[] = [
  "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5", "croak", "klatt", "klatt2", "klatt3",
  "Andy", "Annie", "anika", "belinda", "benjamin", "boris", "caleb", "david", "ed", "edward", "grandma", "grandpa",
  "iven", "john", "linda", "max", "michel", "norbert", "paul", "pablo", "robert", "steph", "travis", "victor", "zac",
];

/** flite's built-in voices (awb_time is a limited-domain clock voice and is left out). */
export const FLITE_VOICES: readonly string[] = ["kal", "kal16", "awb", "rms", "slt"];

/** Background noise recordings written to `_background_noise_/`. */
export const NOISE_KINDS = ["white_noise", "pink_noise", "brown_noise", "hum_50hz", "fan", "babble"] as const;
export type NoiseKind = typeof NOISE_KINDS[number];

/** Options of the generator. Defaults give the full set (about 8 000 clips). */
export interface KwsSynthOptions {
  /** Output folder. */
  out: string;
  /** Command words (default: the ten Speech Commands words). */
  commands?: readonly string[];
  /** Custom wake word, spoken like a command (default "marvin"); "" to leave out. */
  wakeWord?: string;
  /** Words stored in their own folders and labelled `_unknown_` by loaders. */
  unknownWords?: readonly string[];
  /** Number of synthetic speakers (default 300). */
  speakers?: number;
  /** Fraction of speakers that use flite instead of espeak-ng (default 0.15). */
  fliteShare?: number;
  /** Utterances per speaker of each command/wake word (default 2). */
  repeats?: number;
  /** Unknown words each speaker says once (default 3). */
  unknownPerSpeaker?: number;
  /** Clips of `_silence_` cut from the background noise (default 400). */
  silenceClips?: number;
  /** Length of each background noise file in seconds (default 30). */
  noiseSeconds?: number;
  /** Fraction of clips with background noise mixed in (default 0.8). */
  noiseProbability?: number;
  validationPct?: number;
  testingPct?: number;
  seed?: number;
  /** Parallel sox/espeak pipelines (default 2). */
  concurrency?: number;
  /** Called after every finished (or skipped) file. */
  onProgress?: (p: { done: number; total: number; skipped: number; file: string }) => void;
}

/** A smaller set (about 450 clips) for tests and notebooks. */
export const KWS_SMALL: Partial<KwsSynthOptions> = { speakers: 30, repeats: 1, unknownPerSpeaker: 2, silenceClips: 40, noiseSeconds: 10 };

/** One synthetic speaker. */
export interface KwsSpeaker {
  /** 8-hex-digit hash, used in file names. */
  id: string;
  engine: "espeak-ng" | "flite";
  /** espeak "lang+variant" or flite voice name. */
  voice: string;
  /** Language/accent: the espeak language (e.g. "en-gb-scotland", "de") or the flite voice's accent. */
  accent: string;
  /** espeak pitch 0..99, or flite mean F0 in Hz. */
  pitch: number;
  /** espeak words per minute, or flite duration stretch. */
  speed: number;
  split: Split;
}

/** One clip of the manifest. */
export interface KwsClip {
  /** Path relative to the output folder, e.g. "yes/1a2b3c4d_nohash_0.wav". */
  file: string;
  /** Folder name (the word, or `_silence_`). */
  word: string;
  /** Training label: the word for commands/wake word, `_unknown_`, or `_silence_`. */
  label: string;
  speaker: string;
  voice: string;
  /** Accent of the speaker (see KwsSpeaker.accent); "noise" for `_silence_`. Handy as a group for lib/data/bias. */
  accent: string;
  engine: "espeak-ng" | "flite" | "noise";
  split: Split;
  /**
   * Augmentation: gain in dB (speech peak is at `gainDb` dBFS before noise; for `_silence_`, the
   * noise RMS level in dBFS), where the word starts (ms), the noise kind and the signal-to-noise
   * ratio in dB (speech RMS over the word vs noise RMS).
   */
  gainDb: number;
  shiftMs: number;
  noise?: string;
  snrDb?: number;
  /** Voice settings: espeak pitch (0..99) and words per minute, or flite mean F0 (Hz) and duration stretch. */
  pitch?: number;
  speed?: number;
  /** espeak-ng only: this utterance's SSML prosody relative to the speaker (rate in %, pitch change in %). */
  prosody?: { rate: number; pitch: number };
  /** For `_silence_`: offset into the noise file in seconds. */
  offsetS?: number;
}

/** What `generateKws` writes to `manifest.json`. */
export interface KwsManifest {
  version: 1;
  seed: number;
  sampleRate: 16000;
  labels: string[];
  commands: string[];
  wakeWord: string;
  unknownWords: string[];
  speakers: KwsSpeaker[];
  noise: string[];
  clips: KwsClip[];
}

const hash8 = (s: string): string => createHash("sha1").update(s).digest("hex").slice(0, 8);
const pick = <T>(items: readonly T[], rng: Rng): T => items[Math.floor(rng() * items.length)];
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/** Draw `count` distinct speakers from the seed. */
export function planSpeakers(count: number, seed: number, fliteShare = 0.15, validationPct = 10, testingPct = 10): KwsSpeaker[] {
  const rng = mulberry32(seed ^ 0x5eed);
  const seen = new Set<string>();
  const speakers: KwsSpeaker[] = [];
  while (speakers.length < count) {
    const flite = rng() < fliteShare;
    const lang = pick(rng() < 0.5 ? ESPEAK_ENGLISH : ESPEAK_FOREIGN, rng);
    const voice = flite ? pick(FLITE_VOICES, rng) : `${lang}+${pick(ESPEAK_VARIANTS, rng)}`;
    // Quantised settings, so "the same speaker" is a well-defined setting.
    const pitch = flite ? Math.round(80 + 150 * rng()) : Math.round(15 + 70 * rng());
    const speed = flite ? round(0.8 + 0.6 * rng()) : Math.round(120 + 90 * rng());
    const key = `${flite ? "flite" : "espeak-ng"}|${voice}|${pitch}|${speed}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const id = hash8(key);
    const accent = flite ? FLITE_ACCENT[voice] ?? "en-us" : lang;
    speakers.push({ id, engine: flite ? "flite" : "espeak-ng", voice, accent, pitch, speed, split: whichSet(id, validationPct, testingPct) });
  }
  return speakers;
}

/**
 * The full list of clips (no audio is made): deterministic for given options.
 * @example
 * const m = planKws({ out: "x", ...KWS_SMALL }); m.clips.length;
 */
export function planKws(opts: KwsSynthOptions): KwsManifest {
  const seed = opts.seed ?? 0;
  const commands = [...(opts.commands ?? SPEECH_COMMANDS_WORDS)];
  const wakeWord = opts.wakeWord ?? "marvin";
  const unknownWords = [...(opts.unknownWords ?? DEFAULT_UNKNOWN_WORDS)];
  const targets = wakeWord ? [...commands, wakeWord] : commands;
  for (const w of [...targets, ...unknownWords]) {
    if (!/^[a-z][a-z' -]*$/i.test(w)) throw new RangeError(`word ${JSON.stringify(w)}: use letters, spaces, apostrophes or hyphens only`);
  }
  const overlap = unknownWords.filter((w) => targets.includes(w));
  if (overlap.length) throw new RangeError(`unknownWords must not contain command/wake words: ${overlap.join(", ")}`);
  const valPct = opts.validationPct ?? 10, testPct = opts.testingPct ?? 10;
  const speakers = planSpeakers(opts.speakers ?? 300, seed, opts.fliteShare, valPct, testPct);
  const noise = [...NOISE_KINDS];
  const rng = mulberry32(seed);
  const noiseP = opts.noiseProbability ?? 0.8;
  const noiseS = opts.noiseSeconds ?? 30;
  const clips: KwsClip[] = [];
  const utter = (s: KwsSpeaker, word: string, label: string, n: number): void => {
    // Each repetition varies a little around the speaker's habit.
    const a = randn(rng), b = randn(rng);
    const clip: KwsClip = {
      file: `${word}/${s.id}_nohash_${n}.wav`, word, label, speaker: s.id, voice: s.voice, accent: s.accent, engine: s.engine, split: s.split,
      // shiftMs is drawn as a fraction of the free room and resolved to ms once the word's length is known.
      gainDb: round(-1 - 14 * rng(), 1), shiftMs: Math.round(rng() * 1000) / 1000,
      ...(s.engine === "flite"
        ? { pitch: Math.round(s.pitch * (1 + 0.04 * a)), speed: round(s.speed * (1 + 0.05 * b)) }
        : { pitch: s.pitch, speed: s.speed, prosody: { rate: Math.round(100 * (1 + 0.05 * b)), pitch: Math.round(5 * a) } }),
    };
    if (rng() < noiseP) {
      clip.noise = pick(noise, rng);
      clip.snrDb = round(3 + 32 * rng(), 1);
      clip.offsetS = round(rng() * (noiseS - 1.01), 3);
    }
    clips.push(clip);
  };
  for (const s of speakers) {
    const reps = opts.repeats ?? 2;
    for (const w of targets) for (let n = 0; n < reps; n++) utter(s, w, w, n);
    const mine = [...unknownWords];
    for (let k = 0; k < Math.min(opts.unknownPerSpeaker ?? 3, mine.length); k++) {
      const j = k + Math.floor(rng() * (mine.length - k)); // partial Fisher–Yates: distinct words
      [mine[k], mine[j]] = [mine[j], mine[k]];
      utter(s, mine[k], "_unknown_", 0);
    }
  }
  // _silence_: pieces of the noise recordings; each recording is cut in time (first 80 % train,
  // then validation, then test), so no noise segment is shared between splits.
  const bounds: Record<Split, [number, number]> = {
    training: [0, 1 - (valPct + testPct) / 100], validation: [1 - (valPct + testPct) / 100, 1 - testPct / 100], testing: [1 - testPct / 100, 1],
  };
  for (let i = 0; i < (opts.silenceClips ?? 400); i++) {
    const kind = noise[i % noise.length];
    const u = rng();
    const split: Split = u < valPct / 100 ? "validation" : u < (valPct + testPct) / 100 ? "testing" : "training";
    const [a, b] = bounds[split];
    const offsetS = round(a * noiseS + rng() * Math.max(0, (b - a) * noiseS - 1.01), 3);
    const speaker = hash8(`noise|${kind}|${split}`);
    // Quiet to loud; some almost digital silence.
    clips.push({ file: `_silence_/${speaker}_nohash_${i}.wav`, word: "_silence_", label: "_silence_", speaker, voice: kind, accent: "noise", engine: "noise", split, gainDb: round(-65 + 50 * rng(), 1), shiftMs: 0, offsetS });
  }
  return {
    version: 1, seed, sampleRate: 16000, labels: ["_silence_", "_unknown_", ...targets], commands, wakeWord, unknownWords,
    speakers, noise: noise.map((k) => `_background_noise_/${k}.wav`), clips,
  };
}

/** Sentences for the babble noise (several voices talking at once). */
const BABBLE = [
  "the weather today is cloudy with a chance of rain later in the afternoon",
  "could you please pass me the salt and the pepper over there",
  "we should meet at the station around half past nine tomorrow morning",
  "she said the package would arrive sometime next week if all goes well",
];

/** sox command line making one background noise file. */
function noiseCommand(kind: NoiseKind, seconds: number, dest: string): string {
  const fmt = "-r 16000 -b 16 -c 1";
  const d = seconds;
  switch (kind) {
    case "white_noise": return `sox -R -D -n ${fmt} -t wav ${dest} synth ${d} whitenoise norm -3`;
    case "pink_noise": return `sox -R -D -n ${fmt} -t wav ${dest} synth ${d} pinknoise norm -3`;
    case "brown_noise": return `sox -R -D -n ${fmt} -t wav ${dest} synth ${d} brownnoise norm -3`;
    case "hum_50hz": // mains hum: 50 Hz with odd harmonics and a little hiss
      return `sox -R -D -m -v 0.3 "|sox -R -n ${fmt} -p synth ${d} sine 50" -v 0.12 "|sox -R -n ${fmt} -p synth ${d} sine 150" ` +
        `-v 0.06 "|sox -R -n ${fmt} -p synth ${d} sine 250" -v 0.02 "|sox -R -n ${fmt} -p synth ${d} whitenoise" -t wav ${dest} norm -3`;
    case "fan": // broadband airflow with blade-pass flutter
      return `sox -R -D -n ${fmt} -t wav ${dest} synth ${d} pinknoise band 500 400 tremolo 23 40 norm -3`;
    case "babble": {
      const voices = ["en-us+m3", "en+f2", "en-gb-x-rp+m5", "en-us+f4"];
      const inputs = voices.map((v, i) =>
        `-v 0.35 "|espeak-ng -v ${v} -s ${150 + 10 * i} --stdout '${BABBLE.join(" ")} ${BABBLE[i]}' | sox -R -D -t wav - ${fmt} -p repeat 20 trim ${i * 1.3} ${d}"`);
      return `sox -R -D -m ${inputs.join(" ")} -t wav ${dest} trim 0 ${d} norm -3`;
    }
  }
}

/** Raised when a needed command-line tool is missing. */
export class MissingToolError extends Error {
  constructor(tool: string, pkg: string) {
    super(`"${tool}" not found. Install it with: apt-get install -y --no-install-recommends ${pkg}`);
    this.name = "MissingToolError";
  }
}

/** Write `file` atomically: `make(tmp)` writes a temporary file that is renamed when complete. */
async function atomic(file: string, make: (tmp: string) => Promise<void> | void): Promise<void> {
  const tmp = join(file, "..", `.tmp-${process.pid}-${file.split("/").pop()}`);
  try {
    await make(tmp);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

const RATE = 16000;

/** Root-mean-square of x. */
function rms(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, x.length));
}

/** Background noise recordings, loaded once per run. */
type NoiseBank = Map<string, Float32Array>;

/** One second of a noise recording starting at `offsetS`. */
function noiseSegment(bank: NoiseBank, kind: string, offsetS: number): Float32Array {
  const start = Math.round(offsetS * RATE);
  return bank.get(kind)!.slice(start, start + RATE);
}

/** sox arguments that turn a synthesiser's WAV on stdin into 16 kHz float32 raw samples on stdout. */
const TO_RAW = `sox -R -D -t wav - -r ${RATE} -c 1 -e floating-point -b 32 -t raw -`;

/** SSML for espeak-ng: each word its own sentence in its own prosody, separated by long pauses. */
function ssml(clips: readonly KwsClip[]): string {
  const body = clips.map((c) => {
    const p = c.prosody ?? { rate: 100, pitch: 0 };
    return `<prosody rate="${p.rate}%" pitch="${p.pitch >= 0 ? "+" : ""}${p.pitch}%">${c.word}.</prosody><break time="800ms"/>`;
  });
  return `<speak>${body.join("")}</speak>`;
}

/** Command line synthesising `clips` (one speaker) as one stream of 16 kHz float samples. */
function synthCommand(clips: readonly KwsClip[], tempo?: number): string {
  const c = clips[0];
  const synth = c.engine === "espeak-ng"
    ? `espeak-ng -m -v ${shQuote(c.voice)} -p ${c.pitch} -s ${c.speed} --stdout ${shQuote(ssml(clips))}`
    : `flite -voice ${shQuote(c.voice)} --setf int_f0_target_mean=${c.pitch} --setf duration_stretch=${c.speed} -t ${shQuote(c.word)} -o /dev/stdout`;
  return `${synth} | ${TO_RAW}${tempo ? ` tempo -s ${tempo}` : ""}`;
}

/** Remove DC, peak-normalise to -1 dBFS and cut the silence before and after the word (keeping 5 ms). */
function tidy(x: Float32Array): Float32Array {
  let mean = 0, peak = 0;
  for (let i = 0; i < x.length; i++) mean += x[i];
  mean /= Math.max(1, x.length);
  for (let i = 0; i < x.length; i++) peak = Math.max(peak, Math.abs(x[i] - mean));
  if (peak === 0) return new Float32Array(0);
  const g = 0.891 / peak, thr = 0.002;
  let a = 0, b = x.length - 1;
  while (a < b && Math.abs((x[a] - mean) * g) < thr) a++;
  while (b > a && Math.abs((x[b] - mean) * g) < thr) b--;
  const margin = Math.round(0.005 * RATE);
  return Float32Array.from(x.subarray(Math.max(0, a - margin), Math.min(x.length, b + 1 + margin)), (v) => (v - mean) * g);
}

/**
 * Split a stream of words separated by long pauses: runs of 10 ms frames above -70 dBFS, merged
 * across gaps shorter than 250 ms (stop consonants, pauses inside a word).
 */
function splitWords(x: Float32Array): Float32Array[] {
  const f = RATE / 100;
  const loud: boolean[] = [];
  for (let s = 0; s + f <= x.length; s += f) {
    let e = 0;
    for (let i = s; i < s + f; i++) e += x[i] * x[i];
    loud.push(e / f > 1e-7);
  }
  const runs: [number, number][] = [];
  for (let i = 0; i < loud.length; i++) {
    if (!loud[i]) continue;
    const last = runs[runs.length - 1];
    if (last && i - last[1] < 25) last[1] = i;
    else runs.push([i, i]);
  }
  return runs.map(([a, b]) => x.slice(Math.max(0, a - 2) * f, Math.min(loud.length, b + 3) * f));
}

/**
 * Synthesise the words of `clips` (all of one speaker and engine), each trimmed and peak-normalised
 * 16 kHz audio. espeak-ng says them all in one run (`batch`, the default: one process instead of one
 * per word, several times faster); if the pauses cannot be found reliably, or with `batch: false`,
 * every word is synthesised on its own.
 * @example
 * const m = planKws({ out: "x", speakers: 1 });
 * const words = await synthesizeWords(m.clips.filter((c) => c.engine === "espeak-ng"));
 */
export async function synthesizeWords(clips: readonly KwsClip[], opts: { batch?: boolean } = {}): Promise<Float32Array[]> {
  const one = async (c: KwsClip): Promise<Float32Array> => {
    let w = tidy(splitWords(toFloat32(await sh(synthCommand([c])))).reduce((a, b) => (b.length > a.length ? b : a), new Float32Array(0)));
    // Too long for the window (slow speaker, long word): speed it up to fit, like a hurried speaker.
    if (w.length > 0.96 * RATE) w = tidy(toFloat32(await sh(synthCommand([c], round(w.length / (0.95 * RATE), 3)))));
    return w;
  };
  const each = async (): Promise<Float32Array[]> => {
    const out: Float32Array[] = [];
    for (const c of clips) out.push(await one(c)); // one at a time: the caller decides the parallelism
    return out;
  };
  if (clips.length === 0) return [];
  if (new Set(clips.map((c) => `${c.engine}|${c.voice}|${c.pitch}|${c.speed}`)).size > 1 && opts.batch !== false && clips[0].engine === "espeak-ng") {
    throw new RangeError("synthesizeWords: batch synthesis needs clips of one speaker (same voice, pitch and speed)");
  }
  if (clips[0].engine !== "espeak-ng" || clips.length === 1 || opts.batch === false) return each();
  const words = splitWords(toFloat32(await sh(synthCommand(clips)))).map(tidy);
  if (words.length !== clips.length) return each(); // rare: fall back, same result every run
  const out: Float32Array[] = [];
  for (const [i, w] of words.entries()) out.push(w.length > 0.96 * RATE ? await one(clips[i]) : w);
  return out;
}

/** Make one clip's audio: place the word in 1 s, set its gain, add noise at the planned SNR. */
async function renderClip(out: string, c: KwsClip, bank: NoiseBank, spoken?: Float32Array): Promise<void> {
  const x = new Float32Array(RATE);
  if (c.engine === "noise") {
    const seg = noiseSegment(bank, c.voice, c.offsetS!);
    const g = 10 ** (c.gainDb / 20) / Math.max(1e-9, rms(seg));
    for (let i = 0; i < RATE; i++) x[i] = seg[i] * g;
  } else {
    if (!spoken) throw new Error(`internal: no audio for ${c.file}`);
    const word = spoken.subarray(0, RATE);
    const start = Math.round(c.shiftMs * Math.max(0, RATE - word.length));
    c.shiftMs = Math.round((start / RATE) * 1000); // resolved: now in ms
    const g = 10 ** (c.gainDb / 20);
    for (let i = 0; i < word.length; i++) x[start + i] = word[i] * g;
    if (c.noise) {
      const seg = noiseSegment(bank, c.noise, c.offsetS!);
      const k = (rms(word) * g) / Math.max(1e-9, rms(seg)) / 10 ** (c.snrDb! / 20);
      for (let i = 0; i < RATE; i++) x[i] += seg[i] * k;
    }
  }
  await atomic(join(out, c.file), (tmp) => writeFileSync(tmp, writeWav(x, { sampleRate: RATE })));
}

/**
 * Read the `manifest.json` of a generated set (e.g. to group test clips by accent for lib/data/bias).
 * @example
 * const m = readKwsManifest("datasets/generated/kws");
 * const accentOf = new Map(m.clips.map((c) => [c.file, c.accent]));
 */
export function readKwsManifest(dir: string): KwsManifest {
  const p = join(dir, "manifest.json");
  if (!existsSync(p)) throw new RangeError(`${p} not found; generate the set with: deno run -A datasets/generate.ts kws --out ${dir}`);
  return JSON.parse(readFileSync(p, "utf8")) as KwsManifest;
}

/**
 * Generate (or complete) the dataset in `opts.out` and write `manifest.json`, `validation_list.txt`
 * and `testing_list.txt`. Existing finished files are kept.
 * @example
 * const m = await generateKws({ out: "datasets/generated/kws", ...KWS_SMALL,
 *   onProgress: (p) => console.log(`${p.done}/${p.total}`) });
 */
export async function generateKws(opts: KwsSynthOptions): Promise<KwsManifest> {
  for (const [tool, pkg] of [["sox", "sox"], ["espeak-ng", "espeak-ng"], ["flite", "flite"]]) {
    if (!(await hasTool(tool))) throw new MissingToolError(tool, pkg);
  }
  const m = planKws(opts);
  const out = opts.out;
  const noiseS = opts.noiseSeconds ?? 30;
  if (noiseS < 2) throw new RangeError(`noiseSeconds must be at least 2, got ${noiseS}`);
  for (const dir of ["_background_noise_", ...new Set(m.clips.map((c) => c.word))]) mkdirSync(join(out, dir), { recursive: true });
  // Background noise first: clips mix it in. Every noise file is peak-normalised to -3 dBFS.
  await runPool([...NOISE_KINDS], opts.concurrency ?? 2, async (kind) => {
    const dest = join(out, "_background_noise_", `${kind}.wav`);
    if (!existsSync(dest)) await atomic(dest, (tmp) => sh(noiseCommand(kind, noiseS, shQuote(tmp))).then(() => {}));
  });
  const bank: NoiseBank = new Map();
  for (const kind of NOISE_KINDS) bank.set(kind, readWav(readFileSync(join(out, "_background_noise_", `${kind}.wav`))).samples[0]);
  // Jobs: all espeak-ng clips of one speaker together (one synthesiser run), other clips alone.
  const jobs: KwsClip[][] = [];
  const bySpeaker = new Map<string, KwsClip[]>();
  for (const c of m.clips) {
    if (c.engine !== "espeak-ng") { jobs.push([c]); continue; }
    if (!bySpeaker.has(c.speaker)) { bySpeaker.set(c.speaker, []); jobs.push(bySpeaker.get(c.speaker)!); }
    bySpeaker.get(c.speaker)!.push(c);
  }
  let done = 0, skipped = 0;
  await runPool(jobs, opts.concurrency ?? 2, async (job) => {
    const missing = job.filter((c) => !existsSync(join(out, c.file)));
    // A speaker's words are always made together, so a re-made file is identical to the first one.
    const words = missing.length && job[0].engine !== "noise" ? await synthesizeWords(job) : undefined;
    for (const [i, c] of job.entries()) {
      if (missing.includes(c)) await renderClip(out, c, bank, words?.[i]);
      else {
        skipped++;
        // Without the audio the resolved shift is unknown: it is taken from the earlier manifest below.
        if (c.engine !== "noise" && !words) c.shiftMs = -1;
        else if (words) c.shiftMs = Math.round((Math.round(c.shiftMs * Math.max(0, RATE - Math.min(RATE, words[i].length))) / RATE) * 1000);
      }
      opts.onProgress?.({ done: ++done, total: m.clips.length, skipped, file: c.file });
    }
  });
  // Keep the first run's resolved shifts when re-running over finished files.
  const manifestPath = join(out, "manifest.json");
  if (existsSync(manifestPath)) {
    try {
      const old = JSON.parse(readFileSync(manifestPath, "utf8")) as KwsManifest;
      const shifts = new Map(old.clips.map((c) => [c.file, c.shiftMs]));
      for (const c of m.clips) if (c.shiftMs === -1 && shifts.has(c.file)) c.shiftMs = shifts.get(c.file)!;
    } catch { /* a broken manifest is simply rewritten */ }
  }
  const write = (name: string, text: string) => {
    writeFileSync(join(out, `.${name}.tmp`), text);
    renameSync(join(out, `.${name}.tmp`), join(out, name));
  };
  const list = (split: Split) => m.clips.filter((c) => c.split === split).map((c) => c.file).join("\n") + "\n";
  write("validation_list.txt", list("validation"));
  write("testing_list.txt", list("testing"));
  write("manifest.json", JSON.stringify(m, null, 1));
  return m;
}
