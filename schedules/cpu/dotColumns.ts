// The last few columns of a SIMD GEMM (fewer than a vector's worth, left after the micro-kernel's
// panels) as dot products along K, when rows of A are contiguous: each such column of B is
// copied once into a contiguous row, then a tile of rows × columns of Y keeps one vector
// accumulator each across K (A and B loads shared across the tile, independent FMA chains),
// lanes summed at the end. The alternative, a zero-padded vector panel, computes a whole vector
// per row for each remainder (16 lanes for resnet18 layer3's 4 columns) and goes through a
// scratch tile when the columns are not whole vectors.
import { LowerCtx } from '../../ir/ctx.js';
import { E, add, ix, lit, mul } from '../../ir/kbuild.js';
import { Expr } from '../../ir/kernel.js';
import type { Activation } from '../../ir/ops/activation.js';
import { GemmSpec, rowsOf } from '../../ir/ops/gemm.js';
import { vfma, vload, vsplat, vvar } from '../../ir/vector.js';

/** Rows of Y per dot-product tile. */
const ROWS = 4;

/** Whether columns from..N of the spec go as dot products: A's rows contiguous, K long enough. */
export function dotColumnsFit(s: GemmSpec, lanes: number): boolean {
  return s.a.cs === 1 && s.K >= 4 * lanes;
}

/**
 * Emits Y[:, from..N) (+)= A·B[:, from..N) as vector dot products, act applied as values are
 * stored. `registers`: vector registers the tile may use (ROWS × cols accumulators, ROWS
 * A vectors and cols B vectors).
 */
export function emitDotColumns(ctx: LowerCtx, s: GemmSpec, L: number, registers: number, aB: Expr, bB: Expr, yAt: (i: E, j: E) => Expr, from: number, accumulate: boolean, act?: Activation): void {
  const { a, b, y, K, M } = s, r = s.N - from, Kv = K - (K % L);
  const cols = Math.max(1, Math.min(4, Math.floor((registers - ROWS) / (ROWS + 1))));
  const bt = ctx.temp('float32', [r * K], 'bcols'), lanes = ctx.temp('float32', [L], 'lanes');
  ctx.loop(K, (k) => {
    const src = ctx.local(add(bB, mul(k, b.rs)), 'bs');
    for (let jj = 0; jj < r; jj++) ctx.store(bt, add(k, jj * K), ctx.load(b.ref, add(src, from + jj)));
  }, { name: 'k' });
  const tile = (i0: Expr, rows: number, c0: number, nc: number) => {
    const aI = Array.from({ length: rows }, (_, rr) => ctx.local(add(aB, mul(add(i0, rr), a.rs)), 'ai'));
    const accs = aI.map(() => Array.from({ length: nc }, () => {
      const name = ctx.fresh('vacc');
      ctx.emit({ k: 'vdecl', name, init: vsplat(lit(0, 'f32'), L) });
      return name;
    }));
    ctx.loop(Kv, (k) => {
      const av = aI.map((ai) => { const n = ctx.fresh('av'); ctx.emit({ k: 'vdecl', name: n, init: vload(a.ref.buf, add(ai, k), L) }); return vvar(n, L); });
      const bv = accs[0].map((_, c) => { const n = ctx.fresh('bv'); ctx.emit({ k: 'vdecl', name: n, init: vload(bt.buf, add(k, (c0 + c) * K), L) }); return vvar(n, L); });
      accs.forEach((row, rr) => row.forEach((acc, c) => ctx.emit({ k: 'vassign', name: acc, val: vfma(av[rr], bv[c], vvar(acc, L)) })));
    }, { name: 'k', step: L });
    accs.forEach((row, rr) => row.forEach((acc, c) => {
      ctx.emit({ k: 'vstore', buf: lanes.buf, idx: ix(0), val: vvar(acc, L) });
      let sum: Expr = ctx.load(lanes, ix(0));
      for (let l = 1; l < L; l++) sum = add(sum, ctx.load(lanes, ix(l)));
      const tot = ctx.local(sum, 'dot'), col = (c0 + c) * K;
      if (Kv < K) ctx.loop(K, (k) => ctx.assign(tot, add(tot, mul(ctx.load(a.ref, add(aI[rr], k)), ctx.load(bt, add(k, col))))), { lo: Kv, name: 'k' });
      const at = yAt(add(i0, rr), from + c0 + c), val = accumulate ? add(ctx.load(y.ref, at), tot) : tot;
      ctx.store(y.ref, at, act ? act.scalar(val) : val);
    }));
  };
  const rowTiles = (i0: Expr, rows: number) => { for (let c0 = 0; c0 < r; c0 += cols) tile(i0, rows, c0, Math.min(cols, r - c0)); };
  // rows known only at run time (GemmSpec.Mrt, bounded dims): one row per tile
  if (s.Mrt) return void ctx.nest([rowsOf(s)], ([i]) => rowTiles(i, 1));
  const full = Math.floor(M / ROWS);
  if (full) ctx.loop(full, (ib) => rowTiles(ctx.local(mul(ib, ROWS), 'i0'), ROWS), { name: 'ib' });
  if (M % ROWS) ctx.loop(M, (i) => rowTiles(i, 1), { lo: full * ROWS, name: 'i' });
}
