/* onnxc_pb: hand-written protobuf wire-format reader/writer for ONNX TensorProto.
 * See onnxc_pb.h. Decoding is two passes over the message: the first validates every
 * field and counts dims and data entries, the second fills the buffers it sized. Every
 * read is bounds-checked; buffers are only allocated once their size has been checked
 * against the number of bytes actually present in the message.
 */
#include "onnxc_pb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors and element types ---- */

int onnxc_pb_fail(char *err, size_t errlen, int code, const char *fmt, ...) {
  if (err && errlen > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return code;
}

int onnxc_elem_bits(int32_t t) {
  switch (t) {
    case ONNXC_UINT2: case ONNXC_INT2: return 2;
    case ONNXC_UINT4: case ONNXC_INT4: case ONNXC_FLOAT4E2M1: return 4;
    case ONNXC_UINT8: case ONNXC_INT8: case ONNXC_BOOL: case ONNXC_FLOAT8E4M3FN:
    case ONNXC_FLOAT8E4M3FNUZ: case ONNXC_FLOAT8E5M2: case ONNXC_FLOAT8E5M2FNUZ:
    case ONNXC_FLOAT8E8M0: return 8;
    case ONNXC_UINT16: case ONNXC_INT16: case ONNXC_FLOAT16: case ONNXC_BFLOAT16: return 16;
    case ONNXC_FLOAT: case ONNXC_INT32: case ONNXC_UINT32: return 32;
    case ONNXC_INT64: case ONNXC_UINT64: case ONNXC_DOUBLE: case ONNXC_COMPLEX64: return 64;
    case ONNXC_COMPLEX128: return 128;
    default: return 0;
  }
}

const char *onnxc_elem_type_name(int32_t t) {
  static const char *const names[] = {
    "undefined", "float", "uint8", "int8", "uint16", "int16", "int32", "int64", "string",
    "bool", "float16", "double", "uint32", "uint64", "complex64", "complex128", "bfloat16",
    "float8e4m3fn", "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz", "uint4", "int4",
    "float4e2m1", "float8e8m0", "uint2", "int2"};
  return (t >= 0 && t < (int32_t)(sizeof names / sizeof names[0])) ? names[t] : "?";
}

int onnxc_dense_size(int32_t elem_type, int32_t rank, const int64_t *dims,
                     int64_t *num_elems, size_t *size_bytes, char *err, size_t errlen) {
  int bits = onnxc_elem_bits(elem_type), zero = 0, i;
  uint64_t n = 1, bytes;
  if (bits == 0)
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_UNSUPPORTED, "unsupported data_type %d (%s)",
                (int)elem_type, onnxc_elem_type_name(elem_type));
  if (rank < 0 || (rank > 0 && !dims)) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_ARG, "bad rank");
  for (i = 0; i < rank; i++) {
    if (dims[i] < 0)
      return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "negative dimension %lld at axis %d",
                  (long long)dims[i], i);
    if (dims[i] == 0) zero = 1;
  }
  for (i = 0; i < rank && !zero; i++) {
    if ((uint64_t)dims[i] > (uint64_t)INT64_MAX / n)
      return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "element count overflows int64");
    n *= (uint64_t)dims[i];
  }
  if (zero) n = 0;
  if (bits < 8) {
    uint64_t per = (uint64_t)(8 / bits);
    bytes = n / per + (n % per != 0);
  } else {
    if (n > (uint64_t)SIZE_MAX / (uint64_t)(bits / 8))
      return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "tensor byte size overflows size_t");
    bytes = n * (uint64_t)(bits / 8);
  }
  if (bytes > (uint64_t)SIZE_MAX)
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "tensor byte size overflows size_t");
  if (num_elems) *num_elems = (int64_t)n;
  if (size_bytes) *size_bytes = (size_t)bytes;
  return ONNXC_PB_OK;
}

/* ---- wire format ---- */

typedef struct cursor { const uint8_t *p, *end; } cursor;

/* A field value: v for varint/fixed wire types, [pl, pl + plen) for length-delimited. */
typedef struct field { uint32_t num; int wt; uint64_t v; const uint8_t *pl; size_t plen; } field;

