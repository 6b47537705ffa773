// Matrix ops: MatMul and Gemm (both through the shared GEMM emitter), Einsum, Det.
// Attention and RotaryEmbedding live in attention.ts.
import { scalarIsFloat } from '../dtype.js';
import { InferCtx } from '../ctx.js';
import { Dim } from '../graph.js';
import { add, as, cast, cmp, div, lit, mul, stridesOf, sub, un } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, float, int } from '../opdef.js';
import { numel } from '../tensor.js';
import { broadcastShapes, broadcastStrides, tt } from './common.js';
import { attentionOps } from './attention.js';
import { einsumOps } from './einsum.js';
import { emitGemm } from './gemm.js';
import { lowerMatMulRt } from './matmulRt.js';

/** Strides of `shape`'s trailing batch dims read under broadcasting to `batch` (0 where broadcast). */
function batchStrides(shape: number[], strides: number[], batch: number[]): number[] {
  const off = batch.length - shape.length;
  return batch.map((_, d) => (d < off || shape[d - off] === 1 ? 0 : strides[d - off]));
}

/** numpy matmul: 1-D operands are promoted (and the added dim dropped), batch dims broadcast. */
function matmulShape(ctx: InferCtx, a: Dim[], b: Dim[]): Dim[] {
  if (!a.length || !b.length) throw ctx.error('MatMul operands must have rank at least 1');
  const A = a.length === 1 ? [1, a[0]] : a, B = b.length === 1 ? [b[0], 1] : b;
  const ka = A[A.length - 1], kb = B[B.length - 2];
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb)
    throw ctx.error(`inner dimensions do not match: [${a.join(',')}] × [${b.join(',')}]`);
  const batch = broadcastShapes(ctx, [A.slice(0, -2), B.slice(0, -2)]);
  return [...batch, ...(a.length > 1 ? [A[A.length - 2]] : []), ...(b.length > 1 ? [B[B.length - 1]] : [])];
}

const matmulDef: OpDef = {
  op: 'MatMul',
  infer: (ctx) => [tt(ctx.dtype(0), matmulShape(ctx, ctx.shape(0), ctx.shape(1)))],
  runtimeDims: true,
  lower: (ctx) => {
    const A = ctx.in(0), B = ctx.in(1), Y = ctx.out(0);
    if (A.rt || B.rt || Y.rt) return lowerMatMulRt(ctx, A, B, Y);
    const as2 = A.shape.length === 1 ? [1, A.shape[0]] : A.shape;
    const bs2 = B.shape.length === 1 ? [B.shape[0], 1] : B.shape;
    const M = as2[as2.length - 2], K = as2[as2.length - 1], N = bs2[bs2.length - 1];
    const aBatch = as2.slice(0, -2), bBatch = bs2.slice(0, -2);
    const batch = Y.shape.slice(0, Y.shape.length - (A.shape.length > 1 ? 1 : 0) - (B.shape.length > 1 ? 1 : 0));
    const bat = (shape: number[], full: number[]) => batchStrides(shape, stridesOf(full).slice(0, shape.length), batch);
    emitGemm(ctx, {
      M, N, K, batch,
      a: { ref: A, rs: K, cs: 1, bs: bat(aBatch, as2) },
      b: { ref: B, rs: N, cs: 1, bs: bat(bBatch, bs2) },
      y: { ref: Y, rs: N, cs: 1, bs: stridesOf([...batch, M * N]).slice(0, batch.length) },
    });
  },
};

