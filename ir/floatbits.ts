// Conversions between float32 and the narrow float formats (float16, bfloat16, float8 variants,
// float4e2m1). Used by the reference evaluator, constant folding and the test comparator.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function f32Bits(x: number): number { f32[0] = x; return u32[0]; }
export function bitsF32(b: number): number { u32[0] = b >>> 0; return f32[0]; }

/** float16 bits → number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** number → float16 bits, round to nearest even (via float32 first, as C does). */
export function floatToHalf(x: number): number {
  const b = f32Bits(x);
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let man = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (man ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    man |= 0x800000;
    const shift = 14 - e;
    let h = man >>> shift;
    const rem = man & ((1 << shift) - 1), half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (man >>> 13);
  const rem = man & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}

export function bf16ToFloat(h: number): number { return bitsF32((h & 0xffff) << 16); }

/** number → bfloat16 bits, round to nearest even; NaN stays NaN. */
export function floatToBf16(x: number): number {
  const b = f32Bits(x);
  if ((b & 0x7fffffff) > 0x7f800000) return ((b >>> 16) | 0x40) & 0xffff;
  const r = b + 0x7fff + ((b >>> 16) & 1);
  return (r >>> 16) & 0xffff;
}

/**
 * Narrow float formats. `kind`: 'ieee' has infinities and NaNs (all-ones exponent), 'fn' has one
 * NaN per sign (all ones) and no infinity, 'fnuz' has a single NaN (0x80) and no negative zero,
 * 'none' has neither (float4e2m1).
 */
interface MiniFloat { e: number; m: number; bias: number; kind: 'ieee' | 'fn' | 'fnuz' | 'none' }
const F8: Record<string, MiniFloat> = {
  float8e4m3fn: { e: 4, m: 3, bias: 7, kind: 'fn' },
  float8e4m3fnuz: { e: 4, m: 3, bias: 8, kind: 'fnuz' },
  float8e5m2: { e: 5, m: 2, bias: 15, kind: 'ieee' },
  float8e5m2fnuz: { e: 5, m: 2, bias: 16, kind: 'fnuz' },
  float4e2m1: { e: 2, m: 1, bias: 1, kind: 'none' },
};

/** Largest finite code (without sign) of a narrow float format. */
function maxFiniteCode(f: MiniFloat): number {
  const maxE = (1 << f.e) - 1, mm = (1 << f.m) - 1;
  return f.kind === 'ieee' ? ((maxE - 1) << f.m) | mm : f.kind === 'fn' ? (maxE << f.m) | (mm - 1) : (maxE << f.m) | mm;
}

/** Decodes a narrow float's bits (float8 kinds, float8e8m0, float4e2m1). */
export function miniToFloat(kind: string, bits: number): number {
  if (kind === 'float8e8m0') return e8m0ToFloat(bits);
  const f = F8[kind];
  const nb = 1 + f.e + f.m, maxE = (1 << f.e) - 1;
  const sign = (bits >> (nb - 1)) & 1, e = (bits >> f.m) & maxE, m = bits & ((1 << f.m) - 1);
  if (f.kind === 'fnuz' && bits === 1 << (nb - 1)) return NaN;
  if (f.kind === 'fn' && e === maxE && m === (1 << f.m) - 1) return NaN;
  if (f.kind === 'ieee' && e === maxE) return m ? NaN : sign ? -Infinity : Infinity;
  const v = e === 0 ? m * 2 ** (1 - f.bias - f.m) : (1 + m / (1 << f.m)) * 2 ** (e - f.bias);
  return sign ? -v : v;
}

/** Round half to even. */
const rne = (x: number) => {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/**
 * Encodes a number as a narrow float: the value is first rounded to float32, then to the nearest
 * representable value (ties to even). Out of range (after rounding) saturates to the largest finite
 * value, or with saturate=false becomes infinity/NaN as the ONNX Cast tables say. float4e2m1 always
 * saturates and maps NaN to 0x8; float8e8m0 rounds up (see floatToE8m0).
 */
export function floatToMini(kind: string, x: number, saturate = true): number {
  if (kind === 'float8e8m0') return floatToE8m0(x, saturate, 'up');
  const f = F8[kind];
  const nb = 1 + f.e + f.m, signBit = 1 << (nb - 1), maxCode = maxFiniteCode(f);
  x = Math.fround(x);
  const sign = x < 0 || Object.is(x, -0) ? signBit : 0;
  if (Number.isNaN(x)) return f.kind === 'none' ? signBit : f.kind === 'fnuz' ? signBit : f.kind === 'fn' ? sign | (signBit - 1) : sign | (signBit - 2);
  const a = Math.abs(x);
  let code = maxCode + 1; // overflow unless computed below
  if (a <= 2 * miniToFloat(kind, maxCode)) {
    // binary exponent of a (from its float32 bits), at least the subnormal exponent of the format
    const e = Math.max(((f32Bits(a) >>> 23) & 0xff) - 127, 1 - f.bias);
    // mantissa with the implicit bit, rounded; a carry into the exponent field is what we want
    code = ((e + f.bias - 1) << f.m) + rne(a * 2 ** (f.m - e));
  }
  if (code > maxCode) {
    if (saturate || f.kind === 'none') return sign | maxCode;
    return f.kind === 'ieee' ? sign | (((1 << f.e) - 1) << f.m) : f.kind === 'fnuz' ? signBit : sign | (signBit - 1);
  }
  if (code === 0 && f.kind === 'fnuz') return 0; // no negative zero
  return sign | code;
}

/** float8e8m0 (an 8-bit power-of-two exponent, bias 127, 0xFF = NaN) → number. */
export function e8m0ToFloat(bits: number): number {
  return bits === 0xff ? NaN : 2 ** (bits - 127);
}

/**
 * number → float8e8m0 from the float32 exponent field: `up` adds one when the mantissa is not
 * zero, `down` truncates, `nearest` rounds on the first dropped bit (ties up). saturate keeps
 * 0xFE (2^127) instead of overflowing to NaN, and maps infinities to it.
 */
export function floatToE8m0(x: number, saturate: boolean, mode: 'up' | 'down' | 'nearest'): number {
  const b = f32Bits(x);
  let e = (b >>> 23) & 0xff;
  const man = b & 0x7fffff;
  if (e === 0xff) return man === 0 && saturate ? 0xfe : 0xff;
  const inc = mode === 'up' ? man !== 0 : mode === 'nearest' ? (man & 0x400000) !== 0 && ((man & 0x3fffff) !== 0 || e > 0) : false;
  if (inc && !(saturate && e === 0xfe)) e++;
  return e;
}
