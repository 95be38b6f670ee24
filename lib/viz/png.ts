/**
 * PNG rendering of figures with headless Chromium (via playwright-core).
 *
 * One browser and one page with plotly.js loaded are created lazily and reused:
 * launching costs about a second, a render afterwards ~50-200 ms. Outside
 * Jupyter the browser is closed after a short idle period so scripts can exit;
 * inside a notebook kernel it lives until the kernel shuts down.
 */
import { existsSync, renameSync, writeFileSync } from "node:fs";
import process from "node:process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Buffer } from "node:buffer";
import { setTimeout as nodeSetTimeout, clearTimeout as nodeClearTimeout } from "node:timers";
import { env, isJupyter } from "../runtime/mod.ts";
import { plotlyPath, plotlyVersion } from "./plotly_source.ts";
import type { Figure } from "./types.ts";

/** Rendering failed (browser did not start, plotly threw, a timeout passed). */
export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RenderError";
  }
}

/** The Chromium executable: `$CHROMIUM_PATH`, else `/usr/bin/chromium`; undefined when neither exists. */
export function chromiumPath(): string | undefined {
  const p = env("CHROMIUM_PATH") ?? "/usr/bin/chromium";
  return existsSync(p) ? p : undefined;
}

const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
];

/** The small part of playwright's API used here (kept structural so the import stays lazy). */
interface PwPage {
  goto(url: string): Promise<unknown>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  setDefaultTimeout(ms: number): void;
}
interface PwBrowser {
  newPage(): Promise<PwPage>;
  close(): Promise<void>;
}

interface Session {
  browser: PwBrowser;
  page: PwPage;
}

let session: Promise<Session> | undefined;
let queue: Promise<unknown> = Promise.resolve();
let idleTimer: ReturnType<typeof nodeSetTimeout> | undefined;

/** Options of {@link renderPng}. */
export interface RenderOptions {
  /** Give up after this many milliseconds (default 30 000, including a browser launch). */
  timeoutMs?: number;
  /** Pixel ratio (default 1): 2 gives a sharper, 4× larger PNG. */
  scale?: number;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof nodeSetTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = nodeSetTimeout(() => reject(new RenderError(`${what} took longer than ${ms} ms.`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => nodeClearTimeout(timer));
}

async function startSession(executablePath: string): Promise<Session> {
  const { chromium } = await import("playwright-core");
  const browser = (await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 20_000 })) as unknown as PwBrowser;
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    // Chromium reads plotly.js from disk itself: measured 20-40% faster than
    // pushing 4.8 MB through the DevTools protocol with addScriptTag.
    await page.goto(pathToFileURL(loaderPage()).href);
    const ok = await page.evaluate(() => typeof (globalThis as { Plotly?: unknown }).Plotly === "object", undefined);
    if (!ok) throw new RenderError(`plotly.js did not load in Chromium from ${plotlyPath()}.`);
    return { browser, page };
  } catch (e) {
    await browser.close().catch(() => {});
    throw e;
  }
}

/** A tiny HTML file in the temp folder whose only job is to load plotly.js from node_modules. */
function loaderPage(): string {
  const file = join(tmpdir(), `tinyml-kit-plotly-${plotlyVersion()}.html`);
  const html = `<!doctype html><html><head><meta charset="utf-8">` +
    `<script src="${pathToFileURL(plotlyPath()).href}"></script></head><body></body></html>`;
  // Rewritten at each launch (never stale); write-then-rename so a parallel process never reads half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, html);
  renameSync(tmp, file);
  return file;
}

/** Close the shared browser now (idempotent). Tests and scripts may call it; it is also done on idle. */
export async function closeRenderer(): Promise<void> {
  if (idleTimer !== undefined) nodeClearTimeout(idleTimer);
  idleTimer = undefined;
  const s = session;
  session = undefined;
  if (s === undefined) return;
  try {
    const { browser } = await s;
    await withTimeout(browser.close(), 5_000, "closing Chromium");
  } catch {
    // Launch failed or the browser is already gone: nothing left to close.
  }
}

function scheduleIdleClose(): void {
  if (isJupyter()) return; // the kernel owns the process; keep the browser warm
  if (idleTimer !== undefined) nodeClearTimeout(idleTimer);
  // Unref'd: it never keeps the program alive by itself, but fires while the browser's pipes do.
  idleTimer = nodeSetTimeout(() => void closeRenderer(), 1_000);
  idleTimer.unref?.();
}

/**
 * Render a figure to PNG bytes at its layout's width × height.
 * Throws {@link RenderError} when Chromium is missing or rendering fails.
 * @example
 * writeFileSync("/tmp/loss.png", await renderPng(lineChart({ y: losses })));
 */
export function renderPng(fig: Figure, opts: RenderOptions = {}): Promise<Uint8Array> {
  const run = async (): Promise<Uint8Array> => {
    const exe = chromiumPath();
    if (exe === undefined) {
      throw new RenderError("Chromium not found: install it (apt-get install chromium) or set CHROMIUM_PATH.");
    }
    if (idleTimer !== undefined) nodeClearTimeout(idleTimer);
    const timeoutMs = opts.timeoutMs ?? 30_000;
    try {
      session ??= startSession(exe);
      const { page } = await withTimeout(session, timeoutMs, "starting Chromium");
      const url = await withTimeout(
        page.evaluate(
          ({ fig, scale }) => {
            const P = (globalThis as unknown as { Plotly: { toImage(f: unknown, o: unknown): Promise<string> } }).Plotly;
            return P.toImage(fig, { format: "png", width: fig.layout.width, height: fig.layout.height, scale });
          },
          { fig, scale: opts.scale ?? 1 },
        ),
        timeoutMs,
        "rendering the figure",
      );
      const prefix = "data:image/png;base64,";
      if (!url.startsWith(prefix)) throw new RenderError("plotly returned no PNG data URL.");
      return new Uint8Array(Buffer.from(url.slice(prefix.length), "base64"));
    } catch (e) {
      await closeRenderer(); // a stuck or crashed browser is not reused
      throw e instanceof RenderError ? e : new RenderError(`PNG rendering failed: ${(e as Error).message}`);
    } finally {
      scheduleIdleClose();
    }
  };
  // One render at a time on the shared page.
  const result = queue.then(run, run);
  queue = result.catch(() => {});
  return result;
}