/** Y = alpha·op(A)·op(B) + beta·C, C broadcast unidirectionally to (M, N). */
const gemmDef: OpDef = {
  op: 'Gemm',
  attrs: { alpha: float(1), beta: float(1), transA: int(0), transB: int(0), broadcast: int(0) },
  infer: (ctx) => {
    const a = ctx.shape(0), b = ctx.shape(1);
    if (a.length !== 2 || b.length !== 2) throw ctx.error('Gemm operands A and B must be 2-D');
    const [M, Ka] = ctx.int('transA') ? [a[1], a[0]] : a;
    const [Kb, N] = ctx.int('transB') ? [b[1], b[0]] : b;
    if (typeof Ka === 'number' && typeof Kb === 'number' && Ka !== Kb)
      throw ctx.error(`inner dimensions do not match: op(A) is [${M},${Ka}], op(B) is [${Kb},${N}]`);
    if (ctx.has(2)) {
      const c = ctx.shape(2);
      const bc = broadcastShapes(ctx, [[M, N], c]);
      if (c.length > 2 || bc.join() !== [M, N].join()) throw ctx.error(`C of shape [${c.join(',')}] does not broadcast to [${M},${N}]`);
    } else if (ctx.opset < 11) throw ctx.error('input C is required before opset 11');
    return [tt(ctx.dtype(0), [M, N])];
  },
  // run-time rows (ir/rtdims.ts): A's rows only, not transposed (GemmSpec.Mrt)
  runtimeDims: true,
  lower: (ctx) => {
    const A = ctx.in(0), B = ctx.in(1), Y = ctx.out(0);
    const tA = ctx.int('transA') !== 0, tB = ctx.int('transB') !== 0;
    const rt = [A, B, ctx.has(2) ? ctx.in(2) : null].findIndex((r, i) => r?.rt?.slots.some((s, d) => s && (i > 0 || tA || d !== 0)));
    if (rt >= 0) throw ctx.error(`input ${rt} has a run-time dimension where Gemm needs one known at compile time (only the rows of A, without transA, may be run-time)`);
    const Mrt = A.rt ? ctx.dim(A, 0) : undefined;
    const [M, N] = Y.shape, K = tA ? A.shape[0] : A.shape[1];
    const alpha = ctx.float('alpha'), beta = ctx.float('beta');
    const C = ctx.has(2) ? ctx.in(2) : null;
    const cStr = C ? broadcastStrides(C, [M, N]) : [];
    const scaleBy = (x: Expr, f: number) => {
      if (f === 1) return x;
      return scalarIsFloat(x.t) ? mul(x, as(f, x.t)) : cast(mul(cast(x, 'f64'), f), x.t);
    };
    emitGemm(ctx, {
      M, N, K, ...(Mrt ? { Mrt } : {}),
      a: { ref: A, rs: tA ? 1 : K, cs: tA ? M : 1 },
      b: { ref: B, rs: tB ? 1 : N, cs: tB ? K : 1 },
      y: { ref: Y, rs: N, cs: 1 },
      epilogue: alpha === 1 && !C ? undefined : (acc, i, j) => {
        const ab = scaleBy(acc, alpha);
        return C ? add(ab, scaleBy(cast(ctx.load(C, add(mul(i, cStr[0]), mul(j, cStr[1]))), acc.t), beta)) : ab;
      },
    });
  },
};

/** Determinant of each trailing square matrix: LU with partial pivoting, in float64. */
const detDef: OpDef = {
  op: 'Det',
  infer: (ctx) => {
    const s = ctx.shape(0);
    if (s.length < 2) throw ctx.error('Det input must have rank at least 2');
    const [r, c] = s.slice(-2);
    if (typeof r === 'number' && typeof c === 'number' && r !== c) throw ctx.error(`matrices must be square, got ${r}×${c}`);
    return [tt(ctx.dtype(0), s.slice(0, -2))];
  },
  lower: (ctx) => {
    const X = ctx.in(0), Y = ctx.out(0);
    const n = X.shape[X.shape.length - 1], count = numel(Y.shape);
    const lu = ctx.temp('float64', [n, n], 'lu');
    const at = (r: Expr, c: Expr) => add(mul(r, n), c);
    ctx.loop(count, (m) => {
      ctx.loop(n * n, (e) => ctx.store(lu, e, cast(ctx.load(X, add(mul(m, n * n), e)), 'f64')));
      const det = ctx.local(lit(1, 'f64'), 'det');
      ctx.loop(n, (c) => {
        // pivot: the largest magnitude in column c at or below the diagonal
        const p = ctx.local(c, 'piv');
        const best = ctx.local(un('abs', ctx.load(lu, at(c, c))), 'best');
        ctx.loop(n, (r) => {
          const v = un('abs', ctx.load(lu, at(r, c)));
          ctx.if(cmp('gt', v, best), () => { ctx.assign(best, v); ctx.assign(p, r); });
        }, { lo: add(c, 1), name: 'r' });
        ctx.if(cmp('ne', p, c), () => {
          ctx.loop(n, (j) => {
            const tmp = ctx.local(ctx.load(lu, at(c, j)), 'tmp');
            ctx.store(lu, at(c, j), ctx.load(lu, at(p, j)));
            ctx.store(lu, at(p, j), tmp);
          }, { name: 'j' });
          ctx.assign(det, un('neg', det));
        });
        const d = ctx.local(ctx.load(lu, at(c, c)), 'd');
        ctx.assign(det, mul(det, d));
        ctx.if(cmp('ne', d, 0), () => ctx.loop(n, (r) => {
          const f = ctx.local(div(ctx.load(lu, at(r, c)), d), 'f');
          ctx.loop(n, (j) => ctx.store(lu, at(r, j), sub(ctx.load(lu, at(r, j)), mul(f, ctx.load(lu, at(c, j))))), { lo: add(c, 1), name: 'j' });
        }, { lo: add(c, 1), name: 'r' }));
      }, { name: 'c' });
      ctx.store(Y, m, cast(det, Y.t));
    }, { name: 'm' });
  },
};

/** Also registers Einsum (einsum.ts), Attention and RotaryEmbedding (attention.ts). */
export const linalgOps: OpDef[] = [matmulDef, gemmDef, detDef, ...einsumOps, ...attentionOps];
