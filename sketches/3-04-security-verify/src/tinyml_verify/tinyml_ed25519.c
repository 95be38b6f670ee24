/* Ed25519 verification written from RFC 8032 (sections 5.1.1-5.1.7).
 *
 * Field elements mod p = 2^255 - 19 are 8 little-endian 32-bit words (value = sum v[i] * 2^(32 i)), any
 * value in [0, 2^256): results are kept below 2^256 but brought to the canonical range [0, p) only where it
 * matters (encoding, comparison, parity). Since 2^256 = 2 * (2^255 - 19) + 38, a carry out of the top word
 * folds back as 38 into word 0. Products use 32x32 -> 64-bit multiplies (one UMULL/UMLAL on a Cortex-M).
 * Verification handles public data only, so nothing here needs to be constant-time. */
#include "tinyml_ed25519.h"

#include <string.h>

#include "tinyml_sha512.h"

typedef uint32_t fe[8];

/* A point in extended homogeneous coordinates (RFC 8032 5.1.4): x = X/Z, y = Y/Z, x*y = T/Z. */
typedef struct {
  fe X, Y, Z, T;
} point;

/* ---------- field arithmetic mod p ---------- */

static void fe_copy(fe r, const fe a) { memcpy(r, a, sizeof(fe)); }

static void fe_set_small(fe r, uint32_t v) {
  memset(r, 0, sizeof(fe));
  r[0] = v;
}

/* r += 38 * carry for a small carry (< 64), i.e. fold carry * 2^256 back in. If that overflows 2^256 once
 * more, the wrapped words are below 38 * 64, so adding the second 38 to word 0 cannot carry. */
static void fe_fold(fe r, uint64_t carry) {
  uint8_t i;
  carry *= 38;
  for (i = 0; i < 8 && carry != 0; i++) {
    carry += r[i];
    r[i] = (uint32_t)carry;
    carry >>= 32;
  }
  if (carry != 0) r[0] += 38;
}

static void fe_add(fe r, const fe a, const fe b) {
  uint64_t c = 0;
  uint8_t i;
  for (i = 0; i < 8; i++) {
    c += (uint64_t)a[i] + b[i];
    r[i] = (uint32_t)c;
    c >>= 32;
  }
  fe_fold(r, c);
}

/* r = a - b. A borrow out of the top means the words hold a - b + 2^256 = a - b + 38 (mod p): take 38 off,
 * which can borrow once more (then 2^256 - 38 + small remains, and one more -38 cannot borrow). */
static void fe_sub(fe r, const fe a, const fe b) {
  uint32_t borrow = 0, sub;
  uint8_t i, round;
  for (i = 0; i < 8; i++) {
    uint64_t t = (uint64_t)a[i] - b[i] - borrow;
    r[i] = (uint32_t)t;
    borrow = (uint32_t)(t >> 32) & 1u;
  }
  for (round = 0; round < 2 && borrow; round++) {
    sub = 38;
    borrow = 0;
    for (i = 0; i < 8; i++) {
      uint64_t t = (uint64_t)r[i] - sub - borrow;
      r[i] = (uint32_t)t;
      borrow = (uint32_t)(t >> 32) & 1u;
      sub = 0;
    }
  }
}

/* r = t mod p, roughly: the high half of a 512-bit t folds onto the low half times 38 (2^256 = 38 mod p). */
static void fe_reduce512(fe r, const uint32_t t[16]) {
  uint64_t c = 0;
  uint8_t i;
  for (i = 0; i < 8; i++) {
    c += (uint64_t)t[i] + (uint64_t)t[8 + i] * 38u;
    r[i] = (uint32_t)c;
    c >>= 32;
  }
  fe_fold(r, c);
}

/* One column step of product scanning. A product's low and high words go to separate 64-bit sums, which
 * cannot overflow (a column has at most 8 products), so no carry needs catching per product: one 32x32->64
 * multiply and two 64-bit additions each. COL stores the column's low word and carries the rest on. The
 * columns are written out (not looped) so the compiler can keep everything in registers. */
