// The course command: executed copies, summary, exit codes, as a function and as a CLI.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { findNotebooks, main, outputPath, ROOT, runCourse } from "../../tools/course.ts";
import type { CodeCell, Notebook } from "../../tools/notebook/mod.ts";

const fixtures = fileURLToPath(new URL("../fixtures/notebooks/", import.meta.url));
const VALIDATE = "import nbformat, sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4)); print('valid')";
const hasNbformat = spawnSync("/usr/bin/python3", ["-c", "import nbformat"]).status === 0;
if (!hasNbformat) {
  console.warn("tests/runner/course.test.ts: python3-nbformat missing; executed copies are not schema-checked");
}
const tmp = mkdtempSync(join(tmpdir(), "tinyml-course-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every file under a folder, relative, sorted. */
function files(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]
  ).sort();
}

describe("course run", () => {
  test("finds notebooks sorted and maps them to the build folder", () => {
    expect(findNotebooks([fixtures]).map((p) => p.slice(fixtures.length)))
      .toEqual(["cell_timeout.ipynb", "error.ipynb", "multi_output.ipynb", "timeout.ipynb"]);
    expect(outputPath(join(ROOT, "notebooks", "a", "b.ipynb"), "/out", ROOT)).toBe("/out/a/b.ipynb");
    expect(outputPath(join(ROOT, "tests", "x.ipynb"), "/out", ROOT)).toBe("/out/tests/x.ipynb");
    expect(outputPath("/elsewhere/y.ipynb", "/out", ROOT)).toBe("/out/y.ipynb");
    expect(() => findNotebooks([join(fixtures, "missing.ipynb")])).toThrow(/no such notebook/);
  });

  test("runCourse writes executed copies and a summary, and reports the failure", async () => {
    const out = join(tmp, "fn");
    const lines: string[] = [];
    const r = await runCourse({
      paths: [join(fixtures, "multi_output.ipynb"), join(fixtures, "error.ipynb")],
      outDir: out,
      log: (l) => lines.push(l),
    });
    expect(r.ok).toBe(false);
    expect(files(out)).toEqual(["tests/fixtures/notebooks/error.ipynb", "tests/fixtures/notebooks/multi_output.ipynb"]); // no temp files left
    const written = join(out, "tests/fixtures/notebooks/multi_output.ipynb");
    const nb: Notebook = JSON.parse(readFileSync(written, "utf8"));
    const code = nb.cells.filter((c): c is CodeCell => c.cell_type === "code");
    expect(code.map((c) => c.execution_count)).toEqual([1, 2, 3, 4]);
    expect(code.every((c) => c.outputs.length > 0)).toBe(true);
    if (hasNbformat) {
      // Jupyter's own schema check (Debian's python3-nbformat) accepts both executed copies
      for (const f of files(out)) {
        const v = spawnSync("/usr/bin/python3", ["-c", VALIDATE, join(out, f)], { encoding: "utf8" });
        expect(v.stderr + v.stdout).toBe("valid\n");
      }
    }
    // the summary table: one row per notebook, sorted by path, with cells run/total and status
    const rows = r.summary.split("\n");
    expect(rows[0]).toMatch(/^notebook\s+cells\s+seconds\s+status$/);
    expect(rows[1]).toMatch(/^tests\/fixtures\/notebooks\/error\.ipynb\s+4\/5\s+\d+\.\d\s+FAILED \(error\)$/);
    expect(rows[2]).toMatch(/^tests\/fixtures\/notebooks\/multi_output\.ipynb\s+4\/4\s+\d+\.\d\s+ok$/);
    expect(rows.length).toBe(3);
    const text = lines.join("\n");
    expect(text).toContain(r.summary);
    expect(text).toContain(
      "tests/fixtures/notebooks/error.ipynb: code cell 4 (cell index 5) failed: TypeError: fixture failure",
    );
    expect(text).toContain("1 of 2 notebook(s) failed.");
  }, 60_000);

  test("bad arguments exit with 2 and say why", async () => {
    const errors: string[] = [];
    const orig = console.error;
    console.error = (m: string) => errors.push(m);
    try {
      expect(await main(["--timeout", "soon"])).toBe(2);
      expect(await main([join(fixtures, "nope.ipynb")])).toBe(2);
    } finally {
      console.error = orig;
    }
    expect(errors.join("\n")).toContain("--timeout must be a positive number");
    expect(errors.join("\n")).toContain("no such notebook or folder");
  });

  test("the CLI runs one notebook, writes it, prints the table, exits 0", () => {
    const out = join(tmp, "cli");
    const deno = join(ROOT, "node_modules", ".bin", "deno");
    const p = spawnSync(deno, [
      "run",
      "-A",
      "tools/course.ts",
      "run",
      "tests/fixtures/notebooks/multi_output.ipynb",
      "--out",
      out,
      "--timeout",
      "60",
    ], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(p.stderr).not.toMatch(/error/i);
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/tests\/fixtures\/notebooks\/multi_output\.ipynb\s+4\/4\s+\d+\.\d\s+ok/);
    expect(existsSync(join(out, "tests/fixtures/notebooks/multi_output.ipynb"))).toBe(true);
  }, 60_000);

  test("the CLI exits 1 on a failing notebook and prints the failure", () => {
    const deno = join(ROOT, "node_modules", ".bin", "deno");
    const p = spawnSync(deno, [
      "run",
      "-A",
      "tools/course.ts",
      "tests/fixtures/notebooks/timeout.ipynb",
      "--out",
      join(tmp, "cli2"),
      "--timeout",
      "1",
    ], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(p.status).toBe(1);
    expect(p.stdout).toContain("tests/fixtures/notebooks/timeout.ipynb: code cell 2 (cell index 1) timed out");
  }, 60_000);
});