static int get_varint(cursor *c, uint64_t *out) {
  uint64_t v = 0;
  int shift;
  for (shift = 0; shift < 64; shift += 7) {
    uint8_t b;
    if (c->p >= c->end) return -1;
    b = *c->p++;
    if (shift == 63 && b > 1) return -1; /* more than 64 bits */
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) { *out = v; return 0; }
  }
  return -1;
}

static int get_fixed(cursor *c, int nbytes, uint64_t *out) {
  uint64_t v = 0;
  int i;
  if (c->end - c->p < nbytes) return -1;
  for (i = 0; i < nbytes; i++) v |= (uint64_t)c->p[i] << (8 * i);
  c->p += nbytes;
  *out = v;
  return 0;
}

static int get_field(cursor *c, field *f, int depth);

/* Skip a (deprecated) group up to its end-group tag. */
static int skip_group(cursor *c, uint32_t num, int depth) {
  field f;
  if (depth > 64) return -1;
  for (;;) {
    if (c->p >= c->end || get_field(c, &f, depth + 1)) return -1;
    if (f.wt == 4) return f.num == num ? 0 : -1;
  }
}

/* Read one tag and its value. Returns 0, or -1 on malformed/truncated input. */
static int get_field(cursor *c, field *f, int depth) {
  uint64_t key, len;
  if (get_varint(c, &key) || (key >> 3) == 0 || (key >> 3) > 0x1fffffff) return -1;
  f->num = (uint32_t)(key >> 3);
  f->wt = (int)(key & 7);
  f->v = 0; f->pl = NULL; f->plen = 0;
  switch (f->wt) {
    case 0: return get_varint(c, &f->v);
    case 1: return get_fixed(c, 8, &f->v);
    case 5: return get_fixed(c, 4, &f->v);
    case 2:
      if (get_varint(c, &len) || len > (uint64_t)(c->end - c->p)) return -1;
      f->pl = c->p; f->plen = (size_t)len; c->p += len;
      return 0;
    case 3: return skip_group(c, f->num, depth);
    case 4: return depth > 0 ? 0 : -1;
    default: return -1;
  }
}

/* Iterates the values of a repeated numeric field, packed (wt 2) or not. kind is the
 * element encoding: 0 varint, 4 fixed32, 8 fixed64. */
typedef struct values { cursor c; int kind; int single; uint64_t v; } values;

static int values_init(values *it, int kind, const field *f) {
  int scalar_wt = kind == 0 ? 0 : kind == 4 ? 5 : 1;
  it->kind = kind;
  it->single = 0;
  if (f->wt == scalar_wt) { it->single = 1; it->v = f->v; it->c.p = it->c.end = NULL; return 0; }
  if (f->wt != 2 || (kind != 0 && f->plen % (size_t)kind != 0)) return -1;
  it->c.p = f->pl;
  it->c.end = f->pl + f->plen;
  return 0;
}

/* 1: *out holds the next value; 0: done; -1: malformed. */
static int values_next(values *it, uint64_t *out) {
  if (it->single) { it->single = 0; *out = it->v; return 1; }
  if (it->c.p == it->c.end) return 0;
  if (it->kind == 0) return get_varint(&it->c, out) ? -1 : 1;
  return get_fixed(&it->c, it->kind, out) ? -1 : 1;
}

/* A Segment holds only fields begin=1 and end=2 (varints); anything else in field 3
 * means the file is some other message, such as a SequenceProto or OptionalProto. */
static int looks_like_segment(const field *f) {
  cursor c;
  field g;
  if (f->wt != 2) return 0;
  c.p = f->pl;
  c.end = f->pl + f->plen;
  while (c.p < c.end)
    if (get_field(&c, &g, 0) || (g.num != 1 && g.num != 2) || g.wt != 0) return 0;
  return 1;
}

/* ---- decoding ---- */

enum { F_DIMS = 1, F_TYPE = 2, F_SEGMENT = 3, F_FLOAT = 4, F_INT32 = 5, F_STRING = 6,
       F_INT64 = 7, F_NAME = 8, F_RAW = 9, F_DOUBLE = 10, F_UINT64 = 11,
       F_EXTERNAL = 13, F_LOCATION = 14 };

