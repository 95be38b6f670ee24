/* Host test driver for the C verifier (not for devices). Reads commands from stdin, one per line, hex args:
 *   V <public key> <signature> <message>   -> 1 or 0 (tinyml_ed25519_verify)
 *   P <public key> <package>               -> status name (tinyml_pkg_verify)
 *   H <data>                               -> SHA-512 hex (tinyml_sha512)
 *   S                                      -> 1 or 0 (tinyml_ed25519_selftest)
 *   F <op> <a> <b>                         -> field result hex (tinyml_ed25519_test_field; a, b 32 bytes)
 * "-" stands for empty data. Prints one answer line per command.
 * Usage: verify_cli [IN [OUT]]: commands from IN (default stdin), answers to OUT (default stdout). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinyml_ed25519.h"
#include "tinyml_model_pkg.h"
#include "tinyml_sha512.h"

void tinyml_ed25519_test_field(char op, const uint8_t a[32], const uint8_t b[32], uint8_t out[32]);

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes the next whitespace-separated hex token into a malloc'd buffer (host tool only). */
static unsigned char *next_hex(char **cursor, size_t *len) {
  char *tok = strtok(*cursor, " \t\r\n");
  size_t n, i;
  unsigned char *out;
  *cursor = NULL;
  if (!tok) return NULL;
  if (strcmp(tok, "-") == 0) {
    *len = 0;
    return malloc(1);
  }
  n = strlen(tok) / 2;
  out = malloc(n ? n : 1);
  for (i = 0; i < n; i++) out[i] = (unsigned char)(hexval(tok[2 * i]) * 16 + hexval(tok[2 * i + 1]));
  *len = n;
  return out;
}

int main(int argc, char **argv) {
  static char line[1 << 22];
  FILE *in = argc > 1 ? fopen(argv[1], "r") : stdin;
  if (!in || (argc > 2 && !freopen(argv[2], "w", stdout))) {
    fprintf(stderr, "verify_cli: cannot open %s\n", !in ? argv[1] : argv[2]);
    return 2;
  }
  while (fgets(line, sizeof line, in)) {
    char *cur = line + 1;
    size_t a_len = 0, b_len = 0, c_len = 0, i;
    if (line[0] == 'S') {
      printf("%d\n", tinyml_ed25519_selftest());
    } else if (line[0] == 'F') {
      char op = line[2];
      unsigned char out[32], *a, *b;
      cur = line + 3;
      a = next_hex(&cur, &a_len);
      b = next_hex(&cur, &b_len);
      if (a && b && a_len == 32 && b_len == 32) {
        tinyml_ed25519_test_field(op, a, b, out);
        for (i = 0; i < 32; i++) printf("%02x", out[i]);
        putchar('\n');
      } else {
        puts("?");
      }
      free(a), free(b);
    } else if (line[0] == 'H') {
      unsigned char d[64], *data = next_hex(&cur, &a_len);
      tinyml_sha512(data, a_len, d);
      for (i = 0; i < 64; i++) printf("%02x", d[i]);
      putchar('\n');
      free(data);
    } else if (line[0] == 'V') {
      unsigned char *pk = next_hex(&cur, &a_len), *sig = next_hex(&cur, &b_len), *msg = next_hex(&cur, &c_len);
      printf("%d\n", (pk && sig && msg && a_len == 32 && b_len == 64) ? tinyml_ed25519_verify(sig, msg, c_len, pk) : 0);
      free(pk), free(sig), free(msg);
    } else if (line[0] == 'P') {
      unsigned char *pk = next_hex(&cur, &a_len), *pkg = next_hex(&cur, &b_len);
      puts(a_len == 32 ? tinyml_pkg_status_name(tinyml_pkg_verify(pkg, b_len, pk, NULL, NULL)) : "bad-key-length");
      free(pk), free(pkg);
    } else {
      puts("?");
    }
  }
  return 0;
}
