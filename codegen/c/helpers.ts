import { ERF_CLAMP, ERF_P, ERF_Q, EXP_HI, EXP_LN2_HI, EXP_LN2_LO, EXP_LO, EXP_LOG2E, EXP_POLY } from '../../ir/mathfit.js';
import { evenLanes } from '../../ir/vector.js';
import { literal } from './cstyle.js';
import { INT_HELPERS } from './intHelpers.js';

// C source of the scalar helpers generated code may call (emitted only when used): NaN-
// propagating min/max, the intrinsics of ir/intrinsics.ts (float16/bfloat16/float8/4- and 2-bit
// conversions here, integer ones in intHelpers.ts; C_ROWS says which helper is which row).
// Plain C99 that also compiles as C++/CUDA: memcpy for type punning, no restrict.

/**
 * Decoder and encoders of a narrow float format. kind: 'ieee' has infinities and NaNs, 'fn' one
 * NaN per sign (all ones) and no infinity, 'fnuz' a single NaN (0x80) and no negative zero,
 * 'none' neither (float4e2m1: NaN encodes as 0x8, out of range always saturates).
 * Encoding rounds to nearest even (rintf in the default rounding mode) on the format's grid.
 */
const mini = (name: string, e: number, m: number, bias: number, kind: 'fn' | 'fnuz' | 'ieee' | 'none') => {
  const nb = 1 + e + m, maxE = (1 << e) - 1, mm = (1 << m) - 1, signBit = 1 << (nb - 1);
  const hex = (x: number) => `0x${x.toString(16).toUpperCase()}u`;
  const nanCheck = kind === 'fnuz' ? `  if (b == ${hex(signBit)}) return NAN;\n`
    : kind === 'ieee' ? `  if (ex == ${maxE}u) return ma ? NAN : (s ? -INFINITY : INFINITY);\n`
    : kind === 'fn' ? `  if (ex == ${maxE}u && ma == ${mm}u) return NAN;\n` : '';
  const toF = `static inline float onnxc_${name}_to_f(uint8_t b) {
  const unsigned s = (b >> ${nb - 1}) & 1u, ex = (b >> ${m}) & ${maxE}u, ma = b & ${mm}u;
  float v;
${nanCheck}  if (ex == 0) v = ldexpf((float)ma, ${1 - bias - m});
  else v = ldexpf((float)(ma | ${1 << m}u), (int)ex - ${bias + m});
  return s ? -v : v;
}`;
  const maxCode = kind === 'ieee' ? ((maxE - 1) << m) | mm : kind === 'fn' ? (maxE << m) | (mm - 1) : (maxE << m) | mm;
  const nan = kind === 'fnuz' || kind === 'none' ? hex(signBit) : kind === 'fn' ? `s | ${hex(signBit - 1)}` : `s | ${hex(signBit - 2)}`;
  const over = kind === 'ieee' ? `s | ${hex(maxE << m)}` : kind === 'fnuz' ? hex(signBit) : `s | ${hex(signBit - 1)}`;
  const enc = (sat: boolean) => `static inline uint8_t onnxc_f_to_${name}${sat ? '' : '_nosat'}(float x) {
  const unsigned s = signbit(x) ? ${hex(signBit)} : 0u;
  const float a = fabsf(x);
  unsigned c = ${maxCode + 1}u;
  int ex;
  if (isnan(x)) return (uint8_t)(${nan});
  if (a <= ${(2 * maxFloat(m, bias, maxCode)).toFixed(1)}f) {
    (void)frexpf(a, &ex); /* a = f * 2^ex, f in [0.5, 1) */
    ex = a < 0x1p${1 - bias}f ? ${1 - bias} : ex - 1; /* subnormals share the least exponent */
    c = ((unsigned)(ex + ${bias - 1}) << ${m}) + (unsigned)rintf(ldexpf(a, ${m} - ex));
  }
  if (c > ${maxCode}u) return (uint8_t)(${sat ? `s | ${maxCode}u` : over});
  return (uint8_t)(${kind === 'fnuz' ? 'c == 0 ? 0u : s | c' : 's | c'});
}`;
  return { toF, enc: enc(true), encNoSat: kind === 'none' ? enc(true) : enc(false) };
};

