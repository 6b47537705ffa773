// SIMD extension of the kernel IR: float32 vectors of a fixed lane count. passes/vectorizeLoops.ts
// and the micro-kernel schedules emit them where a target has SIMD (C: GCC/Clang vector
// extensions, 8 lanes; WASM: SIMD128, 4 lanes); every renderer supports them, the JS reference
// evaluator lane by lane. Each operator has the one meaning written beside it.
import type { BinOp, CmpOp, Expr, KBuf, ReduceOp, UnOp } from './kernel.js';

/**
 * add/sub/mul/div: IEEE float32 per lane.
 * max(a, b) = a < b ? b : a and min(a, b) = b < a ? b : a: a NaN in a propagates, one in b
 * does not (x86 maxps/minps, WASM pmax/pmin; a bound goes second, the value first).
 * maxnan/minnan: NaN when either operand is NaN, else the larger/smaller (the scalar IR's float
 * max/min; which zero max(-0, +0) gives is unspecified, as for the scalar ones).
 */
export type VBinOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'maxnan' | 'minnan';
/** exp: within a few ulp of expf over the float32 range (±inf and 0 beyond it; NaN stays NaN).
 * erf: a rational fit, within 4.2e-7 of erf (relative error as small near 0).
 * neg, abs, sqrt (correctly rounded), floor, ceil, trunc, rint (half to even): exact, per lane,
 * as the scalar float32 operators. */
export type VUnOp = 'neg' | 'exp' | 'erf' | 'abs' | 'sqrt' | 'floor' | 'ceil' | 'trunc' | 'rint';
/** Scalar operators a `vmap` may apply lane by lane: float32 math without a SIMD form. */
export type LaneOp = UnOp | BinOp;

export type VExpr =
  /** Lanes buf[idx + stride·l]; stride 1 (default) or 2 (every other element: loads exactly
   * the elements up to the last lane's, never past it). */
  | { k: 'vload'; lanes: number; buf: KBuf; idx: Expr; stride?: 2 }
  | { k: 'vsplat'; lanes: number; a: Expr }
  | { k: 'vvar'; lanes: number; name: string }
  | { k: 'vbin'; lanes: number; op: VBinOp; a: VExpr; b: VExpr }
  | { k: 'vun'; lanes: number; op: VUnOp; a: VExpr }
  | { k: 'vfma'; lanes: number; a: VExpr; b: VExpr; c: VExpr }
  /** Lane l is x[l] where `a[l] op b[l]` holds (IEEE: a comparison with NaN is false, except
   * ne), else y[l]. */
  | { k: 'vselect'; lanes: number; op: CmpOp; a: VExpr; b: VExpr; x: VExpr; y: VExpr }
  /** Lane l is the scalar float32 operator `op` (ir/kernel.ts semantics) on lane l of each
   * argument: one argument for a UnOp, two for a BinOp. For math with no SIMD form. */
  | { k: 'vmap'; lanes: number; op: LaneOp; args: VExpr[] };

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
export const vselect = (op: CmpOp, a: VExpr, b: VExpr, x: VExpr, y: VExpr): VExpr => ({ k: 'vselect', lanes: a.lanes, op, a, b, x, y });
export const vmap = (op: LaneOp, args: VExpr[]): VExpr => ({ k: 'vmap', lanes: args[0].lanes, op, args });

const BIN_OPS = new Set<string>(['add', 'sub', 'mul', 'div', 'mod', 'min', 'max', 'pow', 'and', 'or', 'xor', 'shl', 'shr', 'atan2']);

/** The scalar float32 expression one lane of a vmap computes, over variables named `names`
 * (one per argument): renderers bind them to the lanes and render it as scalar code. */
export function laneExpr(op: LaneOp, names: string[]): Expr {
  const v = (i: number): Expr => ({ k: 'var', t: 'f32', name: names[i] });
  return BIN_OPS.has(op) ? { k: 'bin', t: 'f32', op: op as BinOp, a: v(0), b: v(1) } : { k: 'un', t: 'f32', op: op as UnOp, a: v(0) };
}

/** The vector operands of e (to walk a vector expression without knowing every node). */
export function vchildren(e: VExpr): VExpr[] {
  switch (e.k) {
    case 'vbin': return [e.a, e.b];
    case 'vun': return [e.a];
    case 'vfma': return [e.a, e.b, e.c];
    case 'vselect': return [e.a, e.b, e.x, e.y];
    case 'vmap': return e.args;
    default: return [];
  }
}

/** Shuffle indices picking p[0], p[2], … from loads at p and p + lanes - 1 (concatenated). */
export const evenLanes = (lanes: number): number[] =>
  Array.from({ length: lanes }, (_, l) => (2 * l < lanes ? 2 * l : lanes + 2 * l - (lanes - 1)));
