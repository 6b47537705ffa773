// MatMul over operands with run-time dims (ir/rtdims.ts). Only the rows at run time (a
// [1, seq, D] or [seq, 1, D] activation times a weight): the shared GEMM with GemmSpec.Mrt, so the target's
// micro-kernel runs the full tiles and the rest goes row by row. Otherwise (run-time K, N or
// batch strides: attention's Q·Kᵀ and P·V) a nest whose innermost loop runs along a row of B
// and Y: Y[i, :] = Σ_k A[i, k] · B[k, :], summed in k order (the scalar GEMM's order),
// contiguous and free of dependences, so that compilers vectorize it; the target's schedule
// (ctx.schedule.rtGemm: register tiles, schedules/cpu/rtGemm.ts) may take each batch's product.
import { LowerCtx, TensorRef } from '../ctx.js';
import { add, cast, ix, lit, mul } from '../kbuild.js';
import { RtGemmSpec, emitGemm } from './gemm.js';

const rtAt = (r: TensorRef) => (r.rt?.slots ?? []).flatMap((s, d) => (s ? [d] : []));

/**
 * The axis holding an operand's run-time rows, where they are its only run-time dim and every
 * other batch dim is 1: dim -2, or dim -3 over one-row matrices ([seq, 1, K], as PyTorch's
 * attention projects [seq, batch, D]: the rows still follow each other K apart).
 */
function rowAxis(r: TensorRef): number | undefined {
  const n = r.shape.length, rts = rtAt(r), d = rts[0];
  if (rts.length !== 1 || (d !== n - 2 && !(d === n - 3 && r.shape[n - 2] === 1))) return undefined;
  return r.shape.slice(0, d).every((x) => x === 1) ? d : undefined;
}

/** Lowers MatMul when an operand has run-time dims (both of rank 2 or more). */
export function lowerMatMulRt(ctx: LowerCtx, A: TensorRef, B: TensorRef, Y: TensorRef): void {
  const rA = A.shape.length, rB = B.shape.length, rY = Y.shape.length, nb = rY - 2;
  if (rA < 2 || rB < 2) throw ctx.error('a 1-D operand with run-time dimensions is not supported');
  const K = A.shape[rA - 1], N = B.shape[rB - 1];
  const ax = rowAxis(A), ay = rowAxis(Y);
  if (!B.rt && B.shape.slice(0, -2).every((d) => d === 1) && ax !== undefined && ay !== undefined && rA - ax === rY - ay) {
    emitGemm(ctx, { M: A.shape[ax], Mrt: ctx.dim(A, ax), N, K,
      a: { ref: A, rs: K, cs: 1 }, b: { ref: B, rs: N, cs: 1 }, y: { ref: Y, rs: N, cs: 1 } });
    return;
  }
  const ey = ctx.extents(Y), eK = ctx.extents(A)[rA - 1];
  // batch index of an operand: its trailing batch dims, 0 where it broadcasts
  const batchIdx = (r: TensorRef, bi: ReturnType<typeof ix>[]) =>
    bi.slice(nb - (r.shape.length - 2)).map((i, d) => (r.shape[d] === 1 && !r.rt?.slots[d] ? ix(0) : i));
  ctx.nest(ey.slice(0, nb), (bi) => {
    const ia = batchIdx(A, bi), ib = batchIdx(B, bi);
    const spec: RtGemmSpec = { M: ey[nb], N: ey[nb + 1], K: eK,
      a: { ref: A, off: ctx.offset(A, [...ia, ix(0), ix(0)]), rs: ctx.dim(A, rA - 1) },
      b: { ref: B, off: ctx.offset(B, [...ib, ix(0), ix(0)]), rs: ctx.dim(B, rB - 1) },
      y: { ref: Y, off: ctx.offset(Y, [...bi, ix(0), ix(0)]), rs: ctx.dim(Y, rY - 1) } };
    if (ctx.schedule.rtGemm?.(ctx, spec)) return;
    ctx.nest([ey[nb]], ([i]) => {
      const yRow = ctx.local(ctx.offset(Y, [...bi, i, ix(0)]), 'yr');
      const aRow = ctx.local(ctx.offset(A, [...ia, i, ix(0)]), 'ar');
      ctx.nest([ey[nb + 1]], ([j]) => ctx.store(Y, add(yRow, j), lit(0, Y.t)));
      ctx.nest([eK], ([k]) => {
        const av = ctx.local(cast(ctx.load(A, add(aRow, k)), Y.t), 'a');
        const bRow = ctx.local(ctx.offset(B, [...ib, k, ix(0)]), 'br');
        ctx.nest([ey[nb + 1]], ([j]) => ctx.store(Y, add(yRow, j), add(ctx.load(Y, add(yRow, j)), mul(av, cast(ctx.load(B, add(bRow, j)), Y.t)))));
      });
    });
  });
}
