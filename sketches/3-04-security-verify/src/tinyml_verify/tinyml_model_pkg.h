/* Signed model packages: check one before using the model inside it. Portable C99, no heap.
 * Part of tinyml-kit (lib/security). The layout matches lib/security/package.ts:
 *
 *   offset  size  field
 *   0       4     magic "TMLS"
 *   4       1     format version (1)
 *   5       1     signature algorithm (1 = Ed25519)
 *   6       2     flags, little-endian (0)
 *   8       4     model length n, little-endian
 *   12      8     key id: the first 8 bytes of SHA-512(public key)
 *   20      n     the model (e.g. a .tflite flatbuffer)
 *   20 + n  64    Ed25519 signature of bytes [0, 20 + n)
 */
#ifndef TINYML_MODEL_PKG_H
#define TINYML_MODEL_PKG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TINYML_PKG_HEADER_BYTES 20u
#define TINYML_PKG_SIGNATURE_BYTES 64u
#define TINYML_PKG_VERSION 1u
#define TINYML_PKG_ALG_ED25519 1u

/* What a check found; the same codes (and order of checks) as verifyModel's errors in TypeScript. */
typedef enum {
  TINYML_PKG_OK = 0,
  TINYML_PKG_TRUNCATED = 1,     /* shorter than the header + signature, or than the model length says */
  TINYML_PKG_BAD_MAGIC = 2,     /* not a tinyml-kit package */
  TINYML_PKG_UNSUPPORTED = 3,   /* unknown version, algorithm or flags */
  TINYML_PKG_TRAILING_DATA = 4, /* longer than the model length says */
  TINYML_PKG_WRONG_KEY = 5,     /* signed for another key (key id differs) */
  TINYML_PKG_BAD_SIGNATURE = 6  /* the signature does not match: the bytes were changed */
} tinyml_pkg_status;

/* Checks pkg (pkg_len bytes) against public_key. On TINYML_PKG_OK, *model and *model_len (when not NULL)
 * point into pkg at the verified model; on any other result they are set to NULL / 0. */
tinyml_pkg_status tinyml_pkg_verify(const uint8_t *pkg, size_t pkg_len, const uint8_t public_key[32],
                                    const uint8_t **model, size_t *model_len);

/* A short name for a status ("ok", "bad-signature", ...). */
const char *tinyml_pkg_status_name(tinyml_pkg_status status);

#ifdef __cplusplus
}
#endif
#endif
