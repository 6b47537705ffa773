/* npycat: exercises runtime-c/onnxc_npy.c.
 *   npycat IN OUT        convert a tensor file (.npy or .pb, by extension) to OUT (.npy or .pb)
 *   npycat --fuzz FILE.. decode every truncation and 200 random mutations of each .npy in
 *                        memory, and a share of them through onnxc_npy_read_file; prints
 *                        "ok N rejected N bad N" (bad: a failure without a message or a
 *                        tensor whose sizes disagree). Run it under ASan/UBSan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnxc_npy.h"

static long n_ok, n_err, n_bad;
static uint64_t state = 1;

static uint64_t rnd(void) { /* splitmix64 */
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static void judge(int rc, onnxc_pb_tensor *t, const char *err) {
  size_t bytes;
  if (rc) { if (err[0]) n_err++; else n_bad++; return; }
  if (onnxc_dense_size(t->elem_type, t->rank, t->dims, NULL, &bytes, NULL, 0) || bytes != t->size_bytes || !t->data || !t->name)
    n_bad++;
  else n_ok++;
  onnxc_pb_tensor_free(t);
}

/* Decodes b in memory and, when via_file, also through a temporary file. */
static void try_buf(const uint8_t *b, size_t len, const char *tmp, int via_file) {
  onnxc_pb_tensor t;
  char err[256];
  FILE *fp;
  err[0] = '\0';
  judge(onnxc_npy_decode(b, len, &t, err, sizeof err), &t, err);
  if (!via_file || !(fp = fopen(tmp, "wb"))) return;
  if (len) fwrite(b, 1, len, fp);
  fclose(fp);
  err[0] = '\0';
  judge(onnxc_npy_read_file(tmp, &t, err, sizeof err), &t, err);
}

static int fuzz(int n, char **files) {
  int f, k;
  for (f = 0; f < n; f++) {
    FILE *fp = fopen(files[f], "rb");
    uint8_t buf[1 << 16], mut[1 << 16];
    size_t len, i;
    if (!fp) return fprintf(stderr, "error: cannot open %s\n", files[f]), 1;
    len = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    for (i = 0; i < len; i++) try_buf(buf, i, "npycat_fuzz.tmp", i < 140 || i % 61 == 0);
    for (k = 0; k < 200; k++) {
      int edits = 1 + (int)(rnd() % 4), e;
      memcpy(mut, buf, len);
      for (e = 0; e < edits && len; e++) {
        size_t at = rnd() % (len < 140 ? len : 140); /* mostly the header */
        static const char pool[] = "{}()',: 0123456789<>|=fiubTrueFalse\n'descr'shape";
        mut[at] = rnd() % 2 ? (uint8_t)pool[rnd() % (sizeof pool - 1)] : (uint8_t)rnd();
      }
      try_buf(mut, len, "npycat_fuzz.tmp", k % 4 == 0);
    }
  }
  remove("npycat_fuzz.tmp");
  printf("ok %ld rejected %ld bad %ld\n", n_ok, n_err, n_bad);
  return n_bad ? 1 : 0;
}

int main(int argc, char **argv) {
  onnxc_pb_tensor t;
  char err[600];
  int rc;
  if (argc >= 2 && !strcmp(argv[1], "--fuzz")) return fuzz(argc - 2, argv + 2);
  if (argc != 3) return fprintf(stderr, "usage: npycat IN OUT | npycat --fuzz FILE...\n"), 2;
  if (onnxc_tensor_read_file(argv[1], &t, err, sizeof err)) return fprintf(stderr, "error: %s\n", err), 1;
  rc = onnxc_is_npy_path(argv[2])
           ? onnxc_npy_write_file(argv[2], t.elem_type, t.rank, t.dims, t.data, t.size_bytes, err, sizeof err)
           : onnxc_pb_write_file(argv[2], t.name, t.elem_type, t.rank, t.dims, t.data, t.size_bytes, err, sizeof err);
  onnxc_pb_tensor_free(&t);
  if (rc) return fprintf(stderr, "error: %s\n", err), 1;
  return 0;
}
