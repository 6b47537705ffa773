// --freestanding: generated C that needs neither libc nor libm. What the kernels and helpers
// call from <math.h> is mapped (by macros) onto the WASM target's math library rendered as C
// (./mathC.ts): float functions go through the double ones, as in WASM. memcpy, memset and
// memcmp (which GCC may also call on its own) are defined weak, so a libc, where there is one,
// may replace them. Only <stddef.h> and <stdint.h> are included: freestanding headers.
import { CompileError } from '../../ir/errors.js';
import { mathSources } from './mathC.js';

/** libm names → [runtime function of codegen/wasm/mathlib.ts | primitive of mathC.ts, arity]. */
const RUNTIME_FNS: Record<string, number> = {
  exp: 1, expm1: 1, log: 1, log1p: 1, sin: 1, cos: 1, tan: 1, asin: 1, acos: 1, atan: 1, sinh: 1, cosh: 1, tanh: 1,
  asinh: 1, acosh: 1, atanh: 1, erf: 1, pow: 2, fmod: 2, atan2: 2,
};
const PRIM_FNS: Record<string, [string, number]> = {
  sqrt: ['sqrt', 1], fabs: ['fabs', 1], floor: ['floor', 1], ceil: ['ceil', 1], trunc: ['trunc', 1], rint: ['nearest', 1],
  nearbyint: ['nearest', 1], copysign: ['copysign', 2], fmin: ['fmin', 2], fmax: ['fmax', 2],
};
/** Every <math.h> function name, to catch one this file does not provide. */
const LIBM = /\b(acosh?|asinh?|atan[2h]?|cbrt|ceil|copysign|cosh?|erfc?|exp2?|expm1|fabs|fdim|floor|fmax|fmin|fmod|fma|frexp|hypot|ilogb|ldexp|lgamma|llrint|llround|log10|log1p|log2|logb|log|lrint|lround|modf|nan|nearbyint|nextafter|nexttoward|pow|remainder|remquo|rint|round|scalbl?n|sinh?|sqrt|tanh?|tgamma|trunc)(f?)\s*\(/g;

const LIBC = [
  '#if defined(__clang__)', '#define ONNXC_LIBC __attribute__((weak, no_builtin))',
  '#elif defined(__GNUC__)', '#define ONNXC_LIBC __attribute__((weak, optimize("no-tree-loop-distribute-patterns")))',
  '#else', '#define ONNXC_LIBC', '#endif',
  'ONNXC_LIBC void *memcpy(void *restrict dst, const void *restrict src, size_t n) {',
  '  unsigned char *d = (unsigned char *)dst;', '  const unsigned char *s = (const unsigned char *)src;',
  '  while (n--) *d++ = *s++;', '  return dst;', '}',
  'ONNXC_LIBC void *memset(void *dst, int c, size_t n) {',
  '  unsigned char *d = (unsigned char *)dst;', '  while (n--) *d++ = (unsigned char)c;', '  return dst;', '}',
  'ONNXC_LIBC int memcmp(const void *a, const void *b, size_t n) {',
  '  const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;',
  '  for (; n; n--, x++, y++)', '    if (*x != *y) return *x < *y ? -1 : 1;', '  return 0;', '}',
];

// frexp/ldexp for the narrow-float conversions, on float (exact: double holds every step)
const FLOAT_HELPERS: Record<string, string> = {
  ldexpf: 'static float onnxc_ldexpf(float x, int e) {\n  double r = x;\n  for (; e > 0; e--) r *= 2.0;\n  for (; e < 0; e++) r *= 0.5;\n  return (float)r;\n}',
  frexpf: 'static float onnxc_frexpf(float x, int *e) {\n  double r = x;\n  *e = 0;\n  if (r == 0.0 || r != r || r - r != 0.0) return x;\n' +
    '  while (r >= 1.0 || r <= -1.0) { r *= 0.5; ++*e; }\n  while (r < 0.5 && r > -0.5) { r *= 2.0; --*e; }\n  return (float)r;\n}',
};

/** The lines that replace `#include <math.h>` and `<string.h>` in freestanding C for `body` (the rest of the file). */
export function freestandingHead(body: string): string[] {
  const runtime = new Set<string>(), prims = new Set<string>(), macros: string[] = [], helpers: string[] = [];
  const seen = new Set<string>();
  for (const m of body.matchAll(LIBM)) {
    const name = m[1] + m[2], f = m[2] === 'f';
    if (seen.has(name)) continue;
    seen.add(name);
    const args = (n: number) => ['x', 'y'].slice(0, n);
    const call = (fn: string, n: number) => {
      const a = args(n);
      const inner = `${fn}(${a.map((v) => (f ? `(double)(${v})` : `(${v})`)).join(', ')})`;
      macros.push(`#define ${name}(${a.join(', ')}) ${f ? `((float)${inner})` : inner}`);
    };
    if (m[1] in RUNTIME_FNS) { runtime.add(m[1]); call(`rt_${m[1]}`, RUNTIME_FNS[m[1]]); }
    else if (m[1] in PRIM_FNS) { const [p, n] = PRIM_FNS[m[1]]; prims.add(p); call(`onnxc_${p}`, n); }
    else if (FLOAT_HELPERS[name]) { helpers.push(FLOAT_HELPERS[name]); macros.push(`#define ${name} onnxc_${name}`); }
    else throw new CompileError(`--freestanding: the generated code calls ${name}, which onnxc does not provide without libm`);
  }
  const head = ['/* --freestanding: no libc, no libm; the math below is onnxc\'s own (as in its WASM output) */',
    '#define NAN (__builtin_nanf(""))', '#define INFINITY (__builtin_inff())', '#define isnan(x) __builtin_isnan(x)',
    '#define isinf(x) __builtin_isinf(x)', '#define signbit(x) __builtin_signbit(x)', ...LIBC];
  const math = runtime.size || prims.size ? mathSources([...runtime], [...prims]) : [];
  return [...head, ...helpers, ...math, ...macros, ''];
}
