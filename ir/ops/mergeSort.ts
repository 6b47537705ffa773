// A stable sort of int64 keys in a buffer, bottom-up merge sort through a scratch buffer of the
// same size: O(n log n) for any order, n a run-time count with a compile-time bound. Ops that
// rank candidates (NonMaxSuppression) sort indices by a comparison on what they index.
import { LowerCtx, TensorRef } from '../ctx.js';
import { add, cmp, ix, lit, min, mul } from '../kbuild.js';
import { Expr } from '../kernel.js';

/**
 * Sorts keys[0, n) (n at most `bound`) so that `before(a, b)` (a strict order on two loaded keys)
 * puts a first; keys that neither precedes keep their order. `tmp` holds at least `bound` keys.
 */
export function mergeSort(ctx: LowerCtx, keys: TensorRef, tmp: TensorRef, n: Expr, bound: number, before: (a: Expr, b: Expr) => Expr): void {
  if (bound < 2) return;
  const passes = Math.ceil(Math.log2(bound));
  const w = ctx.local(ix(1), 'w');
  ctx.while(cmp('lt', w, n), () => {
    const lo = ctx.local(ix(0), 'lo');
    // runs [lo, mid) and [mid, hi) merge into tmp[lo, hi)
    ctx.while(cmp('lt', lo, n), () => {
      const mid = ctx.local(min(add(lo, w), n), 'mid'), hi = ctx.local(min(add(mid, w), n), 'hi');
      const i = ctx.local(lo, 'i'), j = ctx.local(mid, 'j');
      ctx.loop(hi, (k) => {
        const right = ctx.local(lit(0, 'bool'), 'right');
        ctx.if(cmp('ge', i, mid), () => ctx.assign(right, lit(1, 'bool')),
          () => ctx.if(cmp('lt', j, hi), () => ctx.assign(right, before(ctx.load(keys, j), ctx.load(keys, i)))));
        ctx.if(right, () => {
          ctx.store(tmp, k, ctx.load(keys, j));
          ctx.assign(j, add(j, 1));
        }, () => {
          ctx.store(tmp, k, ctx.load(keys, i));
          ctx.assign(i, add(i, 1));
        });
      }, { lo, name: 'k', bound });
      ctx.assign(lo, hi);
    }, bound);
    ctx.loop(n, (k) => ctx.store(keys, k, ctx.load(tmp, k)), { name: 'k', bound });
    ctx.assign(w, mul(w, 2));
  }, passes);
}
