// The classic shared-memory GEMM of CUDA targets (the CUDA schedule of ir/ops/gemm.ts's
// algorithm), float32: one thread block per BM × BN tile of Y (block.y, block.x; batch on
// block.z), T threads per block (thread.x), each owning a TM × TN register tile. Per K tile the
// block copies BM × BK of A and BK × BN of B into shared arrays (zeros outside M, N and K),
// waits, accumulates its register tile from shared memory, and waits again before the next
// copy. The epilogue, Y's initial value (accumulate) and the fused activation are applied as
// values are stored (bounds-checked). Thread (ty, tx) owns rows ty + r·TY and columns
// tx + c·TX of the tile: neighbouring threads store neighbouring elements of Y.
import { LowerCtx } from '../../ir/ctx.js';
import { E, add, as, cmp, div, ix, lit, mod, mul } from '../../ir/kbuild.js';
import { Expr, KBuf } from '../../ir/kernel.js';
import type { Activation } from '../../ir/ops/activation.js';
import type { GemmSpec, MatView } from '../../ir/ops/gemm.js';
import type { TargetDesc } from '../../ir/target.js';

/** The kernel's shape: threads per block (TY × TX), register tile, block tile, K tile. */
export interface CudaGemmTile {
  ty: number; tx: number;
  tm: number; tn: number;
  bk: number;
}

/** Most blocks in dimensions y and z of a launch. */
const MAX_BLOCKS_YZ = 65535;

/**
 * The tile for a target row: the row's block of threads as a square (256 → 16 × 16) with a
 * 4 × 4 register tile each (64 × 64 per block), K tiles of 16; both shared tiles, padded by one
 * column against bank conflicts, take (BM + BN)·(BK + 1)·4 bytes (8.5 KiB), well within the row's
 * static shared memory.
 */
export function cudaGemmTile(t: TargetDesc): CudaGemmTile | null {
  const th = t.threads;
  if (!th) return null;
  const side = 2 ** Math.floor(Math.log2(Math.sqrt(th.block)));
  const tile = { ty: th.block / side, tx: side, tm: 4, tn: 4, bk: 16 };
  const bytes = (tile.ty * tile.tm + tile.tx * tile.tn) * (tile.bk + 1) * 4;
  return bytes <= th.sharedBytes ? tile : null;
}

/**
 * Emits the tiled kernel when it applies (float32 operands without maps, at the kernel's top
 * level so its launch is its own phase); returns false otherwise (the scalar algorithm runs).
 */
export function emitGemmTiled(ctx: LowerCtx, s: GemmSpec, tile: CudaGemmTile | null, accumulate: boolean, act?: Activation): boolean {
  const { M, N, K, a, b, y } = s;
  const f32 = [a, b, y].every((m) => m.ref.dtype === 'float32' && !m.map);
  const batch = s.batch ?? [], nb = batch.reduce((p, d) => p * d, 1);
  // offsets reading the op's locals would tie its other statements into this launch
  const free = [a, b, y].some((m) => m.off !== undefined && typeof m.off !== 'number' && readsVar(m.off));
  if (!tile || !f32 || s.Mrt || ctx.nested || free || M === 0 || N === 0 || K === 0 || nb > MAX_BLOCKS_YZ) return false;
  const T = tile.ty * tile.tx, BM = tile.ty * tile.tm, BN = tile.tx * tile.tn;
  // a K tile no longer than K (K < 16: no zero-padded steps)
  const BK = Math.min(tile.bk, K), LA = BM + 1, LB = BN + 1;
  const As = ctx.shared('float32', [BK, LA], 'As'), Bs = ctx.shared('float32', [BK, LB], 'Bs');
  const body = (bi: Expr[]) => {
    const base = (m: MatView) => batchBase(ctx, m, bi);
    const aB = base(a), bB = base(b), yB = base(y);
    ctx.loop(Math.ceil(M / BM), (by) => ctx.loop(Math.ceil(N / BN), (bx) => ctx.loop(T, (t) => {
      const ty = ctx.local(div(t, tile.tx), 'ty'), tx = ctx.local(mod(t, tile.tx), 'tx');
      const m0 = ctx.local(mul(by, BM), 'm0'), n0 = ctx.local(mul(bx, BN), 'n0');
      const accs = Array.from({ length: tile.tm }, () => Array.from({ length: tile.tn }, () => ctx.local(lit(0, 'f32'), 'acc')));
      ctx.loop(Math.ceil(K / BK), (kt) => {
        const k0 = ctx.local(mul(kt, BK), 'k0');
        // A[m0 + i, k0 + k] → As[k, i]; consecutive threads take consecutive elements of memory
        copyTile(ctx, T, t, BM, BK, a.cs === 1 || a.rs !== 1, (i, k) => {
          const gi = add(m0, i), gk = add(k0, k);
          const inside = [M % BM ? cmp('lt', gi, M) : null, K % BK ? cmp('lt', gk, K) : null];
          return { inside, src: add(aB, add(mul(gi, a.rs), mul(gk, a.cs))), dst: add(mul(k, LA), i) };
        }, a, As.buf);
        copyTile(ctx, T, t, BK, BN, b.cs === 1 || b.rs !== 1, (k, j) => {
          const gk = add(k0, k), gj = add(n0, j);
          const inside = [K % BK ? cmp('lt', gk, K) : null, N % BN ? cmp('lt', gj, N) : null];
          return { inside, src: add(bB, add(mul(gk, b.rs), mul(gj, b.cs))), dst: add(mul(k, LB), j) };
        }, b, Bs.buf);
        ctx.emit({ k: 'barrier' });
        ctx.loop(BK, (kk) => {
          const av = accs.map((_, r) => ctx.local(ctx.load(As, add(mul(kk, LA), add(ty, r * tile.ty))), 'av'));
          const bv = accs[0].map((_, c) => ctx.local(ctx.load(Bs, add(mul(kk, LB), add(tx, c * tile.tx))), 'bv'));
          accs.forEach((row, r) => row.forEach((acc, c) => ctx.assign(acc, add(acc, mul(av[r], bv[c])))));
        }, { name: 'kk' });
        ctx.emit({ k: 'barrier' });
      }, { name: 'kt' });
      accs.forEach((row, r) => {
        const i = ctx.local(add(m0, add(ty, r * tile.ty)), 'row');
        guard(ctx, M % BM ? cmp('lt', i, M) : null, () => row.forEach((acc, c) => {
          const j = add(n0, add(tx, c * tile.tx));
          guard(ctx, N % BN ? cmp('lt', j, N) : null, () => {
            const at = add(yB, add(mul(i, y.rs), mul(j, y.cs)));
            const sum = accumulate ? add(ctx.load(y.ref, at), acc) : acc;
            const v = s.epilogue ? s.epilogue(sum, i, j, bi) : sum;
            ctx.store(y.ref, at, act ? act.scalar(v) : v);
          });
        }));
      });
    }, { name: 't', bind: 'thread.x' }), { name: 'bx', bind: 'block.x' }), { name: 'by', bind: 'block.y' });
  };
  if (!batch.length) body([]);
  else ctx.loop(nb, (bz) => body(batchIndices(ctx, batch, bz)), { name: 'bz', bind: 'block.z' });
  return true;
}

