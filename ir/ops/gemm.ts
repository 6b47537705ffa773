// The one GEMM emitter. MatMul, Gemm, Attention (and Conv via im2col) describe their operands
// as strided matrix views and call emitGemm, so a scheduling pass can later swap this loop
// nest for a register-blocked micro-kernel in one place.
import { DType, Scalar, isConverted } from '../dtype.js';
import { LowerCtx, TensorRef } from '../ctx.js';
import { E, add, as, cast, linearIndex, lit, mul } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { emitGemmSimd } from './microkernel.js';

/** A matrix inside a tensor buffer: element (r, c) of batch `bi` is at off + bi·bs + r·rs + c·cs. */
export interface MatView {
  ref: TensorRef;
  /** Offset of element (0, 0) of batch index 0 (default 0). */
  off?: E;
  /** Row and column strides (elements). */
  rs: number;
  cs: number;
  /** Stride per batch dimension (0 broadcasts); default: all 0. */
  bs?: number[];
}

export interface GemmSpec {
  M: number;
  N: number;
  K: number;
  /** Batch dimensions looped over outside the matrix product (default none). */
  batch?: number[];
  /** Y[i, j] = epilogue(Σ_k A[i, k] · B[k, j]); A is M×K, B is K×N, Y is M×N. */
  a: MatView;
  b: MatView;
  y: MatView;
  /** Maps the accumulated dot product (in Y's compute type) to the stored value. */
  epilogue?: (acc: Expr, i: Expr, j: Expr, batch: Expr[]) => Expr;
}

const TEMP_DTYPE: Partial<Record<Scalar, DType>> = {
  f32: 'float32', f64: 'float64', i32: 'int32', i64: 'int64', u32: 'uint32', u64: 'uint64',
};

/** Storage dtype of a temporary holding values of scalar type t. */
export function tempDtype(t: Scalar): DType {
  const d = TEMP_DTYPE[t];
  if (!d) throw new Error(`no temporary dtype for scalar ${t}`);
  return d;
}

/** A local holding an index expression, unless it is trivial. */
function hoist(ctx: LowerCtx, e: Expr, prefix: string): Expr {
  return e.k === 'const' || e.k === 'var' ? e : ctx.local(e, prefix);
}

/**
 * Batch dimensions folded into the rows of A and Y: innermost batch dims over which B is shared
 * and the rows of A and of Y continue evenly (e.g. [64, 1, K]·[K, N]: one 64-row product instead
 * of 64 one-row ones, which the micro-kernel tiles badly). Not with an epilogue (it sees i, batch).
 */
function foldBatch(s: GemmSpec): GemmSpec {
  const batch = [...(s.batch ?? [])];
  if (s.epilogue || !batch.length) return s;
  const bs = (m: MatView) => [...(m.bs ?? batch.map(() => 0))];
  const a = { ...s.a, bs: bs(s.a) }, b = { ...s.b, bs: bs(s.b) }, y = { ...s.y, bs: bs(s.y) };
  let M = s.M;
  while (batch.length) {
    const d = batch.length - 1, ab = a.bs[d], yb = y.bs[d];
    if (b.bs[d] !== 0 || yb === 0) break;
    // one-row products: the batch stride is the row stride
    if (M === 1) { a.rs = ab; y.rs = yb; } else if (ab !== M * a.rs || yb !== M * y.rs) break;
    M *= batch.pop()!;
    a.bs.pop(); b.bs.pop(); y.bs.pop();
  }
  return M === s.M ? s : { ...s, M, batch, a, b, y };
}

/**
 * Emits Y = epilogue(A·B), batched. Loop order i-k-j (the innermost loop runs along a row of B
 * and of Y, contiguous when their column strides are 1, so C compilers vectorize it); when B
 * is column-contiguous instead (B = Kᵀ), i-j-k dot products. Y is accumulated in place unless
 * its storage is converted (float16…), in which case a row of the compute type is used.
 */
export function emitGemm(ctx: LowerCtx, spec: GemmSpec): void {
  const s = foldBatch(spec);
  const { M, N, K, a, b, y } = s;
  if (M === 0 || N === 0) return;
  if (emitGemmSimd(ctx, s)) return;
  const t = y.ref.t;
  const ld = (m: MatView, idx: Expr) => cast(ctx.load(m.ref, idx), t);
  const dot = b.cs !== 1 && b.rs === 1;
  const rowTemp = !dot && isConverted(y.ref.dtype) ? ctx.temp(tempDtype(t), [N], 'row') : null;
  ctx.nest(s.batch ?? [], (bi) => {
    const base = (m: MatView) => add(as(m.off ?? 0, 'idx'), linearIndex(bi, m.bs ?? bi.map(() => 0)));
    const aB = base(a), bB = base(b), yB = base(y);
    const finish = (acc: Expr, i: Expr, j: Expr) => (s.epilogue ? s.epilogue(acc, i, j, bi) : acc);
    ctx.loop(M, (i) => {
      const aRow = hoist(ctx, add(aB, mul(i, a.rs)), 'arow');
      const yRow = hoist(ctx, add(yB, mul(i, y.rs)), 'yrow');
      const yAt = (j: Expr) => add(yRow, mul(j, y.cs));
      if (dot) {
        ctx.loop(N, (j) => {
          const bCol = hoist(ctx, add(bB, mul(j, b.cs)), 'bcol');
          const acc = ctx.local(lit(0, t), 'acc');
          ctx.loop(K, (k) => ctx.assign(acc, add(acc, mul(ld(a, add(aRow, mul(k, a.cs))), ld(b, add(bCol, k))))), { name: 'k' });
          ctx.store(y.ref, yAt(j), finish(acc, i, j));
        }, { name: 'j' });
        return;
      }
      // accumulate row i of Y (or of the row temporary)
      const row: [TensorRef, (j: Expr) => Expr] = rowTemp ? [rowTemp, (j) => j] : [y.ref, yAt];
      ctx.loop(N, (j) => ctx.store(row[0], row[1](j), lit(0, t)), { name: 'j' });
      ctx.loop(K, (k) => {
        const aik = ctx.local(ld(a, add(aRow, mul(k, a.cs))), 'a');
        const bRow = hoist(ctx, add(bB, mul(k, b.rs)), 'brow');
        ctx.loop(N, (j) => {
          const at = row[1](j);
          ctx.store(row[0], at, add(ctx.load(row[0], at), mul(aik, ld(b, add(bRow, mul(j, b.cs))))));
        }, { name: 'j' });
      }, { name: 'k' });
      if (rowTemp || s.epilogue) ctx.loop(N, (j) => ctx.store(y.ref, yAt(j), finish(ctx.load(row[0], row[1](j)), i, j)), { name: 'j' });
    }, { name: 'i' });
  });
}
