/* pbcat: test helper for runtime-c/onnxc_pb.c.
 *   pbcat FILE...           decode each file, re-encode, decode again and compare; prints
 *                           "FILE: ok TYPE [dims] n=N bytes=B fnv=HASH" or "FILE: error: MSG"
 *                           (or "FILE: FAIL: ..." when a check fails: exit status 1)
 *   pbcat -w IN OUT         rewrite IN as a raw_data TensorProto
 *   pbcat -v FILE           print name, type, dims and every value
 *   pbcat --fuzz SEED N FILE...  decode N mutated copies of each file (and N random buffers)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnxc_pb.h"

static uint32_t fnv1a(const uint8_t *p, size_t n) {
  uint32_t h = 2166136261u;
  size_t i;
  for (i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static void print_dims(const onnxc_pb_tensor *t) {
  int32_t i;
  printf("[");
  for (i = 0; i < t->rank; i++) printf(i ? ",%lld" : "%lld", (long long)t->dims[i]);
  printf("]");
}

/* Independent check that the decoded size matches the dims. */
static const char *check_sizes(const onnxc_pb_tensor *t) {
  int64_t n = 1;
  int32_t i;
  int bits = onnxc_elem_bits(t->elem_type);
  for (i = 0; i < t->rank; i++) n *= t->dims[i];
  if (n != t->num_elems) return "num_elems != product(dims)";
  if ((uint64_t)t->size_bytes != ((uint64_t)n * (uint64_t)bits + 7) / 8)
    return "size_bytes != ceil(num_elems * bits / 8)";
  if (!t->data || !t->dims || !t->name) return "NULL pointer in decoded tensor";
  return NULL;
}

static const char *roundtrip(const onnxc_pb_tensor *t) {
  uint8_t *buf;
  size_t len;
  onnxc_pb_tensor u;
  char err[256];
  const char *bad = NULL;
  if (onnxc_pb_encode(t->name, t->elem_type, t->rank, t->dims, t->data, t->size_bytes,
                      &buf, &len, err, sizeof err))
    return "encode failed";
  if (onnxc_pb_decode(buf, len, &u, err, sizeof err)) bad = "re-decode failed";
  else if (strcmp(u.name, t->name) || u.elem_type != t->elem_type || u.rank != t->rank ||
           memcmp(u.dims, t->dims, (size_t)t->rank * sizeof(int64_t)) ||
           u.size_bytes != t->size_bytes || memcmp(u.data, t->data, t->size_bytes))
    bad = "re-decoded tensor differs";
  onnxc_pb_tensor_free(&u);
  free(buf);
  return bad;
}

static int cat_files(int n, char **files) {
  int i, failures = 0;
  for (i = 0; i < n; i++) {
    onnxc_pb_tensor t;
    char err[512];
    const char *bad;
    if (onnxc_pb_read_file(files[i], &t, err, sizeof err)) {
      printf("%s: error: %s\n", files[i], err);
      continue;
    }
    if ((bad = check_sizes(&t)) || (bad = roundtrip(&t))) {
      printf("%s: FAIL: %s\n", files[i], bad);
      failures++;
    } else {
      printf("%s: ok %s ", files[i], onnxc_elem_type_name(t.elem_type));
      print_dims(&t);
      printf(" n=%lld bytes=%zu fnv=%08lx\n", (long long)t.num_elems, t.size_bytes,
             (unsigned long)fnv1a((const uint8_t *)t.data, t.size_bytes));
    }
    onnxc_pb_tensor_free(&t);
  }
  return failures ? 1 : 0;
}

static int rewrite(const char *in, const char *out) {
  onnxc_pb_tensor t;
  char err[512];
  int rc = onnxc_pb_read_file(in, &t, err, sizeof err);
  if (!rc)
    rc = onnxc_pb_write_file(out, t.name, t.elem_type, t.rank, t.dims, t.data, t.size_bytes,
                             err, sizeof err);
  if (rc) fprintf(stderr, "error: %s\n", err);
  onnxc_pb_tensor_free(&t);
  return rc ? 1 : 0;
}

int pbcat_values(const char *path); /* pbcat_values.c */
int pbcat_fuzz(unsigned long seed, long iters, int n, char **files); /* pbcat_fuzz.c */

int main(int argc, char **argv) {
  if (argc == 4 && !strcmp(argv[1], "-w")) return rewrite(argv[2], argv[3]);
  if (argc == 3 && !strcmp(argv[1], "-v")) return pbcat_values(argv[2]);
  if (argc >= 4 && !strcmp(argv[1], "--fuzz"))
    return pbcat_fuzz(strtoul(argv[2], NULL, 10), strtol(argv[3], NULL, 10), argc - 4, argv + 4);
  if (argc >= 2 && argv[1][0] != '-') return cat_files(argc - 1, argv + 1);
  fprintf(stderr, "usage: pbcat FILE... | -w IN OUT | -v FILE | --fuzz SEED N FILE...\n");
  return 2;
}
