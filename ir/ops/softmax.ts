// Ops along one axis: Softmax, LogSoftmax, Hardmax, CumSum, TopK. Each row is processed by
// alongAxis (reduction.ts): scalar code per row, or rows side by side with a contiguous
// inner loop when the axis is not the last.
import { isConverted } from '../dtype.js';
import { InferCtx, LowerCtx, TensorRef } from '../ctx.js';
import { add, cast, cmp, div, ix, lit, max, min, mul, select, sub, un } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, int } from '../opdef.js';
import { numel } from '../tensor.js';
import { Dim } from '../graph.js';
import { derivedDim, dimBound, isRtDim, rtDim } from '../rtdims.js';
import { AxisView, Row, alongAxis, axisViewOf } from './reduction.js';
import { tt } from './common.js';

/** Running max of x along the row (a row variable). */
function rowMax(ctx: LowerCtx, row: Row, x: TensorRef) {
  const m = row.var(x.t, () => ctx.load(x, row.at(0)), 'max');
  row.pass((k) => row.set(m, max(row.get(m), ctx.load(x, row.at(k)))), 1);
  return m;
}

/**
 * Softmax (or LogSoftmax) of x along the view's axis into out, stable: exp(x - max) / sum.
 * Also used by SoftmaxCrossEntropyLoss.
 */
export function emitSoftmax(ctx: LowerCtx, x: TensorRef, out: TensorRef, view: AxisView, log: boolean): void {
  alongAxis(ctx, view, (row) => {
    const m = rowMax(ctx, row, x);
    const s = row.var(x.t, () => lit(0, x.t), 'sum');
    const shifted = (k: Expr) => sub(ctx.load(x, row.at(k)), row.get(m));
    // softmax keeps exp(x - max) in out between passes (unless out rounds on store)
    const keep = !log && !isConverted(out.dtype);
    if (keep && view.post === 1 && view.n > 1) {
      // a contiguous row: exp, sum and scale as three loops; the first and last are elementwise
      // maps, which SIMD targets vectorize
      const map = (fn: (k: Expr) => Expr) => ctx.loop(view.rt?.n ?? view.n, (k) => ctx.store(out, row.at(k), fn(k)), { name: 'k', hint: { vectorize: 4 }, bound: view.n });
      map((k) => un('exp', shifted(k)));
      row.pass((k) => row.set(s, add(row.get(s), ctx.load(out, row.at(k)))));
      const inv = ctx.local(div(1, row.get(s)), 'inv');
      map((k) => mul(ctx.load(out, row.at(k)), inv));
      return;
    }
    row.pass((k) => {
      const e = ctx.local(un('exp', shifted(k)), 'e');
      if (keep) ctx.store(out, row.at(k), e);
      row.set(s, add(row.get(s), e));
    });
    if (log) {
      row.each(() => row.set(s, un('log', row.get(s))));
      row.pass((k) => ctx.store(out, row.at(k), sub(shifted(k), row.get(s))));
    } else {
      row.each(() => row.set(s, div(1, row.get(s))));
      row.pass((k) => ctx.store(out, row.at(k), mul(keep ? ctx.load(out, row.at(k)) : un('exp', shifted(k)), row.get(s))));
    }
  });
}

/** Softmax-family view: one axis (opset >= 13) or, before, the input coerced to 2-D at axis. */
function softmaxView(ctx: LowerCtx): AxisView {
  const x = ctx.in(0);
  return axisViewOf(ctx, x, ctx.axis(ctx.int('axis'), x.shape.length), ctx.opset < 13);
}

function softmaxDef(op: string, lower: (ctx: LowerCtx, x: TensorRef, out: TensorRef, view: AxisView) => void, runtimeDims = false): OpDef {
  return {
    op, runtimeDims,
    attrs: { axis: int((opset) => (opset < 13 ? 1 : -1)) },
    infer: (ctx) => {
      ctx.axis(ctx.int('axis'), ctx.rank(0));
      return [tt(ctx.dtype(0), ctx.shape(0))];
    },
    lower: (ctx) => lower(ctx, ctx.in(0), ctx.out(0), softmaxView(ctx)),
  };
}

/** Hardmax: 1 at the first maximum of each row, 0 elsewhere. */
function hardmax(ctx: LowerCtx, x: TensorRef, out: TensorRef, view: AxisView): void {
  alongAxis(ctx, view, (row) => {
    const best = row.var(x.t, () => ctx.load(x, row.at(0)), 'best');
    const arg = row.var('i64', () => 0, 'arg');
    row.pass((k) => {
      const c = ctx.local(cmp('gt', ctx.load(x, row.at(k)), row.get(best)), 'c');
      row.set(best, select(c, ctx.load(x, row.at(k)), row.get(best)));
      row.set(arg, select(c, cast(k, 'i64'), row.get(arg)));
    }, 1);
    row.pass((k) => ctx.store(out, row.at(k), select(cmp('eq', cast(k, 'i64'), row.get(arg)), lit(1, x.t), lit(0, x.t))));
  });
}

/** A cumulative op (CumSum, CumProd) along a compile-time axis, optionally exclusive and/or
 * reversed: out[k] = fold(init, x[0..k]) (x[0..k-1] when exclusive). */
