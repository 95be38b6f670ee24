import { Buffer } from "node:buffer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import {
  ChecksumError, download, DownloadError, extractTarGz, indexSpeechCommands, speakerOf, whichSet,
} from "../../lib/data/speech_commands.ts";

const hasTar = (() => {
  try { execFileSync("tar", ["--version"]); return true; } catch { return false; }
})();

/** A tiny Speech Commands tree: 3 words, 6 speakers, list files naming two speakers' clips. */
function makeTree(root: string): void {
  const wav = Buffer.alloc(44 + 32000); // contents do not matter to the index
  for (const word of ["yes", "no", "bed"]) {
    mkdirSync(join(root, word), { recursive: true });
    for (const s of ["aaaa1111", "bbbb2222", "cccc3333", "dddd4444", "eeee5555", "ffff6666"]) {
      for (let n = 0; n < 2; n++) writeFileSync(join(root, word, `${s}_nohash_${n}.wav`), wav);
    }
  }
  mkdirSync(join(root, "_background_noise_"));
  writeFileSync(join(root, "_background_noise_", "white_noise.wav"), wav);
  writeFileSync(join(root, "validation_list.txt"), ["yes", "no", "bed"].flatMap((w) => [0, 1].map((n) => `${w}/aaaa1111_nohash_${n}.wav`)).join("\n") + "\n");
  writeFileSync(join(root, "testing_list.txt"), ["yes", "no", "bed"].flatMap((w) => [0, 1].map((n) => `${w}/bbbb2222_nohash_${n}.wav`)).join("\n") + "\n");
}

