// The CPU's scalar GEMM schedule, for what the SIMD micro-kernel declines (integer and float16
// convolutions, --no-simd, narrow products): Y (+)= A·B with the innermost loop along a row of
// B and of Y (contiguous, so C compilers vectorize it), four rows of Y sharing each load of B,
// and K tiled so a block of B rows stays in cache; rows known only at run time (GemmSpec.Mrt)
// go in groups of four as far as they reach. On CPUs it runs several times faster than
// the algorithm's i-j-k dot products, whose B loads stride down a column.
import { LowerCtx } from '../../ir/ctx.js';
import { isConverted } from '../../ir/dtype.js';
import { add, as, cast, ix, linearIndex, lit, min, mul } from '../../ir/kbuild.js';
import { Expr } from '../../ir/kernel.js';
import type { Activation } from '../../ir/ops/activation.js';
import { GemmSpec, MatView, rowsOf } from '../../ir/ops/gemm.js';
import { runtimeRowTiles } from './rtRows.js';

/** Elements of B (K rows × N) one K tile may span. */
const TILE_ELEMS = 32768;
/** Rows of Y sharing each load of B. */
const ROWS = 4;

/**
 * Emits the row-streaming nest when rows of B and Y are contiguous and Y is stored in its
 * compute type; returns false otherwise (column-contiguous B: the algorithm's dot products are
 * the right order; converted Y: the algorithm keeps its sums in registers).
 */
export function emitGemmRows(ctx: LowerCtx, s: GemmSpec, accumulate: boolean, act?: Activation): boolean {
  const { M, N, K, a, b, y } = s;
  if (b.cs !== 1 || y.cs !== 1 || isConverted(y.ref.dtype) || K === 0) return false;
  const t = y.ref.t;
  const ld = (m: MatView, idx: Expr, r: Expr, c: Expr) => {
    const v = ctx.load(m.ref, idx);
    return cast(m.map ? m.map(v, r, c) : v, t);
  };
  const KT = K * N <= TILE_ELEMS ? K : Math.max(8, Math.floor(TILE_ELEMS / N));
  ctx.nest(s.batch ?? [], (bi) => {
    const base = (m: MatView) => add(as(m.off ?? 0, 'idx'), linearIndex(bi, m.bs ?? bi.map(() => 0)));
    const aB = base(a), bB = base(b), yB = base(y);
    const yAt = (i: Expr, j: Expr) => add(yB, add(mul(i, y.rs), j));
    const eachRow = (fn: (i: Expr) => void) => (s.Mrt ? ctx.nest([rowsOf(s)], ([i]) => fn(i)) : ctx.loop(M, fn, { name: 'i' }));
    if (!accumulate) eachRow((i) => ctx.loop(N, (j) => ctx.store(y.ref, yAt(i, j), lit(0, t)), { name: 'j' }));
    const rows = (m0: Expr, U: number, k0: Expr, kEnd: Expr) => ctx.loop(kEnd, (k) => {
      const av = Array.from({ length: U }, (_, r) => ctx.local(ld(a, add(aB, add(mul(add(m0, r), a.rs), mul(k, a.cs))), add(m0, r), k), 'av'));
      const bRow = ctx.local(add(bB, mul(k, b.rs)), 'bk');
      const yRow = ctx.local(add(yB, mul(m0, y.rs)), 'cm');
      ctx.loop(N, (n) => {
        const bk = ld(b, add(bRow, n), k, n);
        const bv = U > 1 ? ctx.local(bk, 'bv') : bk;
        for (let r = 0; r < U; r++) {
          const at = add(add(yRow, r * y.rs), n);
          ctx.store(y.ref, at, add(ctx.load(y.ref, at), mul(av[r], bv)));
        }
      }, { name: 'n' });
    }, { lo: k0, name: 'k' });
    const U = M >= ROWS ? ROWS : 1, Mmain = M - (M % U);
    const tile = (k0: Expr, kEnd: Expr) => {
      if (s.Mrt) return runtimeRowTiles(ctx, s.Mrt, M, U, (m0, n) => rows(m0, n, k0, kEnd));
      if (Mmain === U) rows(ix(0), U, k0, kEnd);
      else ctx.loop(Mmain, (m) => rows(m, U, k0, kEnd), { step: U, name: 'm' });
      for (let m = Mmain; m < M; m++) rows(ix(m), 1, k0, kEnd);
    };
    if (KT >= K) tile(ix(0), ix(K));
    else ctx.loop(K, (k0) => tile(k0, min(add(k0, KT), ix(K))), { step: KT, name: 'kt' });
    if (s.epilogue || act) eachRow((i) => ctx.loop(N, (j) => {
      const v = s.epilogue ? s.epilogue(ctx.load(y.ref, yAt(i, j)), i, j, bi) : ctx.load(y.ref, yAt(i, j));
      ctx.store(y.ref, yAt(i, j), act ? act.scalar(v) : v);
    }, { name: 'j' }));
  });
  return true;
}
