// The float32 sum of a contiguous row in SIMD registers (GlobalAveragePool's plane sums): four
// vector accumulators (independent add chains) over whole groups of vectors, one more vector
// step, the lanes added in order, then a scalar tail. The op's own loop is one scalar add chain
// per element, which C compilers may not reorder (efficientnet_b0's 17 squeeze-excitation pools
// were 7% of its time that way).
import { LowerCtx, TensorRef } from '../../ir/ctx.js';
import { add, ix, lit } from '../../ir/kbuild.js';
import { Expr } from '../../ir/kernel.js';
import { vbin, vload, vsplat, vvar } from '../../ir/vector.js';

/** Accumulators (vectors per step of the main loop). */
const ACCS = 4;

/** Emits the sum of x[at .. at + n) over L-lane vectors; returns the local holding it. */
export function emitRowSum(ctx: LowerCtx, x: TensorRef, at: Expr, n: number, L: number): Expr {
  const big = Math.floor(n / (ACCS * L)) * ACCS * L, vend = Math.floor(n / L) * L;
  if (vend === 0) {
    const s = ctx.local(lit(0, 'f32'), 'sum');
    ctx.loop(n, (i) => ctx.assign(s, add(s, ctx.load(x, add(at, i)))), { name: 'i' });
    return s;
  }
  const accs = Array.from({ length: ACCS }, () => ctx.fresh('vs'));
  accs.forEach((a) => ctx.emit({ k: 'vdecl', name: a, init: vsplat(lit(0, 'f32'), L) }));
  if (big) ctx.loop(big, (i) => accs.forEach((a, u) =>
    ctx.emit({ k: 'vassign', name: a, val: vbin('add', vvar(a, L), vload(x.buf, add(add(at, i), u * L), L)) })), { name: 'i', step: ACCS * L });
  if (vend > big) ctx.loop(vend, (i) => ctx.emit({ k: 'vassign', name: accs[0], val: vbin('add', vvar(accs[0], L), vload(x.buf, add(at, i), L)) }), { lo: big, name: 'i', step: L });
  const total = ctx.fresh('vs');
  ctx.emit({ k: 'vdecl', name: total, init: vbin('add', vbin('add', vvar(accs[0], L), vvar(accs[1], L)), vbin('add', vvar(accs[2], L), vvar(accs[3], L))) });
  const lanes = ctx.temp('float32', [L], 'lanes');
  ctx.emit({ k: 'vstore', buf: lanes.buf, idx: ix(0), val: vvar(total, L) });
  let sum: Expr = ctx.load(lanes, ix(0));
  for (let l = 1; l < L; l++) sum = add(sum, ctx.load(lanes, ix(l)));
  const s = ctx.local(sum, 'sum');
  if (n > vend) ctx.loop(n, (i) => ctx.assign(s, add(s, ctx.load(x, add(at, i)))), { lo: vend, name: 'i' });
  return s;
}
