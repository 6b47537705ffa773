/* onnxc_main: turns a model compiled by onnxc into a command-line program.
 * Build with the generated model, naming its descriptor:
 *   cc -std=c99 -O2 -DONNXC_MODEL=NAME_model -Iruntime-c NAME.c runtime-c/onnxc_main.c \
 *      runtime-c/onnxc_pb.c runtime-c/onnxc_npy.c -lm
 * Usage: prog [-i|--input FILE]... [-o|--output-dir DIR] [--output-format pb|npy]
 *             [--bench N] [--warmup W] [--seed S] [--info]
 * Inputs, in graph order, are NumPy .npy files (by extension) or TensorProto .pb files;
 * outputs are written as DIR/output_K.pb, or DIR/output_K.npy with --output-format npy.
 * Errors print one "error: ..." line on stderr and exit 1 (2 for usage errors).
 * Several models in one program: build with -DONNXC_MODEL_TABLE=TABLE, where TABLE is a
 * null-terminated array `const onnxc_model *const TABLE[]` of their descriptors; the program
 * then takes `--model NAME` first (what `onnxc test` does to build many cases at once).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(ONNXC_NO_MKDIR)
/* bare metal (semihosted files): folders are the host's; report them as existing */
#define onnxc_mkdir(p) ((void)(p), errno = EEXIST, -1)
#elif defined(_WIN32)
#include <direct.h>
#define onnxc_mkdir(p) _mkdir(p)
#else
#include <sys/stat.h>
#define onnxc_mkdir(p) mkdir(p, 0777)
#endif

#include "onnxc_npy.h"
#include "onnxc_pb.h"
#include "onnxc_runtime.h"

#if defined(ONNXC_MODEL_TABLE)
extern const onnxc_model *const ONNXC_MODEL_TABLE[];
#elif defined(ONNXC_MODEL)
extern const onnxc_model ONNXC_MODEL;
#else
#error "compile with -DONNXC_MODEL=<name>_model"
#endif

typedef struct options {
  const char **inputs;
  int n_inputs, info, npy_out;
  const char *out_dir;
  long bench, warmup;
  unsigned long long seed;
} options;

/* A buffer aligned to ONNXC_ARENA_ALIGN; raw is what malloc returned. */
typedef struct abuf { void *raw, *p; } abuf;

typedef struct context {
  const onnxc_model *m;
  abuf arena, *in, *out;
  const void **in_ptrs;
  void **out_ptrs;
  int64_t **in_dims;  /* a model with bounded dims (run_shaped): each input's dims as read */
} context;

static const char usage_text[] =
    "usage: %s [-i|--input FILE.pb|FILE.npy]... [-o|--output-dir DIR] [--output-format pb|npy]"
    " [--bench N] [--warmup W] [--seed S] [--info]\n";

static int error(const char *fmt, ...) {
  va_list ap;
  fputs("error: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return 1;
}

static int parse_long(const char *s, long min, long max, long *out) {
  char *end;
  long v;
  errno = 0;
  v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < min || v > max) return -1;
  *out = v;
  return 0;
}

static int parse_u64(const char *s, unsigned long long *out) {
  char *end;
  errno = 0;
  *out = strtoull(s, &end, 10);
  return (errno || end == s || *end || s[0] == '-') ? -1 : 0;
}

/* The value of option a, checked; NULL (and *why set) when it is invalid. */
static const char *option_value(const char *a, const char *v, options *o, const char **why) {
  if (!strcmp(a, "--bench") && parse_long(v, 1, 100000000L, &o->bench))
    *why = "needs a count from 1 to 100000000";
  else if (!strcmp(a, "--warmup") && parse_long(v, 0, 100000000L, &o->warmup))
    *why = "needs a count from 0 to 100000000";
  else if (!strcmp(a, "--seed") && parse_u64(v, &o->seed))
    *why = "needs a non-negative integer";
  else if (!strcmp(a, "--output-format") && strcmp(v, "pb") && strcmp(v, "npy"))
    *why = "needs pb or npy";
  else if (!strcmp(a, "--output-format"))
    o->npy_out = !strcmp(v, "npy");
  else if (!strcmp(a, "-i") || !strcmp(a, "--input"))
    o->inputs[o->n_inputs++] = v;
  else if (!strcmp(a, "-o") || !strcmp(a, "--output-dir"))
    o->out_dir = v;
  return *why ? NULL : v;
}