/** Value of a positive normal code. */
function maxFloat(m: number, bias: number, code: number): number {
  return (1 + (code & ((1 << m) - 1)) / (1 << m)) * 2 ** ((code >> m) - bias);
}

const f8 = {
  e4m3fn: mini('e4m3fn', 4, 3, 7, 'fn'),
  e4m3fnuz: mini('e4m3fnuz', 4, 3, 8, 'fnuz'),
  e5m2: mini('e5m2', 5, 2, 15, 'ieee'),
  e5m2fnuz: mini('e5m2fnuz', 5, 2, 16, 'fnuz'),
  e2m1: mini('e2m1', 2, 1, 1, 'none'),
};

/** float8e8m0 encoder (round up; saturate keeps 2^127 and maps infinities to it). */
const e8m0Enc = (sat: boolean) => `static inline uint8_t onnxc_f_to_e8m0${sat ? '' : '_nosat'}(float x) {
  uint32_t u, e;
  memcpy(&u, &x, sizeof u);
  e = (u >> 23) & 0xffu;
  if (e == 0xffu) return (uint8_t)(${sat ? '(u & 0x7fffffu) ? 0xffu : 0xfeu' : '0xffu'});
  if ((u & 0x7fffffu) != 0${sat ? ' && e < 0xfeu' : ''}) e++;
  return (uint8_t)e;
}`;

