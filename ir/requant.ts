// Fixed-point requantization of int32 accumulators to int8/uint8, as the int8 kernels do it
// (ir/ops/qint8.ts). The real multiplier r = in_scale·w_scale / out_scale of each output channel
// becomes an int32 `mult` in [2^30, 2^31) and a right shift `rshift` with r ≈ mult · 2^-rshift
// (TFLite's QuantizeMultiplier). Rounding is TFLite's "single rounding" (TFLITE_SINGLE_ROUNDING):
//   y = clamp(((int64)acc · mult + 2^(rshift-1)) >> rshift + y_zero_point, lo, hi)
// with an arithmetic shift: round half up, one rounding step. It is written in plain kernel IR
// (i64 mul/add/shr), whose meaning every renderer shares (ir/kernel.ts, ir/intrinsics.ts
// shr_i64), so C, WASM, CUDA and the JS evaluator agree bit for bit. On Cortex-M the product is
// one SMULL; the M4/M7 DSP rows may render it as such.
import { add, cast, lit, max, min, mul, bin, sub } from './kbuild.js';
import { Expr } from './kernel.js';

/** mult·2^-rshift ≈ r; null when r is not positive or is too large or small for 1 ≤ rshift ≤ 62. */
export function quantizeMultiplier(r: number): { mult: number; rshift: number } | null {
  if (!(r > 0) || !Number.isFinite(r)) return null;
  let e = Math.floor(Math.log2(r)) + 1; // r = q · 2^e with q in [0.5, 1)
  let q = r / 2 ** e;
  if (q >= 1) { q /= 2; e++; }
  if (q < 0.5) { q *= 2; e--; }
  let mult = Math.round(q * 2 ** 31);
  if (mult === 2 ** 31) { mult /= 2; e++; }
  const rshift = 31 - e;
  return rshift >= 1 && rshift <= 62 ? { mult, rshift } : null;
}

/** 2^(rshift-1) as i64: the rounding term for a right shift of rshift (an i64 expression). */
export const roundingTerm = (rshift: Expr): Expr => bin('shl', lit(1, 'i64'), sub(rshift, lit(1, 'i64')));

/**
 * round(acc · mult · 2^-rshift) as i32, before the zero point: acc an i32 expression; mult,
 * rshift and half (roundingTerm(rshift)) i64 expressions, per output channel.
 */
export function requantExpr(acc: Expr, mult: Expr, rshift: Expr, half: Expr): Expr {
  return cast(bin('shr', add(mul(cast(acc, 'i64'), mult), half), rshift), 'i32');
}

/**
 * requantExpr where every rshift is at least 32 (real multipliers below 0.5, the usual case),
 * given rest = rshift − 32 (i32): the high word of the 64-bit sum, shifted right by rest in 32
 * bits. The same value (floor division by 2^32 then by 2^rest is floor division by 2^rshift),
 * but no 64-bit shift by a variable count: on a 32-bit core the high word is a register.
 */
export function requantExprHigh(acc: Expr, mult: Expr, rest: Expr, half: Expr): Expr {
  const high = cast(bin('shr', add(mul(cast(acc, 'i64'), mult), half), lit(32, 'i64')), 'i32');
  return bin('shr', high, rest);
}

/** v (an i32 local) clamped to [lo, hi] and converted to t. */
export function clampTo(v: Expr, lo: number, hi: number, t: 'i8' | 'u8'): Expr {
  return cast(min(max(v, lit(lo, 'i32')), lit(hi, 'i32')), t);
}

/** TS reference of requantExpr (tests, the model builder's calibration). */
export function requantRef(acc: number, mult: number, rshift: number): number {
  return Number((BigInt(acc) * BigInt(mult) + (1n << BigInt(rshift - 1))) >> BigInt(rshift));
}
