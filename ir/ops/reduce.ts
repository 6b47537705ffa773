// Reductions as table rows (ReduceSum … ReduceLogSumExp) and ArgMax/ArgMin. The softmax
// family, CumSum and TopK are in softmax.ts; the loop builders in reduction.ts.
import { Scalar, scalarIsFloat } from '../dtype.js';
import { InferCtx, LowerCtx } from '../ctx.js';
import { Dim } from '../graph.js';
import { add, cast, cmp, div, ix, lit, max, min, mul, select, sub, un } from '../kbuild.js';
import { Expr, UnOp } from '../kernel.js';
import { OpDef, int, ints } from '../opdef.js';
import { numel } from '../tensor.js';
import { Reduction, alongAxis, axisViewOf, emitReduce, extreme } from './reduction.js';
import { tt } from './common.js';

/** Reduced axes (normalized, sorted); [] with noop_with_empty_axes means no reduction. */
function reduceAxes(ctx: InferCtx, axesInputSince: number): number[] {
  const rank = ctx.rank(0);
  const fromInput = ctx.opset >= axesInputSince;
  const given = fromInput ? (ctx.has(1) ? ctx.constNums(1, 'axes') : []) : ctx.hasAttr('axes') ? ctx.ints('axes') : [];
  if (!given.length) return fromInput && ctx.int('noop_with_empty_axes') ? [] : [...Array(rank).keys()];
  const axes = new Set(given.map((a) => ctx.axis(a, rank, 'axes entry')));
  if (axes.size !== given.length) throw ctx.error(`axes [${given.join(', ')}] has repeated entries`);
  return [...axes].sort((a, b) => a - b);
}

function reducedShape(shape: Dim[], axes: number[], keepdims: boolean): Dim[] {
  return keepdims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** Applies a float function to a value of any type (integers go through double). */
function viaFloat(x: Expr, f: (v: Expr) => Expr): Expr {
  return scalarIsFloat(x.t) ? f(x) : cast(f(cast(x, 'f64')), x.t);
}
const fun = (op: UnOp) => (x: Expr) => viaFloat(x, (v) => un(op, v));
const absOf = (x: Expr) => (x.t[0] === 'u' || x.t === 'bool' ? x : un('abs', x));
const sum = (a: Expr, b: Expr) => add(a, b);

/** count: the reduced elements (run-time where a reduced dim is: ir/rtdims.ts). */
type ReduceRow = (t: Scalar, count: number | Expr) => Omit<Reduction, 'acc'>;

/** [op, reduction for input scalar type t over `count` elements]. ReduceLogSumExp is below. */
const reduceRows: [string, ReduceRow][] = [
  ['ReduceSum', (t) => ({ init: lit(0, t), combine: sum })],
  ['ReduceSumSquare', (t) => ({ init: lit(0, t), map: (x) => mul(x, x), combine: sum })],
  ['ReduceL1', (t) => ({ init: lit(0, t), map: absOf, combine: sum })],
  ['ReduceL2', (t) => ({ init: lit(0, t), map: (x) => mul(x, x), combine: sum, finish: fun('sqrt') })],
  ['ReduceLogSum', (t) => ({ init: lit(0, t), combine: sum, finish: fun('log') })],
  ['ReduceMean', (t, n) => ({
    init: lit(0, t), combine: sum,
    finish: (acc) => (n === 0 && !scalarIsFloat(t) ? lit(0, t) : div(acc, typeof n === 'number' ? n : cast(n, t))),
  })],
  ['ReduceProd', (t) => ({ init: lit(1, t), combine: mul })],
  ['ReduceMax', (t) => ({ init: extreme(t, false), combine: max })],
  ['ReduceMin', (t) => ({ init: extreme(t, true), combine: min })],
];

/**
 * ReduceLogSumExp, stable: m = max(x) per output, then log(sum(exp(x - m))) + m. An infinite
 * max shifts by 0 instead, so all -inf gives -inf and any +inf gives +inf.
 */
function logSumExp(ctx: LowerCtx, axes: number[]): void {
  const x = ctx.in(0), out = ctx.out(0);
  const t: Scalar = scalarIsFloat(x.t) ? x.t : 'f64';
  const m = ctx.temp(t === 'f64' ? 'float64' : 'float32', out.shape, 'shift');
  emitReduce(ctx, x, axes, m, {
    acc: t, init: extreme(t, false), map: (v) => cast(v, t), combine: max,
    finish: (acc) => select(un('isinf', acc), lit(0, t), acc),
  });
  emitReduce(ctx, x, axes, out, {
    acc: t, init: lit(0, t),
    map: (v, o) => un('exp', sub(cast(v, t), ctx.load(m, o))),
    combine: sum,
    finish: (acc, o) => cast(add(un('log', acc), ctx.load(m, o)), out.t),
  });
}

function reduceDef(op: string, row?: ReduceRow): OpDef {
  const since = op === 'ReduceSum' ? 13 : 18;
  return {
    op,
    attrs: { axes: ints([]), keepdims: int(1), noop_with_empty_axes: int(0) },
    constInputs: [1], runtimeDims: true,
    infer: (ctx) => [tt(ctx.dtype(0), reducedShape(ctx.shape(0), reduceAxes(ctx, since), !!ctx.int('keepdims')))],
    lower: (ctx) => {
      const axes = reduceAxes(ctx, since), x = ctx.in(0);
      if (!row) return logSumExp(ctx, axes);
      const count = x.rt ? axes.reduce((p: Expr, d) => mul(p, ctx.dim(x, d)), ix(1)) : numel(x.shape.filter((_, d) => axes.includes(d)));
      emitReduce(ctx, x, axes, ctx.out(0), { acc: x.t, ...row(x.t, count) });
    },
  };
}

/** ArgMax / ArgMin: index of the first (or with select_last_index, last) extreme along axis. */
function argDef(op: string, better: 'gt' | 'lt'): OpDef {
  return {
    op,
    attrs: { axis: int(0), keepdims: int(1), select_last_index: int(0) }, runtimeDims: true,
    infer: (ctx) => {
      const axis = ctx.axis(ctx.int('axis'), ctx.rank(0));
      return [tt('int64', reducedShape(ctx.shape(0), [axis], !!ctx.int('keepdims')))];
    },
    lower: (ctx) => {
      const x = ctx.in(0), out = ctx.out(0);
      const view = axisViewOf(ctx, x, ctx.axis(ctx.int('axis'), x.shape.length));
      if (view.n === 0 && numel(out.shape)) throw ctx.error(`cannot take ${op} over an empty axis`);
      const op2 = ctx.int('select_last_index') ? (better === 'gt' ? 'ge' : 'le') : better;
      alongAxis(ctx, view, (row) => {
        const best = row.var(x.t, () => ctx.load(x, row.at(0)), 'best');
        const arg = row.var('i64', () => 0, 'arg');
        row.pass((k) => {
          const v = ctx.local(ctx.load(x, row.at(k)), 'v');
          const c = ctx.local(cmp(op2, v, row.get(best)), 'c');
          row.set(best, select(c, v, row.get(best)));
          row.set(arg, select(c, cast(k, 'i64'), row.get(arg)));
        }, 1);
        row.each(() => ctx.store(out, row.stat, row.get(arg)));
      });
    },
  };
}

export const reduceOps: OpDef[] = [
  ...reduceRows.map(([op, row]) => reduceDef(op, row)),
  reduceDef('ReduceLogSumExp'),
  argDef('ArgMax', 'gt'),
  argDef('ArgMin', 'lt'),
];
