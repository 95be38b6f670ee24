/** Signing a model into a package and checking a package before its model is used. */
import { BadSignatureError, WrongKeyError } from "./errors.ts";
import { encodeHeader, type PackageHeader, parsePackage } from "./format.ts";
import { checkPublicKey, keyIdOf, type SigningKey, signBytes, verifyBytes } from "./keys.ts";

/**
 * Wraps model bytes (e.g. a .tflite file) into a signed package: header, model, 64-byte Ed25519 signature.
 * Ed25519 is deterministic: the same model and key give the same package bytes.
 * @example
 * const pkg = await signModel(tfliteBytes, key);
 * const { model } = await verifyModel(pkg, key.publicKey); // model equals tfliteBytes
 */
export async function signModel(model: Uint8Array, key: SigningKey): Promise<Uint8Array> {
  const header = encodeHeader(model.length, key.keyId);
  const signed = new Uint8Array(header.length + model.length);
  signed.set(header, 0);
  signed.set(model, header.length);
  const signature = await signBytes(signed, key.privateKey);
  const pkg = new Uint8Array(signed.length + signature.length);
  pkg.set(signed, 0);
  pkg.set(signature, signed.length);
  return pkg;
}

/** A verified package. */
export interface VerifiedModel {
  header: PackageHeader;
  /** The model bytes (a copy: safe to keep after the package buffer changes). */
  model: Uint8Array;
}

/**
 * Checks a package against a raw 32-byte public key and returns its model. Checks run in the same order as on
 * the device (c/tinyml_model_pkg.c), so both name the same problem.
 * @throws TruncatedPackageError, BadMagicError, UnsupportedPackageError, TrailingDataError, WrongKeyError,
 *   BadSignatureError, InvalidKeyError
 */
export async function verifyModel(pkg: Uint8Array, publicKey: Uint8Array): Promise<VerifiedModel> {
  checkPublicKey(publicKey);
  const parts = parsePackage(pkg);
  const keyId = await keyIdOf(publicKey);
  if (keyId.some((b, i) => parts.header.keyId[i] !== b)) throw new WrongKeyError(parts.header.keyId, keyId);
  if (!(await verifyBytes(parts.signed, parts.signature, publicKey))) throw new BadSignatureError();
  return { header: parts.header, model: parts.model.slice() };
}

/** The outcome of {@link checkModel}: "ok" or the error code ("bad-signature", ...), never throwing on bad packages. */
export async function checkModel(pkg: Uint8Array, publicKey: Uint8Array): Promise<string> {
  try {
    await verifyModel(pkg, publicKey);
    return "ok";
  } catch (e) {
    if (e instanceof Error && "code" in e && typeof e.code === "string") return e.code;
    throw e;
  }
}