export const C_HELPERS: Record<string, { deps?: string[]; src: string }> = {
  onnxc_minf: { src: 'static inline float onnxc_minf(float a, float b) { return (isnan(a) || isnan(b)) ? NAN : (a < b ? a : b); }' },
  onnxc_maxf: { src: 'static inline float onnxc_maxf(float a, float b) { return (isnan(a) || isnan(b)) ? NAN : (a > b ? a : b); }' },
  onnxc_min: { src: 'static inline double onnxc_min(double a, double b) { return (isnan(a) || isnan(b)) ? (double)NAN : (a < b ? a : b); }' },
  onnxc_max: { src: 'static inline double onnxc_max(double a, double b) { return (isnan(a) || isnan(b)) ? (double)NAN : (a > b ? a : b); }' },
  onnxc_h2f: { src: `static inline float onnxc_h2f(uint16_t h) {
  const uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
  float v = e == 0 ? ldexpf((float)m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexpf((float)(m | 0x400u), (int)e - 25);
  return (h & 0x8000u) ? -v : v;
}` },
  onnxc_f2h: { src: `static inline uint16_t onnxc_f2h(float f) {
  uint32_t b, sign, man;
  int e;
  memcpy(&b, &f, sizeof b);
  sign = (b >> 16) & 0x8000u; man = b & 0x7fffffu;
  e = (int)((b >> 23) & 0xffu);
  if (e == 0xff) return (uint16_t)(sign | 0x7c00u | (man ? 0x200u : 0u));
  e = e - 127 + 15;
  if (e >= 31) return (uint16_t)(sign | 0x7c00u);
  if (e <= 0) {
    uint32_t shift, h, rem, half;
    if (e < -10) return (uint16_t)sign;
    man |= 0x800000u; shift = (uint32_t)(14 - e); h = man >> shift;
    rem = man & ((1u << shift) - 1u); half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (h & 1u))) h++;
    return (uint16_t)(sign | h);
  } else {
    uint32_t h = ((uint32_t)e << 10) | (man >> 13), rem = man & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++;
    return (uint16_t)(sign | h);
  }
}` },
  onnxc_bf2f: { src: `static inline float onnxc_bf2f(uint16_t h) {
  const uint32_t u = (uint32_t)h << 16;
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}` },
  onnxc_f2bf: { src: `static inline uint16_t onnxc_f2bf(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u);
  return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}` },
  onnxc_e8m0_to_f: { src: 'static inline float onnxc_e8m0_to_f(uint8_t b) { return b == 0xffu ? NAN : ldexpf(1.0f, (int)b - 127); }' },
  onnxc_f_to_e8m0: { src: e8m0Enc(true) },
  onnxc_f_to_e8m0_nosat: { src: e8m0Enc(false) },
  onnxc_ld_u2: { src: 'static inline uint8_t onnxc_ld_u2(const uint8_t *p, ptrdiff_t i) { return (uint8_t)((p[i >> 2] >> ((i & 3) * 2)) & 3); }' },
  onnxc_ld_i2: { deps: ['onnxc_ld_u2'], src: 'static inline int8_t onnxc_ld_i2(const uint8_t *p, ptrdiff_t i) { int v = onnxc_ld_u2(p, i); return (int8_t)(v >= 2 ? v - 4 : v); }' },
  onnxc_st_u2: { src: `static inline void onnxc_st_u2(uint8_t *p, ptrdiff_t i, int v) {
  const int sh = (int)(i & 3) * 2;
  p[i >> 2] = (uint8_t)((p[i >> 2] & ~(3 << sh)) | ((v & 3) << sh));
}` },
  onnxc_st_i2: { deps: ['onnxc_st_u2'], src: 'static inline void onnxc_st_i2(uint8_t *p, ptrdiff_t i, int v) { onnxc_st_u2(p, i, v); }' },
  onnxc_ld_u4: { src: 'static inline uint8_t onnxc_ld_u4(const uint8_t *p, ptrdiff_t i) { return (uint8_t)((i & 1) ? p[i >> 1] >> 4 : p[i >> 1] & 15); }' },
  onnxc_ld_i4: { deps: ['onnxc_ld_u4'], src: 'static inline int8_t onnxc_ld_i4(const uint8_t *p, ptrdiff_t i) { int v = onnxc_ld_u4(p, i); return (int8_t)(v >= 8 ? v - 16 : v); }' },
  onnxc_st_u4: { src: `static inline void onnxc_st_u4(uint8_t *p, ptrdiff_t i, int v) {
  p[i >> 1] = (uint8_t)((i & 1) ? ((p[i >> 1] & 0x0f) | ((v & 15) << 4)) : ((p[i >> 1] & 0xf0) | (v & 15)));
}` },
  onnxc_st_i4: { deps: ['onnxc_st_u4'], src: 'static inline void onnxc_st_i4(uint8_t *p, ptrdiff_t i, int v) { onnxc_st_u4(p, i, v); }' },
  onnxc_e2m1_to_f: { src: f8.e2m1.toF },
  onnxc_f_to_e2m1: { src: f8.e2m1.enc },
  onnxc_ld_f4: { deps: ['onnxc_ld_u4', 'onnxc_e2m1_to_f'], src: 'static inline float onnxc_ld_f4(const uint8_t *p, ptrdiff_t i) { return onnxc_e2m1_to_f(onnxc_ld_u4(p, i)); }' },
  onnxc_st_f4: { deps: ['onnxc_st_u4', 'onnxc_f_to_e2m1'], src: 'static inline void onnxc_st_f4(uint8_t *p, ptrdiff_t i, float v) { onnxc_st_u4(p, i, onnxc_f_to_e2m1(v)); }' },
};
for (const k of ['e4m3fn', 'e4m3fnuz', 'e5m2', 'e5m2fnuz'] as const) {
  C_HELPERS[`onnxc_${k}_to_f`] = { src: f8[k].toF };
  C_HELPERS[`onnxc_f_to_${k}`] = { src: f8[k].enc };
  C_HELPERS[`onnxc_f_to_${k}_nosat`] = { src: f8[k].encNoSat };
}

// bit-pattern reinterpretation between a float and an integer type of the same width
for (const [f, ints] of [['f32', ['i32', 'u32']], ['f64', ['i64', 'u64']]] as const) for (const i of ints) {
  const C: Record<string, string> = { f32: 'float', f64: 'double', i32: 'int32_t', u32: 'uint32_t', i64: 'int64_t', u64: 'uint64_t' };
  for (const [a, b] of [[f, i], [i, f]]) C_HELPERS[`onnxc_bits_${a}_${b}`] = {
    src: `static inline ${C[b]} onnxc_bits_${a}_${b}(${C[a]} x) { ${C[b]} r; memcpy(&r, &x, sizeof r); return r; }`,
  };
}

/** SIMD support for vectorized kernels: GCC/Clang vector types, used only through macros so
 * no vector value crosses a function boundary (no ABI warnings whatever -march is). */
