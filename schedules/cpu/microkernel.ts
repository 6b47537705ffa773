// The register-blocked SIMD GEMM micro-kernel (the CPU schedule of ir/ops/gemm.ts's algorithm):
// Y (+)= A·B for float32 when rows of B and Y are contiguous. A tile of MR rows × 2 vectors of Y
// lives in vector registers across the K loop, K is blocked so a panel of B stays in cache,
// remaining rows fall back to smaller tiles, the last columns (under a vector) to dot products
// (dotColumns.ts) or scalar code. The tile comes from the target row (gemmTile): 6×16 on 8-lane targets with 16 registers, 14×32 on 16-lane ones
// with 32 (host-avx512), 4×8 on WASM. Large products take the packed form (packedGemm.ts).
import { LowerCtx } from '../../ir/ctx.js';
import { E, add, as, ix, linearIndex, lit, min, mul } from '../../ir/kbuild.js';
import { Expr, KBuf } from '../../ir/kernel.js';
import type { Activation } from '../../ir/ops/activation.js';
import { GemmSpec, MatView, rowsOf } from '../../ir/ops/gemm.js';
import { TargetDesc } from '../../ir/target.js';
import { VExpr, vfma, vload, vsplat, vvar } from '../../ir/vector.js';
import { dotColumnsFit, emitDotColumns } from './dotColumns.js';
import { runtimeRowTiles } from './rtRows.js';

/** The micro-kernel's shape on one target: vector lanes, register tile, cache blocks. */
export interface GemmTile {
  lanes: number;
  /** Rows of Y per register tile (MR). */
  mr: number;
  /** Vectors of Y per register tile row (NR = nv · lanes). */
  nv: number;
  /** Rows of B per K block (KC). */
  kc: number;
  /** Rows of A per block kept in L2 (MC) and columns of B per packed block (NC); packed GEMM. */
  mc: number;
  nc: number;
  /** Whether large products pack B into panels (packedGemm.ts), and from how many elements of
   * B on (a B that fits in L1 is streamed well as it is: tiny_cnn on WASM measured slower packed). */
  pack: boolean;
  packFrom: number;
  /** Vector registers (the dot-product tiles of the last columns are sized from them). */
  registers: number;
}

/** Limits a target's measurements impose beyond what its row says. */
export interface GemmTuning {
  /** Most rows per tile (WASM: 6-row tiles measured slower than 4-row ones under V8). */
  maxRows?: number;
  /** Pack B into panels for large products (default true). */
  pack?: boolean;
}

/** Most rows of B per K block (the block size the kernel was tuned with). */
const KC_MAX = 256;

/**
 * The tile for a target row: MR·2 accumulators + 2 vectors of B + 1 broadcast of A fill the
 * vector registers (16 → 6 rows, 32 → 14); a K block of a 2-vector-wide panel of B fills at
 * most half of L1 (32 KiB: 256 rows at 8 lanes, 128 at 16); the MC×KC block of A and the
 * KC×NC block of B each fill at most half of L2.
 */
export function gemmTile(t: TargetDesc, tuning: GemmTuning = {}): GemmTile {
  const V = 2, lanes = t.lanes;
  if (!lanes) return { lanes, mr: 0, nv: V, kc: 0, mc: 0, nc: 0, pack: false, packFrom: 0, registers: t.registers };
  const mr = Math.max(1, Math.min(Math.floor((t.registers - V - 1) / V), tuning.maxRows ?? Infinity));
  const panelRowBytes = V * lanes * 4;
  const kc = Math.min(KC_MAX, 2 ** Math.floor(Math.log2(t.cache.l1 / 2 / panelRowBytes)));
  const half = t.cache.l2 / 2 / (kc * 4);
  return { lanes, mr, nv: V, kc, mc: Math.max(mr, Math.floor(half / mr) * mr), nc: Math.max(V * lanes, Math.floor(half / (V * lanes)) * V * lanes), pack: tuning.pack ?? true, packFrom: t.cache.l1 / 4, registers: t.registers };
}

