import { existsSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { describe, expect, test, vi } from "vitest";
import { display, env, isJupyter, repoRoot, runtimeName } from "../../lib/runtime/mod.ts";
import { flushDelayMs } from "../../lib/runtime/display.ts";

describe("runtime adapter", () => {
  test("runtimeName agrees with the globals", () => {
    const g = globalThis as { Deno?: unknown; Bun?: unknown };
    const expected = g.Bun !== undefined ? "bun" : g.Deno !== undefined ? "deno" : "node";
    expect(runtimeName()).toBe(expected);
    expect(["deno", "bun", "node"]).toContain(runtimeName());
  });

  test("not in Jupyter under the test runner (and asking does not throw)", () => {
    expect(isJupyter()).toBe(false);
  });

  test("repoRoot holds package.json and lib/", () => {
    expect(existsSync(join(repoRoot(), "package.json"))).toBe(true);
    expect(existsSync(join(repoRoot(), "lib", "runtime", "mod.ts"))).toBe(true);
  });

  test("env reads variables, empty counts as unset", () => {
    process.env.TINYML_VIZ_TEST = "42";
    process.env.TINYML_VIZ_EMPTY = "";
    expect(env("TINYML_VIZ_TEST")).toBe("42");
    expect(env("TINYML_VIZ_EMPTY")).toBeUndefined();
    expect(env("TINYML_VIZ_SURELY_UNSET_123")).toBeUndefined();
  });

  test("the post-display flush delay grows with the bundle size and is capped", () => {
    const small = flushDelayMs({ "text/plain": "x" });
    const big = flushDelayMs({ "text/html": "x".repeat(2_000_000) });
    expect(small).toBeGreaterThanOrEqual(20);
    expect(small).toBeLessThan(100);
    expect(big).toBeGreaterThan(500);
    expect(flushDelayMs({ "text/html": "x".repeat(50_000_000) })).toBeLessThanOrEqual(2500);
    expect(flushDelayMs({ "application/json": { a: "x".repeat(1_000_000) } })).toBeGreaterThan(300);
  });

  test("display prints the text/plain part outside Jupyter", async () => {
    const spy = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    let out = "";
    try {
      await display({ "text/plain": "hello figure", "text/html": "<b>no</b>" });
      await display({ "text/html": "<b>only html</b>" });
      out = spy.mock.calls.map((c) => String(c[0])).join("");
    } finally {
      spy.mockRestore();
    }
    expect(out).toBe("hello figure\n");
  });
});
