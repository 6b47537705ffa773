/* pbcat --fuzz: decode mutated and random buffers in-process; run it under ASan/UBSan.
 * Every decode must either fail with a message or produce a self-consistent tensor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnxc_pb.h"

static uint64_t rng_state;

static uint64_t rnd(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static long n_ok, n_err, n_bad;

static void try_decode(const uint8_t *buf, size_t len) {
  onnxc_pb_tensor t;
  char err[256];
  err[0] = '\0';
  if (onnxc_pb_decode(buf, len, &t, err, sizeof err)) {
    if (err[0]) n_err++; else n_bad++; /* a failure must say why */
    return;
  }
  if (!t.data || !t.name || !t.dims || t.num_elems < 0) n_bad++; else n_ok++;
  onnxc_pb_tensor_free(&t);
}

/* Append a random but plausible field (known field numbers, random wire types). */
static size_t random_field(uint8_t *p, size_t room) {
  size_t n = 0, len, i;
  if (room < 24) return 0;
  p[n++] = (uint8_t)(((1 + rnd() % 14) << 3) | (rnd() % 6));
  len = rnd() % 12;
  if (rnd() % 8 == 0) { for (i = 0; i < 9; i++) p[n++] = 0xff; p[n++] = 0x01; return n; }
  p[n++] = (uint8_t)len;
  for (i = 0; i < len && n < room; i++) p[n++] = (uint8_t)(rnd() % 4 ? rnd() % 8 : rnd());
  return n;
}

static void mutate_and_decode(const uint8_t *orig, size_t len, uint8_t *buf) {
  size_t n = len, k, flips;
  memcpy(buf, orig, len);
  switch (rnd() % 4) {
    case 0: n = len ? (size_t)(rnd() % len) : 0; break; /* truncate */
    case 1: for (flips = 1 + rnd() % 4; flips--;) if (n) buf[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8)); break;
    case 2: for (flips = 1 + rnd() % 4; flips--;) if (n) buf[rnd() % n] = (uint8_t)rnd(); break;
    default: k = n ? (size_t)(rnd() % n) : 0; n = k + random_field(buf + k, len + 64 - k); break;
  }
  try_decode(buf, n);
}

static int fuzz_file(const char *path, long iters) {
  FILE *fp = fopen(path, "rb");
  uint8_t *orig, *buf;
  long len, i;
  if (!fp) { fprintf(stderr, "error: cannot open %s\n", path); return 1; }
  fseek(fp, 0, SEEK_END);
  len = ftell(fp);
  rewind(fp);
  orig = (uint8_t *)malloc((size_t)len + 1);
  buf = (uint8_t *)malloc((size_t)len + 64);
  if (!orig || !buf || fread(orig, 1, (size_t)len, fp) != (size_t)len) {
    fprintf(stderr, "error: cannot read %s\n", path);
    fclose(fp); free(orig); free(buf);
    return 1;
  }
  fclose(fp);
  for (i = 0; i < len && i < 48; i++) { memcpy(buf, orig, (size_t)i); try_decode(buf, (size_t)i); }
  for (i = 0; i < iters; i++) mutate_and_decode(orig, (size_t)len, buf);
  free(orig);
  free(buf);
  return 0;
}

int pbcat_fuzz(unsigned long seed, long iters, int n, char **files) {
  uint8_t buf[512];
  long i;
  int f, rc = 0;
  rng_state = seed;
  for (f = 0; f < n; f++) rc |= fuzz_file(files[f], iters);
  for (i = 0; i < iters * 4; i++) { /* random bytes and random field soups */
    size_t len = (size_t)(rnd() % sizeof buf), k = 0;
    if (i % 2) { for (k = 0; k < len; k++) buf[k] = (uint8_t)rnd(); }
    else { while (k < len) { size_t m = random_field(buf + k, sizeof buf - k); if (!m) break; k += m; } }
    try_decode(buf, i % 2 ? len : k);
  }
  printf("fuzz: %ld decoded ok, %ld rejected with a message, %ld bad\n", n_ok, n_err, n_bad);
  return rc || n_bad ? 1 : 0;
}
