// Scalar intrinsics: the kernel IR operations whose meaning is not just "the machine
// instruction" (narrow-float and packed conversions, integer division and shifts at their edges,
// float→int casts, the float32 exp/erf of the vector code), written once. Each row has a
// signature, an exact meaning, and a TypeScript reference implementation that the JS evaluator
// (codegen/js) calls. Every renderer implements every row it can reach from kernel IR; the C
// helpers (codegen/c), WASM runtime functions (codegen/wasm, `row` on the definition) and this
// reference are compared bit for bit by test/intrinsics.test.ts.
//
// Value conventions of the references: f32 values are JS numbers already rounded to float32;
// integers up to 32 bits are JS numbers in the type's range; 64-bit integers are bigints; narrow
// float and packed codes are unsigned numbers (the bits). `idx` (the target's index integer) has
// no rows of its own: it follows the i64 rows in C (ptrdiff_t) and the i32 rows in WASM.
import { bf16ToFloat, floatToBf16, floatToHalf, floatToMini, halfToFloat, miniToFloat } from './floatbits.js';
import { erfF32, expF32 } from './mathfit.js';

export type IntT = 'i8' | 'i16' | 'i32' | 'i64' | 'u8' | 'u16' | 'u32' | 'u64';
export const INT_TYPES: IntT[] = ['i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64'];
/** The narrow float formats (f32 ↔ code), by the names the helpers use. */
export const MINI_FORMATS = { e4m3fn: 'float8e4m3fn', e4m3fnuz: 'float8e4m3fnuz', e5m2: 'float8e5m2', e5m2fnuz: 'float8e5m2fnuz', e8m0: 'float8e8m0', e2m1: 'float4e2m1' } as const;
export type MiniName = keyof typeof MINI_FORMATS;
/** Packed sub-byte integer formats: bits per element, signedness. */
export const PACKED = { i4: { bits: 4, signed: true }, u4: { bits: 4, signed: false }, i2: { bits: 2, signed: true }, u2: { bits: 2, signed: false } } as const;

export type Num = number | bigint;
export interface Intrinsic {
  name: string;
  /** Argument and result types, e.g. "(f32) -> u8". */
  sig: string;
  /** What it computes, exactly: rounding, NaN/inf, overflow, saturation. */
  meaning: string;
  /** The reference implementation. */
  ref: (...args: Num[]) => Num;
  /** Where renderers may differ from the reference (absent: bit-exact, NaN matching any NaN). */
  bound?: string;
}

export const bitsOf = (t: IntT) => Number(t.slice(1));
export const signedInt = (t: IntT) => t[0] === 'i';
/** Smallest and largest value of an integer type. */
export function intRange(t: IntT): [bigint, bigint] {
  const n = BigInt(bitsOf(t));
  return signedInt(t) ? [-(1n << (n - 1n)), (1n << (n - 1n)) - 1n] : [0n, (1n << n) - 1n];
}
/** v reduced modulo 2^bits into t's range (two's complement wrap). */
export function wrapInt(t: IntT, v: Num): Num {
  const b = BigInt.asUintN(bitsOf(t), BigInt(v)), r = signedInt(t) ? BigInt.asIntN(bitsOf(t), b) : b;
  return bitsOf(t) === 64 ? r : Number(r);
}

const big = (v: Num) => BigInt(v);

const ROWS: Intrinsic[] = [];
const row = (name: string, sig: string, meaning: string, ref: Intrinsic['ref'], bound?: string) => ROWS.push({ name, sig, meaning, ref, bound });

