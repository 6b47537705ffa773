// The one GEMM emitter. MatMul, Gemm, Attention, MatMulInteger, Conv (1x1, or im2col), the
// integer convolutions and ConvTranspose describe their operands as strided matrix views and
// call emitGemm; the target's schedule (ctx.schedule.gemm) may take the product over, otherwise
// the scalar algorithm below is emitted.
import { DType, Scalar } from '../dtype.js';
import { Extent, LowerCtx, TensorRef } from '../ctx.js';
import { E, add, as, cast, linearIndex, lit, mul } from '../kbuild.js';
import { Expr } from '../kernel.js';
import type { Activation } from './activation.js';

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
  /** Converts a loaded element (r, c) to the compute type (zero points…); schedules that do
   * not apply maps decline views that have one. Default: a plain conversion. */
  map?: (v: Expr, r: Expr, c: Expr) => Expr;
}

export interface GemmSpec {
  /** Rows of A and Y; with Mrt, their upper bound. */
  M: number;
  /** Run-time rows (ir/rtdims.ts): the actual M, at most M. Schedules that cannot take it decline. */
  Mrt?: Expr;
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

/** A product with run-time extents and strides (ir/rtdims.ts), rows and columns contiguous:
 * element (r, c) of a view is at off + r·rs + c. Y = A·B, A is M×K, B is K×N. */
export interface RtGemmSpec {
  M: Extent;
  N: Extent;
  K: Extent;
  a: { ref: TensorRef; off: Expr; rs: Expr };
  b: { ref: TensorRef; off: Expr; rs: Expr };
  y: { ref: TensorRef; off: Expr; rs: Expr };
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

/**
 * Batch dimensions folded into the rows of A and Y: innermost batch dims over which B is shared
 * and the rows of A and of Y continue evenly (e.g. [64, 1, K]·[K, N]: one 64-row product instead
 * of 64 one-row ones, which the micro-kernel tiles badly). Not with an epilogue (it sees i, batch).
 */
function foldBatch(s: GemmSpec): GemmSpec {
  const batch = [...(s.batch ?? [])];
  if (s.epilogue || !batch.length || s.Mrt) return s;
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

/** The loop extent of a product's rows: M, or the run-time rows bounded by it. */
export const rowsOf = (s: GemmSpec): Extent => (s.Mrt ? { hi: s.Mrt, bound: s.M } : s.M);

/** What emitGemm does besides Y = A·B. */
export interface GemmOptions {
  /** Y += A·B (Y already holds the initial values, e.g. a bias) instead of Y = A·B. */
  accumulate?: boolean;
  /** Applied to every finished value as it is stored (after the epilogue). */
  act?: Activation;
}

/**
 * Emits Y = act(epilogue(A·B)) (or Y += A·B), batched: the target's schedule first
 * (ctx.schedule.gemm: tiled, vectorized), else the scalar algorithm. That one is the plain
 * i-j-k nest: every (batch, i, j) iteration is independent (parallel loops), K is a reduction
 * into one accumulator of Y's compute type (a reduce loop), and Y is written once per element
 * (converted storage such as float16 included).
 */
export function emitGemm(ctx: LowerCtx, spec: GemmSpec, opts: GemmOptions = {}): void {
  const s = foldBatch(spec), accumulate = opts.accumulate ?? false, act = opts.act;
  const { M, N, K, a, b, y } = s;
  if (M === 0 || N === 0 || (K === 0 && accumulate && !s.epilogue && !act)) return;
  if (ctx.schedule.gemm(ctx, s, accumulate, act)) return;
  const t = y.ref.t;
  const ld = (m: MatView, idx: Expr, r: Expr, c: Expr) => {
    const v = ctx.load(m.ref, idx);
    return cast(m.map ? m.map(v, r, c) : v, t);
  };
  ctx.nest(s.batch ?? [], (bi) => {
    const base = (m: MatView) => add(as(m.off ?? 0, 'idx'), linearIndex(bi, m.bs ?? bi.map(() => 0)));
    const aB = base(a), bB = base(b), yB = base(y);
    // indices written out in full (no row locals): the loop analysis then sees that each
    // (i, j) writes its own element; C compilers hoist the invariant parts themselves
    ctx.nest([rowsOf(s)], ([i]) => ctx.loop(N, (j) => {
      const at = add(yB, add(mul(i, y.rs), mul(j, y.cs)));
      const acc = ctx.local(accumulate ? cast(ctx.load(y.ref, at), t) : lit(0, t), 'acc');
      ctx.loop(K, (k) => ctx.assign(acc, add(acc, mul(
        ld(a, add(aB, add(mul(i, a.rs), mul(k, a.cs))), i, k),
        ld(b, add(bB, add(mul(k, b.rs), mul(j, b.cs))), k, j)))), { name: 'k' });
      const v = s.epilogue ? s.epilogue(acc, i, j, bi) : acc;
      ctx.store(y.ref, at, act ? act.scalar(v) : v);
    }, { name: 'j' }));
  });
}
