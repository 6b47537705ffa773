// SIMD extension of the kernel IR: float32 vectors of a fixed lane count. Schedules emit them
// where a target has SIMD (C: GCC/Clang vector extensions, 8 lanes; WASM: SIMD128, 4 lanes);
// every renderer supports them, the JS reference evaluator lane by lane.
import type { Expr, KBuf, ReduceOp } from './kernel.js';

/** max(a, b) = a < b ? b : a and min(a, b) = b < a ? b : a: a NaN in a propagates, one in b
 * does not (x86 maxps/minps, WASM pmax/pmin; a bound goes second, the value first). */
export type VBinOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min';
/** exp: within a few ulp of expf over the float32 range (±inf and 0 beyond it; NaN stays NaN).
 * erf: a rational fit, within 4.2e-7 of erf (relative error as small near 0). */
export type VUnOp = 'neg' | 'exp' | 'erf';

export type VExpr =
  /** Lanes buf[idx + stride·l]; stride 1 (default) or 2 (every other element: loads exactly
   * the elements up to the last lane, never past it). */
  | { k: 'vload'; lanes: number; buf: KBuf; idx: Expr; stride?: 2 }
  | { k: 'vsplat'; lanes: number; a: Expr }
  | { k: 'vvar'; lanes: number; name: string }
  | { k: 'vbin'; lanes: number; op: VBinOp; a: VExpr; b: VExpr }
  | { k: 'vun'; lanes: number; op: VUnOp; a: VExpr }
  | { k: 'vfma'; lanes: number; a: VExpr; b: VExpr; c: VExpr };

export type VStmt =
  /** reduce: as on a scalar decl, the vector accumulates a reduce loop's iterations. */
  | { k: 'vdecl'; name: string; init: VExpr; reduce?: ReduceOp }
  | { k: 'vassign'; name: string; val: VExpr }
  | { k: 'vstore'; buf: KBuf; idx: Expr; val: VExpr };

export const vload = (buf: KBuf, idx: Expr, lanes: number, stride: 1 | 2 = 1): VExpr =>
  (stride === 2 ? { k: 'vload', lanes, buf, idx, stride } : { k: 'vload', lanes, buf, idx });
export const vsplat = (a: Expr, lanes: number): VExpr => ({ k: 'vsplat', lanes, a });
/** a in every lane of a vector as wide as `like` (for maps that follow their argument's width). */
export const vsplatLike = (a: Expr, like: VExpr): VExpr => vsplat(a, like.lanes);
export const vvar = (name: string, lanes: number): VExpr => ({ k: 'vvar', lanes, name });
export const vfma = (a: VExpr, b: VExpr, c: VExpr): VExpr => ({ k: 'vfma', lanes: a.lanes, a, b, c });
export const vbin = (op: VBinOp, a: VExpr, b: VExpr): VExpr => ({ k: 'vbin', lanes: a.lanes, op, a, b });
export const vun = (op: VUnOp, a: VExpr): VExpr => ({ k: 'vun', lanes: a.lanes, op, a });

/** Shuffle indices picking p[0], p[2], … from loads at p and p + lanes - 1 (concatenated). */
export const evenLanes = (lanes: number): number[] =>
  Array.from({ length: lanes }, (_, l) => (2 * l < lanes ? 2 * l : lanes + 2 * l - (lanes - 1)));