/** The batch indices of flat batch number bz (row-major over the batch dims). */
function batchIndices(ctx: LowerCtx, batch: number[], bz: Expr): Expr[] {
  let inner = 1;
  const out: Expr[] = new Array(batch.length);
  for (let d = batch.length - 1; d >= 0; d--) {
    out[d] = batch[d] === 1 ? ix(0) : ctx.local(d === 0 ? div(bz, inner) : mod(div(bz, inner), batch[d]), 'b');
    inner *= batch[d];
  }
  return out;
}

/** Element (0, 0) of a view in batch bi. */
function batchBase(ctx: LowerCtx, m: MatView, bi: Expr[]): Expr {
  let e: Expr = as(m.off ?? 0, 'idx');
  bi.forEach((x, d) => { if (m.bs?.[d]) e = add(e, mul(x, m.bs[d])); });
  return e.k === 'const' || e.k === 'var' ? e : ctx.local(e, 'base');
}

/**
 * Copies a rows × cols tile of a view into a shared array, T threads taking elements
 * l·T + t in turn (columns fastest when colsFast, else rows); elements outside the matrix
 * (a `inside` condition false) are stored as 0.
 */
function copyTile(ctx: LowerCtx, T: number, t: Expr, rows: number, cols: number, colsFast: boolean,
  at: (r: Expr, c: Expr) => { inside: (Expr | null)[]; src: Expr; dst: Expr }, m: MatView, dst: KBuf): void {
  const total = rows * cols;
  for (let l = 0; l * T < total; l++) {
    const e = ctx.local(add(t, l * T), 'e');
    const one = () => {
      const r = ctx.local(colsFast ? div(e, cols) : mod(e, rows), 'r'), c = ctx.local(colsFast ? mod(e, cols) : div(e, rows), 'c');
      const { inside, src, dst: d } = at(r, c);
      const conds = inside.filter((x): x is Expr => x !== null);
      const store = (v: E) => ctx.emit({ k: 'store', buf: dst, idx: d, val: as(v, 'f32') });
      if (!conds.length) store(ctx.load(m.ref, src));
      else ctx.if(conds.reduce((p, q) => ({ k: 'bin', t: 'bool', op: 'and', a: p, b: q })), () => store(ctx.load(m.ref, src)), () => store(lit(0, 'f32')));
    };
    guard(ctx, (l + 1) * T > total ? cmp('lt', e, total) : null, one);
  }
}

/** Whether an expression reads a variable. */
function readsVar(e: Expr): boolean {
  switch (e.k) {
    case 'var': return true;
    case 'const': return false;
    case 'load': return readsVar(e.idx);
    case 'un': case 'cast': return readsVar(e.a);
    case 'bin': case 'cmp': return readsVar(e.a) || readsVar(e.b);
    case 'select': return readsVar(e.c) || readsVar(e.a) || readsVar(e.b);
  }
}

/** fn under a condition, or plainly when there is none. */
function guard(ctx: LowerCtx, c: Expr | null, fn: () => void): void {
  if (c) ctx.if(c, fn);
  else fn();
}
