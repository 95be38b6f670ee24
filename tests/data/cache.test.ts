import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { DatasetLockTimeoutError, withDirLock } from "../../lib/data/mod.ts";

describe("withDirLock", () => {
  test("callers at the same time run one after the other, and the lock is released", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "lock-")), "set");
    const events: string[] = [];
    const job = (id: string) =>
      withDirLock(dir, async () => {
        events.push(`${id}+`);
        await new Promise((r) => setTimeout(r, 50));
        events.push(`${id}-`);
        return id;
      });
    expect(await Promise.all([job("a"), job("b")])).toEqual(["a", "b"]);
    // Never interleaved: every start is followed by its own end.
    expect(events[1]).toBe(`${events[0][0]}-`);
    expect(events[3]).toBe(`${events[2][0]}-`);
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  test("a held lock times out with a message naming the lock folder", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "lock-")), "set");
    mkdirSync(`${dir}.lock`);
    await expect(withDirLock(dir, async () => 1, { waitMs: 300 })).rejects.toThrow(DatasetLockTimeoutError);
    await expect(withDirLock(dir, async () => 1, { waitMs: 300 })).rejects.toThrow(/set\.lock/);
  });

  test("a stale lock (its owner died) is taken over", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "lock-")), "set");
    mkdirSync(`${dir}.lock`);
    expect(await withDirLock(dir, async () => 7, { staleMs: 0, waitMs: 2000 })).toBe(7);
  });
});