/* Returns 0 to go on, 2 after a usage error, -1 after --help. */
static int parse_args(int argc, char **argv, options *o) {
  static const char *const with_value[] = {"-i", "--input", "-o", "--output-dir", "--bench",
                                           "--warmup", "--seed", "--output-format"};
  int i, k;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i], *why = NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) { printf(usage_text, argv[0]); return -1; }
    if (!strcmp(a, "--info")) { o->info = 1; continue; }
    for (k = 0; k < 8 && strcmp(a, with_value[k]); k++) {}
    if (k == 8) { error("unknown argument '%s'; see %s --help", a, argv[0]); return 2; }
    if (i + 1 == argc) { error("%s needs a value; see %s --help", a, argv[0]); return 2; }
    if (!option_value(a, argv[++i], o, &why)) {
      error("%s %s, got '%s'", a, why, argv[i]);
      return 2;
    }
  }
  return 0;
}

static int abuf_alloc(abuf *b, size_t size) {
  uintptr_t a;
  if (size > SIZE_MAX - ONNXC_ARENA_ALIGN || !(b->raw = malloc(size + ONNXC_ARENA_ALIGN)))
    return -1;
  a = ((uintptr_t)b->raw + ONNXC_ARENA_ALIGN - 1) & ~(uintptr_t)(ONNXC_ARENA_ALIGN - 1);
  b->p = (void *)a;
  memset(b->p, 0, size);
  return 0;
}

static const char *shape_str(int32_t type, int32_t rank, const int64_t *dims,
                             char *buf, size_t n) {
  size_t len;
  int32_t i;
  snprintf(buf, n, "%s [", onnxc_elem_type_name(type));
  for (i = 0; i < rank && (len = strlen(buf)) < n; i++)
    snprintf(buf + len, n - len, i ? ",%lld" : "%lld", (long long)dims[i]);
  if ((len = strlen(buf)) < n) snprintf(buf + len, n - len, "]");
  return buf;
}

static const char *desc_str(const onnxc_tensor_desc *d, char *buf, size_t n) {
  return shape_str(d->elem_type, d->rank, d->dims, buf, n);
}

/* The descriptor's sizes must agree with its shapes; catches generator bugs early. */
static int check_model(const onnxc_model *m) {
  int k;
  if (!m->run || m->num_inputs < 0 || m->num_outputs < 0 ||
      (m->num_inputs && !m->inputs) || (m->num_outputs && !m->outputs))
    return error("model descriptor '%s' is incomplete", m->name ? m->name : "?");
  for (k = 0; k < m->num_inputs + m->num_outputs; k++) {
    const onnxc_tensor_desc *d =
        k < m->num_inputs ? &m->inputs[k] : &m->outputs[k - m->num_inputs];
    char msg[256];
    size_t bytes;
    if (onnxc_dense_size(d->elem_type, d->rank, d->dims, NULL, &bytes, msg, sizeof msg))
      return error("model tensor '%s': %s", d->name, msg);
    if (bytes != d->size_bytes)
      return error("model tensor '%s': size_bytes is %llu, its shape implies %llu", d->name,
                   (unsigned long long)d->size_bytes, (unsigned long long)bytes);
  }
  return 0;
}

static void print_info(const onnxc_model *m) {
  char buf[512];
  int k;
  printf("model: %s (%s)\narena: %llu bytes\n", m->name ? m->name : "?",
         m->producer ? m->producer : "?", (unsigned long long)m->arena_size);
  for (k = 0; k < m->num_inputs; k++)
    printf("input %d: %s %s (%llu bytes)\n", k, m->inputs[k].name,
           desc_str(&m->inputs[k], buf, sizeof buf), (unsigned long long)m->inputs[k].size_bytes);
  for (k = 0; k < m->num_outputs; k++)
    printf("output %d: %s %s (%llu bytes)\n", k, m->outputs[k].name,
           desc_str(&m->outputs[k], buf, sizeof buf), (unsigned long long)m->outputs[k].size_bytes);
}

