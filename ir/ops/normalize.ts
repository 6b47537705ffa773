// Normalizations: LayerNormalization, RMSNormalization, GroupNormalization,
// InstanceNormalization, BatchNormalization, MeanVarianceNormalization, LpNormalization, LRN.
// Statistics accumulate in the compute type (float32 for float32/16, double for double).
import { InferCtx, LowerCtx, TensorRef } from '../ctx.js';
import { add, bin, cast, cmp, div, ix, linearIndex, lit, max, min, mod, mul, select, stridesOf, sub, un } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, float, int, ints } from '../opdef.js';
import { numel } from '../tensor.js';
import { dimLabel } from '../rtdims.js';
import { Row, alongAxis, axisView, axisViewOf, emitReduce, forN } from './reduction.js';
import { broadcastStrides, emitElementwise, tt } from './common.js';

const rsqrt = (v: Expr) => div(1, un('sqrt', v));

/** d * d, with d computed once (a local unless it is a plain load). */
function square(ctx: LowerCtx, d: Expr): Expr {
  const v = d.k === 'load' ? d : ctx.local(d, 'd');
  return mul(v, v);
}

/**
 * Mean (when centered) and 1/sqrt(mean((x - mean)^2) + eps) of one row of n elements
 * (post = 1): two passes, for accuracy.
 */
function rowStats(ctx: LowerCtx, row: Row, x: TensorRef, eps: number, center: boolean): { mean: Expr; inv: Expr } {
  const n = row.view.n, t = x.t;
  let mean: Expr = lit(0, t);
  if (center) {
    mean = ctx.local(lit(0, t), 'mean');
    row.pass((k) => ctx.assign(mean, add(mean, ctx.load(x, row.at(k)))));
    ctx.assign(mean, div(mean, n));
  }
  const inv = ctx.local(lit(0, t), 'inv');
  row.pass((k) => ctx.assign(inv, add(inv, square(ctx, center ? sub(ctx.load(x, row.at(k)), mean) : ctx.load(x, row.at(k))))));
  ctx.assign(inv, rsqrt(add(div(inv, n), eps)));
  return { mean, inv };
}

/** A parameter (scale, bias) without leading 1s, checked to broadcast to the normalized shape. */
function param(ctx: InferCtx, r: TensorRef, norm: number[], what: string): TensorRef {
  let k = 0;
  while (k < r.shape.length - norm.length && r.shape[k] === 1) k++;
  const shape = r.shape.slice(k), off = norm.length - shape.length;
  if (off < 0 || shape.some((d, i) => d !== 1 && d !== norm[i + off]))
    throw ctx.error(`${what} of shape [${r.shape.join(',')}] does not broadcast to the normalized shape [${norm.join(',')}]`);
  return { ...r, shape, strides: stridesOf(shape) };
}

/** The output pass of a row: fn(k, parameter values at k), flat when parameters allow it. */
function paramPass(ctx: LowerCtx, row: Row, norm: number[], params: TensorRef[], fn: (k: Expr, vals: Expr[]) => void): void {
  const n = numel(norm);
  if (params.every((p) => [1, n].includes(numel(p.shape)))) {
    row.pass((k) => fn(k, params.map((p) => ctx.load(p, numel(p.shape) === 1 ? ix(0) : k))));
    return;
  }
  const strides = params.map((p) => broadcastStrides(p, norm));
  ctx.nest(norm, (idx) => fn(linearIndex(idx, stridesOf(norm)), params.map((p, i) => ctx.load(p, linearIndex(idx, strides[i])))));
}

/** LayerNormalization (center) and RMSNormalization over the dims from `axis` on. */
function layerNormDef(op: string, center: boolean): OpDef {
  return {
    op, runtimeDims: true,
    attrs: { axis: int(-1), epsilon: float(1e-5), stash_type: int(1) },
    infer: (ctx) => {
      const axis = ctx.axis(ctx.int('axis'), ctx.rank(0)), x = ctx.type(0);
      const stat = tt(ctx.int('stash_type') === 1 ? 'float32' : x.dtype, x.shape.map((d, i) => (i < axis ? d : 1)));
      return center ? [x, stat, stat] : [x];
    },
    lower: (ctx) => {
      const x = ctx.in(0), out = ctx.out(0), axis = ctx.axis(ctx.int('axis'), x.shape.length);
      const norm = x.shape.slice(axis);
      // run-time dims (ir/rtdims.ts) only among the rows: the statistics divide by the normalized size
      const rt = x.rt?.slots.findIndex((b, d) => b && d >= axis) ?? -1;
      if (rt >= 0) throw ctx.error(`dimension ${rt} of its input is known only at run time ('${dimLabel(x.rt!.names[rt])}'); ${op} normalizes over dims known at compile time`);
      const params = [1, 2].filter((i) => i < (center ? 3 : 2) && ctx.has(i)).map((i) => param(ctx, ctx.in(i), norm, i === 1 ? 'scale' : 'bias'));
      alongAxis(ctx, axisViewOf(ctx, x, axis, true), (row) => {
        const { mean, inv } = rowStats(ctx, row, x, ctx.float('epsilon'), center);
        [mean, inv].forEach((v, i) => {
          if (ctx.hasOut(i + 1)) ctx.store(ctx.out(i + 1), row.p, cast(v, ctx.out(i + 1).t));
        });
        paramPass(ctx, row, norm, params, (k, [scale, bias]) => {
          const y = mul(mul(center ? sub(ctx.load(x, row.at(k)), mean) : ctx.load(x, row.at(k)), inv), scale);
          ctx.store(out, row.at(k), bias ? add(y, bias) : y);
        });
      });
    },
  };
}