describe("Speech Commands layout", () => {
  test("whichSet is deterministic, per speaker, and near the requested percentages", () => {
    expect(speakerOf("yes/0a7c2a8d_nohash_3.wav")).toBe("0a7c2a8d");
    expect(whichSet("yes/0a7c2a8d_nohash_0.wav")).toBe(whichSet("no/0a7c2a8d_nohash_4.wav"));
    const counts: Record<string, number> = { training: 0, validation: 0, testing: 0 };
    for (let i = 0; i < 4000; i++) counts[whichSet(createHash("md5").update(String(i)).digest("hex").slice(0, 8) + "_nohash_0.wav", 10, 10)]++;
    console.log("whichSet over 4000 speakers:", counts);
    expect(Math.abs(counts.validation / 4000 - 0.1)).toBeLessThan(0.02);
    expect(Math.abs(counts.testing / 4000 - 0.1)).toBeLessThan(0.02);
  });

  test("indexes words, labels, list-file splits and background noise", () => {
    const root = mkdtempSync(join(tmpdir(), "sc-"));
    try {
      makeTree(root);
      const ix = indexSpeechCommands(root, { wanted: ["yes", "no"] });
      expect(ix.entries.length).toBe(36);
      expect(ix.labels).toEqual(["_silence_", "_unknown_", "yes", "no"]);
      expect(ix.entries.filter((e) => e.word === "bed").every((e) => e.label === "_unknown_")).toBe(true);
      expect(ix.entries.filter((e) => e.split === "validation").map((e) => e.speaker)).toEqual(new Array(6).fill("aaaa1111"));
      expect(new Set(ix.entries.filter((e) => e.split === "testing").map((e) => e.speaker))).toEqual(new Set(["bbbb2222"]));
      expect(ix.backgroundNoise.map((f) => f.split("/").pop())).toEqual(["white_noise.wav"]);
      // Without list files, the hash rule decides.
      rmSync(join(root, "validation_list.txt"));
      const ix2 = indexSpeechCommands(root);
      for (const e of ix2.entries) expect(e.split).toBe(whichSet(e.relPath));
      expect(() => indexSpeechCommands(join(root, "missing"))).toThrow(/does not exist/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasTar)("download + extract against a local HTTP server", () => {
  let server: Server;
  let base = "";
  let archive: Buffer;
  let sha = "";
  const dir = mkdtempSync(join(tmpdir(), "scdl-"));
  const log: { range?: string; status: number }[] = [];
  let breakNext = 0; // number of requests to cut off halfway

  beforeAll(async () => {
    const src = join(dir, "src");
    makeTree(src);
    // Random bytes in the files so the archive does not compress to nothing.
    writeFileSync(join(src, "yes", "aaaa1111_nohash_0.wav"), randomBytes(300_000));
    execFileSync("tar", ["-czf", join(dir, "sc.tar.gz"), "-C", src, "."]);
    archive = readFileSync(join(dir, "sc.tar.gz"));
    sha = createHash("sha256").update(archive).digest("hex");
    server = createServer((req, res) => {
      if (req.url !== "/sc.tar.gz") {
        log.push({ status: 404 });
        res.writeHead(404).end("not found");
        return;
      }
      const m = /bytes=(\d+)-/.exec(req.headers.range ?? "");
      const start = m ? Number(m[1]) : 0;
      const body = archive.subarray(start);
      const status = m ? 206 : 200;
      log.push({ range: req.headers.range, status });
      res.writeHead(status, {
        "content-length": String(body.length),
        ...(m ? { "content-range": `bytes ${start}-${archive.length - 1}/${archive.length}` } : {}),
      });
      if (breakNext > 0) {
        breakNext--;
        res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => res.destroy(), 20));
      } else {
        res.end(body);
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections?.();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  test("an interrupted transfer leaves a .part file and is resumed with a Range request", async () => {
    const dest = join(dir, "a.tar.gz");
    breakNext = 1;
    log.length = 0;
    await expect(download(`${base}/sc.tar.gz`, dest, { sha256: sha, retries: 0 })).rejects.toBeInstanceOf(DownloadError);
    expect(existsSync(dest)).toBe(false);
    const partial = statSync(dest + ".part").size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(archive.length);
    const progress: number[] = [];
    const r = await download(`${base}/sc.tar.gz`, dest, { sha256: sha, onProgress: (p) => progress.push(p.received) });
    console.log(`archive ${archive.length} B, first attempt kept ${partial} B, requests:`, log);
    expect(r.resumed).toBe(true);
    expect(r.sha256).toBe(sha);
    expect(log[1].range).toBe(`bytes=${partial}-`);
    expect(log[1].status).toBe(206);
    expect(progress[progress.length - 1]).toBe(archive.length);
    expect(progress[0]).toBeGreaterThan(partial);
    expect(readFileSync(dest).equals(archive)).toBe(true);
    expect(existsSync(dest + ".part")).toBe(false);
    // Second call: already there, nothing fetched.
    const n = log.length;
    expect((await download(`${base}/sc.tar.gz`, dest, { sha256: sha })).skipped).toBe(true);
    expect(log.length).toBe(n);
  });

  test("automatic retry resumes within one call", async () => {
    const dest = join(dir, "b.tar.gz");
    breakNext = 2;
    log.length = 0;
    const r = await download(`${base}/sc.tar.gz`, dest, { sha256: sha, retries: 3 });
    expect(r.resumed).toBe(true);
    expect(log.length).toBe(3);
    expect(log.slice(1).every((l) => l.status === 206)).toBe(true);
    expect(readFileSync(dest).equals(archive)).toBe(true);
  });

  test("a wrong checksum raises ChecksumError and leaves no file", async () => {
    const dest = join(dir, "c.tar.gz");
    const bad = "0".repeat(64);
    const err = await download(`${base}/sc.tar.gz`, dest, { sha256: bad }).catch((e) => e);
    expect(err).toBeInstanceOf(ChecksumError);
    expect(String(err.message)).toMatch(/expected sha256 0000/);
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(dest + ".part")).toBe(false);
  });

  test("HTTP errors are typed and a 404 is not retried", async () => {
    log.length = 0;
    const err = await download(`${base}/nothing`, join(dir, "d"), { retries: 3 }).catch((e) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect(err.status).toBe(404);
    expect(log.length).toBe(1);
    expect(existsSync(join(dir, "d"))).toBe(false);
  });

  test("extracts the archive into a Speech Commands tree", async () => {
    const dest = join(dir, "a.tar.gz");
    if (!existsSync(dest)) await download(`${base}/sc.tar.gz`, dest, { sha256: sha });
    const out = join(dir, "extracted");
    await extractTarGz(dest, out);
    const ix = indexSpeechCommands(out, { wanted: ["yes"] });
    expect(ix.entries.length).toBe(36);
    expect(ix.entries.filter((e) => e.split === "testing").length).toBe(6);
  });
});
