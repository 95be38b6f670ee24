/** Small helpers to run external tools (sox, espeak-ng, flite) and to run jobs in parallel. */
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";

/** Raised when an external command fails; carries its stderr. */
export class CommandError extends Error {
  constructor(readonly command: string, readonly code: number | null, readonly stderr: string) {
    super(`Command failed (exit ${code}): ${command}\n${stderr.trim().slice(-2000)}`);
    this.name = "CommandError";
  }
}

/** Quote one argument for /bin/sh. */
export function shQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Run a /bin/sh command line (optionally feeding `input` to stdin); resolves with stdout, rejects with CommandError. */
export function sh(command: string, input?: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", command], { stdio: [input ? "pipe" : "ignore", "pipe", "pipe"] });
    if (input) child.stdin!.end(input);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on("data", (b: Buffer) => out.push(b));
    child.stderr!.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => reject(new CommandError(command, null, String(e))));
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new CommandError(command, code, Buffer.concat(err).toString()));
    });
  });
}

/** Run a program without a shell (optionally feeding `input` to stdin); resolves with stdout. */
export function run(program: string, args: readonly string[], input?: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: [input ? "pipe" : "ignore", "pipe", "pipe"] });
    if (input) child.stdin!.end(input);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const line = [program, ...args].map(shQuote).join(" ");
    child.stdout!.on("data", (b: Buffer) => out.push(b));
    child.stderr!.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => reject(new CommandError(line, null, String(e))));
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new CommandError(line, code, Buffer.concat(err).toString()));
    });
  });
}

/** Buffer of little-endian float32 samples → Float32Array (copied, so it is aligned). */
export function toFloat32(raw: Buffer): Float32Array {
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

/** Read any audio file sox understands as mono float samples at `rate` Hz, with optional sox effects. */
export async function soxRead(file: string, rate: number, effects: readonly string[] = []): Promise<Float32Array> {
  return toFloat32(await run("sox", ["-R", "-D", file, "-r", String(rate), "-c", "1", "-e", "floating-point", "-b", "32", "-t", "raw", "-", ...effects]));
}

/**
 * Run `worker(item)` for every item with at most `concurrency` in flight; results keep input order.
 * The first failure rejects (after running jobs finish).
 */
export async function runPool<T, R>(
  items: readonly T[], concurrency: number, worker: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: unknown = undefined;
  const lane = async () => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      try {
        results[i] = await worker(items[i], i);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
  if (failure !== undefined) throw failure;
  return results;
}

/** True when `tool` can be found on PATH. */
export async function hasTool(tool: string): Promise<boolean> {
  try {
    await sh(`command -v ${shQuote(tool)} >/dev/null`);
    return true;
  } catch {
    return false;
  }
}
