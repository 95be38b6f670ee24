/**
 * Sketch folders: Arduino requires `<folder>/<folder>.ino`. These helpers find the main .ino and, when the
 * folder name does not match, make a correctly named copy instead of failing.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";

/** A sketch folder whose name matches its main .ino. */
export interface SketchLayout {
  /** Absolute folder path (maybe a temp copy). */
  dir: string;
  /** Sketch name (folder name = .ino name without extension). */
  name: string;
  /** Absolute path of the main .ino. */
  ino: string;
  /** True when `dir` is a temp copy. */
  copied: boolean;
}

/** Thrown when a folder has no single main .ino. */
export class SketchLayoutError extends Error {
  override name = "SketchLayoutError";
}

/**
 * Find the main .ino of a sketch folder; copy the folder to a temp dir named after the .ino when the names differ.
 * @example resolveSketch("tests/fixtures/sketches/checksum").ino // ".../checksum/checksum.ino"
 */
export function resolveSketch(sketchDir: string): SketchLayout {
  const dir = resolve(sketchDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new SketchLayoutError(`sketch folder ${dir} does not exist; pass the folder that holds the .ino`);
  }
  const name = basename(dir);
  const ino = join(dir, `${name}.ino`);
  if (existsSync(ino)) return { dir, name, ino, copied: false };
  const inos = readdirSync(dir).filter((f) => f.endsWith(".ino"));
  if (inos.length !== 1) {
    throw new SketchLayoutError(
      `sketch folder ${dir} must contain ${name}.ino (found ${inos.length ? inos.join(", ") : "no .ino files"}); ` +
        "rename the .ino to match its folder",
    );
  }
  const inoName = inos[0].slice(0, -4);
  const copyDir = join(mkdtempSync(join(tmpdir(), "tinyml-sketch-")), inoName);
  cpSync(dir, copyDir, { recursive: true });
  return { dir: copyDir, name: inoName, ino: join(copyDir, inos[0]), copied: true };
}