function simd(lanes: number, bits: number, fmaHeader: string, fma: string, reg: string, minmaxHeader: string, roundHeader: string, pfx: string): string {
  const splat = Array.from({ length: lanes }, () => '(x)').join(', ');
  const T = `onnxc_f32x${lanes}`, I = `onnxc_i32x${lanes}`;
  // max(a, b) = a < b ? b : a, min(a, b) = b < a ? b : a: a NaN in a propagates (see ir/vector.ts)
  const pick = (lt: string) => { const m = `((${I})(${lt}))`; return `((${T})((${m} & (${I})(b)) | (~${m} & (${I})(a))))`; };
  return `typedef float ${T} __attribute__((vector_size(${bits / 8})));
typedef int ${I} __attribute__((vector_size(${bits / 8})));
typedef float ${T}u __attribute__((vector_size(${bits / 8}), aligned(4), may_alias));
#define ONNXC_VLOAD${lanes}(p) (*(const ${T}u *)(p))
#define ONNXC_VSTORE${lanes}(p, v) (*(${T}u *)(p) = (v))
/* p[0], p[2], …, p[2·${lanes - 1}]: two loads that end at the last lane's element, one shuffle */
#if defined(__clang__) || __GNUC__ >= 12
#define ONNXC_VLOADEVEN${lanes}(p) __builtin_shufflevector(ONNXC_VLOAD${lanes}(p), ONNXC_VLOAD${lanes}((p) + ${lanes - 1}), ${evenLanes(lanes).join(', ')})
#else
#define ONNXC_VLOADEVEN${lanes}(p) __builtin_shuffle(ONNXC_VLOAD${lanes}(p), ONNXC_VLOAD${lanes}((p) + ${lanes - 1}), (${I}){${evenLanes(lanes).join(', ')}})
#endif
#define ONNXC_SPLAT${lanes}(x) ((${T}){${splat}})
#if ${fmaHeader}
#include <immintrin.h>
#define ONNXC_FMA${lanes}(a, b, c) ((${T})${fma}((${reg})(a), (${reg})(b), (${reg})(c)))
#else
#define ONNXC_FMA${lanes}(a, b, c) ((a) * (b) + (c))
#endif
#if ${minmaxHeader}
#include <immintrin.h>
#define ONNXC_VMAX${lanes}(a, b) ((${T})${pfx}_max_ps((${reg})(b), (${reg})(a)))
#define ONNXC_VMIN${lanes}(a, b) ((${T})${pfx}_min_ps((${reg})(b), (${reg})(a)))
#else
#define ONNXC_VMAX${lanes}(a, b) ${pick('(a) < (b)')}
#define ONNXC_VMIN${lanes}(a, b) ${pick('(b) < (a)')}
#endif
/* maxnan/minnan: NaN when either operand is; max/min already propagate a's */
#define ONNXC_VMAXNAN${lanes}(a, b) __extension__ ({ ${T} a_ = (a), b_ = (b); ONNXC_VSELECT${lanes}(b_ != b_, b_, ONNXC_VMAX${lanes}(a_, b_)); })
#define ONNXC_VMINNAN${lanes}(a, b) __extension__ ({ ${T} a_ = (a), b_ = (b); ONNXC_VSELECT${lanes}(b_ != b_, b_, ONNXC_VMIN${lanes}(a_, b_)); })
/* lanes of x where the mask m (a vector comparison) is set, of y elsewhere */
#define ONNXC_VSELECT${lanes}(m, x, y) __extension__ ({ ${I} m_ = (${I})(m); (${T})((m_ & (${I})(x)) | (~m_ & (${I})(y))); })
#define ONNXC_VABS${lanes}(x) ((${T})((${I})(x) & 0x7fffffff))
/* a float function on each lane (GCC/Clang vectorize it where they can) */
#define ONNXC_VLANES${lanes}(f, x) __extension__ ({ ${T} v_ = (x); int l_; for (l_ = 0; l_ < ${lanes}; l_++) v_[l_] = f(v_[l_]); v_; })
#if ${roundHeader}
#include <immintrin.h>
#define ONNXC_VSQRT${lanes}(x) ((${T})${pfx}_sqrt_ps((${reg})(x)))
#define ONNXC_VROUND_${lanes}(x, m) ((${T})${pfx}_round_ps((${reg})(x), m | _MM_FROUND_NO_EXC))
#define ONNXC_VFLOOR${lanes}(x) ONNXC_VROUND_${lanes}(x, _MM_FROUND_TO_NEG_INF)
#define ONNXC_VCEIL${lanes}(x) ONNXC_VROUND_${lanes}(x, _MM_FROUND_TO_POS_INF)
#define ONNXC_VTRUNC${lanes}(x) ONNXC_VROUND_${lanes}(x, _MM_FROUND_TO_ZERO)
#define ONNXC_VRINT${lanes}(x) ONNXC_VROUND_${lanes}(x, _MM_FROUND_TO_NEAREST_INT)
#else
#define ONNXC_VSQRT${lanes}(x) ONNXC_VLANES${lanes}(sqrtf, x)
#define ONNXC_VFLOOR${lanes}(x) ONNXC_VLANES${lanes}(floorf, x)
#define ONNXC_VCEIL${lanes}(x) ONNXC_VLANES${lanes}(ceilf, x)
#define ONNXC_VTRUNC${lanes}(x) ONNXC_VLANES${lanes}(truncf, x)
#define ONNXC_VRINT${lanes}(x) ONNXC_VLANES${lanes}(rintf, x)
#endif`;
}