/** [N, C, spatial...] helpers: channel count and spatial size. */
const nchw = (shape: number[]) => ({ N: shape[0], C: shape[1] ?? 1, S: numel(shape.slice(2)) });

/**
 * GroupNormalization: statistics per (instance, group of C/G channels); scale and bias per
 * channel (per group before opset 21). InstanceNormalization is the case G = C.
 */
function groupNorm(ctx: LowerCtx, G: number, perGroupParams: boolean): void {
  const x = ctx.in(0), out = ctx.out(0), scale = ctx.in(1), bias = ctx.in(2);
  const { N, C, S } = nchw(x.shape);
  if (C % G) throw ctx.error(`num_groups ${G} does not divide the ${C} channels`);
  const want = perGroupParams ? G : C;
  if (numel(scale.shape) !== want || numel(bias.shape) !== want)
    throw ctx.error(`scale and bias must have ${want} elements`);
  const CG = C / G;
  alongAxis(ctx, { pre: N * G, n: CG * S, post: 1 }, (row) => {
    const { mean, inv } = rowStats(ctx, row, x, ctx.float('epsilon'), true);
    const g = G === 1 ? ix(0) : N === 1 ? row.p : ctx.local(mod(row.p, G), 'g');
    forN(ctx, CG, (c) => {
      const ch = perGroupParams ? g : add(mul(g, CG), c);
      const a = ctx.local(mul(ctx.load(scale, ch), inv), 'a');
      const b = ctx.local(ctx.load(bias, ch), 'b');
      forN(ctx, S, (s) => {
        const i = row.at(add(mul(c, S), s));
        ctx.store(out, i, add(mul(sub(ctx.load(x, i), mean), a), b));
      });
    });
  });
}

/** BatchNormalization: inference with the given statistics, or training (batch statistics). */
function batchNorm(ctx: LowerCtx): void {
  const x = ctx.in(0), out = ctx.out(0), [scale, bias, meanIn, varIn] = [1, 2, 3, 4].map((i) => ctx.in(i));
  const { N, C, S } = nchw(x.shape), eps = ctx.float('epsilon');
  const training = ctx.opset >= 14 ? !!ctx.int('training_mode') : [1, 2, 3, 4].some((i) => ctx.hasOut(i));
  if (ctx.opset < 9 && !ctx.int('spatial')) throw ctx.error('spatial = 0 (per-activation statistics) is not supported');
  const at = (n: Expr, c: Expr, s: Expr) => add(mul(add(mul(n, C), c), S), s);
  const normalize = (n: Expr, c: Expr, mean: Expr, a: Expr) => forN(ctx, S, (s) => {
    ctx.store(out, at(n, c, s), add(mul(sub(ctx.load(x, at(n, c, s)), mean), a), ctx.load(bias, c)));
  });
  if (!training) {
    forN(ctx, N, (n) => forN(ctx, C, (c) => {
      const a = ctx.local(mul(ctx.load(scale, c), rsqrt(add(ctx.load(varIn, c), eps))), 'a');
      normalize(n, c, ctx.load(meanIn, c), a);
    }));
    return;
  }
  const m = ctx.float('momentum'), count = N * S;
  forN(ctx, C, (c) => {
    const sumOver = (f: (v: Expr) => Expr, init: Expr, name: string) => {
      const acc = ctx.local(init, name);
      forN(ctx, N, (n) => forN(ctx, S, (s) => ctx.assign(acc, add(acc, f(ctx.load(x, at(n, c, s)))))));
      ctx.assign(acc, div(acc, count));
      return acc;
    };
    const mean = sumOver((v) => v, lit(0, x.t), 'mean');
    const vr = sumOver((v) => square(ctx, sub(v, mean)), lit(0, x.t), 'var');
    const a = ctx.local(mul(ctx.load(scale, c), rsqrt(add(vr, eps))), 'a');
    forN(ctx, N, (n) => normalize(n, c, mean, a));
    const running = (stat: TensorRef, batch: Expr) => add(mul(ctx.load(stat, c), m), mul(batch, 1 - m));
    // opset 14+: running mean, running var; before: also the saved batch mean and variance
    const outs = [running(meanIn, mean), running(varIn, vr), mean, vr];
    outs.forEach((v, i) => {
      if (ctx.hasOut(i + 1)) ctx.store(ctx.out(i + 1), c, v);
    });
  });
}

