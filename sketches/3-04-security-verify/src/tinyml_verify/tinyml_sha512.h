/* SHA-512 (FIPS 180-4, section 6.4), streaming, no heap. Part of tinyml-kit's update verifier. */
#ifndef TINYML_SHA512_H
#define TINYML_SHA512_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  uint64_t h[8];      /* the chaining value H(i) */
  uint8_t block[128]; /* bytes waiting for a full 1024-bit block */
  uint32_t total_lo;  /* message length in bytes, low and high 32 bits */
  uint32_t total_hi;
  uint8_t used;       /* bytes in block (0..127) */
} tinyml_sha512_ctx;

void tinyml_sha512_init(tinyml_sha512_ctx *ctx);
void tinyml_sha512_update(tinyml_sha512_ctx *ctx, const uint8_t *data, size_t len);
void tinyml_sha512_final(tinyml_sha512_ctx *ctx, uint8_t digest[64]);
/* One-shot convenience. */
void tinyml_sha512(const uint8_t *data, size_t len, uint8_t digest[64]);

#ifdef __cplusplus
}
#endif
#endif
