// C source of the scalar helpers generated code may call (emitted only when used): NaN-
// propagating min/max, float16/bfloat16/float8/4-bit conversions. Plain C99, libm only.

const mini = (name: string, e: number, m: number, bias: number, kind: 'fn' | 'fnuz' | 'ieee') => {
  const nb = 1 + e + m, maxE = (1 << e) - 1;
  const toF = `static inline float onnxc_${name}_to_f(uint8_t b) {
  const unsigned s = (b >> ${nb - 1}) & 1u, ex = (b >> ${m}) & ${maxE}u, ma = b & ${(1 << m) - 1}u;
  float v;
${kind === 'fnuz' ? `  if (b == 0x80u) return NAN;\n` : kind === 'ieee' ? `  if (ex == ${maxE}u) return ma ? NAN : (s ? -INFINITY : INFINITY);\n` : `  if (ex == ${maxE}u && ma == ${(1 << m) - 1}u) return NAN;\n`}  if (ex == 0) v = ldexpf((float)ma, ${1 - bias - m});
  else v = ldexpf((float)(ma | ${1 << m}u), (int)ex - ${bias + m});
  return s ? -v : v;
}`;
  // encode: round to nearest even over the representable grid, saturating (or not) at max finite
  const maxCode = kind === 'ieee' ? ((maxE - 1) << m) | ((1 << m) - 1) : kind === 'fn' ? (maxE << m) | ((1 << m) - 2) : (maxE << m) | ((1 << m) - 1);
  const nan = kind === 'fnuz' ? '0x80u' : kind === 'ieee' ? '0x7Fu' : '0x7Fu';
  const inf = kind === 'ieee' ? `0x${(maxE << m).toString(16)}u` : nan;
  const enc = (sat: boolean) => `static inline uint8_t onnxc_f_to_${name}${sat ? '' : '_nosat'}(float x) {
  unsigned s = signbit(x) ? 0x${(1 << (nb - 1)).toString(16)}u : 0u;
  float a = fabsf(x), maxv = onnxc_${name}_to_f(${maxCode}u);
  unsigned lo = 0, hi = ${maxCode}u;
  if (isnan(x)) return ${nan};
  if (a > maxv) {
${sat ? `    return (uint8_t)(s | ${maxCode}u);` : `    if (isinf(x) || a >= maxv + 0.5f * (maxv - onnxc_${name}_to_f(${maxCode - 1}u))) return (uint8_t)(${kind === 'ieee' ? `s | ${inf}` : nan});
    return (uint8_t)(s | ${maxCode}u);`}
  }
  while (hi - lo > 1) { unsigned mid = (lo + hi) / 2; if (onnxc_${name}_to_f((uint8_t)mid) <= a) lo = mid; else hi = mid; }
  {
    float dl = a - onnxc_${name}_to_f((uint8_t)lo), dh = onnxc_${name}_to_f((uint8_t)hi) - a;
    unsigned c = (dh < dl || (dh == dl && (lo & 1u))) ? hi : lo;
    if (c > ${maxCode}u) c = ${maxCode}u;
${kind === 'fnuz' ? '    if (c == 0) s = 0;\n' : ''}    return (uint8_t)(s | c);
  }
}`;
  return { toF, enc: enc(true), encNoSat: enc(false) };
};

const f8 = {
  e4m3fn: mini('e4m3fn', 4, 3, 7, 'fn'),
  e4m3fnuz: mini('e4m3fnuz', 4, 3, 8, 'fnuz'),
  e5m2: mini('e5m2', 5, 2, 15, 'ieee'),
  e5m2fnuz: mini('e5m2fnuz', 5, 2, 16, 'fnuz'),
  e2m1: mini('e2m1', 2, 1, 1, 'fn'),
};

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
  union { float f; uint32_t u; } c;
  uint32_t b, sign, man;
  int e;
  c.f = f; b = c.u; sign = (b >> 16) & 0x8000u; man = b & 0x7fffffu;
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
  union { uint32_t u; float f; } c;
  c.u = (uint32_t)h << 16;
  return c.f;
}` },
  onnxc_f2bf: { src: `static inline uint16_t onnxc_f2bf(float f) {
  union { float f; uint32_t u; } c;
  c.f = f;
  if ((c.u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((c.u >> 16) | 0x40u);
  return (uint16_t)((c.u + 0x7fffu + ((c.u >> 16) & 1u)) >> 16);
}` },
  onnxc_ld_u4: { src: 'static inline uint8_t onnxc_ld_u4(const uint8_t *p, ptrdiff_t i) { return (uint8_t)((i & 1) ? p[i >> 1] >> 4 : p[i >> 1] & 15); }' },
  onnxc_ld_i4: { deps: ['onnxc_ld_u4'], src: 'static inline int8_t onnxc_ld_i4(const uint8_t *p, ptrdiff_t i) { int v = onnxc_ld_u4(p, i); return (int8_t)(v >= 8 ? v - 16 : v); }' },
  onnxc_st_u4: { src: `static inline void onnxc_st_u4(uint8_t *p, ptrdiff_t i, int v) {
  p[i >> 1] = (uint8_t)((i & 1) ? ((p[i >> 1] & 0x0f) | ((v & 15) << 4)) : ((p[i >> 1] & 0xf0) | (v & 15)));
}` },
  onnxc_st_i4: { deps: ['onnxc_st_u4'], src: 'static inline void onnxc_st_i4(uint8_t *p, ptrdiff_t i, int v) { onnxc_st_u4(p, i, v); }' },
  onnxc_e2m1_to_f: { src: f8.e2m1.toF },
  onnxc_f_to_e2m1: { deps: ['onnxc_e2m1_to_f'], src: f8.e2m1.enc },
  onnxc_ld_f4: { deps: ['onnxc_ld_u4', 'onnxc_e2m1_to_f'], src: 'static inline float onnxc_ld_f4(const uint8_t *p, ptrdiff_t i) { return onnxc_e2m1_to_f(onnxc_ld_u4(p, i)); }' },
  onnxc_st_f4: { deps: ['onnxc_st_u4', 'onnxc_f_to_e2m1'], src: 'static inline void onnxc_st_f4(uint8_t *p, ptrdiff_t i, float v) { onnxc_st_u4(p, i, onnxc_f_to_e2m1(v)); }' },
};
for (const k of ['e4m3fn', 'e4m3fnuz', 'e5m2', 'e5m2fnuz'] as const) {
  C_HELPERS[`onnxc_${k}_to_f`] = { src: f8[k].toF };
  C_HELPERS[`onnxc_f_to_${k}`] = { deps: [`onnxc_${k}_to_f`], src: f8[k].enc };
  C_HELPERS[`onnxc_f_to_${k}_nosat`] = { deps: [`onnxc_${k}_to_f`], src: f8[k].encNoSat };
}

/** Sources of the named helpers and their dependencies, dependencies first, in a stable order. */
export function helperSources(names: Iterable<string>): string[] {
  const out: string[] = [], seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    const h = C_HELPERS[n];
    if (!h) throw new Error(`no C helper ${n}`);
    for (const d of h.deps ?? []) visit(d);
    out.push(h.src);
  };
  for (const n of [...names].sort()) visit(n);
  return out;
}
