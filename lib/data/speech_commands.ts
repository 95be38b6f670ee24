/**
 * The Speech Commands layout (P. Warden, 2018): one folder per spoken word holding 1 s 16 kHz WAVs named
 * `<speakerhash>_nohash_<n>.wav`, `_background_noise_/` with long noise recordings, and
 * `validation_list.txt` / `testing_list.txt` naming the held-out files. Also: a resumable,
 * checksum-verified downloader and tar.gz extraction.
 */
import { createHash } from "node:crypto";
import { closeSync, createReadStream, existsSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, join } from "node:path";
import { readWav } from "../audio/wav.ts";
import { resample } from "../audio/resample.ts";
import { sh, shQuote } from "./proc.ts";

/** Where the official v0.02 archive lives (2.3 GB). */
export const SPEECH_COMMANDS_V2_URL = "http://download.tensorflow.org/data/speech_commands_v0.02.tar.gz";

/** The ten command words of the standard 12-class task (plus _silence_ and _unknown_). */
export const SPEECH_COMMANDS_WORDS: readonly string[] = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"];

export type Split = "training" | "validation" | "testing";

/** Speaker part of a Speech Commands file name: everything before `_nohash_`. */
export function speakerOf(file: string): string {
  return basename(file).replace(/_nohash_.*$/, "");
}

/**
 * The dataset's own deterministic split rule: hash the speaker part of the file name, so every clip
 * of one speaker lands in the same split and adding files never moves old ones.
 * @example
 * whichSet("yes/0a7c2a8d_nohash_0.wav", 10, 10); // "training" | "validation" | "testing"
 */
export function whichSet(file: string, validationPct = 10, testingPct = 10): Split {
  const maxPerClass = 2n ** 27n - 1n;
  const hex = createHash("sha1").update(speakerOf(file)).digest("hex");
  const pct = Number(BigInt("0x" + hex) % (maxPerClass + 1n)) * (100 / Number(maxPerClass));
  if (pct < validationPct) return "validation";
  if (pct < validationPct + testingPct) return "testing";
  return "training";
}

/** One clip of a Speech Commands-style folder. */
export interface SpeechCommandsEntry {
  /** Absolute path. */
  file: string;
  /** Path relative to the root, with "/" (as in the list files). */
  relPath: string;
  /** Folder name: the spoken word (or "_silence_"). */
  word: string;
  /** Training label: the word if wanted, else "_unknown_" (or "_silence_"). */
  label: string;
  speaker: string;
  split: Split;
}

/** An indexed dataset folder. */
export interface SpeechCommandsIndex {
  root: string;
  entries: SpeechCommandsEntry[];
  /** Label order: `_silence_`, `_unknown_`, then the wanted words. */
  labels: string[];
  /** All word folders found. */
  words: string[];
  /** WAV files of `_background_noise_/`. */
  backgroundNoise: string[];
}

/** Raised when a folder does not look like Speech Commands. */
export class SpeechCommandsLayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SpeechCommandsLayoutError";
  }
}

/**
 * Index a Speech Commands-style folder (the real v2 archive or one from `datasets/generate.ts kws`).
 * Splits come from the list files when present, else from `whichSet`.
 * @example
 * const ix = indexSpeechCommands("datasets/generated/kws", { wanted: ["yes", "no"] });
 * ix.entries.filter((e) => e.split === "testing");
 */
