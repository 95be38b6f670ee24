/**
 * Security for TinyML devices: signed model packages (Ed25519 through WebCrypto on the host, a portable C99
 * verifier for the device), the tamper experiment on the emulated board, adversarial audio against a keyword
 * spotter with a defence, and a threat model of a TinyML device.
 *
 * @example
 * ```ts
 * import { generateSigningKey, signModel, verifyModel } from "tinyml-kit/security/mod.ts";
 * const key = await generateSigningKey();
 * const pkg = await signModel(tfliteBytes, key);
 * const { model } = await verifyModel(pkg, key.publicKey); // throws BadSignatureError if a byte changed
 * ```
 * @module
 */
export * from "./errors.ts";
export * from "./format.ts";
export * from "./keys.ts";
export * from "./sign.ts";
export * from "./device.ts";
export * from "./threats.ts";
export * from "./sketch.ts";
export * from "./kws_data.ts";
export * from "./adversarial.ts";
