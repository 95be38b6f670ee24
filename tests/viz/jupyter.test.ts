import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { repoRoot } from "../../lib/runtime/mod.ts";
import { which } from "../../lib/env/mod.ts";
import { executeNotebook } from "../../tools/notebook/mod.ts";

// The real contract: in the Deno kernel ONE awaited call shows a figure, and a progress bar updates ONE output in
// place. Runs a small notebook through the project's own runner (tools/notebook).
const deno = `${repoRoot()}/node_modules/.bin/deno`;

function notebookOf(cells: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "viz-kernel-"));
  const path = join(dir, "viz.ipynb");
  writeFileSync(path, JSON.stringify({
    cells: cells.map((source) => ({ cell_type: "code", metadata: {}, source, outputs: [], execution_count: null })),
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  }));
  return path;
}

type Output = { output_type: string; data?: Record<string, unknown>; text?: string | string[] };

describe("in the Deno Jupyter kernel", () => {
  test("show() is one display_data with plotly JSON, HTML (+ PNG) and text; progress updates one output", { timeout: 180_000 }, async () => {
    const viz = `${repoRoot()}/lib/viz/mod.ts`;
    const rt = `${repoRoot()}/lib/runtime/mod.ts`;
    const path = notebookOf([
      `import { lineChart, show, progress } from "${viz}"; import { isJupyter, runtimeName } from "${rt}";`,
      `await show(lineChart({ title: "Loss", y: [3, 2, 1] }));`,
      `const p = progress(10, { label: "train" });
       for (let i = 0; i < 10; i++) { await new Promise((r) => setTimeout(r, 40)); p.tick(1, "loss " + (1 / (i + 1)).toFixed(2)); }
       await p.done();`,
      `[isJupyter(), runtimeName()].join(",")`,
    ]);
    const result = await executeNotebook(path, { deno, cwd: repoRoot() });
    expect(result.error?.message).toBeUndefined();
    const outputs = result.notebook.cells.map((c) => ((c as { outputs?: Output[] }).outputs ?? []));

    const fig = outputs[1].filter((o) => o.output_type === "display_data");
    expect(fig).toHaveLength(1);
    const data = fig[0].data ?? {};
    const keys = ["application/vnd.plotly.v1+json", "text/html", "text/plain"];
    if (which("chromium") || which("chromium-browser")) keys.push("image/png");
    expect(Object.keys(data).sort()).toEqual(keys.sort());
    expect((data["application/vnd.plotly.v1+json"] as { layout: { title: { text: string } } }).layout.title.text).toBe("Loss");
    expect(data["text/html"] as string).toContain("plotly.js v"); // first figure of the session carries the library

    // every update went to the same output: one display, showing the final state
    expect(outputs[2]).toHaveLength(1);
    const last = outputs[2][0];
    expect(last.data?.["text/plain"]).toMatch(/train {2}\[█+\] 10\/10 {2}100%.*loss 0\.10$/);
    expect(last.data?.["text/html"]).toContain("<progress");

    const res = outputs[3].find((o) => o.output_type === "execute_result");
    expect(String(res?.data?.["text/plain"])).toContain("true,deno");
  });
});
