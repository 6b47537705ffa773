// Coefficients of the float32 math the vector code computes itself (every target renders the
// same fits: C vector extensions in codegen/c/helpers.ts, WASM SIMD in codegen/wasm/simd.ts).

/** e^r - 1 - r = r²·P(r) on |r| <= ln2/2 (Cephes expf), highest degree first. */
export const EXP_POLY = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];

// erf(x) = x·P(x²)/Q(x²): a rational minimax fit on [-4, 4] (outside, erf is ±1 in float32); at
// most 4.2e-7 from erf over the float32 range, relative error as small near 0. Lowest degree first.
export const ERF_P = [-1.60960333262415e-02, -2.95459980854025e-03, -7.34990630326855e-04, -5.69250639462346e-05,
  -2.10102402082508e-06, 2.77068142495902e-08, -2.72614225801306e-10];
export const ERF_Q = [-1.42647390514189e-02, -7.37332916720468e-03, -1.68282697438203e-03, -2.13374055278905e-04, -1.45660718464996e-05];

/** Constants of the vector exp (Cephes expf): clamp range, ln 2 split in a part exact in float32
 * and a correction, log2 e. Every renderer and the reference below use these numbers. */
export const EXP_HI = 88.72283935546875, EXP_LO = -103.97207641601562;
export const EXP_LN2_HI = 0.693359375, EXP_LN2_LO = -2.12194440e-4, EXP_LOG2E = Math.LOG2E;
/** erf's clamp: beyond ±4, erf is ±1 in float32. */
export const ERF_CLAMP = 4;

const f = Math.fround;
const f32v = new Float32Array(1), i32v = new Int32Array(f32v.buffer);
const pow2 = (k: number) => { i32v[0] = ((k + 127) << 23) | 0; return f32v[0]; };

/**
 * The vector exp, one lane, in float32 arithmetic step by step (the reference the C and WASM
 * vector code must match bit for bit): clamp x to [EXP_LO, EXP_HI] (a NaN passes through),
 * n = x·log2 e rounded to nearest even, r = x - n·ln 2 in two steps, p = 1 + r + r²·P(r), times
 * 2^⌊n/2⌋ and 2^(n-⌊n/2⌋); +inf above EXP_HI, +0 below EXP_LO, NaN for NaN.
 */
export function expF32(x: number): number {
  x = f(x);
  const hi = f(EXP_HI), lo = f(EXP_LO);
  let r = x < lo ? lo : x;
  r = hi < r ? hi : r;
  const t = f(r * f(EXP_LOG2E));
  const up = Math.round(t), nf = up - t === 0.5 && up % 2 !== 0 ? up - 1 : up; // ties to even
  r = f(f(r - f(nf * f(EXP_LN2_HI))) - f(nf * f(EXP_LN2_LO)));
  let poly = f(EXP_POLY[0]);
  for (const c of EXP_POLY.slice(1)) poly = f(f(poly * r) + f(c));
  let p = f(f(f(poly * f(r * r)) + r) + 1);
  const n = Number.isNaN(nf) ? 0 : nf, h = n >> 1;
  p = f(f(p * pow2(h)) * pow2(n - h));
  return x > hi ? Infinity : x < lo ? 0 : p;
}

/** The vector erf, one lane, in float32 arithmetic: x clamped to [-4, 4] (NaN passes), then
 * x·P(x²)/Q(x²), each polynomial by Horner from its highest coefficient. */
export function erfF32(x: number): number {
  x = f(x);
  let c = x < -ERF_CLAMP ? -ERF_CLAMP : x;
  c = ERF_CLAMP < c ? ERF_CLAMP : c;
  const x2 = f(c * c);
  const horner = (cs: number[]) => cs.slice(0, -1).reduceRight((acc, k) => f(f(acc * x2) + f(k)), f(cs[cs.length - 1]));
  return f(f(c * horner(ERF_P)) / horner(ERF_Q));
}
