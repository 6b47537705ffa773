// Rows known only at run time (GemmSpec.Mrt, ir/rtdims.ts) in tiles: whole tiles of R rows as
// far as the run-time count reaches, then the rows left one at a time. The micro-kernel
// (microkernel.ts) and the row-streaming GEMM (rowGemm.ts) walk their rows this way.
import { LowerCtx } from '../../ir/ctx.js';
import { div, mul } from '../../ir/kbuild.js';
import { Expr } from '../../ir/kernel.js';

/** Calls tile(i0, R) per whole tile of the `rows` (at most `bound`), then tile(i, 1) per row left. */
export function runtimeRowTiles(ctx: LowerCtx, rows: Expr, bound: number, R: number, tile: (i0: Expr, rows: number) => void): void {
  const tiles = ctx.local(div(rows, R), 'tiles'), full = Math.floor(bound / R);
  if (full) ctx.loop(tiles, (ib) => tile(ctx.local(mul(ib, R), 'i0'), R), { name: 'ib', bound: full });
  if (R > 1) ctx.loop(rows, (i) => tile(i, 1), { lo: mul(tiles, R), name: 'ir', bound: R - 1 });
}
