/** The lib runs unchanged under Bun: the same computation in a Bun process and here gives identical bytes. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { repoRoot } from "../../lib/runtime/mod.ts";
import { smokeResults } from "./smoke.ts";

const BUN = `${repoRoot()}/node_modules/.bin/bun`;
if (!existsSync(BUN)) console.warn("bun test: node_modules/.bin/bun is missing (npm install), skipped");

describe.skipIf(!existsSync(BUN))("Bun", () => {
  test("int8 kernels (JS and wasm), .tflite round trip, frontend and signing agree byte for byte", { timeout: 120_000 }, async () => {
    const run = spawnSync(BUN, ["run", "tests/runtime/smoke.ts"], { cwd: repoRoot(), encoding: "utf8", timeout: 110_000 });
    expect(run.status, run.stderr).toBe(0);
    const fromBun = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    const here = await smokeResults();
    expect(fromBun).toEqual(here);
    // Not trivially equal: the wasm kernels and the reference agree, and the clip produced real features.
    expect(here.convWasm).toBe(here.conv);
    expect(here.conv).not.toMatch(/^(00)+$/);
    expect(here.features.endsWith("…49x40")).toBe(true);
  });
});
