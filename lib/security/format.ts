/**
 * The signed model package layout (little-endian), shared with the C verifier (c/tinyml_model_pkg.h):
 *
 * | offset | bytes | field |
 * |---|---|---|
 * | 0 | 4 | magic "TMLS" |
 * | 4 | 1 | format version (1) |
 * | 5 | 1 | signature algorithm (1 = Ed25519) |
 * | 6 | 2 | flags (0) |
 * | 8 | 4 | model length n |
 * | 12 | 8 | key id: first 8 bytes of SHA-512(public key) |
 * | 20 | n | the model bytes |
 * | 20 + n | 64 | Ed25519 signature of bytes [0, 20 + n) |
 *
 * The signature covers the header too, so no header field can be changed without detection.
 * @module
 */
import { BadMagicError, TrailingDataError, TruncatedPackageError, UnsupportedPackageError } from "./errors.ts";

export const PACKAGE_MAGIC: Uint8Array = new Uint8Array([0x54, 0x4d, 0x4c, 0x53]); // "TMLS"
export const PACKAGE_VERSION = 1;
export const ALG_ED25519 = 1;
export const HEADER_BYTES = 20;
export const SIGNATURE_BYTES = 64;
export const KEY_ID_BYTES = 8;

/** The fields of a package header. */
export interface PackageHeader {
  version: number;
  algorithm: number;
  flags: number;
  modelBytes: number;
  keyId: Uint8Array;
}

/** A package split into its parts (views into the package bytes). */
export interface PackageParts {
  header: PackageHeader;
  /** Bytes the signature covers: header + model. */
  signed: Uint8Array;
  model: Uint8Array;
  signature: Uint8Array;
}

/** The 20 header bytes for a model of `modelBytes` bytes signed by the key with id `keyId`. */
export function encodeHeader(modelBytes: number, keyId: Uint8Array): Uint8Array {
  const h = new Uint8Array(HEADER_BYTES);
  h.set(PACKAGE_MAGIC, 0);
  h[4] = PACKAGE_VERSION;
  h[5] = ALG_ED25519;
  new DataView(h.buffer).setUint32(8, modelBytes, true);
  h.set(keyId.subarray(0, KEY_ID_BYTES), 12);
  return h;
}

/**
 * Splits a package into header, model and signature, checking its structure (not the signature), in the same
 * order as the C verifier: length, magic, version/algorithm/flags, model length.
 * @throws TruncatedPackageError, BadMagicError, UnsupportedPackageError, TrailingDataError
 */
export function parsePackage(pkg: Uint8Array): PackageParts {
  if (pkg.length < HEADER_BYTES + SIGNATURE_BYTES) throw new TruncatedPackageError(HEADER_BYTES + SIGNATURE_BYTES, pkg.length);
  if (PACKAGE_MAGIC.some((b, i) => pkg[i] !== b)) throw new BadMagicError(pkg.slice(0, 4));
  const view = new DataView(pkg.buffer, pkg.byteOffset, pkg.byteLength);
  const header: PackageHeader = {
    version: pkg[4],
    algorithm: pkg[5],
    flags: view.getUint16(6, true),
    modelBytes: view.getUint32(8, true),
    keyId: pkg.slice(12, 12 + KEY_ID_BYTES),
  };
  if (header.version !== PACKAGE_VERSION) throw new UnsupportedPackageError(`format version ${header.version}`);
  if (header.algorithm !== ALG_ED25519) throw new UnsupportedPackageError(`signature algorithm ${header.algorithm}`);
  if (header.flags !== 0) throw new UnsupportedPackageError(`flags 0x${header.flags.toString(16)}`);
  const expected = HEADER_BYTES + header.modelBytes + SIGNATURE_BYTES;
  if (pkg.length < expected) throw new TruncatedPackageError(expected, pkg.length);
  if (pkg.length > expected) throw new TrailingDataError(expected, pkg.length);
  const end = HEADER_BYTES + header.modelBytes;
  return { header, signed: pkg.subarray(0, end), model: pkg.subarray(HEADER_BYTES, end), signature: pkg.subarray(end) };
}