/** Emits the micro-kernel when the spec allows it; returns false to let the caller emit scalar code. */
export function emitGemmSimd(ctx: LowerCtx, s: GemmSpec, tileShape: GemmTile, accumulate = false, act?: Activation): boolean {
  const L = tileShape.lanes, KC = tileShape.kc;
  const { M, N, K, a, b, y } = s;
  const f32 = [a, b, y].every((m) => m.ref.dtype === 'float32' && !m.map);
  if (!L || !f32 || b.cs !== 1 || y.cs !== 1 || N < L || M === 0 || K === 0) return false;
  const V = N >= 2 * L ? 2 : 1, NR = V * L, MR = tileShape.mr;
  // full panels of NR columns, then one single-vector panel when a vector's worth is left
  const Nw = Math.floor(N / NR) * NR, Nv = V === 2 && N - Nw >= L ? Nw + L : Nw;
  const blocks = Math.ceil(K / KC);
  const acc0 = accumulate || blocks > 1;
  ctx.nest(s.batch ?? [], (bi) => {
    const base = (m: MatView) => {
      const e = add(as(m.off ?? 0, 'idx'), linearIndex(bi, m.bs ?? bi.map(() => 0)));
      return e.k === 'const' || e.k === 'var' ? e : ctx.local(e, 'base');
    };
    const aB = base(a), bB = base(b), yB = base(y);
    const yAt = (i: E, j: E) => add(add(yB, mul(i, y.rs)), j);
    if (acc0 && !accumulate) zeroColumns(ctx, s, yAt, Nv);
    const tile = (i0: Expr, rows: number, j0: Expr, kLo: Expr, kHi: Expr, last: boolean, V: number) => {
      const accs = Array.from({ length: rows }, (_, r) => Array.from({ length: V }, (_, v) => {
        const name = ctx.fresh('acc');
        ctx.emit({ k: 'vdecl', name, init: acc0 ? vload(y.ref.buf, yAt(add(i0, r), add(j0, v * L)), L) : vsplat(lit(0, 'f32'), L) });
        return name;
      }));
      // pointer-bump style: the A and B element indices advance by their strides each step, the
      // rows and vectors of the tile are constant offsets from them (immediates in WASM)
      const aI = ctx.local(add(add(aB, mul(i0, a.rs)), mul(kLo, a.cs)), 'ai');
      const bI = ctx.local(add(add(bB, mul(kLo, b.rs)), j0), 'bi');
      ctx.loop(kHi, () => rankOneStep(ctx, a, aI, b.ref.buf, bI, b.rs, accs, L), { lo: kLo, name: 'k' });
      const fin = (e: VExpr) => (last && act ? act.vector(e) : e);
      accs.forEach((row, r) => row.forEach((name, v) => ctx.emit({ k: 'vstore', buf: y.ref.buf, idx: yAt(add(i0, r), add(j0, v * L)), val: fin(vvar(name, L)) })));
    };
    const rowTiles = (j0: Expr, kLo: Expr, kHi: Expr, last: boolean, nv: number) => {
      const full = Math.floor(M / MR);
      if (s.Mrt) return runtimeRowTiles(ctx, s.Mrt, M, MR, (i0, rows) => tile(i0, rows, j0, kLo, kHi, last, nv));
      if (full) ctx.loop(full, (ib) => tile(ctx.local(mul(ib, MR), 'i0'), MR, j0, kLo, kHi, last, nv), { name: 'ib' });
      for (let r = full * MR; r < M; r++) tile(ix(r), 1, j0, kLo, kHi, last, nv);
    };
    const panel = (kLo: Expr, kHi: Expr, last: boolean) => {
      if (Nw > 0) ctx.loop(Nw / NR, (jb) => rowTiles(ctx.local(mul(jb, NR), 'j0'), kLo, kHi, last, V), { name: 'jb' });
      if (Nv > Nw) rowTiles(ix(Nw), kLo, kHi, last, 1);
    };
    // the last K block is peeled off when it stores through the activation
    const peel = act && blocks > 1 ? 1 : 0;
    if (blocks === 1) panel(ix(0), ix(K), true);
    else ctx.loop(blocks - peel, (kb) => {
      const kLo = ctx.local(mul(kb, KC), 'klo');
      panel(kLo, ctx.local(min(add(kLo, KC), K), 'khi'), !peel);
    }, { name: 'kb' });
    if (peel) panel(ix((blocks - 1) * KC), ix(K), true);
    if (Nv < N && dotColumnsFit(s, L)) emitDotColumns(ctx, s, L, tileShape.registers, aB, bB, yAt, Nv, accumulate, act);
    else if (Nv < N) scalarColumns(ctx, s, aB, bB, yAt, Nv, accumulate, act);
    if (s.epilogue) ctx.nest([rowsOf(s), N], ([i, j]) => ctx.store(y.ref, yAt(i, j), s.epilogue!(ctx.load(y.ref, yAt(i, j)), i, j, bi)));
  });
  return true;
}