/* ---- deterministic inputs for --bench ---- */

static uint64_t next_rand(uint64_t *s) { /* splitmix64 */
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static void store_le(uint8_t *p, uint64_t v, int nbytes) {
  int i;
  for (i = 0; i < nbytes; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t float_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

/* float16 bits of k/1024 - 1, k in [0, 2048): exact, as the value has <= 11 significant bits. */
static uint16_t half_of(uint32_t k) {
  uint32_t u = float_bits((float)k / 1024.0f - 1.0f), e = (u >> 23) & 255;
  if ((u & 0x7fffffff) == 0) return (uint16_t)((u >> 16) & 0x8000);
  return (uint16_t)(((u >> 16) & 0x8000) | ((e - 112) << 10) | ((u >> 13) & 1023));
}

/* A small float (float8/float4) with magnitude < 1: exponent field below the bias. */
static unsigned small_float(uint64_t r, int ebits, int mbits, int bias, int fnuz) {
  unsigned m = (unsigned)(r & ((1u << mbits) - 1)), e = (unsigned)((r >> 8) % (unsigned)bias);
  unsigned sign = (unsigned)(r >> 16) & 1;
  if (fnuz && e == 0 && m == 0) sign = 0; /* 0x80 is NaN in the FNUZ formats */
  return (sign << (ebits + mbits)) | (e << mbits) | m;
}

/* One random element of type t, as its bit pattern (floats in [-1,1), ints in 0..3). */
static uint64_t random_elem(int32_t t, uint64_t *s) {
  uint64_t r = next_rand(s);
  switch (t) {
    case ONNXC_FLOAT: case ONNXC_COMPLEX64:
      return float_bits((float)(r >> 40) / 8388608.0f - 1.0f);
    case ONNXC_DOUBLE: case ONNXC_COMPLEX128: {
      double d = (double)(r >> 11) / 4503599627370496.0 - 1.0;
      uint64_t u;
      memcpy(&u, &d, 8);
      return u;
    }
    case ONNXC_FLOAT16: return half_of((uint32_t)(r % 2048));
    case ONNXC_BFLOAT16: return float_bits((float)(r % 256) / 128.0f - 1.0f) >> 16;
    case ONNXC_FLOAT8E4M3FN: return small_float(r, 4, 3, 7, 0);
    case ONNXC_FLOAT8E4M3FNUZ: return small_float(r, 4, 3, 8, 1);
    case ONNXC_FLOAT8E5M2: return small_float(r, 5, 2, 15, 0);
    case ONNXC_FLOAT8E5M2FNUZ: return small_float(r, 5, 2, 16, 1);
    case ONNXC_FLOAT4E2M1: return small_float(r, 2, 1, 1, 0);
    case ONNXC_FLOAT8E8M0: return 119 + r % 8; /* 2^-8 .. 2^-1 */
    case ONNXC_BOOL: return r & 1;
    case ONNXC_INT2: return r & 1;
    default: return r & 3;
  }
}

static void fill_random(uint8_t *p, const onnxc_tensor_desc *d, uint64_t *s) {
  int bits = onnxc_elem_bits(d->elem_type);
  size_t i, n = d->size_bytes;
  if (bits < 8) {
    int per = 8 / bits, k;
    for (i = 0; i < n; i++)
      for (p[i] = 0, k = 0; k < per; k++)
        p[i] |= (uint8_t)(random_elem(d->elem_type, s) << (k * bits));
    return;
  }
  if (d->elem_type == ONNXC_COMPLEX64 || d->elem_type == ONNXC_COMPLEX128) bits /= 2;
  for (i = 0; i < n; i += (size_t)bits / 8)
    store_le(p + i, random_elem(d->elem_type, s), bits / 8);
}

/* ---- running ---- */

static int load_input(context *c, int k, const char *path) {
  const onnxc_tensor_desc *d = &c->m->inputs[k];
  onnxc_pb_tensor t;
  char msg[600], want[256], got[256];
  int same;
  if (onnxc_tensor_read_file(path, &t, msg, sizeof msg))
    return error("input %d '%s': %s", k, d->name, msg);
  same = t.elem_type == d->elem_type && t.rank == d->rank &&
         (t.rank == 0 || !memcmp(t.dims, d->dims, (size_t)t.rank * sizeof(int64_t)));
  if (!same && c->in_dims && t.elem_type == d->elem_type && t.rank == d->rank) {
    /* bounded dims: the model checks the shape (run_shaped); the buffer holds what was read */
    memcpy(c->in_dims[k], t.dims, (size_t)t.rank * sizeof(int64_t));
    if (t.size_bytes > d->size_bytes) {
      free(c->in[k].raw);
      if (abuf_alloc(&c->in[k], t.size_bytes)) { onnxc_pb_tensor_free(&t); return error("out of memory for input '%s'", d->name); }
      c->in_ptrs[k] = c->in[k].p;
    }
    if (t.size_bytes) memcpy(c->in[k].p, t.data, t.size_bytes);
    onnxc_pb_tensor_free(&t);
    return 0;
  }
  if (!same) {
    error("input %d '%s': expected %s, got %s (%s)", k, d->name, desc_str(d, want, sizeof want),
          shape_str(t.elem_type, t.rank, t.dims, got, sizeof got), path);
  } else if (t.size_bytes != d->size_bytes) { /* cannot happen after check_model */
    error("input %d '%s': %llu bytes, expected %llu", k, d->name, (unsigned long long)t.size_bytes,
          (unsigned long long)d->size_bytes);
    same = 0;
  } else if (t.size_bytes) {
    memcpy(c->in[k].p, t.data, t.size_bytes);
  }
  onnxc_pb_tensor_free(&t);
  return same ? 0 : 1;
}

static int setup(context *c, const options *o) {
  const onnxc_model *m = c->m;
  uint64_t seed = o->seed;
  int k;
  if (o->n_inputs != m->num_inputs && (o->n_inputs || !o->bench))
    return error("model '%s' takes %d input(s), got %d (give one -i FILE.pb per input%s)",
                 m->name, m->num_inputs, o->n_inputs, o->n_inputs ? "" : ", or --bench N");
  c->in = (abuf *)calloc((size_t)m->num_inputs + 1, sizeof(abuf));
  c->out = (abuf *)calloc((size_t)m->num_outputs + 1, sizeof(abuf));
  c->in_ptrs = (const void **)calloc((size_t)m->num_inputs + 1, sizeof(void *));
  c->out_ptrs = (void **)calloc((size_t)m->num_outputs + 1, sizeof(void *));
  if (!c->in || !c->out || !c->in_ptrs || !c->out_ptrs || abuf_alloc(&c->arena, m->arena_size))
    return error("out of memory (arena %llu bytes)", (unsigned long long)m->arena_size);
  if (m->run_shaped) {
    if (!(c->in_dims = (int64_t **)calloc((size_t)m->num_inputs + 1, sizeof(int64_t *))))
      return error("out of memory");
    for (k = 0; k < m->num_inputs; k++) {
      const onnxc_tensor_desc *d = &m->inputs[k];
      if (!(c->in_dims[k] = (int64_t *)malloc(sizeof(int64_t) * (size_t)(d->rank ? d->rank : 1))))
        return error("out of memory");
      if (d->rank) memcpy(c->in_dims[k], d->dims, sizeof(int64_t) * (size_t)d->rank);
    }
  }
  for (k = 0; k < m->num_inputs; k++) {
    if (abuf_alloc(&c->in[k], m->inputs[k].size_bytes))
      return error("out of memory for input '%s'", m->inputs[k].name);
    c->in_ptrs[k] = c->in[k].p;
    if (!o->n_inputs) fill_random((uint8_t *)c->in[k].p, &m->inputs[k], &seed);
    else if (load_input(c, k, o->inputs[k])) return 1;
  }
  for (k = 0; k < m->num_outputs; k++) {
    if (abuf_alloc(&c->out[k], m->outputs[k].size_bytes))
      return error("out of memory for output '%s'", m->outputs[k].name);
    c->out_ptrs[k] = c->out[k].p;
  }
  return 0;
}

static int run_once(const context *c) {
  int status = c->in_dims ? c->m->run_shaped(c->in_ptrs, (const int64_t *const *)c->in_dims, c->out_ptrs, c->arena.p)
                          : c->m->run(c->in_ptrs, c->out_ptrs, c->arena.p);
  if (status != ONNXC_OK)
    return error("model returned status %d (%s)", status, onnxc_status_string(status));
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

#if defined(ONNXC_EXTERNAL_CLOCK)
/* firmware builds keep time themselves (runtime-firmware/onnxc_startup.c: SysTick) */
extern void onnxc_clock(struct timespec *t);
#define ONNXC_NOW(t) onnxc_clock(t)
#else
#define ONNXC_NOW(t) clock_gettime(CLOCK_MONOTONIC, t)
#endif

static double ms_between(const struct timespec *a, const struct timespec *b) {
  return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* ---- per-step profile (models compiled with --profile call this) ---- */
#define MAX_PROFILED_STEPS 65536
static double profile_ms[MAX_PROFILED_STEPS];
static const char *profile_label[MAX_PROFILED_STEPS];
static int profile_steps, profile_on;
static struct timespec profile_t;

void onnxc_profile_step(int step, const char *label) {
  struct timespec t;
  ONNXC_NOW(&t);
  if (step >= 0 && step < MAX_PROFILED_STEPS && profile_on) {
    profile_ms[step] += ms_between(&profile_t, &t);
    profile_label[step] = label;
    if (step >= profile_steps) profile_steps = step + 1;
  }
  ONNXC_NOW(&profile_t);
}

/* One JSON line per step on stderr: total milliseconds over `runs` timed runs. */
static void print_profile(long runs) {
  int k;
  for (k = 0; k < profile_steps; k++) {
    const char *l = profile_label[k] ? profile_label[k] : "";
    fprintf(stderr, "{\"profile_step\":%d,\"ms\":%.6f,\"label\":\"", k, profile_ms[k] / (double)runs);
    for (; *l; l++) {
      if ((unsigned char)*l < 32) fputc(' ', stderr);
      else fprintf(stderr, *l == '"' || *l == '\\' ? "\\%c" : "%c", *l);
    }
    fputs("\"}\n", stderr);
  }
}

static int bench(const context *c, const options *o) {
  double *ms = (double *)malloc((size_t)o->bench * sizeof(double)), median;
  long i;
  if (!ms) return error("out of memory for %ld timings", o->bench);
  for (i = 0; i < o->warmup; i++)
    if (run_once(c)) { free(ms); return 1; }
  profile_on = 1;
  for (i = 0; i < o->bench; i++) {
    struct timespec t0, t1;
    ONNXC_NOW(&t0);
    if (run_once(c)) { free(ms); return 1; }
    ONNXC_NOW(&t1);
    ms[i] = ms_between(&t0, &t1);
  }
  profile_on = 0;
  print_profile(o->bench);
  qsort(ms, (size_t)o->bench, sizeof(double), cmp_double);
  median = o->bench % 2 ? ms[o->bench / 2] : (ms[o->bench / 2 - 1] + ms[o->bench / 2]) / 2;
  printf("{\"iters\":%ld,\"median_ms\":%.6f,\"min_ms\":%.6f,\"arena_bytes\":%llu}\n",
         o->bench, median, ms[0], (unsigned long long)c->m->arena_size);
  free(ms);
  return 0;
}

/* Creates dir and its parents, like mkdir -p; 0 on success (or when it already exists). */
static int make_dirs(char *dir) {
  char *p, sep;
  for (p = dir + 1; *p; p++) {
    if (*p != '/' && *p != '\\') continue;
    sep = *p;
    *p = 0;
    if (onnxc_mkdir(dir) && errno != EEXIST) { *p = sep; return -1; }
    *p = sep;
  }
  return (onnxc_mkdir(dir) && errno != EEXIST) ? -1 : 0;
}

static int write_outputs(const context *c, const char *dir, int npy) {
  size_t n = strlen(dir) + 40;
  char *path = (char *)malloc(n), msg[600];
  int k, rc = 0;
  if (!path) return error("out of memory");
  strcpy(path, dir);
  if (make_dirs(path)) {
    rc = error("cannot create output folder '%s': %s", dir, strerror(errno));
    free(path);
    return rc;
  }
  for (k = 0; k < c->m->num_outputs && !rc; k++) {
    const onnxc_tensor_desc *d = &c->m->outputs[k];
    /* a model with run-time dims reports each output's actual shape (at most d->dims) */
    int64_t *dims = (int64_t *)malloc(sizeof(int64_t) * (size_t)(d->rank ? d->rank : 1));
    size_t bytes = d->size_bytes;
    if (!dims) { rc = error("out of memory"); break; }
    if (d->rank) memcpy(dims, d->dims, sizeof(int64_t) * (size_t)d->rank); /* a scalar has no dims (NULL) */
    if (c->m->output_shape) {
      int status = c->m->output_shape(c->arena.p, k, dims);
      if (status != ONNXC_OK) rc = error("output %d '%s': shape: %s", k, d->name, onnxc_status_string(status));
      else if (onnxc_dense_size(d->elem_type, d->rank, dims, NULL, &bytes, msg, sizeof msg) || bytes > d->size_bytes)
        rc = error("output %d '%s': the model reported a shape beyond its bounds", k, d->name);
    }
    snprintf(path, n, "%s/output_%d.%s", dir, k, npy ? "npy" : "pb");
    if (!rc && (npy ? onnxc_npy_write_file(path, d->elem_type, d->rank, dims, c->out[k].p,
                                           bytes, msg, sizeof msg)
                    : onnxc_pb_write_file(path, d->name, d->elem_type, d->rank, dims, c->out[k].p,
                                          bytes, msg, sizeof msg)))
      rc = error("output %d '%s': %s", k, d->name, msg);
    free(dims);
  }
  free(path);
  return rc;
}

static void cleanup(context *c) {
  int k;
  for (k = 0; c->in && k < c->m->num_inputs; k++) free(c->in[k].raw);
  for (k = 0; c->out && k < c->m->num_outputs; k++) free(c->out[k].raw);
  free(c->in);
  free(c->out);
  free(c->in_ptrs);
  free(c->out_ptrs);
  for (k = 0; c->in_dims && k < c->m->num_inputs; k++) free(c->in_dims[k]);
  free(c->in_dims);
  free(c->arena.raw);
}

#if defined(ONNXC_MODEL_TABLE)
/* `--model NAME` (the first two arguments) picks a model of the table; they are then dropped. */
static const onnxc_model *pick_model(int *argc, char **argv) {
  int k;
  if (*argc < 3 || strcmp(argv[1], "--model") != 0) {
    error("this program holds several models: give --model NAME first");
    return NULL;
  }
  for (k = 0; ONNXC_MODEL_TABLE[k] && strcmp(ONNXC_MODEL_TABLE[k]->name, argv[2]) != 0; k++) {}
  if (!ONNXC_MODEL_TABLE[k]) {
    error("no model '%s' in this program", argv[2]);
    return NULL;
  }
  memmove(argv + 1, argv + 3, (size_t)(*argc - 2) * sizeof *argv); /* keeps argv[argc] == NULL */
  *argc -= 2;
  return ONNXC_MODEL_TABLE[k];
}
#endif

int main(int argc, char **argv) {
  options o;
  context c;
  int rc;
  memset(&o, 0, sizeof o);
  memset(&c, 0, sizeof c);
  o.warmup = 3;
  o.seed = 1;
#if defined(ONNXC_MODEL_TABLE)
  if (!(c.m = pick_model(&argc, argv))) return 2;
#else
  c.m = &ONNXC_MODEL;
#endif
  if (!(o.inputs = (const char **)calloc((size_t)argc, sizeof(char *))))
    return error("out of memory");
  rc = parse_args(argc, argv, &o);
  if (rc == 0 && !(rc = check_model(c.m)) && o.info) print_info(c.m);
  else if (rc == 0 && !(rc = setup(&c, &o))) {
    rc = o.bench ? bench(&c, &o) : run_once(&c);
    if (!rc && o.out_dir) rc = write_outputs(&c, o.out_dir, o.npy_out);
  }
  cleanup(&c);
  free((void *)o.inputs);
  return rc < 0 ? 0 : rc;
}