export function cumulativeDef(op: string, init: number, fold: (acc: Expr, x: Expr) => Expr): OpDef {
  return {
    op, runtimeDims: true,
    attrs: { exclusive: int(0), reverse: int(0) },
    constInputs: [1],
    infer: (ctx) => {
      ctx.axis(ctx.constNums(1, 'axis')[0], ctx.rank(0));
      return [tt(ctx.dtype(0), ctx.shape(0))];
    },
    lower: (ctx) => {
      const x = ctx.in(0), out = ctx.out(0);
      // the axis and the dims before it may be run-time (ir/rtdims.ts): a position-id CumSum over seq
      const view = axisViewOf(ctx, x, ctx.axis(ctx.constNums(1, 'axis')[0], x.shape.length));
      const exclusive = !!ctx.int('exclusive'), reverse = !!ctx.int('reverse');
      const last = view.rt ? sub(view.rt.n, 1) : ix(view.n - 1);
      alongAxis(ctx, view, (row) => {
        const s = row.var(x.t, () => lit(init, x.t), 'acc');
        row.pass((k) => {
          const at = row.at(reverse ? sub(last, k) : k);
          if (exclusive) ctx.store(out, at, row.get(s));
          row.set(s, fold(row.get(s), ctx.load(x, at)));
          if (!exclusive) ctx.store(out, at, row.get(s));
        });
      });
    },
  };
}

const cumSumDef = cumulativeDef('CumSum', 0, add);

/**
 * K as the output's dim along the axis: a number; with a run-time axis (ir/rtdims.ts), at most
 * its length (min(K, n)); K computed at run time: the run-time dim its shape value names
 * (TopK(x, min(count, 300)) of a detector) or, with none, a dim of this node's own, which the
 * kernel sets to K clamped to [0, n].
 */
function topK(ctx: InferCtx): { k: Dim; own: boolean } {
  const n = ctx.shape(0)[ctx.axis(ctx.int('axis'), ctx.rank(0))];
  const sv = ctx.opset < 10 || ctx.constOf(1) ? undefined : ctx.shapeValue(1);
  if (sv && sv.length === 1 && isRtDim(sv[0])) return { k: sv[0], own: false };
  const known = ctx.opset < 10 ? ctx.int('k') : sv?.length === 1 && typeof sv[0] === 'number' ? sv[0] : ctx.constOf(1) ? ctx.constNums(1, 'K')[0] : undefined;
  const bound = dimBound(n);
  if (known === undefined) {
    if (bound === undefined) throw ctx.error(`K is known only at run time and the axis has symbolic size '${n}'`);
    return { k: rtDim(`${ctx.node.outputs[0]?.name ?? ctx.node.name}.k`, bound), own: true };
  }
  if (known < 0 || (bound !== undefined && known > bound)) throw ctx.error(`K = ${known} is out of range for an axis of ${n} elements`);
  return { k: typeof n === 'number' ? known : derivedDim('min', [known, n]) ?? known, own: false };
}

/**
 * TopK: per row, insertion into the sorted output of the K best so far (strict comparisons,
 * so equal values keep the lower index first). O(n·K) per row, no scratch. The axis and K may
 * be run-time dims.
 */
const topKDef: OpDef = {
  op: 'TopK', runtimeDims: true,
  attrs: { axis: int(-1), largest: int(1), sorted: int(1), k: int() },
  foldInputs: [1],
  infer: (ctx) => {
    const axis = ctx.axis(ctx.int('axis'), ctx.rank(0)), { k } = topK(ctx);
    const shape = ctx.shape(0).map((d, i) => (i === axis ? k : d));
    return [tt(ctx.dtype(0), shape), tt('int64', shape)];
  },
  lower: (ctx) => {
    const x = ctx.in(0), vals = ctx.out(0), idxs = ctx.out(1), axis = ctx.axis(ctx.int('axis'), x.shape.length);
    const view = axisViewOf(ctx, x, axis), Kb = vals.shape[axis];
    if (!numel(vals.shape)) return;
    let K: Expr = ctx.dim(vals, axis);
    if (topK(ctx).own) {
      const n = view.rt?.n ?? ix(view.n);
      K = ctx.local(min(max(cast(ctx.load(ctx.in(1), ix(0)), 'idx'), ix(0)), n), 'K');
      ctx.setDim(vals, axis, K);
    }
    const better = (a: Expr, b: Expr) => cmp(ctx.int('largest') ? 'gt' : 'lt', a, b);
    const last = sub(K, 1);
    const rows = () => alongAxis(ctx, view, (row) => {
      const count = row.var('i64', () => 0, 'count');
      row.pass((i) => {
        const v = ctx.local(ctx.load(x, row.at(i)), 'v');
        const j = ctx.local(ix(-1), 'j');
        ctx.if(cmp('lt', row.get(count), cast(K, 'i64')), () => {
          ctx.assign(j, cast(row.get(count), 'idx'));
          row.set(count, add(row.get(count), 1));
        }, () => ctx.if(better(v, ctx.load(vals, row.at(last, K))), () => ctx.assign(j, last)));
        ctx.if(cmp('ge', j, 0), () => {
          ctx.while(cmp('gt', j, 0), () => {
            const prev = ctx.local(ctx.load(vals, row.at(sub(j, 1), K)), 'prev');
            ctx.if(better(v, prev), () => {
              ctx.store(vals, row.at(j, K), prev);
              ctx.store(idxs, row.at(j, K), ctx.load(idxs, row.at(sub(j, 1), K)));
              ctx.assign(j, sub(j, 1));
            }, () => ctx.break());
          }, Kb); // j starts below K
          ctx.store(vals, row.at(j, K), v);
          ctx.store(idxs, row.at(j, K), cast(i, 'i64'));
        });
      });
    });
    // a run-time K of 0 has no last element to compare with
    if (K.k === 'const') rows();
    else ctx.if(cmp('gt', K, 0), rows);
  },
};

export const softmaxOps: OpDef[] = [
  softmaxDef('Softmax', (ctx, x, out, view) => emitSoftmax(ctx, x, out, view, false), true),
  softmaxDef('LogSoftmax', (ctx, x, out, view) => emitSoftmax(ctx, x, out, view, true), true),
  softmaxDef('Hardmax', hardmax),
  cumSumDef,
  topKDef,
];
