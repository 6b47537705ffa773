// The register-tiled SIMD product for run-time extents (ir/ops/matmulRt.ts: attention's Q·Kᵀ
// with run-time columns, P·V with a run-time K, batches whose strides depend on the dims).
// A tile of R rows × V vectors of Y stays in registers over the whole K loop (the micro-kernel's
// recipe, microkernel.ts, without its compile-time K blocks), full tiles as far as the run-time
// extents allow, then one-row tiles for the rows left and one-vector tiles for the columns left
// (the last one overlapping its neighbour); dot products only where N is below one vector.
// float32 only, rows of A, B and Y contiguous.
import { Extent, LowerCtx } from '../../ir/ctx.js';
import { add, cmp, div, ix, lit, min, mul, sub } from '../../ir/kbuild.js';
import { Expr } from '../../ir/kernel.js';
import type { RtGemmSpec } from '../../ir/ops/gemm.js';
import { vfma, vload, vsplat, vvar } from '../../ir/vector.js';
import type { GemmTile } from './microkernel.js';

const hiOf = (e: Extent): Expr => (typeof e === 'number' ? ix(e) : e.hi);
const boundOf = (e: Extent): number => (typeof e === 'number' ? e : e.bound);

/** Emits the product; false (nothing emitted) where it does not apply. */
export function emitRtGemm(ctx: LowerCtx, s: RtGemmSpec, t: GemmTile): boolean {
  const L = t.lanes;
  if (!L || [s.a, s.b, s.y].some((m) => m.ref.dtype !== 'float32') || boundOf(s.N) < L || boundOf(s.K) === 0) return false;
  const V = boundOf(s.N) >= 2 * L ? 2 : 1, NR = V * L, R = t.mr;
  const M = hiOf(s.M), N = hiOf(s.N), K = hiOf(s.K), { a, b, y } = s;
  const ars = ctx.local(a.rs, 'ars'), brs = ctx.local(b.rs, 'brs'), yrs = ctx.local(y.rs, 'yrs');
  // columns in whole tiles, rows in whole tiles (run-time counts)
  const nw = ctx.local(mul(div(N, NR), NR), 'nw'), mw = ctx.local(mul(div(M, R), R), 'mw');
  /** One register tile: rows × nv vectors of Y at (i0, j0). */
  const block = (i0: Expr, rows: number, j0: Expr, nv: number) => {
    const accs = Array.from({ length: rows }, () => Array.from({ length: nv }, () => {
      const name = ctx.fresh('acc');
      ctx.emit({ k: 'vdecl', name, init: vsplat(lit(0, 'f32'), L) });
      return name;
    }));
    // pointer-bump style, as the micro-kernel: A's index advanced by 1 (its tile rows constant
    // offsets from it where A's row stride is a constant, else a row index each), B's by its stride
    const aConst = a.rs.k === 'const' ? Number(a.rs.v) : undefined;
    const aRows = aConst !== undefined ? [ctx.local(add(a.off, mul(i0, aConst)), 'ai')] : accs.map((_, r) => ctx.local(add(a.off, mul(add(i0, r), ars)), 'ai'));
    const aAt = (r: number, k: Expr) => (aConst !== undefined ? add(aRows[0], r * aConst) : add(aRows[r], k));
    const bI = ctx.local(add(b.off, j0), 'bi');
    ctx.loop(K, (k) => {
      const bv = Array.from({ length: nv }, (_, v) => {
        const name = ctx.fresh('bv');
        ctx.emit({ k: 'vdecl', name, init: vload(b.ref.buf, add(bI, v * L), L) });
        return vvar(name, L);
      });
      accs.forEach((row, r) => {
        const av = ctx.fresh('av');
        ctx.emit({ k: 'vdecl', name: av, init: vsplat(ctx.load(a.ref, aAt(r, k)), L) });
        row.forEach((acc, v) => ctx.emit({ k: 'vassign', name: acc, val: vfma(vvar(av, L), bv[v], vvar(acc, L)) }));
      });
      ctx.assign(bI, add(bI, brs));
      if (aConst !== undefined) ctx.assign(aRows[0], add(aRows[0], 1));
    }, { name: 'k', bound: boundOf(s.K) });
    const yAt = ctx.local(add(add(y.off, mul(i0, yrs)), j0), 'yt');
    accs.forEach((row, r) => row.forEach((acc, v) =>
      ctx.emit({ k: 'vstore', buf: y.ref.buf, idx: add(add(yAt, mul(r, yrs)), v * L), val: vvar(acc, L) })));
  };
  // a row tile: whole NR-wide tiles, then one-vector tiles up to N, the last one shifted back to
  // end at N (it computes some columns again, to the same values: Y = A·B is not accumulated)
  const tile = (i0: Expr, rows: number) => {
    ctx.loop(nw, (j0) => block(i0, rows, j0, V), { step: NR, name: 'j0', bound: Math.floor(boundOf(s.N) / NR) });
    const vectors = () => ctx.loop(N, (j0) => block(i0, rows, min(j0, sub(N, L)), 1), { lo: nw, step: L, name: 'jv', bound: Math.ceil(boundOf(s.N) / L) });
    if (typeof s.N === 'number') { if (s.N % NR) vectors(); } else ctx.if(cmp('ge', N, L), vectors);
  };
  ctx.loop(mw, (i0) => tile(i0, R), { step: R, name: 'i0', bound: Math.floor(boundOf(s.M) / R) });
  ctx.loop(M, (i) => tile(i, 1), { lo: mw, name: 'ir', bound: R - 1 });
  // fewer columns than a vector at run time: one dot product each, in k order
  if (typeof s.N !== 'number') ctx.if(cmp('lt', N, L), () => ctx.loop(M, (i) => ctx.loop(N, (j) => {
    const acc = ctx.local(lit(0, 'f32'), 'acc');
    const aRow = ctx.local(add(a.off, mul(i, ars)), 'ai');
    ctx.loop(K, (k) => ctx.assign(acc, add(acc, mul(ctx.load(a.ref, add(aRow, k)), ctx.load(b.ref, add(add(b.off, mul(k, brs)), j))))), { name: 'k', bound: boundOf(s.K) });
    ctx.store(y.ref, add(add(y.off, mul(i, yrs)), j), acc);
  }, { name: 'jr', bound: boundOf(s.N) }), { name: 'i', bound: boundOf(s.M) }));
  return true;
}
