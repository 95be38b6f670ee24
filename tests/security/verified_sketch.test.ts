/** The verify-before-use firmware on the emulated Nano 33 BLE (QEMU): it runs the model only for the genuine package. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateArduinoLibrary } from "../../lib/deploy/codegen/library.ts";
import { hostOutputs } from "../../lib/deploy/pipeline/lesson.ts";
import { cortexM4Available, generateSigningKey, HEADER_BYTES, runVerifiedSketch, VerifiedSketchError, writeVerifiedSketch } from "../../lib/security/mod.ts";
import { type SmallSignedModel, smallSignedModel } from "./small_model.ts";

const available = cortexM4Available();
if (!available) console.warn("tests/security/verified_sketch: arm-none-eabi-gcc or qemu-system-arm missing — SKIPPING the verify-before-use firmware test");

describe.skipIf(!available)("verify-before-use firmware (QEMU)", () => {
  let m: SmallSignedModel;
  const tmp = mkdtempSync(join(tmpdir(), "tinyml-security-sketch-"));
  const libraryDir = join(tmp, "lib", "sine8");
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  beforeAll(async () => {
    m = await smallSignedModel();
    generateArduinoLibrary(m.graph, { name: "sine8", outDir: libraryDir, board: "nano33ble", arch: "arm" });
  }, 60_000);
  const make = (name: string, pkg: Uint8Array, pub: Uint8Array) =>
    writeVerifiedSketch({ name, pkg, publicKey: pub, libraryDir, model: "sine8", samples: m.samples, sketchesDir: tmp });

  test("genuine: verifies, then runs the model with the notebook's outputs", async () => {
    const dir = make("genuine", m.pkg, m.key.publicKey);
    expect(readFileSync(join(dir, "genuine.ino"), "utf8")).toMatch(/tinyml_pkg_verify\(kPackage, sizeof kPackage, kPublicKey/);
    const good = await runVerifiedSketch(dir, { buildPath: join(tmp, "b1") });
    expect(good.status).toBe("ok");
    expect(good.refused).toBe(false);
    expect(good.outputs).toEqual(hostOutputs(m.graph, m.samples));
    expect(good.transcript).toMatch(new RegExp(`MODEL_BYTES ${m.tflite.length}`));
  }, 120_000);

  test("tampered or wrong key: refuses, the model never runs", async () => {
    const tampered = m.pkg.slice();
    tampered[HEADER_BYTES + 100] ^= 0x01;
    const bad = await runVerifiedSketch(make("tampered", tampered, m.key.publicKey), { buildPath: join(tmp, "b2") });
    expect(bad.status).toBe("bad-signature");
    expect(bad.refused).toBe(true);
    expect(bad.outputs).toEqual([]);
    const other = await generateSigningKey({ seed: new Uint8Array(32).fill(0x43) });
    const wrong = await runVerifiedSketch(make("wrongkey", m.pkg, other.publicKey), { buildPath: join(tmp, "b3") });
    expect(wrong.status).toBe("wrong-key");
    expect(wrong.refused).toBe(true);
    expect(wrong.outputs).toEqual([]);
  }, 120_000);

  test("bad options are typed errors", () => {
    expect(() => make("bad name!", m.pkg, m.key.publicKey)).toThrow(VerifiedSketchError);
    expect(() => writeVerifiedSketch({ name: "x", pkg: m.pkg, publicKey: m.key.publicKey, libraryDir: tmp, model: "nope", samples: m.samples, sketchesDir: tmp })).toThrow(/no nope\.h/);
  });
});