typedef struct scan {
  size_t ndims, count[12];   /* count[k]: entries seen in typed data field k (4..11) */
  int32_t data_type;
  const uint8_t *name, *raw;
  size_t name_len, raw_len;
  int has_raw, strings, external, not_tensor, packed_dims;
  /* filled in by the second pass */
  int64_t *dims;
  uint8_t *out;
  int data_field;
  size_t width, filled;      /* bytes stored per entry of data_field; entries stored */
} scan;

static int field_kind(uint32_t num) {
  switch (num) {
    case F_DIMS: case F_INT32: case F_INT64: case F_UINT64: return 0;
    case F_FLOAT: return 4;
    case F_DOUBLE: return 8;
    default: return -1;
  }
}

/* The typed field that holds values of this element type, or 0. */
static int data_field_for(int32_t t) {
  switch (t) {
    case ONNXC_FLOAT: case ONNXC_COMPLEX64: return F_FLOAT;
    case ONNXC_DOUBLE: case ONNXC_COMPLEX128: return F_DOUBLE;
    case ONNXC_INT64: return F_INT64;
    case ONNXC_UINT32: case ONNXC_UINT64: return F_UINT64;
    case ONNXC_STRING: return F_STRING;
    default: return onnxc_elem_bits(t) ? F_INT32 : 0;
  }
}

static void store_le(uint8_t *dst, uint64_t v, size_t width) {
  size_t i;
  for (i = 0; i < width; i++) dst[i] = (uint8_t)(v >> (8 * i));
}

/* Handle one repeated numeric field: count entries (pass 1) or store them (pass 2). */
static int walk_values(scan *s, const field *f, int fill) {
  values it;
  uint64_t v;
  int r;
  if (values_init(&it, field_kind(f->num), f)) return -1;
  while ((r = values_next(&it, &v)) == 1) {
    if (!fill) { if (f->num == F_DIMS) s->ndims++; else s->count[f->num]++; continue; }
    if (f->num == F_DIMS) s->dims[s->ndims++] = (int64_t)v;
    else if ((int)f->num == s->data_field && s->out)
      store_le(s->out + s->filled++ * s->width, v, s->width);
  }
  return r;
}

/* One pass over the message. Pass 1 (fill == 0) validates and records; pass 2 stores
 * dims and the typed data into the buffers sized from pass 1. */
static int walk(const uint8_t *buf, size_t len, scan *s, int fill) {
  cursor c;
  field f;
  c.p = buf;
  c.end = buf + len;
  while (c.p < c.end) {
    if (get_field(&c, &f, 0)) return -1;
    if (field_kind(f.num) >= 0) {
      if (walk_values(s, &f, fill)) return -1;
      if (f.num == F_DIMS && f.wt == 2) s->packed_dims = 1;
    } else if (fill) {
      continue;
    } else if (f.num == F_TYPE) {
      if (f.wt != 0) return -1;
      s->data_type = (int32_t)(uint32_t)f.v;
    } else if (f.num == F_SEGMENT) {
      if (!looks_like_segment(&f)) s->not_tensor = 1;
    } else if (f.num == F_STRING) {
      s->strings = 1;
    } else if (f.num == F_NAME || f.num == F_RAW) {
      if (f.wt != 2) return -1;
      if (f.num == F_NAME) { s->name = f.pl; s->name_len = f.plen; }
      else { s->raw = f.pl; s->raw_len = f.plen; s->has_raw = 1; }
    } else if (f.num == F_EXTERNAL) {
      s->external = 1;
    } else if (f.num == F_LOCATION) {
      if (f.wt == 0 && f.v == 1) s->external = 1;
    }
  }
  return 0;
}

/* Checks after pass 1: which field holds the data and whether its size is right. */
static int check_data(scan *s, size_t size_bytes, char *err, size_t errlen) {
  int k, field_for = data_field_for(s->data_type), bits = onnxc_elem_bits(s->data_type);
  for (k = F_FLOAT; k <= F_UINT64; k++) {
    if (k == F_STRING || s->count[k] == 0 || k == field_for) continue;
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED,
                "data_type %s does not store its values in field %d",
                onnxc_elem_type_name(s->data_type), k);
  }
  if (s->has_raw) {
    if (s->count[field_for])
      return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "both raw_data and typed data present");
    if (s->raw_len != size_bytes)
      return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED,
                  "raw_data has %llu bytes, dims and data_type imply %llu",
                  (unsigned long long)s->raw_len, (unsigned long long)size_bytes);
    return ONNXC_PB_OK;
  }
  s->data_field = field_for;
  s->width = field_for == F_FLOAT ? 4 : field_for == F_DOUBLE || field_for == F_INT64 ? 8
           : field_for == F_UINT64 ? (size_t)bits / 8 : bits >= 8 ? (size_t)bits / 8 : 1;
  if (s->count[field_for] * s->width != size_bytes || size_bytes % s->width != 0)
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED,
                "%s tensor has %llu data entries, dims imply %llu (is this a TensorProto?)",
                onnxc_elem_type_name(s->data_type), (unsigned long long)s->count[field_for],
                (unsigned long long)(size_bytes / s->width));
  return ONNXC_PB_OK;
}

