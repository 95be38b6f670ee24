/** Ed25519 signing keys through WebCrypto (`globalThis.crypto.subtle`: Node 20, Deno, Bun). */
import { InvalidKeyError } from "./errors.ts";
import { KEY_ID_BYTES } from "./format.ts";

/** A signing key: the private half stays a non-extractable-by-default CryptoKey; the public half is raw bytes. */
export interface SigningKey {
  /** WebCrypto private key (Ed25519). */
  privateKey: CryptoKey;
  /** The 32-byte raw public key, what a device embeds. */
  publicKey: Uint8Array;
  /** First 8 bytes of SHA-512(publicKey): names the key inside packages. */
  keyId: Uint8Array;
}

/** Options of {@link generateSigningKey}. */
export interface GenerateKeyOptions {
  /**
   * A 32-byte secret seed (RFC 8032's "private key") for a reproducible key, e.g. in lessons and tests.
   * Never use a fixed seed for real devices. Default: a fresh random key.
   */
  seed?: Uint8Array;
}

// PKCS#8 wrapping of an Ed25519 seed (RFC 8410): SEQUENCE { version 0, AlgorithmIdentifier 1.3.101.112, OCTET STRING { OCTET STRING seed } }.
const PKCS8_ED25519_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new InvalidKeyError("WebCrypto (globalThis.crypto.subtle) is not available; use Node 20+, Deno or Bun");
  return s;
}

/** Copy into a fresh ArrayBuffer-backed array (WebCrypto rejects views of shared or resizable buffers in some runtimes). */
function own(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(b);
}

/** The key id of a raw public key: the first 8 bytes of its SHA-512. */
export async function keyIdOf(publicKey: Uint8Array): Promise<Uint8Array> {
  checkPublicKey(publicKey);
  const digest = new Uint8Array(await subtle().digest("SHA-512", own(publicKey)));
  return digest.slice(0, KEY_ID_BYTES);
}

/** Throws InvalidKeyError unless `publicKey` is 32 bytes. */
export function checkPublicKey(publicKey: Uint8Array): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new InvalidKeyError(`an Ed25519 public key is 32 raw bytes, got ${publicKey instanceof Uint8Array ? `${publicKey.length} bytes` : typeof publicKey}; pass key.publicKey from generateSigningKey()`);
  }
}

/**
 * Creates an Ed25519 signing key (random, or reproducible from a 32-byte seed).
 * @example
 * const key = await generateSigningKey({ seed: new Uint8Array(32).fill(7) });
 * key.publicKey.length // 32
 */
export async function generateSigningKey(options: GenerateKeyOptions = {}): Promise<SigningKey> {
  const s = subtle();
  let privateKey: CryptoKey;
  let publicKey: Uint8Array;
  if (options.seed) {
    if (options.seed.length !== 32) throw new InvalidKeyError(`an Ed25519 seed is 32 bytes, got ${options.seed.length}`);
    const pkcs8 = new Uint8Array(48);
    pkcs8.set(PKCS8_ED25519_PREFIX, 0);
    pkcs8.set(options.seed, 16);
    // Extractable so the public key can be read back through JWK (WebCrypto has no "derive public key" call).
    const extractable = await s.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
    const jwk = await s.exportKey("jwk", extractable);
    publicKey = base64UrlDecode(jwk.x!);
    privateKey = await s.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
  } else {
    const pair = await s.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]) as CryptoKeyPair;
    privateKey = pair.privateKey;
    publicKey = new Uint8Array(await s.exportKey("raw", pair.publicKey));
  }
  return { privateKey, publicKey, keyId: await keyIdOf(publicKey) };
}

/** Imports a raw 32-byte public key for WebCrypto verification. */
export async function importPublicKey(publicKey: Uint8Array): Promise<CryptoKey> {
  checkPublicKey(publicKey);
  return await subtle().importKey("raw", own(publicKey), { name: "Ed25519" }, true, ["verify"]);
}

/** Raw Ed25519 signature of `message` (64 bytes; deterministic, RFC 8032). */
export async function signBytes(message: Uint8Array, privateKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await subtle().sign("Ed25519", privateKey, own(message)));
}

/** True when `signature` is a valid Ed25519 signature of `message` under the raw `publicKey`. */
export async function verifyBytes(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
  if (signature.length !== 64) return false;
  return await subtle().verify("Ed25519", await importPublicKey(publicKey), own(signature), own(message));
}

function base64UrlDecode(text: string): Uint8Array {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
