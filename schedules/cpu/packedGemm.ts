// The packed SIMD GEMM (BLIS/MLAS recipe) for products big enough to pay for packing:
// Y (+)= A·B for float32 with contiguous rows of B and Y. Columns are blocked by NC and K by
// KC; each KC×NC block of B is copied into contiguous NR-wide panels (the micro-kernel then
// streams one panel, kc·NR floats, from L1 instead of kc rows NR wide that are N apart), rows
// are blocked by MC so the MC×KC block of A stays in L2 while the panels pass by. The columns
// past the last full panel are one zero-padded panel; when they are not a whole number of
// vectors, its tiles go through a small scratch tile. Sizes come from the target row
// (gemmTile in microkernel.ts).
import { LowerCtx, TensorRef } from '../../ir/ctx.js';
import { E, add, as, cmp, div, ix, linearIndex, lit, min, mul, sub } from '../../ir/kbuild.js';
import { Expr } from '../../ir/kernel.js';
import type { Activation } from '../../ir/ops/activation.js';
import { GemmSpec, MatView, rowsOf } from '../../ir/ops/gemm.js';
import { VExpr, vload, vsplat, vvar } from '../../ir/vector.js';
import { GemmTile, rankOneStep } from './microkernel.js';
import { dotColumnsFit, emitDotColumns } from './dotColumns.js';

/** Where a register tile's rows live: Y itself, or the scratch tile of the edge panel. */
interface TileOut { buf: TensorRef; at: (r: number, v: number) => Expr }

/**
 * Emits the packed product; returns false (nothing emitted) when the spec does not fit it or is
 * too small for packing to pay (B panels reused by fewer than two row tiles).
 */
