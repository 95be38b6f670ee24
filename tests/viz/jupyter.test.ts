import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { repoRoot } from "../../lib/runtime/mod.ts";

// The real contract: in the Deno kernel ONE awaited call shows a figure, and a
// progress bar updates ONE output in place. Needs Debian's python3-jupyter-client.
const python = "/usr/bin/python3";
const deno = `${repoRoot()}/node_modules/.bin/deno`;
function hasJupyterClient(): boolean {
  try {
    execFileSync(python, ["-c", "import jupyter_client"], { stdio: "ignore" });
    return existsSync(deno);
  } catch {
    return false;
  }
}
const ok = hasJupyterClient();
if (!ok) console.warn("tests/viz: /usr/bin/python3 with jupyter_client or node_modules/.bin/deno missing: Deno-kernel test skipped.");

interface Msg {
  type: string;
  late: boolean;
  content: { data?: Record<string, unknown>; transient?: { display_id?: string }; text?: string; evalue?: string };
}

describe.skipIf(!ok)("in the Deno Jupyter kernel", () => {
  test("show() is one display_data with plotly JSON, HTML and text; progress updates one output", { timeout: 120_000 }, () => {
    const viz = `${repoRoot()}/lib/viz/mod.ts`;
    const rt = `${repoRoot()}/lib/runtime/mod.ts`;
    const cells = [
      `import { lineChart, show, progress } from "${viz}"; import { isJupyter, runtimeName } from "${rt}";`,
      `await show(lineChart({ title: "Loss", y: [3, 2, 1] }), { png: false });`,
      `const p = progress(10, { label: "train" });
       for (let i = 0; i < 10; i++) { await new Promise((r) => setTimeout(r, 40)); p.tick(1, "loss " + (1 / (i + 1)).toFixed(2)); }
       await p.done();`,
      `[isJupyter(), runtimeName()].join(",")`,
    ];
    const script = fileURLToPath(new URL("./jupyter_kernel.py", import.meta.url));
    const raw = execFileSync(python, [script, deno, repoRoot(), ...cells], {
      encoding: "utf8", timeout: 110_000, maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "ignore"],
    });
    const results = JSON.parse(raw) as { messages: Msg[] }[];
    const errors = results.flatMap((r) => r.messages.filter((m) => m.type === "error"));
    expect(errors.map((e) => e.content.evalue)).toEqual([]);

    const fig = results[1].messages.filter((m) => m.type === "display_data");
    expect(fig).toHaveLength(1);
    const data = fig[0].content.data ?? {};
    expect(Object.keys(data).sort()).toEqual(["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
    expect((data["application/vnd.plotly.v1+json"] as { layout: { title: { text: string } } }).layout.title.text).toBe("Loss");
    expect(data["text/html"] as string).toContain("plotly.js v"); // first figure of the session carries the library
    expect(fig[0].late).toBe(false); // sent before the cell reported idle

    const prog = results[2].messages.filter((m) => m.type === "display_data" || m.type === "update_display_data");
    expect(prog[0].type).toBe("display_data");
    const id = prog[0].content.transient?.display_id;
    expect(id).toMatch(/^tk-progress-\d+$/);
    expect(prog.slice(1).every((m) => m.type === "update_display_data" && m.content.transient?.display_id === id)).toBe(true);
    expect(prog.length).toBeLessThanOrEqual(6); // throttled: ≤ 5 updates/s over ~0.4 s, plus first and final
    const last = prog.at(-1)!;
    expect(last.content.data?.["text/plain"]).toMatch(/train {2}\[█+\] 10\/10 {2}100%.*loss 0\.10$/);
    expect(last.content.data?.["text/html"]).toContain("<progress");
    expect(last.late).toBe(false);

    const res = results[3].messages.find((m) => m.type === "execute_result");
    if (res) expect(String(res.content.data?.["text/plain"])).toContain("true,deno");
  });
});