// ---- integer division, remainder, shifts (narrower types compute the same way, then wrap)
/** Wraps a JS number into a ≤32-bit integer type. */
const WRAP32: Record<string, (x: number) => number> = {
  i8: (x) => (x << 24) >> 24, u8: (x) => x & 255, i16: (x) => (x << 16) >> 16, u16: (x) => x & 65535, i32: (x) => x | 0, u32: (x) => x >>> 0,
};
for (const t of INT_TYPES) {
  const S = signedInt(t) ? 'signed' : 'unsigned', w = bitsOf(t), sg = signedInt(t);
  const ops: Record<'div' | 'mod' | 'shl' | 'shr', Intrinsic['ref']> = w === 64 ? {
    div: (a, b) => (big(b) === 0n ? 0n : wrapInt(t, big(a) / big(b))),
    mod: (a, b) => (big(b) === 0n ? 0n : wrapInt(t, big(a) % big(b))),
    shl: (a, b) => (BigInt.asUintN(64, big(b)) >= 64n ? 0n : wrapInt(t, big(a) << BigInt.asUintN(64, big(b)))),
    shr: (a, b) => (BigInt.asUintN(64, big(b)) >= 64n ? 0n : big(a) >> BigInt.asUintN(64, big(b))),
  } : {
    div: (a, b) => (b === 0 ? 0 : WRAP32[t](Math.trunc(Number(a) / Number(b)))),
    mod: (a, b) => (b === 0 ? 0 : WRAP32[t](Number(a) % Number(b))),
    shl: (a, b) => { const c = (Number(b) >>> 0) % 2 ** w; return c >= w ? 0 : WRAP32[t](Number(a) << c); },
    shr: (a, b) => { const c = (Number(b) >>> 0) % 2 ** w; return c >= w ? 0 : sg ? Number(a) >> c : Number(a) >>> c; },
  };
  row(`div_${t}`, `(${t}, ${t}) -> ${t}`, `${S} quotient truncated toward zero; a / 0 = 0${sg ? '; MIN / -1 wraps to MIN' : ''}`, ops.div);
  row(`mod_${t}`, `(${t}, ${t}) -> ${t}`, `remainder of div_${t} (sign of a, as C's %); a % 0 = 0${sg ? '; MIN % -1 = 0' : ''}`, ops.mod);
  row(`shl_${t}`, `(${t}, ${t}) -> ${t}`, `a shifted left by b, low ${w} bits kept; b read as unsigned, b >= ${w} gives 0`, ops.shl);
  row(`shr_${t}`, `(${t}, ${t}) -> ${t}`, `a shifted right by b, ${sg ? 'arithmetic (copies of the sign bit)' : 'logical'}; b read as unsigned, b >= ${w} gives 0`, ops.shr);
}

// ---- dual 16-bit multiply-add (the int8 kernels' inner step; ACLE __smuad on Cortex-M4/M7/M33)
/** sext16(a)·sext16(b) + (a >> 16)·(b >> 16), wrapped to int32. */
export const dot2Ref = (a: number, b: number): number => (Math.imul((a << 16) >> 16, (b << 16) >> 16) + Math.imul(a >> 16, b >> 16)) | 0;
row('dot2_i32', '(i32, i32) -> i32', 'the signed 16-bit low halves multiplied, plus the signed 16-bit high halves multiplied; the sum wraps to 32 bits (only (-32768)² + (-32768)² reaches it)',
  (a, b) => dot2Ref(Number(a), Number(b)));

// ---- float → integer casts and 64-bit integer → f32
/** Truncated toward zero; NaN → 0; beyond the type's range (±inf included) saturates. */
export function floatToInt(t: IntT, x: number): Num {
  const [lo, hi] = intRange(t);
  if (bitsOf(t) < 64) return Number.isNaN(x) ? 0 : x <= Number(lo) ? Number(lo) : x >= Number(hi) ? Number(hi) : Math.trunc(x) + 0;
  return Number.isNaN(x) ? 0n : x <= Number(lo) ? lo : x >= Number(hi) ? hi : BigInt(Math.trunc(x));
}
for (const f of ['f32', 'f64'] as const) for (const t of INT_TYPES) {
  row(`${f}_to_${t}`, `(${f}) -> ${t}`, `truncated toward zero; NaN gives 0; values beyond ${t}'s range, ±inf included, saturate to its MIN/MAX`,
    (x) => floatToInt(t, Number(x)));
}
/** A 64-bit integer rounded once to float32 (nearest, ties to even; no double rounding through float64). */
export function bigToF32(v: bigint): number {
  const a = v < 0n ? -v : v;
  if (a < 1n << 53n) return Math.fround(Number(v));
  const shift = BigInt(a.toString(2).length - 26);
  let top = a >> shift;
  if (a & ((1n << shift) - 1n)) top |= 1n; // sticky bit: the dropped bits decide the tie
  const r = Math.fround(Number(top) * 2 ** Number(shift));
  return v < 0n ? -r : r;
}
for (const t of ['i64', 'u64'] as const) row(`${t}_to_f32`, `(${t}) -> f32`, 'rounded once to nearest float32, ties to even', (v) => bigToF32(big(v)));

