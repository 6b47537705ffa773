// SIMD extension of the kernel IR: float32 vectors of a fixed lane count. Schedules emit them
// where a target has SIMD (C: GCC/Clang vector extensions, 8 lanes; WASM: SIMD128, 4 lanes);
// every renderer supports them, the JS reference evaluator lane by lane.
import type { Expr, KBuf } from './kernel.js';

/** max(a, b) = a < b ? b : a and min(a, b) = b < a ? b : a: a NaN in a propagates, one in b
 * does not (x86 maxps/minps, WASM pmax/pmin; a bound goes second, the value first). */
export type VBinOp = 'add' | 'sub' | 'mul' | 'max' | 'min';

export type VExpr =
  | { k: 'vload'; lanes: number; buf: KBuf; idx: Expr }
  | { k: 'vsplat'; lanes: number; a: Expr }
  | { k: 'vvar'; lanes: number; name: string }
  | { k: 'vbin'; lanes: number; op: VBinOp; a: VExpr; b: VExpr }
  | { k: 'vfma'; lanes: number; a: VExpr; b: VExpr; c: VExpr };

export type VStmt =
  | { k: 'vdecl'; name: string; init: VExpr }
  | { k: 'vassign'; name: string; val: VExpr }
  | { k: 'vstore'; buf: KBuf; idx: Expr; val: VExpr };

export const vload = (buf: KBuf, idx: Expr, lanes: number): VExpr => ({ k: 'vload', lanes, buf, idx });
export const vsplat = (a: Expr, lanes: number): VExpr => ({ k: 'vsplat', lanes, a });
export const vvar = (name: string, lanes: number): VExpr => ({ k: 'vvar', lanes, name });
export const vfma = (a: VExpr, b: VExpr, c: VExpr): VExpr => ({ k: 'vfma', lanes: a.lanes, a, b, c });
export const vbin = (op: VBinOp, a: VExpr, b: VExpr): VExpr => ({ k: 'vbin', lanes: a.lanes, op, a, b });