export function emitGemmPacked(ctx: LowerCtx, s: GemmSpec, t: GemmTile, accumulate = false, act?: Activation): boolean {
  const L = t.lanes, V = t.nv, NR = V * L, MR = t.mr;
  const { M, N, K, a, b, y } = s;
  const f32 = [a, b, y].every((m) => m.ref.dtype === 'float32' && !m.map);
  if (!L || !t.pack || !f32 || b.cs !== 1 || y.cs !== 1 || N < L || M < 2 * MR || K < L || K * N < t.packFrom) return false;
  // the last columns under half a vector go as dot products (dotColumns.ts) when A's rows are
  // contiguous, so the edge panel is whole vectors and needs no scratch tile
  const rem = N % L, dot = rem && rem <= L / 2 && dotColumnsFit(s, L) ? rem : 0, Np = N - dot;
  const KC = Math.min(t.kc, K), NC = Math.max(NR, Math.floor(t.nc / NR) * NR), MC = Math.max(MR, Math.floor(t.mc / MR) * MR);
  const Nw = Math.floor(Np / NR) * NR, edge = Np - Nw, Mw = Math.floor(M / MR) * MR;
  // panels PC·NR floats apart: one row of padding so they are not a power of two apart (the
  // stores of a packed row of B would all fall in the same cache set)
  const PC = KC + 1;
  const oneBlock = K <= KC, jBlocks = Math.max(1, Math.ceil(Nw / NC));
  // bpack: the full panels of one jc block, then the edge panel
  const eOff = Math.min(NC, Nw) * PC, ev = Math.ceil(edge / L);
  const bp = ctx.temp('float32', [eOff + (edge ? KC * NR : 0)], 'bpack');
  const ct = edge % L ? ctx.temp('float32', [MR * NR], 'ctile') : null;
  ctx.nest(s.batch ?? [], (bi) => {
    const base = (m: MatView) => {
      const e = add(as(m.off ?? 0, 'idx'), linearIndex(bi, m.bs ?? bi.map(() => 0)));
      return e.k === 'const' || e.k === 'var' ? e : ctx.local(e, 'base');
    };
    const aB = base(a), bB = base(b), yB = base(y);
    const yAt = (i: E, j: E) => add(add(yB, mul(i, y.rs)), j);
    if (!oneBlock && !accumulate) ctx.nest([rowsOf(s)], ([i]) => ctx.loop(N, (j) => ctx.store(y.ref, yAt(i, j), lit(0, 'f32')), { name: 'j' }));
    // run-time rows (GemmSpec.Mrt): full tiles up to a run-time MwE, the rest one row at a time
    const MwE: Expr = s.Mrt ? ctx.local(mul(div(s.Mrt, MR), MR), 'mw') : ix(Mw);
    const load = accumulate || !oneBlock;

    /** One register tile: rows × nv vectors of Y += A[i0.., k0..k0+kn) · panel at bp[p0..]. */
    const tile = (i0: Expr, rows: number, nv: number, p0: Expr, k0: Expr, kn: Expr, last: Expr | null, out: TileOut) => {
      const accs = Array.from({ length: rows }, (_, r) => Array.from({ length: nv }, (_, v) => {
        const name = ctx.fresh('acc');
        ctx.emit({ k: 'vdecl', name, init: load ? vload(out.buf.buf, out.at(r, v), L) : vsplat(lit(0, 'f32'), L) });
        return name;
      }));
      const aI = ctx.local(add(add(aB, mul(i0, a.rs)), mul(k0, a.cs)), 'ai');
      const bI = ctx.local(p0, 'bi');
      ctx.loop(kn, () => rankOneStep(ctx, a, aI, bp.buf, bI, NR, accs, L), { name: 'k' });
      const store = (f: (e: VExpr) => VExpr) => accs.forEach((row, r) => row.forEach((name, v) =>
        ctx.emit({ k: 'vstore', buf: out.buf.buf, idx: out.at(r, v), val: f(vvar(name, L)) })));
      if (!act || !last) store((e) => e);
      else if (last.k === 'const') store(Number(last.v) ? act.vector : (e) => e);
      else ctx.if(last, () => store(act.vector), () => store((e) => e));
    };
    const yOut = (i0: Expr, j0: Expr): TileOut => ({ buf: y.ref, at: (r, v) => yAt(add(i0, r), add(j0, v * L)) });

    /** K blocks over a group of packed panels: pack(k0, kn), then compute(k0, kn, last). */
    const kBlocks = (pack: (k0: Expr, kn: Expr) => void, compute: (k0: Expr, kn: Expr, last: Expr | null) => void) => {
      if (oneBlock) { pack(ix(0), ix(K)); compute(ix(0), ix(K), ix(1)); return; }
      ctx.loop(K, (pc) => {
        const kn = ctx.local(min(KC, sub(K, pc)), 'kn');
        pack(pc, kn);
        compute(pc, kn, act ? ctx.local(cmp('ge', add(pc, KC), K), 'last') : null);
      }, { step: KC, name: 'pc' });
    };

    // through the scratch tile: Y's values in (zeros past the edge), the edge columns out
    const viaScratch = (i0: Expr, rows: number, body: () => void) => {
      if (!ct) return body();
      if (load) for (let r = 0; r < rows; r++) for (let c = 0; c < ev * L; c++)
        ctx.store(ct, ix(r * NR + c), c < edge ? ctx.load(y.ref, yAt(add(i0, r), Nw + c)) : lit(0, 'f32'));
      body();
      for (let r = 0; r < rows; r++) ctx.loop(edge, (c) => ctx.store(y.ref, yAt(add(i0, r), add(c, Nw)), ctx.load(ct, add(c, r * NR))), { name: 'c' });
    };
    const edgeTile = (i0: Expr, rows: number, k0: Expr, kn: Expr, last: Expr | null) =>
      viaScratch(i0, rows, () => tile(i0, rows, ev, ix(eOff), k0, kn, last, ct ? { buf: ct, at: (r, v) => ix(r * NR + v * L) } : yOut(i0, ix(Nw))));

    // jc blocks of NC columns of full panels; the last one also has the edge panel (after the
    // full ones in bpack), so A is streamed once per K block for all of them
    const jBlock = (jc: Expr) => {
      const nc = jBlocks === 1 ? ix(Nw) : ctx.local(min(NC, sub(Nw, jc)), 'nc');
      const lastJ = jBlocks === 1 ? null : ctx.local(cmp('ge', add(jc, NC), Nw), 'lastj');
      const onEdge = (fn: () => void) => { if (edge) { if (lastJ) ctx.if(lastJ, fn); else fn(); } };
      kBlocks((k0, kn) => ctx.loop(kn, (kk) => {
        const src = ctx.local(add(bB, mul(add(k0, kk), b.rs)), 'bs');
        if (Nw) ctx.loop(nc, (j) => {
          const dst = add(mul(j, PC), mul(kk, NR));
          for (let v = 0; v < V; v++) ctx.emit({ k: 'vstore', buf: bp.buf, idx: add(dst, v * L), val: vload(b.ref.buf, add(add(src, jc), add(j, v * L)), L) });
        }, { step: NR, name: 'jp' });
        onEdge(() => {
          const dst = ctx.local(add(mul(kk, NR), eOff), 'bd');
          ctx.loop(edge, (c) => ctx.store(bp, add(dst, c), ctx.load(b.ref, add(add(src, Nw), c))), { name: 'c' });
          if (ev * L > edge) ctx.loop(ev * L, (c) => ctx.store(bp, add(dst, c), lit(0, 'f32')), { lo: edge, name: 'c' });
        });
      }, { name: 'kk' }), (k0, kn, last) => {
        if (Mw) ctx.loop(MwE, (ic) => {
          const mEnd = ctx.local(min(add(ic, MC), MwE), 'me');
          if (Nw) ctx.loop(nc, (jr) => {
            const j0 = add(jc, jr);
            ctx.loop(mEnd, (i0) => tile(i0, MR, V, mul(jr, PC), k0, kn, last, yOut(i0, j0)), { lo: ic, step: MR, name: 'ir' });
          }, { step: NR, name: 'jr' });
          onEdge(() => ctx.loop(mEnd, (i0) => edgeTile(i0, MR, k0, kn, last), { lo: ic, step: MR, name: 'ir' }));
        }, { step: MC, name: 'ic', bound: Math.ceil(Mw / MC) });
        if (s.Mrt) ctx.loop(s.Mrt, (i) => {
          if (Nw) ctx.loop(nc, (jr) => tile(i, 1, V, mul(jr, PC), k0, kn, last, yOut(i, add(jc, jr))), { step: NR, name: 'jr' });
          onEdge(() => edgeTile(i, 1, k0, kn, last));
        }, { lo: MwE, name: 'ir', bound: MR - 1 });
        else if (M > Mw) {
          if (Nw) ctx.loop(nc, (jr) => tile(ix(Mw), M - Mw, V, mul(jr, PC), k0, kn, last, yOut(ix(Mw), add(jc, jr))), { step: NR, name: 'jr' });
          onEdge(() => edgeTile(ix(Mw), M - Mw, k0, kn, last));
        }
      });
    };
    if (jBlocks === 1) jBlock(ix(0));
    else ctx.loop(Nw, jBlock, { step: NC, name: 'jc' });
    if (dot) emitDotColumns(ctx, s, L, t.registers, aB, bB, yAt, Np, accumulate, act);
    if (s.epilogue) ctx.nest([rowsOf(s), N], ([i, j]) => ctx.store(y.ref, yAt(i, j), s.epilogue!(ctx.load(y.ref, yAt(i, j)), i, j, bi)));
  });
  return true;
}
