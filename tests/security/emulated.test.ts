/**
 * The proof on the emulated board: the C verifier, compiled with arm-none-eabi-gcc for the Cortex-M4F and run in
 * QEMU, accepts the genuine signed package of a real (small) int8 model and refuses every single-byte change of
 * it: each byte of header, model and signature with its lowest bit flipped, and with all its bits inverted.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { cortexM4Available, HEADER_BYTES, PKG_STATUS, runTamperOnCortexM4, tamperSummary } from "../../lib/security/mod.ts";
import { type SmallSignedModel, smallSignedModel } from "./small_model.ts";

const available = cortexM4Available();
if (!available) console.warn("tests/security/emulated: arm-none-eabi-gcc or qemu-system-arm missing — SKIPPING the tamper test on the emulated Cortex-M4");

describe.skipIf(!available)("tamper test on the emulated Cortex-M4 (QEMU)", () => {
  let m: SmallSignedModel;
  beforeAll(async () => {
    m = await smallSignedModel();
  }, 60_000);

  test("genuine package accepted; every byte of header, model and signature changed (bit 0, all bits) is refused", async () => {
    const r = await runTamperOnCortexM4(m.pkg, m.key.publicKey, { masks: [0x01, 0xff] });
    expect(r.target).toBe("cortex-m4 (qemu)");
    expect(r.genuine).toBe("ok");
    expect(r.positions).toBe(m.pkg.length);
    expect(r.positions).toBe(HEADER_BYTES + m.tflite.length + 64);
    expect(r.masks).toEqual([0x01, 0xff]);
    expect(r.statuses.map((s) => s.length)).toEqual([m.pkg.length, m.pkg.length]);
    expect(r.accepted).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.statuses.every((row) => row.every((s) => s !== 0))).toBe(true);
    // Which check caught what: the header's fields by their own checks, every model and signature byte by the signature.
    for (const row of r.statuses) {
      const names = Array.from(row, (s) => PKG_STATUS[s]);
      expect(names.slice(0, 4)).toEqual(new Array(4).fill("bad-magic"));
      expect(names.slice(4, 8)).toEqual(new Array(4).fill("unsupported"));
      expect(names.slice(8, 12).every((s) => s === "truncated" || s === "trailing-data")).toBe(true);
      expect(names.slice(12, 20)).toEqual(new Array(8).fill("wrong-key"));
      expect(names.slice(20).every((s) => s === "bad-signature")).toBe(true);
    }
    const regions = tamperSummary(r, m.pkg.length);
    expect(regions.map((x) => [x.region, x.tried, x.refused])).toEqual([
      ["header", 40, 40],
      ["model", 2 * m.tflite.length, 2 * m.tflite.length],
      ["signature", 128, 128],
    ]);
    console.log(`tamper on Cortex-M4 (QEMU): ${r.positions} positions x 2 masks, all refused; genuine ${r.genuine}; firmware ${r.flashBytes} B flash, ${r.ramBytes} B RAM; ${(r.wallMs / 1000).toFixed(1)} s`);
  }, 240_000);
});