#define MAC(x, y)                            \
  do {                                       \
    uint64_t p_ = (uint64_t)(x) * (y);       \
    lo += (uint32_t)p_;                      \
    hi += p_ >> 32;                          \
  } while (0)
#define COL(k)                               \
  do {                                       \
    t[k] = (uint32_t)lo;                     \
    lo = (lo >> 32) + hi;                    \
    hi = 0;                                  \
  } while (0)

/* r = a * b: the 512-bit product by columns, then reduced. */
static void fe_mul(fe r, const fe a, const fe b) {
  uint32_t t[16];
  uint64_t lo = 0, hi = 0;
  MAC(a[0], b[0]); COL(0);
  MAC(a[0], b[1]); MAC(a[1], b[0]); COL(1);
  MAC(a[0], b[2]); MAC(a[1], b[1]); MAC(a[2], b[0]); COL(2);
  MAC(a[0], b[3]); MAC(a[1], b[2]); MAC(a[2], b[1]); MAC(a[3], b[0]); COL(3);
  MAC(a[0], b[4]); MAC(a[1], b[3]); MAC(a[2], b[2]); MAC(a[3], b[1]); MAC(a[4], b[0]); COL(4);
  MAC(a[0], b[5]); MAC(a[1], b[4]); MAC(a[2], b[3]); MAC(a[3], b[2]); MAC(a[4], b[1]); MAC(a[5], b[0]); COL(5);
  MAC(a[0], b[6]); MAC(a[1], b[5]); MAC(a[2], b[4]); MAC(a[3], b[3]); MAC(a[4], b[2]); MAC(a[5], b[1]); MAC(a[6], b[0]); COL(6);
  MAC(a[0], b[7]); MAC(a[1], b[6]); MAC(a[2], b[5]); MAC(a[3], b[4]); MAC(a[4], b[3]); MAC(a[5], b[2]); MAC(a[6], b[1]); MAC(a[7], b[0]); COL(7);
  MAC(a[1], b[7]); MAC(a[2], b[6]); MAC(a[3], b[5]); MAC(a[4], b[4]); MAC(a[5], b[3]); MAC(a[6], b[2]); MAC(a[7], b[1]); COL(8);
  MAC(a[2], b[7]); MAC(a[3], b[6]); MAC(a[4], b[5]); MAC(a[5], b[4]); MAC(a[6], b[3]); MAC(a[7], b[2]); COL(9);
  MAC(a[3], b[7]); MAC(a[4], b[6]); MAC(a[5], b[5]); MAC(a[6], b[4]); MAC(a[7], b[3]); COL(10);
  MAC(a[4], b[7]); MAC(a[5], b[6]); MAC(a[6], b[5]); MAC(a[7], b[4]); COL(11);
  MAC(a[5], b[7]); MAC(a[6], b[6]); MAC(a[7], b[5]); COL(12);
  MAC(a[6], b[7]); MAC(a[7], b[6]); COL(13);
  MAC(a[7], b[7]); COL(14);
  t[15] = (uint32_t)lo;
  fe_reduce512(r, t);
}

/* r = a^2: the 28 cross products a[i] a[j] (i < j) once, the whole sum doubled by a shift, then the 8
 * squares a[i]^2 added: 36 multiplications instead of 64. */
