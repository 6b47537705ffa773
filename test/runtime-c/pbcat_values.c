/* pbcat -v: print a decoded tensor's name, type, dims and every value, one line each
 * element group, for tests that check what onnxc_main wrote. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "onnxc_pb.h"

static uint64_t le(const uint8_t *p, int nbytes) {
  uint64_t v = 0;
  int i;
  for (i = 0; i < nbytes; i++) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

static double half_to_double(uint32_t h) {
  uint32_t e = (h >> 10) & 31, m = h & 1023;
  double v = e == 0 ? m / 16777216.0 : e == 31 ? (m ? NAN : INFINITY)
           : (1024 + m) * (double)(1u << e) / 33554432.0;
  return (h & 0x8000) ? -v : v;
}

static double bits_to_float(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}

/* Value of a float8/float4 bit pattern with ebits/mbits, exponent bias and NaN rules. */
static double small_float(unsigned u, int32_t type) {
  int eb = 4, mb = 3, bias = 7, fnuz = 0;
  unsigned e, m, s;
  double v;
  switch (type) {
    case ONNXC_FLOAT8E4M3FNUZ: bias = 8; fnuz = 1; break;
    case ONNXC_FLOAT8E5M2: eb = 5; mb = 2; bias = 15; break;
    case ONNXC_FLOAT8E5M2FNUZ: eb = 5; mb = 2; bias = 16; fnuz = 1; break;
    case ONNXC_FLOAT4E2M1: eb = 2; mb = 1; bias = 1; break;
    case ONNXC_FLOAT8E8M0: return u == 255 ? NAN : ldexp(1.0, (int)u - 127);
    default: break;
  }
  s = u >> (eb + mb);
  e = (u >> mb) & ((1u << eb) - 1);
  m = u & ((1u << mb) - 1);
  if (fnuz && u == 0x80) return NAN;
  if (type == ONNXC_FLOAT8E4M3FN && e == 15 && m == 7) return NAN;
  if (type == ONNXC_FLOAT8E5M2 && e == 31) return m ? NAN : (s ? -INFINITY : INFINITY);
  v = e ? ldexp(1.0 + m / (double)(1u << mb), (int)e - bias)
        : ldexp(m / (double)(1u << mb), 1 - bias);
  return s ? -v : v;
}

/* Print element i of t. */
static void print_elem(const onnxc_pb_tensor *t, int64_t i) {
  const uint8_t *d = (const uint8_t *)t->data;
  int bits = onnxc_elem_bits(t->elem_type), nb = bits / 8;
  uint64_t u;
  double x;
  if (bits < 8) {
    unsigned v = (d[i * bits / 8] >> ((i * bits) % 8)) & ((1u << bits) - 1);
    if (t->elem_type == ONNXC_INT4 || t->elem_type == ONNXC_INT2)
      printf(" %d", (int)v - ((v >> (bits - 1)) ? (1 << bits) : 0));
    else if (t->elem_type == ONNXC_FLOAT4E2M1) printf(" %.9g", small_float(v, t->elem_type));
    else printf(" %u", v);
    return;
  }
  if (t->elem_type == ONNXC_COMPLEX64 || t->elem_type == ONNXC_COMPLEX128) {
    nb /= 2;
    i *= 2;
  }
  u = le(d + i * nb, nb);
  switch (t->elem_type) {
    case ONNXC_FLOAT: case ONNXC_COMPLEX64: x = bits_to_float((uint32_t)u); break;
    case ONNXC_DOUBLE: case ONNXC_COMPLEX128: memcpy(&x, &u, 8); break;
    case ONNXC_FLOAT16: x = half_to_double((uint32_t)u); break;
    case ONNXC_BFLOAT16: x = bits_to_float((uint32_t)u << 16); break;
    case ONNXC_INT8: printf(" %d", (int)(int8_t)u); return;
    case ONNXC_INT16: printf(" %d", (int)(int16_t)u); return;
    case ONNXC_INT32: printf(" %ld", (long)(int32_t)u); return;
    case ONNXC_INT64: printf(" %lld", (long long)(int64_t)u); return;
    case ONNXC_UINT8: case ONNXC_UINT16: case ONNXC_UINT32: case ONNXC_UINT64: case ONNXC_BOOL:
      printf(" %llu", (unsigned long long)u); return;
    case ONNXC_FLOAT8E4M3FN: case ONNXC_FLOAT8E4M3FNUZ: case ONNXC_FLOAT8E5M2:
    case ONNXC_FLOAT8E5M2FNUZ: case ONNXC_FLOAT8E8M0: x = small_float((unsigned)u, t->elem_type); break;
    default: printf(" 0x%02x", (unsigned)u); return;
  }
  printf(" %.9g", x);
  if (t->elem_type == ONNXC_COMPLEX64)
    printf("%+.9gi", bits_to_float((uint32_t)le(d + (i + 1) * nb, nb)));
  if (t->elem_type == ONNXC_COMPLEX128) {
    u = le(d + (i + 1) * nb, nb);
    memcpy(&x, &u, 8);
    printf("%+.17gi", x);
  }
}

int pbcat_values(const char *path) {
  onnxc_pb_tensor t;
  char err[512];
  int64_t i;
  int32_t k;
  if (onnxc_pb_read_file(path, &t, err, sizeof err)) {
    fprintf(stderr, "error: %s\n", err);
    return 1;
  }
  printf("name=%s type=%s dims=[", t.name, onnxc_elem_type_name(t.elem_type));
  for (k = 0; k < t.rank; k++) printf(k ? ",%lld" : "%lld", (long long)t.dims[k]);
  printf("] values:");
  for (i = 0; i < t.num_elems; i++) print_elem(&t, i);
  printf("\n");
  onnxc_pb_tensor_free(&t);
  return 0;
}