export function indexSpeechCommands(
  root: string,
  opts: { wanted?: readonly string[]; validationPct?: number; testingPct?: number } = {},
): SpeechCommandsIndex {
  if (!existsSync(root)) throw new SpeechCommandsLayoutError(`${root} does not exist; generate it with "deno run -A datasets/generate.ts kws" or download it`);
  const dirs = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const words = dirs.filter((d) => !d.startsWith("_") || d === "_silence_");
  if (words.length === 0) throw new SpeechCommandsLayoutError(`${root} has no word folders (expected e.g. yes/, no/ with .wav files)`);
  const wanted = new Set(opts.wanted ?? words.filter((w) => w !== "_silence_"));
  const readList = (name: string): Set<string> | undefined => {
    const p = join(root, name);
    return existsSync(p) ? new Set(readFileSync(p, "utf8").split("\n").map((s) => s.trim()).filter(Boolean)) : undefined;
  };
  const val = readList("validation_list.txt");
  const test = readList("testing_list.txt");
  const entries: SpeechCommandsEntry[] = [];
  for (const word of words) {
    for (const name of readdirSync(join(root, word)).filter((f) => f.endsWith(".wav") && !f.startsWith(".")).sort()) {
      const relPath = `${word}/${name}`;
      const split: Split = val && test
        ? (val.has(relPath) ? "validation" : test.has(relPath) ? "testing" : "training")
        : whichSet(name, opts.validationPct, opts.testingPct);
      const label = word === "_silence_" ? "_silence_" : wanted.has(word) ? word : "_unknown_";
      entries.push({ file: join(root, relPath), relPath, word, label, speaker: speakerOf(name), split });
    }
  }
  const bgDir = join(root, "_background_noise_");
  const backgroundNoise = existsSync(bgDir)
    ? readdirSync(bgDir).filter((f) => f.endsWith(".wav")).sort().map((f) => join(bgDir, f))
    : [];
  const labels = ["_silence_", "_unknown_", ...[...wanted].filter((w) => words.includes(w))];
  return { root, entries, labels, words, backgroundNoise };
}

/**
 * Read one clip as mono float samples at `sampleRate` (default 16 kHz), padded with zeros or cropped
 * to `length` samples (default 1 s), as the Speech Commands models expect.
 * @example
 * const x = loadClip(ix.entries[0].file); // Float32Array(16000)
 */
export function loadClip(file: string, opts: { sampleRate?: number; length?: number } = {}): Float32Array {
  const rate = opts.sampleRate ?? 16000;
  const wav = readWav(readFileSync(file));
  let x = wav.samples[0];
  if (wav.channels > 1) { // average the channels
    x = Float32Array.from(x, (_, i) => wav.samples.reduce((s, ch) => s + ch[i], 0) / wav.channels);
  }
  if (wav.sampleRate !== rate) x = resample(x, wav.sampleRate, rate);
  const out = new Float32Array(opts.length ?? rate);
  out.set(x.subarray(0, out.length));
  return out;
}

/**
 * Read many entries into one n × length block, with labels as indices into `labels`.
 * @example
 * const ix = indexSpeechCommands(root, { wanted: ["yes", "no"] });
 * const test = loadClips(ix.entries.filter((e) => e.split === "testing"), ix.labels);
 */
export function loadClips(
  entries: readonly SpeechCommandsEntry[], labels: readonly string[], opts: { sampleRate?: number; length?: number } = {},
): { x: Float32Array; y: Int32Array; n: number; length: number } {
  const length = opts.length ?? opts.sampleRate ?? 16000;
  const x = new Float32Array(entries.length * length);
  const y = new Int32Array(entries.length);
  entries.forEach((e, i) => {
    const k = labels.indexOf(e.label);
    if (k < 0) throw new SpeechCommandsLayoutError(`label "${e.label}" of ${e.relPath} is not in [${labels.join(", ")}]`);
    x.set(loadClip(e.file, { ...opts, length }), i * length);
    y[i] = k;
  });
  return { x, y, n: entries.length, length };
}

// ---------------------------------------------------------------------------------------------
// Download

/** Raised when a transfer fails (HTTP status or network); a `.part` file is kept for resuming. */
export class DownloadError extends Error {
  constructor(readonly url: string, message: string, readonly status?: number) {
    super(`Download of ${url} failed: ${message}. Run again to resume from the .part file.`);
    this.name = "DownloadError";
  }
}

/** Raised when the downloaded bytes do not match the expected sha256; nothing is left on disk. */
export class ChecksumError extends Error {
  constructor(readonly file: string, readonly expected: string, readonly actual: string) {
    super(`Checksum mismatch for ${file}: expected sha256 ${expected}, got ${actual}. The partial file was deleted; check the URL and the checksum.`);
    this.name = "ChecksumError";
  }
}

/** Progress of a download. */
export interface DownloadProgress {
  /** Bytes on disk so far (including bytes from an earlier, resumed attempt). */
  received: number;
  /** Total size when the server says it, else undefined. */
  total?: number;
  /** Bytes already present when this request started. */
  resumedFrom: number;
}

