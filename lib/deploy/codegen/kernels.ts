/** The portable C kernels shipped with every generated library (kept as real .c/.h files in `./c/`). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** File name -> text of the kernel sources (`tinyml_kernels.h`, `tinyml_kernels.c`). */
export function kernelSources(): Record<string, string> {
  const dir = new URL("./c/", import.meta.url);
  const out: Record<string, string> = {};
  for (const f of ["tinyml_kernels.h", "tinyml_kernels.c"]) {
    out[f] = readFileSync(fileURLToPath(new URL(f, dir)), "utf8");
  }
  return out;
}

/** Absolute path of the folder holding the kernel sources (for compiling them in place). */
export function kernelDir(): string {
  return fileURLToPath(new URL("./c/", import.meta.url));
}
