/* onnxc_npy: NumPy .npy reader/writer (see onnxc_npy.h). The header is a Python dict
 * literal; this parses exactly the subset numpy writes ('descr', 'fortran_order', 'shape'
 * in any order, string/bool/int-tuple values) and rejects everything else. */
#include "onnxc_npy.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RANK 64

/* descr (without its byte-order character) <-> element type */
static const struct { const char *code; int32_t type; } descr_table[] = {
    {"f4", ONNXC_FLOAT}, {"f8", ONNXC_DOUBLE}, {"f2", ONNXC_FLOAT16}, {"i1", ONNXC_INT8},
    {"i2", ONNXC_INT16}, {"i4", ONNXC_INT32},  {"i8", ONNXC_INT64},   {"u1", ONNXC_UINT8},
    {"u2", ONNXC_UINT16}, {"u4", ONNXC_UINT32}, {"u8", ONNXC_UINT64}, {"b1", ONNXC_BOOL}};
#define N_DESCR (sizeof descr_table / sizeof descr_table[0])

typedef struct header {
  int32_t elem_type, rank;
  int64_t dims[MAX_RANK];
  int fortran, seen; /* seen: bit 0 descr, 1 fortran_order, 2 shape */
} header;

typedef struct lexer { const char *p, *end; } lexer;

static void skip_ws(lexer *l) {
  while (l->p < l->end && (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r')) l->p++;
}

static int eat(lexer *l, char c) {
  skip_ws(l);
  if (l->p < l->end && *l->p == c) { l->p++; return 1; }
  return 0;
}

/* A quoted string without escapes into out (cap bytes with the NUL); -1 if malformed. */
static int lex_string(lexer *l, char *out, size_t cap) {
  char q;
  size_t n = 0;
  skip_ws(l);
  if (l->p >= l->end || (*l->p != '\'' && *l->p != '"')) return -1;
  q = *l->p++;
  while (l->p < l->end && *l->p != q) {
    if (*l->p == '\\' || n + 1 >= cap) return -1;
    out[n++] = *l->p++;
  }
  if (l->p >= l->end) return -1;
  l->p++;
  out[n] = '\0';
  return 0;
}

static int lex_word(lexer *l, const char *w) {
  size_t n = strlen(w);
  skip_ws(l);
  if ((size_t)(l->end - l->p) < n || memcmp(l->p, w, n)) return 0;
  l->p += n;
  return 1;
}

/* A tuple of non-negative integers: (), (3,), (2, 3) (a trailing comma is allowed). */
static int lex_shape(lexer *l, header *h, char *err, size_t errlen) {
  if (!eat(l, '(')) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "'shape' is not a tuple");
  h->rank = 0;
  while (!eat(l, ')')) {
    int64_t v = 0;
    skip_ws(l);
    if (l->p >= l->end || !isdigit((unsigned char)*l->p))
      return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "'shape' holds something other than non-negative integers");
    while (l->p < l->end && isdigit((unsigned char)*l->p)) {
      if (v > (INT64_MAX - 9) / 10) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "a dimension overflows");
      v = v * 10 + (*l->p++ - '0');
    }
    if (h->rank == MAX_RANK) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_UNSUPPORTED, "more than %d dimensions", MAX_RANK);
    h->dims[h->rank++] = v;
    if (!eat(l, ',')) {
      if (!eat(l, ')')) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "malformed 'shape' tuple");
      break;
    }
  }
  return 0;
}

static int descr_type(const char *d, int32_t *type, char *err, size_t errlen) {
  size_t k;
  if (d[0] == '>') return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_UNSUPPORTED, "big-endian data ('%s') is not supported", d);
  if (d[0] == '<' || d[0] == '|' || d[0] == '=')
    for (k = 0; k < N_DESCR; k++)
      if (!strcmp(d + 1, descr_table[k].code) && (d[0] != '|' || d[2] == '1')) {
        *type = descr_table[k].type;
        return 0;
      }
  if (strchr(d, 'O')) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_UNSUPPORTED, "object arrays are not supported");
  return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_UNSUPPORTED, "dtype '%s' is not supported", d);
}

static int lex_entry(lexer *l, header *h, char *err, size_t errlen) {
  char key[32], val[32];
  if (lex_string(l, key, sizeof key) || !eat(l, ':'))
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "malformed .npy header dictionary");
  if (!strcmp(key, "descr")) {
    skip_ws(l);
    if (l->p < l->end && *l->p == '[') return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_UNSUPPORTED, "structured arrays are not supported");
    if (lex_string(l, val, sizeof val)) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "malformed 'descr'");
    h->seen |= 1;
    return descr_type(val, &h->elem_type, err, errlen);
  }
  if (!strcmp(key, "fortran_order")) {
    h->seen |= 2;
    if (lex_word(l, "False")) return 0;
    if (lex_word(l, "True")) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_UNSUPPORTED, "fortran_order arrays are not supported (save a C-order array)");
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "'fortran_order' is not True or False");
  }
  if (!strcmp(key, "shape")) {
    h->seen |= 4;
    return lex_shape(l, h, err, errlen);
  }
  return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "malformed .npy header dictionary (unexpected key '%s')", key);
}

