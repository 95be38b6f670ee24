import { mkdtempSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkTools, formatToolChecks, which } from "../../lib/env/mod.ts";

describe("environment checks", () => {
  test("which finds an executable only when it is executable and on PATH", () => {
    const dir = mkdtempSync(join(tmpdir(), "which-"));
    const tool = join(dir, "fake-tool");
    writeFileSync(tool, "#!/bin/sh\n");
    expect(which("fake-tool", dir)).toBeUndefined(); // not executable yet
    chmodSync(tool, 0o755);
    expect(which("fake-tool", dir)).toBe(tool);
    expect(which("fake-tool", "/nonexistent")).toBeUndefined();
  });

  test("a missing required tool is reported with its fix", () => {
    const checks = checkTools("/nonexistent");
    expect(checks.every((c) => c.found === undefined)).toBe(true);
    const table = formatToolChecks(checks);
    expect(table).toMatch(/MISSING\s+AVR compiler\s+apt-get install -y --no-install-recommends gcc-avr/);
    expect(table).toMatch(/absent\s+arduino-cli/);
  });
});
