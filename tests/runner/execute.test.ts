// The runner against the real Deno kernel: outputs under CPU load, errors, timeouts, no orphan kernels.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type CodeCell, executeNotebook, type Output } from "../../tools/notebook/mod.ts";

const fixtures = fileURLToPath(new URL("../fixtures/notebooks/", import.meta.url));
const RUNS = 6;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}

/** Everything a cell printed to one stream, however it was chunked. */
const streamText = (outs: Output[], name: string) =>
  outs.flatMap((o) => (o.output_type === "stream" && o.name === name ? [String(o.text)] : [])).join("");
/** The rich outputs (display_data and execute_result) in order, as [type, data]. */
const rich = (outs: Output[]) =>
  outs.flatMap((
    o,
  ) => (o.output_type === "display_data" || o.output_type === "execute_result" ? [[o.output_type, o.data]] : []));

describe("executeNotebook: every output of a multi-output notebook under CPU load", () => {
  const busy: ChildProcess[] = [];
  beforeAll(() => {
    for (let i = 0; i < 3; i++) busy.push(spawn("node", ["-e", "for(;;){}"], { stdio: "ignore" }));
  });
  afterAll(() => {
    for (const b of busy) b.kill("SIGKILL");
  });

  test(`${RUNS} runs, all outputs present each time`, async () => {
    const items = Array.from({ length: 12 }, (_, i) => ["display_data", { "text/plain": `item ${i}` }]);
    for (let run = 0; run < RUNS; run++) {
      const r = await executeNotebook(`${fixtures}multi_output.ipynb`);
      expect(r.error?.message).toBeUndefined();
      expect(r.status).toBe("ok");
      const cells = r.notebook.cells.filter((c): c is CodeCell => c.cell_type === "code");
      expect(cells.map((c) => c.execution_count)).toEqual([1, 2, 3, 4]);
      const [c1, c2, c3, c4] = cells.map((c) => c.outputs);

      expect(streamText(c1, "stdout"), `run ${run}`).toBe("log 1\nlog 2\nlog 3\n");
      expect(rich(c1), `run ${run}`).toEqual([
        ["display_data", { "text/plain": "display A" }],
        ["display_data", { "text/plain": "display B", "text/html": "<b>display B</b>" }],
        ["display_data", { "text/markdown": "**display C**" }],
        ["execute_result", { "text/plain": "42" }],
      ]);

      // one display, updated in place four times in its cell, then once more from cell 3
      expect(rich(c2), `run ${run}`).toEqual([
        ["display_data", { "text/plain": "progress finished" }],
        ["execute_result", { "text/plain": "{ done: true, items: [ 1, 2, 3 ] }" }],
      ]);
      expect(streamText(c2, "stderr")).toBe("warn 1\n");
      expect(streamText(c2, "stdout")).toBe("data file read from the notebook folder\n"); // cwd = notebook folder

      expect(rich(c3), `run ${run}`).toEqual([...items, ["execute_result", { "text/plain": '"last value"' }]]);
      expect(streamText(c3, "stdout")).toBe("tail\n");

      // fire-and-forget displays: published after the cell returned, order between them not promised
      expect(rich(c4).map(([, d]) => (d as Record<string, string>)["text/plain"]).sort(), `run ${run}`)
        .toEqual(["quick 0", "quick 1", "quick 2", "quick 3", "quick 4"]);
      expect(streamText(c4, "stdout")).toBe("quick done\n");
    }
  }, 120_000);
});

describe("executeNotebook: failures", () => {
  test("an error names the notebook, the code cell (number and index) and the error", async () => {
    let pid = 0;
    const r = await executeNotebook(`${fixtures}error.ipynb`, { name: "error.ipynb", onKernel: (k) => (pid = k.pid!) });
    expect(r.status).toBe("failed");
    const e = r.error!;
    expect(e.kind).toBe("error");
    expect([e.notebook, e.cellNumber, e.cellIndex]).toEqual(["error.ipynb", 4, 5]);
    expect(e.ename).toBe("TypeError");
    expect(e.evalue).toBe("fixture failure: the input shape [3, 4] is wrong");
    expect(e.message).toMatch(
      /^error\.ipynb: code cell 4 \(cell index 5\) failed: TypeError: fixture failure: the input shape \[3, 4\] is wrong\n/,
    );
    expect(e.message).toContain("at explode");
    expect(e.message).not.toContain("\x1b[");
    // the raises-exception cell errs without stopping the run; the blank cell is not sent; the run stops at the error
    expect(r.cells.map((c) => c.status)).toEqual(["ok", "error", "ok", "error"]);
    const code = r.notebook.cells.filter((c): c is CodeCell => c.cell_type === "code");
    expect(code.map((c) => c.execution_count)).toEqual([1, 2, null, 3, null]);
    expect(code[1].outputs).toMatchObject([{
      output_type: "error",
      ename: "RangeError",
      evalue: "expected error, shown on purpose",
    }]);
    expect(code[3].outputs.some((o) => o.output_type === "error")).toBe(true);
    expect(code[4].outputs).toEqual([]);
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
  }, 30_000);

  test("a cell past its timeout fails clearly and leaves no kernel behind", async () => {
    let pid = 0;
    const t0 = Date.now();
    const r = await executeNotebook(`${fixtures}timeout.ipynb`, { timeoutSec: 2, onKernel: (k) => (pid = k.pid!) });
    expect((Date.now() - t0) / 1000).toBeLessThan(15);
    expect(r.status).toBe("failed");
    expect(r.error!.kind).toBe("timeout");
    expect([r.error!.cellNumber, r.error!.cellIndex]).toEqual([2, 1]);
    expect(r.error!.message).toContain("timeout.ipynb: code cell 2 (cell index 1) timed out");
    expect(r.error!.message).toContain("longer than 2 s");
    const code = r.notebook.cells.filter((c): c is CodeCell => c.cell_type === "code");
    expect(code[1].outputs).toEqual([{ output_type: "stream", name: "stdout", text: "sleeping\n" }]);
    expect(isAlive(pid)).toBe(false);
  }, 30_000);

  test("a cell's metadata tinyml.timeout overrides the run's timeout", async () => {
    const r = await executeNotebook(`${fixtures}cell_timeout.ipynb`, { timeoutSec: 100 });
    expect(r.error?.kind).toBe("timeout");
    expect(r.error!.cellNumber).toBe(2);
    expect(r.error!.message).toContain("longer than 2 s");
    expect(r.seconds).toBeLessThan(15);
  }, 30_000);

  test("a kernel that cannot start is reported, not thrown", async () => {
    const r = await executeNotebook(`${fixtures}error.ipynb`, { deno: "/nonexistent/deno" });
    expect(r.status).toBe("failed");
    expect(r.error!.kind).toBe("kernel");
    expect(r.error!.message).toContain("/nonexistent/deno");
  }, 30_000);
});