/** MeanVarianceNormalization: (x - mean) / (sqrt(var) + 1e-9) over `axes`. */
function mvn(ctx: LowerCtx): void {
  const x = ctx.in(0), rank = x.shape.length;
  const axes = [...new Set(ctx.ints('axes').map((a) => ctx.axis(a, rank, 'axes entry')))];
  const stat = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const count = numel(axes.map((a) => x.shape[a]));
  const dt = x.t === 'f64' ? 'float64' : 'float32';
  const mean = ctx.temp(dt, stat, 'mean'), std = ctx.temp(dt, stat, 'std');
  emitReduce(ctx, x, axes, mean, { acc: x.t, init: lit(0, x.t), combine: add, finish: (acc) => div(acc, count) });
  emitReduce(ctx, x, axes, std, {
    acc: x.t, init: lit(0, x.t), combine: add,
    map: (v, o) => square(ctx, sub(v, ctx.load(mean, o))),
    finish: (acc) => add(un('sqrt', div(acc, count)), 1e-9),
  });
  emitElementwise(ctx, [x, mean, std], ctx.out(0), ([v, mu, sd]) => div(sub(v, mu), sd));
}

/** LpNormalization (p = 1 or 2) along one axis; an all-zero row stays zero. */
function lpNorm(ctx: LowerCtx): void {
  const x = ctx.in(0), out = ctx.out(0), p = ctx.int('p');
  if (p !== 1 && p !== 2) throw ctx.error(`p = ${p} is not supported (only 1 and 2)`);
  alongAxis(ctx, axisView(x.shape, ctx.axis(ctx.int('axis'), x.shape.length)), (row) => {
    const norm = row.var(x.t, () => lit(0, x.t), 'norm');
    row.pass((k) => {
      const v = ctx.load(x, row.at(k));
      row.set(norm, add(row.get(norm), p === 1 ? un('abs', v) : mul(v, v)));
    });
    if (p === 2) row.each(() => row.set(norm, un('sqrt', row.get(norm))));
    row.pass((k) => {
      const n = row.get(norm);
      ctx.store(out, row.at(k), select(cmp('eq', n, 0), lit(0, x.t), div(ctx.load(x, row.at(k)), n)));
    });
  });
}

/** LRN: x / (bias + alpha/size * sum of squares over a window of channels)^beta. */
function lrn(ctx: LowerCtx): void {
  const x = ctx.in(0), out = ctx.out(0), size = ctx.int('size');
  const { N, C, S } = nchw(x.shape);
  const before = Math.floor((size - 1) / 2), after = Math.ceil((size - 1) / 2);
  const k = ctx.float('bias'), a = ctx.float('alpha') / size, beta = ctx.float('beta');
  if (!numel(x.shape)) return;
  const sq = ctx.temp(x.t === 'f64' ? 'float64' : 'float32', [S], 'sumsq');
  const at = (n: Expr, c: Expr, s: Expr) => add(mul(add(mul(n, C), c), S), s);
  forN(ctx, N, (n) => forN(ctx, C, (c) => {
    forN(ctx, S, (s) => ctx.store(sq, s, lit(0, x.t)));
    ctx.loop(min(add(c, after + 1), C), (i) => forN(ctx, S, (s) => {
      const v = ctx.load(x, at(n, i, s));
      ctx.store(sq, s, add(ctx.load(sq, s), mul(v, v)));
    }), { lo: max(sub(c, before), 0), name: 'ch' });
    forN(ctx, S, (s) => {
      const base = add(mul(ctx.load(sq, s), a), k);
      ctx.store(out, at(n, c, s), div(ctx.load(x, at(n, c, s)), bin('pow', base, lit(beta, x.t))));
    });
  }));
}

const same = (ctx: InferCtx) => [ctx.type(0)];

export const normalizeOps: OpDef[] = [
  layerNormDef('LayerNormalization', true),
  layerNormDef('RMSNormalization', false),
  {
    op: 'GroupNormalization',
    attrs: { epsilon: float(1e-5), num_groups: int(), stash_type: int(1) },
    infer: same,
    lower: (ctx) => groupNorm(ctx, ctx.int('num_groups'), ctx.opset < 21),
  },
  {
    op: 'InstanceNormalization',
    attrs: { epsilon: float(1e-5) },
    infer: same,
    lower: (ctx) => groupNorm(ctx, nchw(ctx.in(0).shape).C, false),
  },
  {
    op: 'BatchNormalization',
    attrs: { epsilon: float(1e-5), momentum: float(0.9), training_mode: int(0), spatial: int(1) },
    infer: (ctx) => [ctx.type(0), ...Array.from({ length: ctx.numOutputs - 1 }, () => ctx.type(3))],
    lower: batchNorm,
  },
  { op: 'MeanVarianceNormalization', attrs: { axes: ints([0, 2, 3]) }, infer: same, lower: mvn },
  { op: 'LpNormalization', attrs: { axis: int(-1), p: int(2) }, infer: same, lower: lpNorm },
  { op: 'LRN', attrs: { size: int(), alpha: float(1e-4), beta: float(0.75), bias: float(1) }, infer: same, lower: lrn },
];