static void fe_sq(fe r, const fe a) {
  uint32_t t[16];
  uint64_t lo = 0, hi = 0, acc;
  uint8_t i, k;
  t[0] = 0;
  MAC(a[0], a[1]); COL(1);
  MAC(a[0], a[2]); COL(2);
  MAC(a[0], a[3]); MAC(a[1], a[2]); COL(3);
  MAC(a[0], a[4]); MAC(a[1], a[3]); COL(4);
  MAC(a[0], a[5]); MAC(a[1], a[4]); MAC(a[2], a[3]); COL(5);
  MAC(a[0], a[6]); MAC(a[1], a[5]); MAC(a[2], a[4]); COL(6);
  MAC(a[0], a[7]); MAC(a[1], a[6]); MAC(a[2], a[5]); MAC(a[3], a[4]); COL(7);
  MAC(a[1], a[7]); MAC(a[2], a[6]); MAC(a[3], a[5]); COL(8);
  MAC(a[2], a[7]); MAC(a[3], a[6]); MAC(a[4], a[5]); COL(9);
  MAC(a[3], a[7]); MAC(a[4], a[6]); COL(10);
  MAC(a[4], a[7]); MAC(a[5], a[6]); COL(11);
  MAC(a[5], a[7]); COL(12);
  MAC(a[6], a[7]); COL(13);
   COL(14);
  t[15] = (uint32_t)lo;
  for (k = 15; k > 0; k--) t[k] = (t[k] << 1) | (t[k - 1] >> 31); /* the cross sum is < 2^511: no bit lost */
  t[0] <<= 1;
  acc = 0;
  for (i = 0; i < 8; i++) {
    uint64_t sq = (uint64_t)a[i] * a[i];
    acc += (uint64_t)t[2 * i] + (uint32_t)sq;
    t[2 * i] = (uint32_t)acc;
    acc = (acc >> 32) + (uint64_t)t[2 * i + 1] + (sq >> 32);
    t[2 * i + 1] = (uint32_t)acc;
    acc >>= 32;
  }
  fe_reduce512(r, t);
}

#undef MAC
#undef COL

/* r = a^e for a 256-bit little-endian exponent e (square-and-multiply; only the self-test uses it). */
static void fe_pow(fe r, const fe a, const uint8_t e[32]) {
  fe acc;
  int16_t bit;
  fe_set_small(acc, 1);
  for (bit = 255; bit >= 0; bit--) {
    fe_sq(acc, acc);
    if ((e[bit >> 3] >> (bit & 7)) & 1) fe_mul(acc, acc, a);
  }
  fe_copy(r, acc);
}

