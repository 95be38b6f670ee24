/* Ed25519 signature verification (RFC 8032, section 5.1.7), portable C99, no heap.
 * Part of tinyml-kit. Verification handles public data only, so the code is not constant-time. */
#ifndef TINYML_ED25519_H
#define TINYML_ED25519_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Returns 1 when sig (R || S, 64 bytes) is a valid signature of msg under public_key, else 0.
 * Rejects S >= L, public keys and R values that do not decode (y >= p, no square root, x = 0 with the
 * sign bit set), and checks [S]B = R + [k]A by comparing encodings (the cofactorless check). */
int tinyml_ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t msg_len,
                          const uint8_t public_key[32]);

/* Same, for a message given as two parts (header || body), so callers need not copy them together. */
int tinyml_ed25519_verify2(const uint8_t sig[64], const uint8_t *part1, size_t len1,
                           const uint8_t *part2, size_t len2, const uint8_t public_key[32]);

/* Recomputes the built-in curve constants (d, 2d, sqrt(-1), the base point) from their definitions and
 * returns 1 when they match: a check for tests and ports, not needed before verifying. */
int tinyml_ed25519_selftest(void);

#ifdef __cplusplus
}
#endif
#endif
