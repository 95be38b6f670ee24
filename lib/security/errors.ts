/** Typed errors of signed model packages: each says what is wrong and what to do about it. */

/** Base class: every package or key problem is a SecurityError, with a stable `code`. */
export class SecurityError extends Error {
  override name = "SecurityError";
  /** The same short code the C verifier prints ("bad-magic", "bad-signature", ...). */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The bytes do not start with the package magic "TMLS": not a signed model package at all. */
export class BadMagicError extends SecurityError {
  override name = "BadMagicError";
  constructor(found: Uint8Array) {
    super("bad-magic", `not a signed model package: it starts with ${hex(found)} instead of the magic "TMLS" (54 4d 4c 53); pass the output of signModel(), not the bare model`);
  }
}

/** The package is shorter than its header says (or than a header plus a signature). */
export class TruncatedPackageError extends SecurityError {
  override name = "TruncatedPackageError";
  constructor(readonly expectedBytes: number, readonly actualBytes: number) {
    super("truncated", `package truncated: ${actualBytes} bytes, but it needs ${expectedBytes}; the download or flash write was cut short, fetch it again`);
  }
}

/** The package is longer than its header says: bytes were appended. */
export class TrailingDataError extends SecurityError {
  override name = "TrailingDataError";
  constructor(readonly expectedBytes: number, readonly actualBytes: number) {
    super("trailing-data", `package has ${actualBytes - expectedBytes} bytes more than its header declares (${actualBytes} instead of ${expectedBytes}); do not append to a signed package, sign the new model instead`);
  }
}

/** Unknown format version, signature algorithm or flags. */
export class UnsupportedPackageError extends SecurityError {
  override name = "UnsupportedPackageError";
  constructor(what: string) {
    super("unsupported", `unsupported package: ${what}; this library reads version 1, algorithm 1 (Ed25519), flags 0`);
  }
}

/** The package names another key than the one given to verify it. */
export class WrongKeyError extends SecurityError {
  override name = "WrongKeyError";
  constructor(readonly packageKeyId: Uint8Array, readonly givenKeyId: Uint8Array) {
    super("wrong-key", `package was signed for key ${hex(packageKeyId)} but verified with key ${hex(givenKeyId)}; use the public key that matches the signing key`);
  }
}

/** The signature does not match the header and model: the package was changed after signing. */
export class BadSignatureError extends SecurityError {
  override name = "BadSignatureError";
  constructor() {
    super("bad-signature", "signature check failed: the header, the model or the signature was changed after signing; do not use this model");
  }
}

/** A key of the wrong size or kind. */
export class InvalidKeyError extends SecurityError {
  override name = "InvalidKeyError";
  constructor(what: string) {
    super("invalid-key", what);
  }
}

function hex(b: Uint8Array): string {
  return Array.from(b, (v) => v.toString(16).padStart(2, "0")).join(" ");
}
