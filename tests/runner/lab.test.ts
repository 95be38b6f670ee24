// The Deno kernelspec and `course.ts lab` (Jupyter Notebook with the project's Deno kernel).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { startLab } from "../../tools/course.ts";
import { ensureKernelspec, PROJECT_DENO_BIN, usesDeno } from "../../tools/kernelspec.ts";

const hasJupyter = existsSync("/usr/bin/jupyter");
const hasNotebook = existsSync("/usr/bin/jupyter-notebook");
if (!hasJupyter) {
  console.warn("tests/runner/lab.test.ts: Jupyter is not installed (bash tools/setup.sh); kernelspec tests skipped");
}
if (!hasNotebook) {
  console.warn("tests/runner/lab.test.ts: jupyter-notebook is not installed (bash tools/setup.sh); lab test skipped");
}

/** The pid of the process whose command line names Jupyter's connection file for kernel `id` (Linux /proc). */
function kernelPid(id: string): number | undefined {
  for (const p of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${p}/cmdline`, "utf8").includes(`kernel-${id}.json`)) return Number(p);
    } catch { /* exited meanwhile */ }
  }
  return undefined;
}

describe("kernelspec", () => {
  test("usesDeno compares resolved paths", () => {
    const real = realpathSync(PROJECT_DENO_BIN);
    expect(usesDeno({ dir: "/x", argv: [PROJECT_DENO_BIN, "jupyter"] })).toBe(true);
    expect(usesDeno({ dir: "/x", argv: [real, "jupyter"] })).toBe(true);
    expect(usesDeno({ dir: "/x", argv: ["/usr/local/bin/deno", "jupyter"] })).toBe(false);
    expect(usesDeno({ dir: "/x", argv: [] })).toBe(false);
    expect(usesDeno(undefined)).toBe(false);
  });

  test.skipIf(!hasJupyter)(
    "ensureKernelspec leaves Jupyter's deno kernelspec on the project's Deno, idempotently",
    () => {
      ensureKernelspec();
      const again = ensureKernelspec();
      expect(again.changed).toBe(false);
      const spec = again.spec;
      expect(realpathSync(spec.argv[0])).toBe(realpathSync(PROJECT_DENO_BIN));
      expect(spec.argv.slice(1)).toEqual(["jupyter", "--kernel", "--conn", "{connection_file}"]);
      // the kernel folder found by reading Jupyter's search path is the one Jupyter itself uses
      const listed = spawnSync("/usr/bin/jupyter", ["kernelspec", "list", "--json"], {
        encoding: "utf8",
        env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1" },
      });
      expect(realpathSync(JSON.parse(listed.stdout).kernelspecs.deno.resource_dir)).toBe(realpathSync(spec.dir));
    },
    30_000,
  );
});

describe.skipIf(!hasNotebook)("lab", () => {
  test("starts Jupyter Notebook on 127.0.0.1 with the deno kernel as default, and stops it", async () => {
    const lab = await startLab({ quiet: true });
    try {
      const url = new URL(lab.url);
      expect(url.hostname).toBe("127.0.0.1");
      const token = url.searchParams.get("token");
      const res = await fetch(`${url.origin}/api/kernelspecs?token=${token}`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.default).toBe("deno");
      expect(realpathSync(body.kernelspecs.deno.spec.argv[0])).toBe(realpathSync(PROJECT_DENO_BIN));
      const tree = await fetch(`${url.origin}/api/contents?token=${token}`);
      expect(tree.status).toBe(200);
      expect((await fetch(`${url.origin}/api/contents`)).status).toBe(403); // the token is required
      // Jupyter really starts the project's Deno from the kernelspec (found by its connection file in /proc)
      const auth = { Authorization: `token ${token}` };
      const started = await fetch(`${url.origin}/api/kernels`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ name: "deno" }),
      });
      expect(started.status).toBe(201);
      const { id, name } = await started.json();
      expect(name).toBe("deno");
      if (existsSync("/proc/self/cmdline")) {
        const pid = kernelPid(id);
        expect(pid, "no deno process for the Jupyter kernel").toBeDefined();
        expect(realpathSync(`/proc/${pid}/exe`)).toBe(realpathSync(PROJECT_DENO_BIN));
        expect((await fetch(`${url.origin}/api/kernels/${id}`, { method: "DELETE", headers: auth })).status).toBe(204);
        expect(kernelPid(id)).toBeUndefined();
      }
    } finally {
      await lab.stop();
    }
    expect(lab.process.exitCode !== null || lab.process.signalCode !== null).toBe(true);
  }, 120_000); // ~8 s on an idle machine; Jupyter starts slowly under load
});
