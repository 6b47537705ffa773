// Helpers shared by the indexing and data-movement op families (indexing.ts, movement.ts,
// resize.ts): bounds-safe index locals, plain copies, positive modulo, loops over extents.
import { InferCtx, LowerCtx, TensorRef } from '../ctx.js';
import { E, add, cast, cmp, ix, max, mod, select, sub } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { dimLabel, rtBound } from '../rtdims.js';
import { numel } from '../tensor.js';

/** Clamps an index local into [0, dim) in place. */
export function clampLocal(ctx: LowerCtx, j: Expr, dim: E): void {
  ctx.if(cmp('lt', j, 0), () => ctx.assign(j, 0), () => ctx.if(cmp('ge', j, dim), () => ctx.assign(j, typeof dim === 'number' ? dim - 1 : max(sub(dim, 1), 0))));
}

/**
 * Declares a local holding index value `e` (any integer or float type) for an axis of extent
 * `dim`: negative values count from the end, and out-of-range ones are clamped so that a bad
 * index never reads or writes out of bounds.
 */
export function indexLocal(ctx: LowerCtx, e: Expr, dim: E): Expr {
  const j = ctx.local(cast(e, 'idx'), 'j');
  ctx.if(cmp('lt', j, 0), () => ctx.assign(j, add(j, dim)));
  clampLocal(ctx, j, dim);
  return j;
}

/** Python-style a mod n for n > 0 (result in [0, n)); a is evaluated once through a local. */
export function posMod(ctx: LowerCtx, a: Expr, n: number): Expr {
  if (n === 1) return ix(0);
  const r = ctx.local(mod(a, n), 'r');
  return select(cmp('lt', r, 0), add(r, n), r);
}

/** dst = src element by element (nothing when the output reuses the input's storage). */
export function copyTensor(ctx: LowerCtx, src: TensorRef, dst: TensorRef): void {
  if (src.buf === dst.buf) return;
  const n = numel(dst.shape);
  if (n > 0) ctx.loop(n, (i) => ctx.store(dst, i, ctx.load(src, i)), { hint: { vectorize: 4 } });
}

/** A loop over [0, n), or the body once with index 0 when n is 1. */
export function loop1(ctx: LowerCtx, n: number, fn: (i: Expr) => void): void {
  if (n === 1) fn(ix(0));
  else ctx.loop(n, fn);
}

/** Concrete extent of dim d of input i, or a one-line error naming what needs it. */
export function concreteDim(ctx: InferCtx, i: number, d: number, what: string): number {
  const x = ctx.shape(i)[d];
  const rt = rtBound(x);
  if (rt !== undefined) throw ctx.error(`${what} needs a compile-time extent for axis ${d}, which has run-time dimension '${dimLabel(x)}' (at most ${rt})`);
  if (typeof x !== 'number') throw ctx.error(`${what} needs a concrete extent for axis ${d}; bind '${x}' with --dim ${x}=VALUE`);
  return x;
}
