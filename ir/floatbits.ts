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

interface MiniFloat { e: number; m: number; bias: number; fnuz: boolean; fn: boolean }
const F8: Record<string, MiniFloat> = {
  float8e4m3fn: { e: 4, m: 3, bias: 7, fnuz: false, fn: true },
  float8e4m3fnuz: { e: 4, m: 3, bias: 8, fnuz: true, fn: true },
  float8e5m2: { e: 5, m: 2, bias: 15, fnuz: false, fn: false },
  float8e5m2fnuz: { e: 5, m: 2, bias: 16, fnuz: true, fn: true },
  float4e2m1: { e: 2, m: 1, bias: 1, fnuz: false, fn: true },
};

/** Decodes a narrow float's bits (float8 kinds, float4e2m1). */
export function miniToFloat(kind: string, bits: number): number {
  const f = F8[kind];
  const nb = 1 + f.e + f.m;
  const sign = (bits >> (nb - 1)) & 1, e = (bits >> f.m) & ((1 << f.e) - 1), m = bits & ((1 << f.m) - 1);
  if (f.fnuz && bits === 1 << (nb - 1)) return NaN;
  if (kind === 'float8e4m3fn' && e === 15 && m === 7) return NaN;
  if (kind === 'float8e5m2' && e === 31) return m ? NaN : sign ? -Infinity : Infinity;
  const v = e === 0 ? m * 2 ** (1 - f.bias - f.m) : (1 + m / (1 << f.m)) * 2 ** (e - f.bias);
  return sign ? -v : v;
}

/** Encodes a number as a narrow float (round to nearest even). `saturate` clamps to the max finite. */
export function floatToMini(kind: string, x: number, saturate = true): number {
  const f = F8[kind];
  const nb = 1 + f.e + f.m;
  const signBit = 1 << (nb - 1);
  x = Math.fround(x);
  if (Number.isNaN(x)) return kind === 'float4e2m1' ? 0x7 : f.fnuz ? signBit : kind === 'float8e5m2' ? 0x7f : 0x7f;
  const sign = x < 0 || Object.is(x, -0) ? signBit : 0;
  const a = Math.abs(x);
  let best = 0, bestV = 0;
  const maxCode = signBit - 1;
  // enumerate non-negative codes (at most 127): exact, simple, fast enough for folding/tests
  let maxFinite = 0, maxFiniteCode = 0;
  for (let c = 0; c <= maxCode; c++) {
    const v = miniToFloat(kind, c);
    if (!Number.isFinite(v)) continue;
    if (v > maxFinite) { maxFinite = v; maxFiniteCode = c; }
  }
  if (a === Infinity) {
    if (saturate || kind === 'float4e2m1') return sign | maxFiniteCode;
    return kind === 'float8e5m2' ? sign | 0x7c : f.fnuz ? signBit : sign | 0x7f;
  }
  if (a > maxFinite) {
    // beyond max: round-to-nearest may still land on max when within half ulp
    if (saturate || kind === 'float4e2m1') return sign | maxFiniteCode;
    const ulp = maxFinite - miniToFloat(kind, maxFiniteCode - 1);
    if (a < maxFinite + ulp / 2) return sign | maxFiniteCode;
    return kind === 'float8e5m2' ? sign | 0x7c : f.fnuz ? signBit : sign | 0x7f;
  }
  let bestDiff = Infinity;
  for (let c = 0; c <= maxFiniteCode; c++) {
    const v = miniToFloat(kind, c);
    const d = Math.abs(v - a);
    if (d < bestDiff || (d === bestDiff && (c & 1) === 0 && (best & 1) === 1)) { bestDiff = d; best = c; bestV = v; }
  }
  if (bestV === 0 && f.fnuz) return 0; // fnuz has no negative zero
  return sign | best;
}