/** Options of `download`. */
export interface DownloadOptions {
  /** Expected sha256 (hex). When set, the file is verified before it is renamed into place. */
  sha256?: string;
  onProgress?: (p: DownloadProgress) => void;
  /** Automatic resumes after a broken transfer (default 2). */
  retries?: number;
}

/** Result of `download`. */
export interface DownloadResult {
  path: string;
  bytes: number;
  sha256: string;
  /** True when some bytes came from an earlier `.part` file or a retry. */
  resumed: boolean;
  /** True when the file was already there (and matched the checksum, if one was given). */
  skipped: boolean;
}

/** sha256 (hex) of a file, streamed. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(path).on("data", (b) => h.update(b)).on("error", reject).on("end", () => resolve(h.digest("hex")));
  });
}

/** One HTTP request appending to `part`; returns true when the server says the file is complete. */
async function fetchInto(url: string, part: string, onProgress?: (p: DownloadProgress) => void): Promise<void> {
  const start = existsSync(part) ? statSync(part).size : 0;
  let res: Response;
  try {
    res = await fetch(url, { headers: start > 0 ? { Range: `bytes=${start}-` } : {} });
  } catch (e) {
    throw new DownloadError(url, String(e));
  }
  if (res.status === 416 && start > 0) { // we already have every byte
    await res.body?.cancel();
    return;
  }
  if (res.status !== 200 && res.status !== 206) {
    await res.body?.cancel();
    throw new DownloadError(url, `HTTP ${res.status} ${res.statusText}`, res.status);
  }
  // 200 means the server ignored the range: start again from zero.
  const resumedFrom = res.status === 206 ? start : 0;
  const length = Number(res.headers.get("content-length") ?? NaN);
  const total = Number.isFinite(length) ? resumedFrom + length : undefined;
  const fd = openSync(part, resumedFrom > 0 ? "a" : "w");
  let received = resumedFrom;
  try {
    if (!res.body) throw new DownloadError(url, "empty response body");
    const reader = res.body.getReader();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        throw new DownloadError(url, `connection lost after ${received} bytes (${String(e)})`);
      }
      if (chunk.done) break;
      writeSync(fd, chunk.value);
      received += chunk.value.length;
      onProgress?.({ received, total, resumedFrom });
    }
  } finally {
    closeSync(fd);
  }
  if (total !== undefined && received < total) throw new DownloadError(url, `connection closed after ${received} of ${total} bytes`);
}

/**
 * Download `url` to `dest`: resumable (a `dest.part` file and HTTP Range), verified (sha256) and
 * atomic (renamed into place only when complete and correct).
 * @example
 * await download(SPEECH_COMMANDS_V2_URL, "datasets/generated/sc2.tar.gz", {
 *   onProgress: (p) => console.log(p.received, p.total),
 * });
 */
export async function download(url: string, dest: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const expected = opts.sha256?.toLowerCase();
  if (existsSync(dest)) {
    const actual = await sha256File(dest);
    if (!expected || actual === expected) return { path: dest, bytes: statSync(dest).size, sha256: actual, resumed: false, skipped: true };
    unlinkSync(dest); // a stale or corrupt file: fetch it again
  }
  const part = dest + ".part";
  let resumed = existsSync(part) && statSync(part).size > 0;
  const retries = opts.retries ?? 2;
  for (let attempt = 0; ; attempt++) {
    try {
      await fetchInto(url, part, opts.onProgress);
      break;
    } catch (e) {
      if (!(e instanceof DownloadError) || e.status !== undefined || attempt >= retries) throw e;
      resumed = true;
    }
  }
  const actual = await sha256File(part);
  if (expected && actual !== expected) {
    unlinkSync(part);
    throw new ChecksumError(dest, expected, actual);
  }
  renameSync(part, dest);
  return { path: dest, bytes: statSync(dest).size, sha256: actual, resumed, skipped: false };
}

/**
 * Extract a .tar.gz into `destDir` with the system `tar`.
 * @example
 * await extractTarGz("sc2.tar.gz", "datasets/generated/speech_commands_v2");
 */
export async function extractTarGz(archive: string, destDir: string): Promise<void> {
  await sh(`mkdir -p ${shQuote(destDir)} && tar -xzf ${shQuote(archive)} -C ${shQuote(destDir)}`);
}