/**
 * exp on vectors: the row exp_f32 (ir/mathfit.ts expF32, as WASM's f32x4 exp): n = x·log2 e
 * rounded to nearest even, r = x - n·ln 2 in two parts, e^r by a degree-6 polynomial, times 2^n
 * built in two halves (n reaches -150 and 128); +inf above the range, 0 below, NaN stays NaN.
 * Ties to even from the truncating conversion and the exact fraction f - trunc(f), not the
 * 1.5·2^23 trick, so -ffast-math cannot fold it away. Bit-exact only without FMA contraction
 * (-std=c99 implies -ffp-contract=off).
 */
function vexp(lanes: number): string {
  const T = `onnxc_f32x${lanes}`, I = `onnxc_i32x${lanes}`, S = (v: number) => `ONNXC_SPLAT${lanes}(${literal('f32', v)})`;
  const poly = EXP_POLY.slice(1).reduce((acc, c) => `(${acc} * r_ + ${S(c)})`, S(EXP_POLY[0]));
  const lines = [
    `${T} x_ = (x), r_ = ONNXC_VMIN${lanes}(ONNXC_VMAX${lanes}(x_, ${S(EXP_LO)}), ${S(EXP_HI)});`,
    `${T} f_ = r_ * ${S(EXP_LOG2E)};`,
    `${I} t_ = __builtin_convertvector(f_, ${I}), odd_ = -(t_ & 1);`,
    `${T} d_ = f_ - __builtin_convertvector(t_, ${T});`,
    `${I} n_ = t_ - (((${I})(d_ > ${S(0.5)})) | ((${I})(d_ == ${S(0.5)}) & odd_)) + (((${I})(d_ < ${S(-0.5)})) | ((${I})(d_ == ${S(-0.5)}) & odd_));`,
    `${T} nf_ = __builtin_convertvector(n_, ${T});`,
    `${I} h_ = n_ >> 1, big_ = (${I})(x_ > ${S(EXP_HI)}), small_ = (${I})(x_ < ${S(EXP_LO)});`,
    `${T} p_;`,
    `r_ = (r_ - nf_ * ${S(EXP_LN2_HI)}) - nf_ * ${S(EXP_LN2_LO)};`,
    `p_ = (${poly} * (r_ * r_) + r_) + ${S(1)};`,
    `p_ = p_ * (${T})((h_ + 127) << 23) * (${T})((n_ - h_ + 127) << 23);`,
    `(${T})(~small_ & ((big_ & (${I})${S(Infinity)}) | (~big_ & (${I})p_)));`,
  ];
  return `#define ONNXC_VEXP${lanes}(x) __extension__ ({ \\
  ${lines.join(' \\\n  ')} })`;
}

/** erf on vectors: the row erf_f32, x·P(x²)/Q(x²) on [-4, 4] (beyond, ±1 in float32), WASM's fit
 * (codegen/wasm/simd.ts); coefficients written as the float32 values WASM rounds them to. */
