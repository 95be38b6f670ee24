/**
 * Course 3, lesson 4 (security): the notebook runs, plots, deploys with an identical verdict, and its numbers
 * are sensible: the emulated Cortex-M4 accepts the genuine signed package and refuses every tampered position it
 * tried; every typed error shows up; the targeted attack succeeds more as ε grows, adversarial training lowers
 * its success at ε = 16 at a small cost in clean accuracy; the verify-before-use firmware runs the model.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { solutionText } from "../../lib/course/mod.ts";
import { repoRoot } from "../../lib/runtime/mod.ts";
import { expectLessonComplete, printedNumber, runNotebook } from "./helpers.ts";

const NOTEBOOK = "notebooks/3-deployment/04-security.ipynb";

describe("Course 3: security", () => {
  test(
    "04-security runs, the board refuses every tampered package, and the attack/defence numbers are sensible",
    { timeout: 240_000 },
    async () => {
      const text = expectLessonComplete(await runNotebook(NOTEBOOK), "04-security", 3);

      // The threat model is printed as a table.
      expect(text).toMatch(/^asset\s+threat\s+STRIDE\s+access\s+impact\s+mitigation/m);

      // Signing: the package layout and every typed error.
      const modelBytes = printedNumber(text, /int8 model: (\d+) bytes of \.tflite/);
      expect(printedNumber(text, /package\s+(\d+) bytes = 20 header/)).toBe(modelBytes + 84);
      expect(text).toMatch(/identical to the \.tflite: true/);
      for (const e of ["BadMagicError", "TruncatedPackageError", "UnsupportedPackageError", "WrongKeyError", "BadSignatureError"]) expect(text).toContain(e);

      // The tamper sweep on the emulated Cortex-M4: genuine accepted, every tried position refused.
      expect(text).toMatch(/genuine package on the Cortex-M4: ok/);
      const m = /tampered: (\d+)\/(\d+) positions refused \(accepted: (\d+)\)/.exec(text);
      expect(m).not.toBeNull();
      expect(m![1]).toBe(m![2]);
      expect(Number(m![3])).toBe(0);
      expect(Number(m![2])).toBeGreaterThan(84 + modelBytes / 64 - 2); // all header + signature bytes, every 64th model byte
      expect(text).toMatch(/header\s+20\/20 refused/);
      expect(text).toMatch(/signature 64\/64 refused: bad-signature 64/);

      // The attack: success grows with ε and is near-certain at ε = 32; the float result transfers to int8.
      const clean = printedNumber(text, /clean test accuracy ([\d.]+)%/);
      expect(clean).toBeGreaterThan(60);
      const hit = (e: number) => printedNumber(text, new RegExp(`ε = +${e} int8 steps: .*int8 \\(the board\\) +(\\d+)%`));
      const rates = [4, 8, 16, 32].map(hit);
      for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeGreaterThanOrEqual(rates[i - 1]);
      expect(rates[3]).toBeGreaterThanOrEqual(90);
      expect(text).toMatch(/the board now says "yes"/);
      expect(text).toMatch(/black-box search .*: \d+\/6 clips/);

      // The defence: lower success at ε = 16, clean accuracy within 15 points.
      const before = printedNumber(text, /attack success at ε = 16: before ([\d.]+)%/);
      const after = printedNumber(text, /attack success at ε = 16: before [\d.]+%, after ([\d.]+)%/);
      expect(before).toBeGreaterThan(50);
      expect(after).toBeLessThan(before - 20);
      const accBefore = printedNumber(text, /clean accuracy: before ([\d.]+)%/);
      const accAfter = printedNumber(text, /clean accuracy: before [\d.]+%, after ([\d.]+)%/);
      expect(accBefore).toBeCloseTo(clean, 1);
      expect(accAfter).toBeGreaterThan(accBefore - 15);

      // Verify-before-use firmware on the emulated board.
      expect(text).toMatch(/verify-before-use firmware: VERIFY ok; ran the model on 4 clips, outputs identical to the notebook: true/);
      expect(existsSync(`${repoRoot()}/sketches/3-04-security-verify/src/tinyml_verify/tinyml_ed25519.c`)).toBe(true);
      expect(readFileSync(`${repoRoot()}/sketches/3-04-security-verify/3-04-security-verify.ino`, "utf8")).toMatch(/tinyml_pkg_verify\(kPackage/);
      expect(solutionText("3-04-predict-status")).toMatch(/bad-magic/);
    },
  );
});