static int parse_dict(const char *s, size_t n, header *h, char *err, size_t errlen) {
  lexer l;
  int rc;
  l.p = s;
  l.end = s + n;
  memset(h, 0, sizeof *h);
  if (!eat(&l, '{')) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "header is not a dictionary");
  while (!eat(&l, '}')) {
    if ((rc = lex_entry(&l, h, err, errlen))) return rc;
    if (!eat(&l, ',')) {
      if (!eat(&l, '}')) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "malformed .npy header dictionary");
      break;
    }
  }
  skip_ws(&l);
  if (l.p != l.end) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "text after the header dictionary");
  if (h->seen != 7) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "header lacks 'descr', 'fortran_order' or 'shape'");
  return 0;
}

/* Magic, version and header length from the first bytes; *hdr_off / *hdr_len locate the dict. */
static int preamble(const uint8_t *b, size_t len, size_t *hdr_off, size_t *hdr_len, char *err, size_t errlen) {
  if (len < 10 || memcmp(b, "\x93NUMPY", 6)) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "not a .npy file (bad magic)");
  if (b[6] == 1) {
    *hdr_off = 10;
    *hdr_len = (size_t)b[8] | (size_t)b[9] << 8;
  } else if (b[6] == 2 || b[6] == 3) {
    if (len < 12) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "truncated .npy header");
    *hdr_off = 12;
    *hdr_len = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
  } else {
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_UNSUPPORTED, ".npy format version %d.%d is not supported", b[6], b[7]);
  }
  if (*hdr_len > ONNXC_NPY_MAX_HEADER) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, ".npy header of %zu bytes is too long", *hdr_len);
  return 0;
}

/* Allocates t's name and dims from h and sizes its data. */
static int fill_meta(const header *h, onnxc_pb_tensor *t, char *err, size_t errlen) {
  int rc;
  t->elem_type = h->elem_type;
  t->rank = h->rank;
  t->name = (char *)calloc(1, 1);
  t->dims = (int64_t *)malloc(h->rank ? (size_t)h->rank * sizeof(int64_t) : 1);
  if (!t->name || !t->dims) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_NOMEM, "out of memory");
  if (h->rank) memcpy(t->dims, h->dims, (size_t)h->rank * sizeof(int64_t));
  if ((rc = onnxc_dense_size(t->elem_type, t->rank, t->dims, &t->num_elems, &t->size_bytes, err, errlen))) return rc;
  return 0;
}

static int decode_header(const uint8_t *buf, size_t len, onnxc_pb_tensor *t, size_t *data_off, char *err, size_t errlen) {
  size_t off, hlen;
  header h;
  int rc;
  if ((rc = preamble(buf, len, &off, &hlen, err, errlen))) return rc;
  if (len - off < hlen) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "truncated .npy header");
  if ((rc = parse_dict((const char *)buf + off, hlen, &h, err, errlen))) return rc;
  *data_off = off + hlen;
  return fill_meta(&h, t, err, errlen);
}

int onnxc_npy_decode(const uint8_t *buf, size_t len, onnxc_pb_tensor *t, char *err, size_t errlen) {
  size_t off;
  int rc;
  memset(t, 0, sizeof *t);
  if (!buf) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_ARG, "NULL buffer");
  if ((rc = decode_header(buf, len, t, &off, err, errlen))) goto out;
  if (len - off != t->size_bytes) {
    rc = onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "%zu data bytes, the shape implies %zu", len - off, t->size_bytes);
    goto out;
  }
  if (!(t->data = malloc(t->size_bytes ? t->size_bytes : 1))) {
    rc = onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_NOMEM, "out of memory");
    goto out;
  }
  if (t->size_bytes) memcpy(t->data, buf + off, t->size_bytes);
  return 0;
out:
  onnxc_pb_tensor_free(t);
  return rc;
}