static int not_tensor(char *err, size_t errlen) {
  return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_UNSUPPORTED,
              "not a TensorProto (looks like a SequenceProto or OptionalProto, "
              "which are not supported)");
}

/* An inconsistent message whose field 1 is a byte string and that has no field 8 (name)
 * is most likely a SequenceProto/OptionalProto, whose field 1 is its name. */
static int sequence_hint(const scan *s, int rc, char *err, size_t errlen) {
  if (rc == ONNXC_PB_ERR_MALFORMED && s->packed_dims && !s->name) return not_tensor(err, errlen);
  return rc;
}

/* Checks after pass 1 that do not depend on sizes. */
static int check_kind(const scan *s, char *err, size_t errlen) {
  if (s->not_tensor) return not_tensor(err, errlen);
  if (s->external)
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_UNSUPPORTED,
                "tensor uses external data, which is not supported");
  if (s->data_type == ONNXC_STRING || s->strings)
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_UNSUPPORTED, "string tensors are not supported");
  if (s->data_type == 0)
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED,
                "missing data_type (is this a TensorProto?)");
  if (s->ndims > (size_t)INT32_MAX)
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "too many dims");
  return ONNXC_PB_OK;
}

int onnxc_pb_decode(const uint8_t *buf, size_t len, onnxc_pb_tensor *t,
                    char *err, size_t errlen) {
  static const uint8_t empty[1] = {0};
  scan s;
  int rc;
  memset(t, 0, sizeof *t);
  memset(&s, 0, sizeof s);
  if (!buf && len) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_ARG, "NULL buffer");
  if (!buf) buf = empty;
  if (walk(buf, len, &s, 0))
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "malformed protobuf (truncated or corrupt)");
  if ((rc = check_kind(&s, err, errlen))) return sequence_hint(&s, rc, err, errlen);
  t->elem_type = s.data_type;
  t->rank = (int32_t)s.ndims;
  t->dims = (int64_t *)malloc(s.ndims ? s.ndims * sizeof(int64_t) : 1);
  t->name = (char *)malloc(s.name_len + 1);
  if (!t->dims || !t->name) goto nomem;
  memcpy(t->name, s.name ? (const char *)s.name : "", s.name_len);
  t->name[s.name_len] = '\0';
  s.dims = t->dims;
  s.ndims = 0;
  if (walk(buf, len, &s, 1)) goto corrupt; /* only dims are stored in this pass */
  rc = onnxc_dense_size(t->elem_type, t->rank, t->dims, &t->num_elems, &t->size_bytes,
                        err, errlen);
  if (rc || (rc = check_data(&s, t->size_bytes, err, errlen))) {
    rc = sequence_hint(&s, rc, err, errlen);
    goto out;
  }
  if (!(t->data = malloc(t->size_bytes ? t->size_bytes : 1))) goto nomem;
  if (s.has_raw) {
    if (s.raw_len) memcpy(t->data, s.raw, s.raw_len);
    return ONNXC_PB_OK;
  }
  s.out = (uint8_t *)t->data;
  s.ndims = 0;
  if (walk(buf, len, &s, 1) || s.filled != s.count[s.data_field]) goto corrupt;
  return ONNXC_PB_OK;
nomem:
  rc = onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_NOMEM, "out of memory");
  goto out;
corrupt:
  rc = onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "malformed protobuf");
out:
  onnxc_pb_tensor_free(t);
  return rc;
}

void onnxc_pb_tensor_free(onnxc_pb_tensor *t) {
  if (!t) return;
  free(t->name);
  free(t->dims);
  free(t->data);
  memset(t, 0, sizeof *t);
}

