import { createHash } from "node:crypto";
import { afterAll, describe, expect, test } from "vitest";
import { buildHostVerifier, generateSigningKey, type HostVerifier, runTamperOnHost, signBytes, signModel } from "../../lib/security/mod.ts";
import { findExecutable } from "../../lib/deploy/arduino/tools.ts";
import { mulberry32 } from "../../lib/util/random.ts";

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16));
const hasCc = Boolean(findExecutable("cc"));
if (!hasCc) console.warn("tests/security/c_verifier: no host C compiler (cc) — skipping the native C verifier tests");

// RFC 8032 section 7.1, tests 1-3 (secret key, public key, message, signature).
const RFC8032 = [
  ["9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "", "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"],
  ["4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72", "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"],
  ["c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82", "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"],
] as const;

describe.skipIf(!hasCc)("C verifier (host build)", () => {
  let cli: HostVerifier;
  const v = () => (cli ??= buildHostVerifier());
  afterAll(() => cli?.dispose());

  test("built-in curve constants match their definitions", () => {
    expect(v().selftest()).toBe(true);
  });

  test("SHA-512 equals node:crypto for lengths around the block and padding edges", () => {
    const rng = mulberry32(11);
    const lengths = [0, 1, 3, 55, 111, 112, 113, 127, 128, 129, 239, 240, 255, 256, 1000, 4099];
    const inputs = lengths.map((n) => Uint8Array.from({ length: n }, () => Math.floor(rng() * 256)));
    inputs.push(new TextEncoder().encode("abc"));
    const ours = v().sha512(inputs);
    inputs.forEach((d, i) => expect(Buffer.from(ours[i]).toString("hex")).toBe(createHash("sha512").update(d).digest("hex")));
  });

  test("RFC 8032 test vectors verify, and fail after any change", () => {
    const items = RFC8032.map(([, pk, msg, sig]) => ({ publicKey: hex(pk), signature: hex(sig), message: hex(msg) }));
    expect(v().verify(items)).toEqual([true, true, true]);
    const bad = items.flatMap((it) => [
      { ...it, signature: Uint8Array.from(it.signature, (b, i) => (i === 0 ? b ^ 1 : b)) }, // R changed
      { ...it, signature: Uint8Array.from(it.signature, (b, i) => (i === 40 ? b ^ 0x10 : b)) }, // S changed
      { ...it, message: Uint8Array.from([...it.message, 0]) }, // message changed
      { ...it, publicKey: Uint8Array.from(it.publicKey, (b, i) => (i === 3 ? b ^ 4 : b)) }, // key changed
    ]);
    expect(v().verify(bad)).toEqual(bad.map(() => false));
  });

  test("S >= L is refused (signature malleability: S + L verifies in naive code)", () => {
    const [, pk, msg, sig] = RFC8032[1];
    const s = hex(sig);
    // S + L, little-endian addition.
    const L = hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    let carry = 0;
    for (let i = 0; i < 32; i++) {
      const t = s[32 + i] + L[i] + carry;
      s[32 + i] = t & 255;
      carry = t >> 8;
    }
    expect(v().verify([{ publicKey: hex(pk), signature: s, message: hex(msg) }])).toEqual([false]);
  });

  test("agrees with WebCrypto on random keys and messages of many lengths", async () => {
    const rng = mulberry32(5);
    const items: { publicKey: Uint8Array; signature: Uint8Array; message: Uint8Array }[] = [];
    for (let k = 0; k < 12; k++) {
      const key = await generateSigningKey({ seed: Uint8Array.from({ length: 32 }, () => Math.floor(rng() * 256)) });
      const message = Uint8Array.from({ length: [0, 1, 63, 64, 111, 112, 128, 200, 513, 1024, 3000, 77][k] }, () => Math.floor(rng() * 256));
      const signature = await signBytes(message, key.privateKey);
      items.push({ publicKey: key.publicKey, signature, message });
      items.push({ publicKey: key.publicKey, signature, message: Uint8Array.from(message, (b, i) => (i === message.length - 1 ? b ^ 0x80 : b)) });
    }
    const got = v().verify(items);
    expect(got).toEqual(items.map((_, i) => i % 2 === 0 || items[i].message.length === 0));
  }, 30_000);

  test("package statuses match the TS errors", async () => {
    const key = await generateSigningKey({ seed: new Uint8Array(32).fill(9) });
    const other = await generateSigningKey({ seed: new Uint8Array(32).fill(10) });
    const pkg = await signModel(Uint8Array.from({ length: 50 }, (_, i) => i), key);
    const ch = (i: number, x: number) => Uint8Array.from(pkg, (b, k) => (k === i ? b ^ x : b));
    expect(v().checkPackages(key.publicKey, [pkg, ch(0, 1), ch(4, 1), ch(8, 1), pkg.subarray(0, 60), Uint8Array.from([...pkg, 1]), ch(12, 1), ch(30, 1), ch(pkg.length - 1, 1)]))
      .toEqual(["ok", "bad-magic", "unsupported", "truncated", "truncated", "trailing-data", "wrong-key", "bad-signature", "bad-signature"]);
    expect(v().checkPackages(other.publicKey, [pkg])).toEqual(["wrong-key"]);
  });

  test("tamper experiment on the host: genuine accepted, every single-byte flip refused", async () => {
    const key = await generateSigningKey({ seed: new Uint8Array(32).fill(12) });
    const pkg = await signModel(Uint8Array.from({ length: 40 }, (_, i) => (i * 29) & 255), key);
    const r = runTamperOnHost(pkg, key.publicKey, { masks: [0x01, 0x80] });
    expect(r.genuine).toBe("ok");
    expect(r.positions).toBe(pkg.length);
    expect(r.statuses.length).toBe(2);
    expect(r.accepted).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.counts["bad-signature"]).toBeGreaterThan(2 * (40 + 64) - 10);
  }, 60_000);
});