static const uint8_t EXP_P_MINUS_2[32] = { /* p - 2 = 2^255 - 21 */
  0xeb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
static const uint8_t EXP_P_MINUS_1_DIV_4[32] = { /* (p - 1) / 4 = 2^253 - 5: 2^((p-1)/4) = sqrt(-1) */
  0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f};

/* z^(2^250 - 1) by an addition chain (249 squarings, 11 multiplications instead of ~250 for square-and-
 * multiply); also returns z^11, which inversion needs. Each step's exponent is in its comment. */
static void fe_pow_2_250_minus_1(fe out, fe z11, const fe z) {
  fe t, z9, a, b, c;
  uint8_t i;
  fe_sq(t, z);                                  /* 2 */
  fe_sq(a, t);
  fe_sq(a, a);                                  /* 8 */
  fe_mul(z9, a, z);                             /* 9 */
  fe_mul(z11, z9, t);                           /* 11 */
  fe_sq(t, z11);                                /* 22 */
  fe_mul(a, t, z9);                             /* 31 = 2^5 - 1 */
  fe_sq(t, a);
  for (i = 1; i < 5; i++) fe_sq(t, t);
  fe_mul(b, t, a);                              /* 2^10 - 1 */
  fe_sq(t, b);
  for (i = 1; i < 10; i++) fe_sq(t, t);
  fe_mul(c, t, b);                              /* 2^20 - 1 */
  fe_sq(t, c);
  for (i = 1; i < 20; i++) fe_sq(t, t);
  fe_mul(t, t, c);                              /* 2^40 - 1 */
  for (i = 0; i < 10; i++) fe_sq(t, t);
  fe_mul(a, t, b);                              /* 2^50 - 1 */
  fe_sq(t, a);
  for (i = 1; i < 50; i++) fe_sq(t, t);
  fe_mul(b, t, a);                              /* 2^100 - 1 */
  fe_sq(t, b);
  for (i = 1; i < 100; i++) fe_sq(t, t);
  fe_mul(t, t, b);                              /* 2^200 - 1 */
  for (i = 0; i < 50; i++) fe_sq(t, t);
  fe_mul(out, t, a);                            /* 2^250 - 1 */
}

/* 1/a = a^(p-2) = a^(2^255 - 21) = (a^(2^250 - 1))^(2^5) * a^11 (Fermat). */
static void fe_inv(fe r, const fe a) {
  fe t, z11;
  uint8_t i;
  fe_pow_2_250_minus_1(t, z11, a);
  for (i = 0; i < 5; i++) fe_sq(t, t);
  fe_mul(r, t, z11);
}

/* a^((p-5)/8) = a^(2^252 - 3) = (a^(2^250 - 1))^4 * a, for square roots (5.1.3). */
static void fe_pow_p58(fe r, const fe a) {
  fe t, z11;
  fe_pow_2_250_minus_1(t, z11, a);
  fe_sq(t, t);
  fe_sq(t, t);
  fe_mul(r, t, a);
}

/* Reduce to the canonical value in [0, p). Values are < 2^256 = 2p + 38, so two subtractions suffice. */
static void fe_freeze(fe r, const fe a) {
  static const uint32_t P[8] = {0xffffffedu, 0xffffffffu, 0xffffffffu, 0xffffffffu,
                                0xffffffffu, 0xffffffffu, 0xffffffffu, 0x7fffffffu};
  uint8_t round, i;
  fe_copy(r, a);
  for (round = 0; round < 2; round++) {
    fe s;
    uint32_t borrow = 0;
    for (i = 0; i < 8; i++) {
      uint64_t t = (uint64_t)r[i] - P[i] - borrow;
      s[i] = (uint32_t)t;
      borrow = (uint32_t)(t >> 32) & 1u;
    }
    if (!borrow) fe_copy(r, s); /* r >= p: keep r - p */
  }
}

static void fe_from_bytes(fe r, const uint8_t in[32]) {
  uint8_t i;
  for (i = 0; i < 8; i++) {
    r[i] = (uint32_t)in[4 * i] | ((uint32_t)in[4 * i + 1] << 8) | ((uint32_t)in[4 * i + 2] << 16) |
           ((uint32_t)in[4 * i + 3] << 24);
  }
}

static void fe_to_bytes(uint8_t out[32], const fe a) {
  fe c;
  uint8_t i;
  fe_freeze(c, a);
  for (i = 0; i < 8; i++) {
    out[4 * i] = (uint8_t)c[i];
    out[4 * i + 1] = (uint8_t)(c[i] >> 8);
    out[4 * i + 2] = (uint8_t)(c[i] >> 16);
    out[4 * i + 3] = (uint8_t)(c[i] >> 24);
  }
}

static int fe_equal(const fe a, const fe b) {
  uint8_t x[32], y[32];
  fe_to_bytes(x, a);
  fe_to_bytes(y, b);
  return memcmp(x, y, 32) == 0;
}

static int fe_is_zero(const fe a) {
  fe z;
  fe_set_small(z, 0);
  return fe_equal(a, z);
}

static uint8_t fe_parity(const fe a) {
  uint8_t b[32];
  fe_to_bytes(b, a);
  return b[0] & 1;
}

/* ---------- curve constants (RFC 8032 5.1), as 32-bit words ----------
 * Typed in rather than derived on every call (a derivation costs exponentiations); tinyml_ed25519_selftest
 * derives them again and compares. */

/* d = -121665 / 121666 */
static const fe CURVE_D = {0x135978a3u, 0x75eb4dcau, 0x4141d8abu, 0x00700a4du,
                           0x7779e898u, 0x8cc74079u, 0x2b6ffe73u, 0x52036ceeu};
/* 2 d, used by point addition */
static const fe CURVE_D2 = {0x26b2f159u, 0xebd69b94u, 0x8283b156u, 0x00e0149au,
                            0xeef3d130u, 0x198e80f2u, 0x56dffce7u, 0x2406d9dcu};
/* sqrt(-1) = 2^((p-1)/4) */
static const fe SQRT_M1 = {0x4a0ea0b0u, 0xc4ee1b27u, 0xad2fe478u, 0x2f431806u,
                           0x3dfbd7a7u, 0x2b4d0099u, 0x4fc1df0bu, 0x2b832480u};
/* The base point B: y = 4/5, x the even root; T = x y. */
static const point BASE = {
  {0x8f25d51au, 0xc9562d60u, 0x9525a7b2u, 0x692cc760u, 0xfdd6dc5cu, 0xc0a4e231u, 0xcd6e53feu, 0x216936d3u},
  {0x66666658u, 0x66666666u, 0x66666666u, 0x66666666u, 0x66666666u, 0x66666666u, 0x66666666u, 0x66666666u},
  {1u, 0u, 0u, 0u, 0u, 0u, 0u, 0u},
  {0xa5b7dda3u, 0x6dde8ab3u, 0x775152f5u, 0x20f09f80u, 0x64abe37du, 0x66ea4e8eu, 0xd78b7665u, 0x67875f0fu},
};

/* ---------- points ---------- */

/* 5.1.3 decoding. Returns 0 when the encoding is not a point. */
static int point_decode(point *P, const uint8_t in[32]) {
  fe y, u, v, v3, x, t, check;
  uint8_t x0 = in[31] >> 7;
  uint8_t canon[32];
  fe_from_bytes(y, in);
  y[7] &= 0x7fffffffu;
  /* y must be < p: re-encoding the canonical value must give back the same 255 bits. */
  fe_to_bytes(canon, y);
  canon[31] |= (uint8_t)(x0 << 7);
  if (memcmp(canon, in, 32) != 0) return 0;

  /* x^2 = u / v with u = y^2 - 1, v = d y^2 + 1; candidate x = u v^3 (u v^7)^((p-5)/8). */
  fe_sq(u, y);
  fe_mul(v, CURVE_D, u);
  fe_set_small(t, 1);
  fe_sub(u, u, t);
  fe_add(v, v, t);
  fe_sq(v3, v);
  fe_mul(v3, v3, v);     /* v^3 */
  fe_sq(x, v3);
  fe_mul(x, x, v);       /* v^7 */
  fe_mul(x, x, u);       /* u v^7 */
  fe_pow_p58(x, x);
  fe_mul(x, x, v3);
  fe_mul(x, x, u);

  fe_sq(check, x);
  fe_mul(check, check, v); /* v x^2 */
  if (!fe_equal(check, u)) {
    fe neg_u, zero;
    fe_set_small(zero, 0);
    fe_sub(neg_u, zero, u);
    if (!fe_equal(check, neg_u)) return 0; /* no square root */
    fe_mul(x, x, SQRT_M1);
  }
  if (fe_is_zero(x) && x0 == 1) return 0;
  if (fe_parity(x) != x0) {
    fe zero;
    fe_set_small(zero, 0);
    fe_sub(x, zero, x);
  }
  fe_copy(P->X, x);
  fe_copy(P->Y, y);
  fe_set_small(P->Z, 1);
  fe_mul(P->T, x, y);
  return 1;
}

/* 5.1.2 encoding: y with the parity of x in the top bit. */
static void point_encode(uint8_t out[32], const point *P) {
  fe zinv, x, y;
  fe_inv(zinv, P->Z);
  fe_mul(x, P->X, zinv);
  fe_mul(y, P->Y, zinv);
  fe_to_bytes(out, y);
  out[31] |= (uint8_t)(fe_parity(x) << 7);
}

/* 5.1.4 addition (complete: it also doubles). d2 = 2 d. */
static void point_add(point *R, const point *P, const point *Q) {
  fe a, b, c, dd, e, f, g, h, t;
  fe_sub(a, P->Y, P->X);
  fe_sub(t, Q->Y, Q->X);
  fe_mul(a, a, t);
  fe_add(b, P->Y, P->X);
  fe_add(t, Q->Y, Q->X);
  fe_mul(b, b, t);
  fe_mul(c, P->T, Q->T);
  fe_mul(c, c, CURVE_D2);
  fe_mul(dd, P->Z, Q->Z);
  fe_add(dd, dd, dd);
  fe_sub(e, b, a);
  fe_sub(f, dd, c);
  fe_add(g, dd, c);
  fe_add(h, b, a);
  fe_mul(R->X, e, f);
  fe_mul(R->Y, g, h);
  fe_mul(R->T, e, h);
  fe_mul(R->Z, f, g);
}

/* 5.1.4 doubling. */
static void point_double(point *R, const point *P) {
  fe a, b, c, e, f, g, h, t;
  fe_sq(a, P->X);
  fe_sq(b, P->Y);
  fe_sq(c, P->Z);
  fe_add(c, c, c);
  fe_add(h, a, b);
  fe_add(t, P->X, P->Y);
  fe_sq(t, t);
  fe_sub(e, h, t);
  fe_sub(g, a, b);
  fe_add(f, c, g);
  fe_mul(R->X, e, f);
  fe_mul(R->Y, g, h);
  fe_mul(R->T, e, h);
  fe_mul(R->Z, f, g);
}

static void point_neg(point *R, const point *P) {
  fe zero;
  fe_set_small(zero, 0);
  *R = *P;
  fe_sub(R->X, zero, P->X);
  fe_sub(R->T, zero, P->T);
}

/* R = [s]P + [k]Q (Shamir's trick: one shared chain of doublings). s and k are 32-byte little-endian. */
static void double_scalar_mul(point *R, const uint8_t s[32], const point *P, const uint8_t k[32],
                              const point *Q) {
  point PQ, acc;
  int16_t bit;
  point_add(&PQ, P, Q);
  fe_set_small(acc.X, 0); /* the neutral element (0, 1) */
  fe_set_small(acc.Y, 1);
  fe_set_small(acc.Z, 1);
  fe_set_small(acc.T, 0);
  for (bit = 255; bit >= 0; bit--) {
    uint8_t sb = (s[bit >> 3] >> (bit & 7)) & 1, kb = (k[bit >> 3] >> (bit & 7)) & 1;
    point_double(&acc, &acc);
    if (sb && kb) point_add(&acc, &acc, &PQ);
    else if (sb) point_add(&acc, &acc, P);
    else if (kb) point_add(&acc, &acc, Q);
  }
  *R = acc;
}

/* ---------- scalars mod L = 2^252 + 27742317777372353535851937790883648493 ---------- */

static const uint8_t L_BYTES[32] = {
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

/* Compare little-endian numbers of n bytes: -1, 0, 1. */
static int8_t cmp_le(const uint8_t *a, const uint8_t *b, uint8_t n) {
  while (n-- > 0) {
    if (a[n] != b[n]) return a[n] < b[n] ? -1 : 1;
  }
  return 0;
}

/* r = h mod L for a 64-byte little-endian h, by binary long division: shift in one bit at a time and
 * subtract L whenever the remainder reaches it. The remainder stays < 2L < 2^254, so 32 bytes hold it. */
static void reduce_mod_l(uint8_t r[32], const uint8_t h[64]) {
  int16_t bit;
  uint8_t i;
  memset(r, 0, 32);
  for (bit = 511; bit >= 0; bit--) {
    uint8_t carry = (h[bit >> 3] >> (bit & 7)) & 1;
    for (i = 0; i < 32; i++) { /* r = 2 r + bit */
      uint8_t next = r[i] >> 7;
      r[i] = (uint8_t)((r[i] << 1) | carry);
      carry = next;
    }
    if (cmp_le(r, L_BYTES, 32) >= 0) { /* r -= L */
      int16_t borrow = 0;
      for (i = 0; i < 32; i++) {
        int16_t d = (int16_t)r[i] - L_BYTES[i] - borrow;
        borrow = d < 0 ? 1 : 0;
        r[i] = (uint8_t)(d + (borrow ? 256 : 0));
      }
    }
  }
}

/* ---------- verification (5.1.7) ---------- */

int tinyml_ed25519_verify2(const uint8_t sig[64], const uint8_t *part1, size_t len1,
                           const uint8_t *part2, size_t len2, const uint8_t public_key[32]) {
  point A, check;
  uint8_t h[64], k[32], encoded[32];
  tinyml_sha512_ctx sha;

  /* Step 1: S must be < L and A must decode. R is not decoded: the final check compares R's bytes with a
   * canonical encoding of a curve point, which no invalid or non-canonical R can equal (saves a square root). */
  if (cmp_le(sig + 32, L_BYTES, 32) >= 0) return 0;
  if (!point_decode(&A, public_key)) return 0;

  /* Step 2: k = SHA-512(R || A || M) mod L. */
  tinyml_sha512_init(&sha);
  tinyml_sha512_update(&sha, sig, 32);
  tinyml_sha512_update(&sha, public_key, 32);
  if (len1) tinyml_sha512_update(&sha, part1, len1);
  if (len2) tinyml_sha512_update(&sha, part2, len2);
  tinyml_sha512_final(&sha, h);
  reduce_mod_l(k, h);

  /* Step 3: [S]B - [k]A must equal R (compared as encodings). */
  point_neg(&A, &A);
  double_scalar_mul(&check, sig + 32, &BASE, k, &A);
  point_encode(encoded, &check);
  return memcmp(encoded, sig, 32) == 0;
}

int tinyml_ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t msg_len,
                          const uint8_t public_key[32]) {
  return tinyml_ed25519_verify2(sig, msg, msg_len, 0, 0, public_key);
}

int tinyml_ed25519_selftest(void) {
  static const uint8_t BASE_ENCODED[32] = { /* B: y = 4/5 with x even, encoded (5.1) */
    0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66};
  fe num, den, d, two, i, zero;
  point B;
  uint8_t enc[32];
  int ok = 1;
  fe_set_small(zero, 0);
  fe_set_small(num, 121665);
  fe_sub(num, zero, num);
  fe_set_small(den, 121666);
  fe_inv(d, den);
  fe_pow(two, den, EXP_P_MINUS_2);
  ok &= fe_equal(d, two); /* the addition chain agrees with plain square-and-multiply */
  fe_mul(d, num, d);
  ok &= fe_equal(d, CURVE_D);
  fe_add(d, d, d);
  ok &= fe_equal(d, CURVE_D2);
  fe_set_small(two, 2);
  fe_pow(i, two, EXP_P_MINUS_1_DIV_4);
  ok &= fe_equal(i, SQRT_M1);
  ok &= point_decode(&B, BASE_ENCODED);
  ok &= fe_equal(B.X, BASE.X) & fe_equal(B.Y, BASE.Y) & fe_equal(B.T, BASE.T);
  point_encode(enc, &BASE);
  ok &= memcmp(enc, BASE_ENCODED, 32) == 0;
  return ok;
}

#ifdef TINYML_ED25519_TESTING
/* Test hook (host builds only): one field operation on raw 256-bit little-endian inputs, canonical output.
 * op: '+', '-', '*', 's' (a^2), 'i' (1/a), 'q' (a^((p-5)/8)). */
void tinyml_ed25519_test_field(char op, const uint8_t a[32], const uint8_t b[32], uint8_t out[32]) {
  fe x, y, z;
  fe_from_bytes(x, a);
  fe_from_bytes(y, b);
  switch (op) {
    case '+': fe_add(z, x, y); break;
    case '-': fe_sub(z, x, y); break;
    case '*': fe_mul(z, x, y); break;
    case 's': fe_sq(z, x); break;
    case 'i': fe_inv(z, x); break;
    default: fe_pow_p58(z, x); break;
  }
  fe_to_bytes(out, z);
}
#endif