/* Reads the header (bounded), then exactly the data the shape implies, then expects EOF. */
static int read_fp(FILE *fp, onnxc_pb_tensor *t, char *err, size_t errlen) {
  uint8_t pre[12], *hdr;
  size_t off, hlen, data_off, got = fread(pre, 1, sizeof pre, fp);
  int rc;
  if ((rc = preamble(pre, got, &off, &hlen, err, errlen))) return rc;
  if (!(hdr = (uint8_t *)malloc(off + hlen))) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_NOMEM, "out of memory");
  memcpy(hdr, pre, got < off + hlen ? got : off + hlen);
  if (got > off + hlen) { /* a tiny header: data starts inside pre (cannot happen with a valid dict) */
    free(hdr);
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "malformed .npy header");
  }
  if (fread(hdr + got, 1, off + hlen - got, fp) != off + hlen - got) rc = onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "truncated .npy header");
  else rc = decode_header(hdr, off + hlen, t, &data_off, err, errlen);
  free(hdr);
  if (rc) return rc;
  if (!(t->data = malloc(t->size_bytes ? t->size_bytes : 1))) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_NOMEM, "out of memory");
  got = fread(t->data, 1, t->size_bytes, fp);
  if (got != t->size_bytes) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "%zu data bytes, the shape implies %zu", got, t->size_bytes);
  if (fgetc(fp) != EOF) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_MALFORMED, "more data bytes than the shape implies (%zu)", t->size_bytes);
  if (ferror(fp)) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_IO, "read error");
  return 0;
}

int onnxc_npy_read_file(const char *path, onnxc_pb_tensor *t, char *err, size_t errlen) {
  FILE *fp;
  int rc;
  memset(t, 0, sizeof *t);
  if (!(fp = fopen(path, "rb")))
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_IO, "cannot open %s: %s", path, strerror(errno));
  rc = read_fp(fp, t, err, errlen);
  fclose(fp);
  if (rc) {
    onnxc_pb_tensor_free(t);
    if (err && errlen > 0) {
      char msg[512];
      snprintf(msg, sizeof msg, "%s", err);
      snprintf(err, errlen, "%s: %s", path, msg);
    }
  }
  return rc;
}

/* ---- writing ---- */

static const char *descr_of(int32_t type) {
  static char buf[4];
  size_t k;
  for (k = 0; k < N_DESCR; k++)
    if (descr_table[k].type == type) {
      buf[0] = descr_table[k].code[1] == '1' ? '|' : '<';
      memcpy(buf + 1, descr_table[k].code, 3);
      return buf;
    }
  return NULL;
}

int onnxc_npy_write_file(const char *path, int32_t elem_type, int32_t rank, const int64_t *dims,
                         const void *data, size_t size_bytes, char *err, size_t errlen) {
  char hdr[64 * 24 + 128];
  size_t n, want, total;
  const char *d = descr_of(elem_type);
  FILE *fp;
  int32_t i;
  int rc, bad;
  if (!d) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_UNSUPPORTED, "element type %s cannot be stored in .npy", onnxc_elem_type_name(elem_type));
  if (rank < 0 || rank > MAX_RANK) return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_ARG, "rank %d", (int)rank);
  if ((rc = onnxc_dense_size(elem_type, rank, dims, NULL, &want, err, errlen))) return rc;
  if (want != size_bytes || (size_bytes && !data))
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_ARG, "%zu data bytes, shape implies %zu", size_bytes, want);
  n = (size_t)sprintf(hdr + 10, "{'descr': '%s', 'fortran_order': False, 'shape': (", d);
  for (i = 0; i < rank; i++) n += (size_t)sprintf(hdr + 10 + n, i ? ", %lld" : "%lld", (long long)dims[i]);
  n += (size_t)sprintf(hdr + 10 + n, "%s), }", rank == 1 ? "," : "");
  total = 64 * ((10 + n + 1) / 64 + 1); /* numpy always pads, even when already aligned */
  memset(hdr + 10 + n, ' ', total - 11 - n);
  hdr[total - 1] = '\n';
  memcpy(hdr, "\x93NUMPY\x01\x00", 8);
  hdr[8] = (char)((total - 10) & 255);
  hdr[9] = (char)((total - 10) >> 8);
  if (!(fp = fopen(path, "wb")))
    return onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_IO, "cannot open %s for writing: %s", path, strerror(errno));
  bad = fwrite(hdr, 1, total, fp) != total;
  if (size_bytes) bad |= fwrite(data, 1, size_bytes, fp) != size_bytes;
  bad |= fclose(fp) != 0;
  return bad ? onnxc_pb_fail(err, errlen, ONNXC_PB_ERR_IO, "cannot write %s", path) : 0;
}

int onnxc_is_npy_path(const char *path) {
  size_t n = strlen(path);
  return n >= 4 && path[n - 4] == '.' && tolower((unsigned char)path[n - 3]) == 'n' &&
         tolower((unsigned char)path[n - 2]) == 'p' && tolower((unsigned char)path[n - 1]) == 'y';
}

int onnxc_tensor_read_file(const char *path, onnxc_pb_tensor *t, char *err, size_t errlen) {
  return onnxc_is_npy_path(path) ? onnxc_npy_read_file(path, t, err, errlen)
                                 : onnxc_pb_read_file(path, t, err, errlen);
}