describe.skipIf(!hasCc)("C field arithmetic mod 2^255 - 19 against BigInt", () => {
  const P = 2n ** 255n - 19n;
  const toBig = (b: Uint8Array) => b.reduceRight((acc, v) => (acc << 8n) | BigInt(v), 0n);
  const toBytes = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 255n));
  const mod = (n: bigint) => ((n % P) + P) % P;
  const pow = (b: bigint, e: bigint) => {
    let r = 1n;
    b = mod(b);
    for (; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
    return r;
  };

  test("+, -, *, square, inverse and the square-root power agree on edge values and random values", () => {
    const rng = mulberry32(21);
    const edges = [0n, 1n, 2n, 19n, 38n, P - 1n, P, P + 1n, 2n * P - 1n, 2n * P, 2n ** 255n, 2n ** 256n - 1n, 2n ** 256n - 38n, 2n ** 256n - 39n, 2n ** 32n - 1n, 2n ** 224n];
    const randoms = Array.from({ length: 40 }, () => toBig(Uint8Array.from({ length: 32 }, () => Math.floor(rng() * 256))));
    const values = [...edges, ...randoms];
    const ops: { op: "+" | "-" | "*" | "s" | "i" | "q"; a: Uint8Array; b: Uint8Array }[] = [];
    const want: bigint[] = [];
    for (const [i, a] of values.entries()) {
      const b = values[(i * 7 + 3) % values.length];
      for (const [op, r] of [["+", a + b], ["-", a - b], ["*", a * b], ["s", a * a], ["i", pow(a, P - 2n)], ["q", pow(a, (P - 5n) / 8n)]] as const) {
        ops.push({ op, a: toBytes(a), b: toBytes(b) });
        want.push(mod(r));
      }
      for (const c of edges) {
        ops.push({ op: "-", a: toBytes(a), b: toBytes(c) }, { op: "*", a: toBytes(a), b: toBytes(c) });
        want.push(mod(a - c), mod(a * c));
      }
    }
    const v = buildHostVerifier();
    try {
      const got = v.field(ops).map(toBig);
      const wrong = got.map((g, i) => (g === want[i] ? null : `${ops[i].op} ${toBig(ops[i].a)} ${toBig(ops[i].b)}`)).filter(Boolean);
      expect(wrong).toEqual([]);
      expect(got.length).toBe(ops.length);
    } finally {
      v.dispose();
    }
  }, 30_000);
});