function verf(lanes: number): string {
  const T = `onnxc_f32x${lanes}`, S = (v: number) => `ONNXC_SPLAT${lanes}(${literal('f32', v)})`;
  const poly = (cs: number[]) => cs.slice(0, -1).reduceRight((acc, c) => `(${acc} * x2_ + ${S(c)})`, S(cs[cs.length - 1]));
  return `#define ONNXC_VERF${lanes}(x) __extension__ ({ \\
  ${T} x_ = ONNXC_VMIN${lanes}(ONNXC_VMAX${lanes}((x), ${S(-ERF_CLAMP)}), ${S(ERF_CLAMP)}), x2_ = x_ * x_; \\
  (x_ * ${poly(ERF_P)}) / ${poly(ERF_Q)}; })`;
}

C_HELPERS.onnxc_simd8 = { src: simd(8, 256, 'defined(__AVX__) && defined(__FMA__)', '_mm256_fmadd_ps', '__m256', 'defined(__AVX__)', 'defined(__AVX__)', '_mm256') };
C_HELPERS.onnxc_simd16 = { src: simd(16, 512, 'defined(__AVX512F__)', '_mm512_fmadd_ps', '__m512', 'defined(__AVX512F__)', '0', '_mm512') };
C_HELPERS.onnxc_simd4 = { src: simd(4, 128, 'defined(__FMA__)', '_mm_fmadd_ps', '__m128', 'defined(__SSE__)', 'defined(__SSE4_1__)', '_mm') };
C_HELPERS.onnxc_vexp8 = { deps: ['onnxc_simd8'], src: vexp(8) };
C_HELPERS.onnxc_vexp16 = { deps: ['onnxc_simd16'], src: vexp(16) };
C_HELPERS.onnxc_vexp4 = { deps: ['onnxc_simd4'], src: vexp(4) };
C_HELPERS.onnxc_verf8 = { deps: ['onnxc_simd8'], src: verf(8) };
C_HELPERS.onnxc_verf16 = { deps: ['onnxc_simd16'], src: verf(16) };
C_HELPERS.onnxc_verf4 = { deps: ['onnxc_simd4'], src: verf(4) };

for (const [name, src] of Object.entries(INT_HELPERS)) C_HELPERS[name] = { src };

/**
 * Sources of the named helpers and their dependencies, dependencies first, in a stable order.
 * qualifier replaces their `static inline` (a C-family row's: CUDA's makes them device functions).
 */
export function helperSources(names: Iterable<string>, qualifier = 'static inline'): string[] {
  const out: string[] = [], seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    const h = C_HELPERS[n];
    if (!h) throw new Error(`no C helper ${n}`);
    for (const d of h.deps ?? []) visit(d);
    out.push(qualifier === 'static inline' ? h.src : h.src.replace(/^static inline /gm, `${qualifier} `));
  };
  for (const n of [...names].sort()) visit(n);
  return out;
}

/**
 * The C that implements each intrinsic row (ir/intrinsics.ts): a helper name, or null where C's
 * own operator already has the row's meaning (64-bit integer → float rounds once, to nearest).
 * Packed rows are the ld/st helpers (element access and code in one), exp/erf the vector macros.
 */
export function cHelperOf(row: string): string | null {
  const fixed: Record<string, string | null> = {
    f16_to_f32: 'onnxc_h2f', f32_to_f16: 'onnxc_f2h', bf16_to_f32: 'onnxc_bf2f', f32_to_bf16: 'onnxc_f2bf',
    exp_f32: 'onnxc_vexp4', erf_f32: 'onnxc_verf4', i64_to_f32: null, u64_to_f32: null,
  };
  if (row in fixed) return fixed[row];
  let m = /^(\w+)_to_f32$/.exec(row);
  if (m) return `onnxc_${m[1]}_to_f`;
  m = /^f32_to_(e\w+)$/.exec(row);
  if (m) return `onnxc_f_to_${m[1]}`;
  m = /^([iu][24])_(decode|encode)$/.exec(row);
  if (m) return `onnxc_${m[2] === 'decode' ? 'ld' : 'st'}_${m[1]}`;
  return `onnxc_${row}`;
}
