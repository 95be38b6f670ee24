/**
 * The C audio frontend (lib/deploy/kws/c/tinyml_frontend.c + generated tables) against lib/audio's TypeScript
 * frontend, on real audio: Speech Commands clips from ../shared and synthetic clips from ensureKws(). Every
 * feature value is compared, on the host (cc) and on an emulated Cortex-M4 (arm-none-eabi-gcc -mcpu=cortex-m4,
 * QEMU). Both builds use -Wall -Wextra -Werror, so they are also warning-free.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import {
  computeFrontendFeatures, LIBRARY_DEFAULT_FRONTEND, loadClip16k, MICRO_SPEECH_FRONTEND, MICRO_SPEECH_SIGNAL_FRONTEND,
} from "../../lib/audio/mod.ts";
import { ensureKws, kwsDir, readKwsManifest } from "../../lib/data/mod.ts";
import { checkFrontendC, frontendCFigures, frontendCSources } from "../../lib/deploy/kws/mod.ts";

const SHARED = fileURLToPath(new URL("../../../shared/conformance/", import.meta.url));
const HAVE_SHARED = existsSync(join(SHARED, "yes_1000ms.wav"));
if (!HAVE_SHARED) console.warn(`kws frontend tests: ${SHARED} is absent, the Speech Commands clips are skipped`);
const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const HAVE_CC = has("cc");
const HAVE_ARM = has("arm-none-eabi-gcc") && has("qemu-system-arm");
if (!HAVE_ARM) console.warn("kws frontend tests: no arm-none-eabi-gcc/qemu-system-arm, the Cortex-M4 runs are skipped");
const KWS = kwsDir();
// The synthetic clips are generated on first use (espeak-ng, flite and sox, under a minute), as the lessons do.
const HAVE_KWS = existsSync(join(KWS, "manifest.json")) || (has("espeak-ng") && has("flite") && has("sox"));
if (!HAVE_KWS) console.warn("kws frontend tests: no generated KWS set and no espeak-ng/flite/sox to make one, the synthetic clips are skipped");

function sharedClips(): Int16Array[] {
  return ["yes_1000ms", "no_1000ms", "silence_1000ms", "noise_1000ms"].map((n) => loadClip16k(readFileSync(join(SHARED, `${n}.wav`))));
}

/** A few synthetic clips of different words and a louder/quieter mix, plus a short odd-length tail. */
function kwsClips(): Int16Array[] {
  const m = readKwsManifest(KWS);
  const pick = ["yes", "no", "_silence_", "marvin", "go"].map((w) => m.clips.find((c) => c.word === w)).filter((c) => c !== undefined);
  const clips = pick.map((c) => loadClip16k(readFileSync(join(KWS, c!.file))));
  // A loud, clipped version exercises the FFT's full-scale path, and 1,234 samples a partial last window.
  const loud = Int16Array.from(clips[0], (v) => Math.max(-32768, Math.min(32767, v * 16)));
  return [...clips, loud, clips[1].slice(0, 1234)];
}

describe("generated frontend C", () => {
  test("same configuration, same bytes; tables match the figures", () => {
    const a = frontendCSources(), b = frontendCSources();
    expect(a).toEqual(b);
    const figs = frontendCFigures();
    expect(figs).toMatchObject({ windowSize: 480, windowStep: 320, fftSize: 512, numChannels: 40 });
    // 480 window + 2×256 twiddles + 2×128 super twiddles + ... all int16: a few KB, not tens.
    expect(figs.tableBytes).toBeGreaterThan(3000);
    expect(figs.tableBytes).toBeLessThan(6000);
    expect(a["tinyml_frontend_config.h"]).toContain("#define TMLF_WINDOW_SIZE 480");
    // Another configuration changes the tables.
    const other = frontendCSources({ ...MICRO_SPEECH_FRONTEND, numChannels: 32 });
    expect(other["tinyml_frontend_tables.h"]).not.toEqual(a["tinyml_frontend_tables.h"]);
  });
});

describe.skipIf(!HAVE_CC || !HAVE_SHARED)("C frontend ≡ TS frontend on the host", () => {
  test("Speech Commands clips: every feature of 4 clips", { timeout: 60_000 }, async () => {
    const clips = sharedClips();
    const r = await checkFrontendC({ clips, target: "host" });
    expect(r.frames).toBe(4 * 49);
    expect(r.values).toBe(4 * 49 * 40);
    expect(r.firstMismatch).toBeNull();
    expect(r.mismatches).toBe(0);
    // Sanity: the comparison is with non-trivial features (speech has a spread of values).
    const ts = computeFrontendFeatures(clips[0]).data;
    expect(new Set(ts).size).toBeGreaterThan(100);
    expect(r.features[0]).toEqual(ts);
  });
});

describe.skipIf(!HAVE_CC || !HAVE_SHARED)("other frontend configurations, generated tables", () => {
  test("Signal-op coefficients; library defaults (25/10 ms, 32 channels, PCAN off); 64 channels at 16 kHz", { timeout: 60_000 }, async () => {
    const clips = sharedClips().slice(0, 2);
    for (const config of [MICRO_SPEECH_SIGNAL_FRONTEND, LIBRARY_DEFAULT_FRONTEND, { ...MICRO_SPEECH_FRONTEND, numChannels: 64, logScaleShift: 5 }]) {
      const r = await checkFrontendC({ clips, target: "host", config });
      const frames = Math.floor((16000 - (config.windowSizeMs * 16)) / (config.windowStepMs * 16)) + 1;
      expect(r.values).toBe(2 * frames * config.numChannels);
      expect(r.mismatches).toBe(0);
    }
  });
});

describe.skipIf(!HAVE_CC || !HAVE_KWS)("C frontend ≡ TS frontend on the host, synthetic KWS clips", () => {
  beforeAll(async () => {
    await ensureKws({ progress: false });
  }, 600_000);
  test("words, silence, a clipped clip and a partial window", { timeout: 60_000 }, async () => {
    const clips = kwsClips();
    const r = await checkFrontendC({ clips, target: "host", cflags: ["-O0"] });
    expect(r.values).toBeGreaterThan(5 * 49 * 40);
    expect(r.mismatches).toBe(0);
  });
});

describe.skipIf(!HAVE_ARM || !HAVE_SHARED)("C frontend ≡ TS frontend on a Cortex-M4 (QEMU)", () => {
  beforeAll(async () => {
    if (HAVE_KWS) await ensureKws({ progress: false });
  }, 600_000);
  test("Speech Commands + synthetic clips, and instructions per frame", { timeout: 120_000 }, async () => {
    const clips = [...sharedClips(), ...(HAVE_KWS ? kwsClips() : [])];
    const r = await checkFrontendC({ clips, target: "cortex-m4", countInstructions: true });
    expect(r.values).toBe(clips.reduce((n, c) => n + (c.length < 480 ? 0 : Math.floor((c.length - 480) / 320) + 1) * 40, 0));
    expect(r.mismatches).toBe(0);
    // One 30 ms frame must take well under its 20 ms hop at 64 MHz (≈1.28 M cycles): it takes ~125 k instructions.
    expect(r.instructionsPerFrame).toBeGreaterThan(20_000);
    expect(r.instructionsPerFrame).toBeLessThan(400_000);
  });
});