// ---- float16 / bfloat16 / narrow floats ↔ f32
row('f16_to_f32', '(u16) -> f32', 'exact: float16 code to its value (subnormals, ±inf, NaN)', (h) => halfToFloat(Number(h)));
row('f32_to_f16', '(f32) -> u16', 'nearest float16, ties to even; beyond 65504 (after rounding) ±inf; NaN → sign | 0x7E00 (quiet, payload dropped)', (x) => floatToHalf(Number(x)));
row('bf16_to_f32', '(u16) -> f32', 'exact: the code is the upper half of the float32', (h) => bf16ToFloat(Number(h)));
row('f32_to_bf16', '(f32) -> u16', 'nearest bfloat16, ties to even (overflow rounds to ±inf); NaN keeps its upper half with the quiet bit 0x40 set', (x) => floatToBf16(Number(x)));
const MINI_MEANING: Record<MiniName, [string, string]> = {
  e4m3fn: ['0x7F/0xFF are NaN, no infinity', 'beyond ±448 (after rounding) sat: ±448; nosat: NaN (sign kept); NaN → sign | 0x7F; ±inf as out of range'],
  e4m3fnuz: ['0x80 is the one NaN, no -0, no infinity', 'beyond ±240 sat: ±240; nosat: 0x80; NaN → 0x80; -0 and values rounding to 0 → 0x00'],
  e5m2: ['IEEE-like: ±inf and NaNs', 'beyond ±57344 sat: ±57344 (±inf too); nosat: ±inf; NaN → sign | 0x7E'],
  e5m2fnuz: ['0x80 is the one NaN, no -0, no infinity', 'beyond ±57344 sat: ±57344; nosat: 0x80; NaN → 0x80; no -0'],
  e8m0: ['a biased power of two 2^(code-127); 0xFF is NaN', 'rounds up (a nonzero float32 mantissa adds one to the exponent field); sat: stays at 0xFE (2^127) and maps ±inf there; nosat: overflow and ±inf → 0xFF; NaN → 0xFF; the sign is dropped'],
  e2m1: ['no NaN, no infinity', 'beyond ±6 always saturates (the nosat store saturates too); NaN → 0x8'],
};
for (const [k, dtype] of Object.entries(MINI_FORMATS) as [MiniName, string][]) {
  const [fmt, enc] = MINI_MEANING[k];
  row(`${k}_to_f32`, '(u8) -> f32', `exact decode of a ${dtype} code (${fmt})`, (c) => miniToFloat(dtype, Number(c)));
  const rounding = k === 'e8m0' ? '' : 'nearest, ties to even, on the format grid (subnormals included); ';
  row(`f32_to_${k}`, '(f32) -> u8', `${rounding}${enc} — saturating store`, (x) => floatToMini(dtype, Number(x), true));
  if (k !== 'e2m1') row(`f32_to_${k}_nosat`, '(f32) -> u8', `${rounding}${enc} — non-saturating store`, (x) => floatToMini(dtype, Number(x), false));
}

// ---- packed sub-byte integers: element i is bits (i mod per)·bits… of byte ⌊i / per⌋, lowest first
for (const [k, { bits, signed }] of Object.entries(PACKED)) {
  const mask = (1 << bits) - 1;
  row(`${k}_decode`, `(code) -> i32`, `the ${bits}-bit code ${signed ? 'sign-extended' : 'zero-extended'}`,
    (c) => (signed && (Number(c) & mask) > mask >> 1 ? (Number(c) & mask) - mask - 1 : Number(c) & mask));
  row(`${k}_encode`, `(i32) -> code`, `the low ${bits} bits of the value (wraps, does not saturate); the byte's other elements are kept`,
    (v) => Number(v) & mask);
}

// ---- float32 math as the vector code computes it
row('exp_f32', '(f32) -> f32', 'Cephes expf as in ir/mathfit.ts expF32: n = rint(x·log2 e) (ties to even), two-step reduction, degree-6 polynomial, 2^n in two halves; x > 88.72 → +inf, x < -103.97 → +0, NaN → NaN',
  (x) => expF32(Number(x)), 'bit-exact between renderers; within 2 ulp of e^x for results ≥ 2^-126 (subnormal results lose bits)');
row('erf_f32', '(f32) -> f32', 'x clamped to [-4, 4], then x·P(x²)/Q(x²) with ir/mathfit.ts ERF_P/ERF_Q (Horner, float32 steps); NaN → NaN',
  (x) => erfF32(Number(x)), 'bit-exact between renderers; within 4.2e-7 absolute of erf');

/** All rows, by name. */
export const INTRINSICS: ReadonlyMap<string, Intrinsic> = new Map(ROWS.map((r) => [r.name, r]));

/** The row named `name` (throws on a name no row has). */
export function intrinsic(name: string): Intrinsic {
  const r = INTRINSICS.get(name);
  if (!r) throw new Error(`no intrinsic ${name}`);
  return r;
}
