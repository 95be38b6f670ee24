import { describe, expect, test } from "vitest";
import { formatDuration, progress, ProgressError, progressLine, withProgress } from "../../lib/viz/mod.ts";

/** A fake text stream and a fake clock so output is exact. */
function setup(isTTY: boolean) {
  const writes: string[] = [];
  let t = 0;
  return {
    writes,
    stream: { isTTY, write: (s: string) => { writes.push(s); return true; } },
    now: () => t,
    advance: (ms: number) => { t += ms; },
  };
}

describe("progress on a non-TTY stream (logs)", () => {
  test("one line per 10%, with count, percent, elapsed, ETA and info", async () => {
    const s = setup(false);
    const p = progress(50, { label: "train", stream: s.stream, now: s.now, jupyter: false });
    for (let i = 0; i < 50; i++) {
      s.advance(100);
      p.tick(1, `loss ${(1 / (i + 1)).toFixed(2)}`);
    }
    await p.done();
    const lines = s.writes.join("").split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(10); // 10%..100%; done() adds nothing new
    expect(s.writes.every((w) => w.endsWith("\n") && !w.includes("\r"))).toBe(true);
    // 10% = 5 items at 100 ms each: 0.5 s elapsed, 45 items × 0.1 s = 4.5 s left.
    expect(lines[0]).toMatch(/^train {2}\[█+░+\] 5\/50 {3}10% {2}elapsed 0:01 {2}ETA 0:05 {2}loss 0\.20$/);
    expect(lines[4]).toContain("25/50");
    expect(lines[4]).toContain(" 50%");
    expect(lines.at(-1)).toContain("50/50  100%  elapsed 0:05  ETA 0:00  loss 0.02");
  });

  test("done with new info, or before the end, writes a final line", async () => {
    const s = setup(false);
    const p = progress(4, { stream: s.stream, now: s.now, jupyter: false });
    p.tick(4);
    await p.done("acc 0.9");
    expect(s.writes).toHaveLength(2);
    expect(s.writes[1]).toContain("4/4  100%  elapsed 0:00  ETA 0:00  acc 0.9");
    const q = setup(false);
    const p2 = progress(100, { stream: q.stream, now: q.now, jupyter: false });
    p2.tick(5);
    await p2.done();
    expect(q.writes).toHaveLength(1);
    expect(q.writes[0]).toContain("5/100");
  });

  test("unknown total prints counts every 5 s", async () => {
    const s = setup(false);
    const p = progress(undefined, { stream: s.stream, now: s.now, jupyter: false });
    for (let i = 0; i < 30; i++) { s.advance(1000); p.tick(); }
    await p.done("end");
    const lines = s.writes.join("").trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(6);
    expect(lines.length).toBeLessThanOrEqual(8);
    expect(lines.at(-1)).toBe("30  elapsed 0:30  end");
  });

  test("ticks after done are ignored; bad totals throw", async () => {
    const s = setup(false);
    const p = progress(2, { stream: s.stream, now: s.now, jupyter: false });
    p.tick(2);
    await p.done();
    const n = s.writes.length;
    p.tick();
    await p.done();
    expect(s.writes.length).toBe(n);
    expect(() => progress(-1)).toThrow(ProgressError);
    expect(() => progress(2.5)).toThrow(/whole number/);
  });
});

describe("progress on a TTY", () => {
  test("rewrites one line with \\r, throttled, newline at the end", async () => {
    const s = setup(true);
    const p = progress(1000, { label: "x", stream: s.stream, now: s.now, jupyter: false, minIntervalMs: 200 });
    for (let i = 0; i < 1000; i++) { s.advance(2); p.tick(); } // 2 s in all
    await p.done();
    expect(s.writes.every((w) => w.startsWith("\r"))).toBe(true);
    expect(s.writes.length).toBeLessThanOrEqual(12); // ≤ 5 per second + first + final
    expect(s.writes.length).toBeGreaterThanOrEqual(5);
    expect(s.writes.at(-1)).toMatch(/1000\/1000 {2}100%.*\n$/);
    expect(s.writes.slice(0, -1).every((w) => !w.endsWith("\n"))).toBe(true);
  });
});

describe("withProgress", () => {
  test("yields every item in order, takes total from length, info callback", async () => {
    const s = setup(false);
    let loss = 1;
    const seen: number[] = [];
    for await (const x of withProgress([1, 2, 3, 4], { stream: s.stream, now: s.now, jupyter: false, info: () => `loss ${loss}` })) {
      seen.push(x);
      loss = x / 10;
      s.advance(10);
    }
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(s.writes.at(-1)).toContain("4/4");
    expect(s.writes.at(-1)).toContain("loss 0.4");
  });

  test("async iterables, early break still finishes the bar", async () => {
    const s = setup(false);
    async function* gen() { for (let i = 0; i < 100; i++) yield i; }
    for await (const x of withProgress(gen(), { total: 100, stream: s.stream, now: s.now, jupyter: false })) {
      if (x === 49) break;
    }
    expect(s.writes.at(-1)).toContain("49/100");
  });
});

describe("formatting", () => {
  test("durations and a line without total", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(61_000)).toBe("1:01");
    expect(formatDuration(3_725_000)).toBe("1:02:05");
    expect(formatDuration(NaN)).toBe("?");
    expect(progressLine({ label: "", count: 3, elapsedMs: 1000, info: "" })).toBe("3  elapsed 0:01");
  });
});
