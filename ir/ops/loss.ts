// Losses: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (log-softmax over the class
// axis, then the same NLL), with per-class weights, ignore_index and none/sum/mean reduction.
import { DType } from '../dtype.js';
import { InferCtx, LowerCtx, TensorRef } from '../ctx.js';
import { add, as, cast, cmp, div, ix, lit, max, min, mul, select, un } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, int, str } from '../opdef.js';
import { numel } from '../tensor.js';
import { forN } from './reduction.js';
import { emitSoftmax } from './softmax.js';
import { tt } from './common.js';

function reduction(ctx: InferCtx): string {
  const r = ctx.str('reduction');
  if (!['none', 'sum', 'mean'].includes(r)) throw ctx.error(`reduction '${r}' is not supported (none, sum or mean)`);
  if (ctx.rank(0) < 2) throw ctx.error('input must have shape [N, C, d1, ...]');
  return r;
}

function lossInfer(ctx: InferCtx) {
  const loss = tt(ctx.dtype(0), reduction(ctx) === 'none' ? ctx.shape(1) : []);
  return ctx.numOutputs > 1 ? [loss, ctx.type(0)] : [loss];
}

/**
 * out = -logp[n, target[n, d], d] * weight[target], over logp seen as [N, C, D]. Targets equal
 * to ignore_index contribute 0 (and no weight); mean divides by the total weight.
 */
function emitNll(ctx: LowerCtx, logp: TensorRef, shape: number[], target: TensorRef, weight: TensorRef | null, out: TensorRef): void {
  const [N, C] = shape, D = numel(shape.slice(2)), mode = ctx.str('reduction'), t = logp.t;
  const ii = ctx.hasAttr('ignore_index') ? ctx.int('ignore_index') : null;
  if (!numel(out.shape)) return;
  const total = mode === 'none' ? null : ctx.local(lit(0, t), 'loss');
  const weights = mode === 'mean' ? ctx.local(lit(0, t), 'weight') : null;
  forN(ctx, N, (n) => forN(ctx, D, (d) => {
    const at = add(mul(n, D), d);
    const cls = ctx.local(ctx.load(target, at), 'cls');
    // clamped so that a bad (or ignored) class never reads out of bounds
    const c = ctx.local(min(max(cast(cls, 'idx'), 0), C - 1), 'c');
    const keep = ii === null ? null : cmp('ne', cls, as(ii, cls.t));
    let w: Expr | null = weight ? ctx.load(weight, c) : null;
    if (keep) w = ctx.local(select(keep, w ?? lit(1, t), lit(0, t)), 'w');
    const nll = un('neg', ctx.load(logp, add(mul(add(mul(n, C), c), D), d)));
    const loss = w ? mul(nll, w) : nll;
    if (!total) return ctx.store(out, at, cast(loss, out.t));
    ctx.assign(total, add(total, loss));
    if (weights) ctx.assign(weights, add(weights, w ?? lit(1, t)));
  }));
  if (total) ctx.store(out, ix(0), cast(weights ? div(total, weights) : total, out.t));
}

const stats: DType[] = ['float32', 'float64'];

export const lossOps: OpDef[] = [
  {
    op: 'NegativeLogLikelihoodLoss',
    attrs: { reduction: str('mean'), ignore_index: int() },
    infer: lossInfer,
    lower: (ctx) => emitNll(ctx, ctx.in(0), ctx.in(0).shape, ctx.in(1), ctx.has(2) ? ctx.in(2) : null, ctx.out(0)),
  },
  {
    op: 'SoftmaxCrossEntropyLoss',
    attrs: { reduction: str('mean'), ignore_index: int() },
    infer: lossInfer,
    lower: (ctx) => {
      const x = ctx.in(0), [N, C] = x.shape, D = numel(x.shape.slice(2));
      const logp = ctx.hasOut(1) ? ctx.out(1) : ctx.temp(stats[x.t === 'f64' ? 1 : 0], x.shape, 'logp');
      emitSoftmax(ctx, x, logp, { pre: N, n: C, post: D }, true);
      emitNll(ctx, logp, x.shape, ctx.in(1), ctx.has(2) ? ctx.in(2) : null, ctx.out(0));
    },
  },
];
