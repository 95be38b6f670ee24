import { describe, expect, test } from "vitest";
import {
  BadMagicError,
  BadSignatureError,
  generateSigningKey,
  HEADER_BYTES,
  InvalidKeyError,
  keyIdOf,
  parsePackage,
  SecurityError,
  signModel,
  SIGNATURE_BYTES,
  threatTable,
  TINYML_THREATS,
  TrailingDataError,
  TruncatedPackageError,
  UnsupportedPackageError,
  verifyModel,
  WrongKeyError,
  checkModel,
} from "../../lib/security/mod.ts";

const seed = (v: number) => new Uint8Array(32).fill(v);
const model = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 255);

describe("signed model packages", () => {
  test("round trip: verifyModel returns the signed model, header fields as written", async () => {
    const key = await generateSigningKey({ seed: seed(1) });
    const pkg = await signModel(model, key);
    expect(pkg.length).toBe(HEADER_BYTES + model.length + SIGNATURE_BYTES);
    expect(new TextDecoder().decode(pkg.subarray(0, 4))).toBe("TMLS");
    const v = await verifyModel(pkg, key.publicKey);
    expect(v.model).toEqual(model);
    expect(v.header.modelBytes).toBe(model.length);
    expect(v.header.keyId).toEqual(key.keyId);
    expect(await checkModel(pkg, key.publicKey)).toBe("ok");
  });

  test("seeded keys are reproducible, random keys differ; signing is deterministic", async () => {
    const a = await generateSigningKey({ seed: seed(2) });
    const b = await generateSigningKey({ seed: seed(2) });
    const r1 = await generateSigningKey();
    const r2 = await generateSigningKey();
    expect(a.publicKey).toEqual(b.publicKey);
    expect(r1.publicKey).not.toEqual(r2.publicKey);
    expect(await signModel(model, a)).toEqual(await signModel(model, b));
    expect(a.keyId).toEqual(await keyIdOf(a.publicKey));
    // A random key signs and verifies too.
    expect((await verifyModel(await signModel(model, r1), r1.publicKey)).model).toEqual(model);
  });

  test("RFC 8032 test 1: the seed gives the published public key", async () => {
    const hex = (s: string) => Uint8Array.from(s.match(/../g)!, (x) => parseInt(x, 16));
    const key = await generateSigningKey({ seed: hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60") });
    expect(key.publicKey).toEqual(hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
  });

  test("an empty model signs and verifies", async () => {
    const key = await generateSigningKey({ seed: seed(3) });
    const v = await verifyModel(await signModel(new Uint8Array(0), key), key.publicKey);
    expect(v.model.length).toBe(0);
  });

  test("every typed error, with its code and a helpful message", async () => {
    const key = await generateSigningKey({ seed: seed(4) });
    const other = await generateSigningKey({ seed: seed(5) });
    const pkg = await signModel(model, key);
    const expectError = async (bytes: Uint8Array, cls: new (...a: never[]) => SecurityError, code: string, words: RegExp, pub = key.publicKey) => {
      const err = await verifyModel(bytes, pub).then(() => null, (e) => e);
      expect(err).toBeInstanceOf(cls);
      expect(err).toBeInstanceOf(SecurityError);
      expect(err.code).toBe(code);
      expect(err.message).toMatch(words);
      expect(await checkModel(bytes, pub)).toBe(code);
    };
    const changed = (i: number, v: number) => {
      const c = pkg.slice();
      c[i] = v;
      return c;
    };
    await expectError(model, BadMagicError, "bad-magic", /TMLS/);
    await expectError(changed(0, 0x00), BadMagicError, "bad-magic", /signModel/);
    await expectError(pkg.subarray(0, pkg.length - 1), TruncatedPackageError, "truncated", /cut short/);
    await expectError(pkg.subarray(0, 10), TruncatedPackageError, "truncated", /needs 84/);
    await expectError(Uint8Array.from([...pkg, 0]), TrailingDataError, "trailing-data", /1 bytes more/);
    await expectError(changed(4, 2), UnsupportedPackageError, "unsupported", /version 2/);
    await expectError(changed(5, 9), UnsupportedPackageError, "unsupported", /algorithm 9/);
    await expectError(changed(6, 1), UnsupportedPackageError, "unsupported", /flags/);
    await expectError(pkg, WrongKeyError, "wrong-key", /matches the signing key/, other.publicKey);
    await expectError(changed(HEADER_BYTES + 5, pkg[HEADER_BYTES + 5] ^ 1), BadSignatureError, "bad-signature", /changed after signing/);
    await expectError(changed(pkg.length - 1, pkg[pkg.length - 1] ^ 0x40), BadSignatureError, "bad-signature", /do not use/);
    // A package re-signed with another key but claiming the right key id: the key id check passes, the signature fails.
    const forged = await signModel(model, { ...other, keyId: key.keyId });
    await expectError(forged, BadSignatureError, "bad-signature", /signature/);
    await expect(verifyModel(pkg, new Uint8Array(31))).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(generateSigningKey({ seed: new Uint8Array(16) })).rejects.toBeInstanceOf(InvalidKeyError);
  });

  test("parsePackage splits header, model and signature", async () => {
    const key = await generateSigningKey({ seed: seed(6) });
    const pkg = await signModel(model, key);
    const p = parsePackage(pkg);
    expect(p.model).toEqual(model);
    expect(p.signature.length).toBe(64);
    expect(p.signed.length).toBe(HEADER_BYTES + model.length);
    expect(p.header).toMatchObject({ version: 1, algorithm: 1, flags: 0, modelBytes: 300 });
  });
});

describe("threat model", () => {
  test("covers the OTA update, the key, adversarial inputs and privacy, each with a mitigation", () => {
    expect(TINYML_THREATS.length).toBeGreaterThanOrEqual(8);
    for (const t of TINYML_THREATS) expect(t.mitigation.length).toBeGreaterThan(10);
    const assets = new Set(TINYML_THREATS.map((t) => t.asset));
    for (const a of ["model update (OTA)", "signing key", "model decisions", "user audio (privacy)"]) expect(assets.has(a)).toBe(true);
    const table = threatTable();
    expect(table.split("\n").length).toBe(TINYML_THREATS.length + 2);
    expect(table).toMatch(/^asset\s+threat\s+STRIDE/);
  });
});