/** Y[:, 0:n] = 0 before K-blocked accumulation. */
/**
 * One step of the K loop of a register tile: load a vector of B for each tile column (at bI,
 * lanes apart), splat A's value of each tile row (at aI, a.rs apart), fma them into the
 * accumulators accs[row][vector], then advance aI by A's column stride and bI by bStep.
 */
export function rankOneStep(ctx: LowerCtx, a: MatView, aI: Expr, bBuf: KBuf, bI: Expr, bStep: number, accs: string[][], L: number): void {
  const bv = accs[0].map((_, v) => {
    const name = ctx.fresh('bv');
    ctx.emit({ k: 'vdecl', name, init: vload(bBuf, add(bI, v * L), L) });
    return vvar(name, L);
  });
  accs.forEach((row, r) => {
    const av = ctx.fresh('av');
    ctx.emit({ k: 'vdecl', name: av, init: vsplat(ctx.load(a.ref, add(aI, r * a.rs)), L) });
    row.forEach((acc, v) => ctx.emit({ k: 'vassign', name: acc, val: vfma(vvar(av, L), bv[v], vvar(acc, L)) }));
  });
  ctx.assign(aI, add(aI, a.cs));
  ctx.assign(bI, add(bI, bStep));
}

function zeroColumns(ctx: LowerCtx, s: GemmSpec, yAt: (i: E, j: E) => Expr, n: number): void {
  if (n === 0) return;
  ctx.nest([rowsOf(s)], ([i]) => ctx.loop(n, (j) => ctx.store(s.y.ref, yAt(i, j), lit(0, 'f32'))));
}

/**
 * Columns left of the vector panels (fewer than one panel, a compile-time count): per row of Y,
 * one scalar accumulator per column, all advanced by each A element (independent chains,
 * contiguous B loads), instead of one strided dot product per column.
 */
function scalarColumns(ctx: LowerCtx, s: GemmSpec, aB: Expr, bB: Expr, yAt: (i: E, j: E) => Expr, from: number, accumulate: boolean, act?: Activation): void {
  const { a, b, y } = s;
  ctx.nest([rowsOf(s)], ([i]) => {
    const accs = Array.from({ length: s.N - from }, (_, jj) => ctx.local(accumulate ? ctx.load(y.ref, yAt(i, from + jj)) : lit(0, 'f32'), 'acc'));
    const aI = ctx.local(add(aB, mul(i, a.rs)), 'ai');
    const bI = ctx.local(add(bB, from), 'bi');
    ctx.loop(s.K, () => {
      const av = ctx.local(ctx.load(a.ref, aI), 'a');
      accs.forEach((acc, jj) => ctx.assign(acc, add(acc, mul(av, ctx.load(b.ref, add(bI, jj))))));
      ctx.assign(aI, add(aI, a.cs));
      ctx.assign(bI, add(bI, b.rs));
    }, { name: 'k' });
    accs.forEach((acc, jj) => ctx.store(y.ref, yAt(i, from + jj), act ? act.scalar(acc) : acc));
  });
}
