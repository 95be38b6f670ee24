/* Signed model package check: cheap header checks first, the signature last. See tinyml_model_pkg.h. */
#include "tinyml_model_pkg.h"

#include <string.h>

#include "tinyml_ed25519.h"
#include "tinyml_sha512.h"

static uint32_t load_le32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

tinyml_pkg_status tinyml_pkg_verify(const uint8_t *pkg, size_t pkg_len, const uint8_t public_key[32],
                                    const uint8_t **model, size_t *model_len) {
  static const uint8_t MAGIC[4] = {'T', 'M', 'L', 'S'};
  uint8_t key_hash[64];
  uint32_t n;
  if (model) *model = NULL;
  if (model_len) *model_len = 0;

  if (pkg_len < TINYML_PKG_HEADER_BYTES + TINYML_PKG_SIGNATURE_BYTES) return TINYML_PKG_TRUNCATED;
  if (memcmp(pkg, MAGIC, 4) != 0) return TINYML_PKG_BAD_MAGIC;
  if (pkg[4] != TINYML_PKG_VERSION || pkg[5] != TINYML_PKG_ALG_ED25519 || pkg[6] != 0 || pkg[7] != 0) {
    return TINYML_PKG_UNSUPPORTED;
  }
  /* Compare lengths without forming header + n + signature, which could overflow a 16-bit size_t. */
  n = load_le32(pkg + 8);
  if (n > pkg_len - TINYML_PKG_HEADER_BYTES - TINYML_PKG_SIGNATURE_BYTES) return TINYML_PKG_TRUNCATED;
  if (n < pkg_len - TINYML_PKG_HEADER_BYTES - TINYML_PKG_SIGNATURE_BYTES) return TINYML_PKG_TRAILING_DATA;

  tinyml_sha512(public_key, 32, key_hash);
  if (memcmp(pkg + 12, key_hash, 8) != 0) return TINYML_PKG_WRONG_KEY;

  if (!tinyml_ed25519_verify(pkg + TINYML_PKG_HEADER_BYTES + n, pkg, TINYML_PKG_HEADER_BYTES + (size_t)n,
                             public_key)) {
    return TINYML_PKG_BAD_SIGNATURE;
  }
  if (model) *model = pkg + TINYML_PKG_HEADER_BYTES;
  if (model_len) *model_len = n;
  return TINYML_PKG_OK;
}

const char *tinyml_pkg_status_name(tinyml_pkg_status status) {
  switch (status) {
    case TINYML_PKG_OK: return "ok";
    case TINYML_PKG_TRUNCATED: return "truncated";
    case TINYML_PKG_BAD_MAGIC: return "bad-magic";
    case TINYML_PKG_UNSUPPORTED: return "unsupported";
    case TINYML_PKG_TRAILING_DATA: return "trailing-data";
    case TINYML_PKG_WRONG_KEY: return "wrong-key";
    case TINYML_PKG_BAD_SIGNATURE: return "bad-signature";
  }
  return "unknown";
}