/* ---- files ---- */

int onnxc_pb_read_file(const char *path, onnxc_pb_tensor *t, char *err, size_t errlen) {
  FILE *fp;
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0;
  int rc;
  memset(t, 0, sizeof *t);
  if (!(fp = fopen(path, "rb")))
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_IO, "cannot open %s: %s", path, strerror(errno));
  for (;;) {
    size_t got;
    if (len == cap) {
      uint8_t *nb;
      cap = cap ? cap * 2 : 65536;
      if (cap < len || !(nb = (uint8_t *)realloc(buf, cap))) {
        free(buf);
        fclose(fp);
        return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_NOMEM, "%s: out of memory", path);
      }
      buf = nb;
    }
    got = fread(buf + len, 1, cap - len, fp);
    len += got;
    if (got == 0) break;
  }
  rc = ferror(fp);
  fclose(fp);
  if (rc) {
    free(buf);
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_IO, "cannot read %s", path);
  }
  rc = onnxc_pb_decode(buf, len, t, err, errlen);
  free(buf);
  if (rc && err && errlen > 0) {
    char msg[512];
    snprintf(msg, sizeof msg, "%s", err);
    snprintf(err, errlen, "%s: %s", path, msg);
  }
  return rc;
}

/* ---- encoding ---- */

static uint8_t *put_varint(uint8_t *p, uint64_t v) {
  while (v >= 0x80) { *p++ = (uint8_t)(v | 0x80); v >>= 7; }
  *p++ = (uint8_t)v;
  return p;
}

int onnxc_pb_encode(const char *name, int32_t elem_type, int32_t rank, const int64_t *dims,
                    const void *data, size_t size_bytes, uint8_t **out, size_t *out_len,
                    char *err, size_t errlen) {
  size_t want, name_len = name ? strlen(name) : 0, cap;
  uint8_t *buf, *p;
  int rc, i;
  *out = NULL;
  *out_len = 0;
  if ((rc = onnxc_dense_size(elem_type, rank, dims, NULL, &want, err, errlen))) return rc;
  if (want != size_bytes || (size_bytes && !data))
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_ARG, "tensor '%s': %llu data bytes, shape implies %llu",
                name ? name : "", (unsigned long long)size_bytes, (unsigned long long)want);
  /* each tag <= 1 byte + varint <= 10 bytes */
  if (size_bytes > SIZE_MAX - name_len - 64 - (size_t)rank * 11)
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_NOMEM, "tensor too large to encode");
  cap = 64 + (size_t)rank * 11 + name_len + size_bytes;
  if (!(buf = (uint8_t *)malloc(cap)))
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_NOMEM, "out of memory");
  p = buf;
  for (i = 0; i < rank; i++) { *p++ = F_DIMS << 3; p = put_varint(p, (uint64_t)dims[i]); }
  *p++ = F_TYPE << 3;
  p = put_varint(p, (uint64_t)(int64_t)elem_type);
  if (name_len) {
    *p++ = (F_NAME << 3) | 2;
    p = put_varint(p, name_len);
    memcpy(p, name, name_len);
    p += name_len;
  }
  *p++ = (F_RAW << 3) | 2;
  p = put_varint(p, size_bytes);
  if (size_bytes) memcpy(p, data, size_bytes);
  p += size_bytes;
  *out = buf;
  *out_len = (size_t)(p - buf);
  return ONNXC_PB_OK;
}

int onnxc_pb_write_file(const char *path, const char *name, int32_t elem_type, int32_t rank,
                        const int64_t *dims, const void *data, size_t size_bytes,
                        char *err, size_t errlen) {
  uint8_t *buf;
  size_t len;
  FILE *fp;
  int rc = onnxc_pb_encode(name, elem_type, rank, dims, data, size_bytes, &buf, &len,
                           err, errlen);
  if (rc) return rc;
  if (!(fp = fopen(path, "wb"))) {
    rc = onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_IO, "cannot open %s for writing: %s", path,
              strerror(errno));
  } else {
    int bad = fwrite(buf, 1, len, fp) != len;
    bad |= fclose(fp) != 0;
    if (bad) rc = onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_IO, "cannot write %s", path);
  }
  free(buf);
  return rc;
}
