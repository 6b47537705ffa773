/* pb_compare: compares tensors the way ONNX's backend test runner does (as
 * src/testing/compare.ts): same element type and shape; float, double, float16, bfloat16 and
 * complex within |a - e| <= atol + rtol * |e| (NaN matches NaN, infinities must be equal);
 * every other type (integers, bool, float8/float4) bit for bit.
 *
 *   cc -std=c99 -O2 -Iruntime-c benchmarks/pb_compare.c runtime-c/onnxc_pb.c -lm -o pb_compare
 *   pb_compare [--rtol R] [--atol A] ACTUAL.pb EXPECTED.pb [ACTUAL.pb EXPECTED.pb]...
 *
 * Prints one line per pair ("ok ... max abs diff D" or "FAIL ...: why") and exits 0 when
 * every pair matches, 1 when one does not, 2 on a usage error. Defaults: rtol 1e-3, atol 1e-7.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnxc_pb.h"

static double half_to_double(unsigned h) {
  unsigned e = (h >> 10) & 31, m = h & 1023;
  double v = e == 0 ? ldexp((double)m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp((double)(m | 1024), (int)e - 25);
  return (h & 0x8000) ? -v : v;
}

static double bf16_to_double(unsigned b) {
  unsigned u = b << 16;
  float f;
  memcpy(&f, &u, 4);
  return f;
}

static int is_numeric(int32_t t) {
  return t == ONNXC_FLOAT || t == ONNXC_DOUBLE || t == ONNXC_FLOAT16 || t == ONNXC_BFLOAT16 ||
         t == ONNXC_COMPLEX64 || t == ONNXC_COMPLEX128;
}

/* Element i of a numeric float-like tensor as a double; *ok = 0 for other types. */
static double value_at(const onnxc_pb_tensor *t, int64_t i, int *ok) {
  const unsigned char *p = (const unsigned char *)t->data;
  *ok = 1;
  switch (t->elem_type) {
    case ONNXC_FLOAT: case ONNXC_COMPLEX64: { float f; memcpy(&f, p + 4 * i, 4); return f; }
    case ONNXC_DOUBLE: case ONNXC_COMPLEX128: { double d; memcpy(&d, p + 8 * i, 8); return d; }
    case ONNXC_FLOAT16: return half_to_double((unsigned)p[2 * i] | (unsigned)p[2 * i + 1] << 8);
    case ONNXC_BFLOAT16: return bf16_to_double((unsigned)p[2 * i] | (unsigned)p[2 * i + 1] << 8);
    default: *ok = 0; return 0;
  }
}

static int compare(const char *actual, const char *expected, double rtol, double atol) {
  onnxc_pb_tensor a, e;
  char msg[600];
  int k, ok = 1;
  int64_t bad = 0;
  int64_t i, n, first = -1;
  double worst = 0;
  memset(&a, 0, sizeof a);
  memset(&e, 0, sizeof e);
  if (onnxc_pb_read_file(actual, &a, msg, sizeof msg) || onnxc_pb_read_file(expected, &e, msg, sizeof msg)) {
    printf("FAIL %s: %s\n", actual, msg);
    ok = 0;
    goto done;
  }
  if (a.elem_type != e.elem_type || a.rank != e.rank ||
      (e.rank && memcmp(a.dims, e.dims, (size_t)e.rank * sizeof(int64_t)))) {
    printf("FAIL %s: element type %s rank %d, expected %s rank %d (or other dims)\n", actual,
           onnxc_elem_type_name(a.elem_type), (int)a.rank, onnxc_elem_type_name(e.elem_type), (int)e.rank);
    ok = 0;
    goto done;
  }
  if (!is_numeric(e.elem_type)) {
    if (a.size_bytes != e.size_bytes || memcmp(a.data, e.data, e.size_bytes)) {
      printf("FAIL %s: %s values differ\n", actual, onnxc_elem_type_name(e.elem_type));
      ok = 0;
    } else printf("ok %s (%s, exact)\n", actual, onnxc_elem_type_name(e.elem_type));
    goto done;
  }
  n = e.num_elems;
  if (e.elem_type == ONNXC_COMPLEX64 || e.elem_type == ONNXC_COMPLEX128) n *= 2;
  for (i = 0; i < n; i++) {
    double x = value_at(&a, i, &k), y = value_at(&e, i, &k), d;
    int good;
    if (isnan(x) || isnan(y)) good = isnan(x) && isnan(y);
    else if (isinf(x) || isinf(y)) good = x == y;
    else {
      d = fabs(x - y);
      good = d <= atol + rtol * fabs(y);
      if (d > worst) worst = d;
    }
    if (!good && bad++ == 0) first = i;
  }
  if (bad) {
    int k2;
    printf("FAIL %s: %lld/%lld elements differ (first at %lld: got %.9g, expected %.9g); max abs diff %.3g\n",
           actual, (long long)bad, (long long)n, (long long)first, value_at(&a, first, &k2),
           value_at(&e, first, &k2), worst);
    ok = 0;
  } else printf("ok %s (%s, %lld elements) max abs diff %.3g\n", actual, onnxc_elem_type_name(e.elem_type), (long long)n, worst);
done:
  onnxc_pb_tensor_free(&a);
  onnxc_pb_tensor_free(&e);
  return ok;
}

int main(int argc, char **argv) {
  double rtol = 1e-3, atol = 1e-7;
  int i = 1, all = 1;
  while (i + 1 < argc && (!strcmp(argv[i], "--rtol") || !strcmp(argv[i], "--atol"))) {
    char *end;
    double v = strtod(argv[i + 1], &end);
    if (*end || v < 0) { fprintf(stderr, "error: bad value for %s: %s\n", argv[i], argv[i + 1]); return 2; }
    if (!strcmp(argv[i], "--rtol")) rtol = v; else atol = v;
    i += 2;
  }
  if (argc - i < 2 || (argc - i) % 2) {
    fprintf(stderr, "usage: %s [--rtol R] [--atol A] ACTUAL.pb EXPECTED.pb [ACTUAL.pb EXPECTED.pb]...\n", argv[0]);
    return 2;
  }
  for (; i + 1 < argc; i += 2) all &= compare(argv[i], argv[i + 1], rtol, atol);
  return all ? 0 : 1;
}
