// Loop-nest builders shared by reductions, the softmax family, normalizations and losses:
// emitReduce (any set of axes, register or vector accumulators chosen so the innermost loop
// is contiguous) and alongAxis (per-row code for ops along one axis: softmax, cumsum, topk…).
import { DType, Scalar, isConverted } from '../dtype.js';
import { Extent, LowerCtx, TensorRef } from '../ctx.js';
import { E, add, as, ix, lit, mul } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { numel } from '../tensor.js';
import { dimLabel } from '../rtdims.js';

const SCALAR_DTYPE: Record<Scalar, DType> = {
  f32: 'float32', f64: 'float64', i8: 'int8', i16: 'int16', i32: 'int32', i64: 'int64',
  u8: 'uint8', u16: 'uint16', u32: 'uint32', u64: 'uint64', bool: 'bool', idx: 'int64',
};

/** Storage type of a scratch buffer holding scalars of type t. */
export const scalarDType = (t: Scalar): DType => SCALAR_DTYPE[t];

/** The largest (hi) or lowest value of a scalar type: the identity of min (max). */
export function extreme(t: Scalar, hi: boolean): Expr {
  if (t === 'f32' || t === 'f64') return lit(hi ? Infinity : -Infinity, t);
  if (t === 'bool') return lit(hi ? 1 : 0, t);
  const bits = BigInt(t === 'idx' ? 64 : Number(t.slice(1)));
  if (t[0] === 'u') return lit(hi ? (1n << bits) - 1n : 0n, t);
  return lit(hi ? (1n << (bits - 1n)) - 1n : -(1n << (bits - 1n)), t);
}

/** for (i = 0; i < n; i++) fn(i), or fn(0) alone when n is 1. */
export function forN(ctx: LowerCtx, n: number, fn: (i: Expr) => void): void {
  if (n === 1) fn(ix(0));
  else if (n > 1) ctx.loop(n, fn);
}

/** A reduction: acc = combine(acc, map(x)) from init, then out = finish(acc). */
export interface Reduction {
  /** Accumulator type. */
  acc: Scalar;
  init: Expr;
  /** Element transform; o is the flat output index (to read per-output statistics). */
  map?: (x: Expr, o: Expr) => Expr;
  combine: (acc: Expr, v: Expr) => Expr;
  /** Final transform; o as for map. */
  finish?: (acc: Expr, o: Expr) => Expr;
}

/**
 * Reduces x over `axes` into out, whose elements are x's kept positions in row-major order
 * (any shape: keepdims or not). When the last axis is reduced, each output element gets a
 * register accumulator; otherwise a row of accumulators is updated by a contiguous inner loop.
 */
export function emitReduce(ctx: LowerCtx, x: TensorRef, axes: number[], out: TensorRef, r: Reduction): void {
  if (x.rt) return emitReduceRt(ctx, x, axes, out, r);
  const red = new Set(axes);
  const total = numel(out.shape);
  if (total === 0) return;
  const count = numel(x.shape.filter((_, d) => red.has(d)));
  const map = (v: Expr, o: Expr) => as(r.map ? r.map(v, o) : v, r.acc);
  const finish = (acc: Expr, o: Expr) => (r.finish ? r.finish(acc, o) : acc);
  if (count <= 1) {
    // nothing to combine: every output element comes from at most one input element
    forN(ctx, total, (o) => ctx.store(out, o, finish(count ? r.combine(r.init, map(ctx.load(x, o), o)) : r.init, o)));
    return;
  }
  // merge adjacent dims of the same kind (extents of 1 do not matter)
  const groups: { n: number; red: boolean; is: number; os: number }[] = [];
  x.shape.forEach((n, d) => {
    if (n === 1) return;
    const last = groups[groups.length - 1];
    if (last && last.red === red.has(d)) last.n *= n;
    else groups.push({ n, red: red.has(d), is: 0, os: 0 });
  });
  let is = 1, os = 1;
  for (let g = groups.length - 1; g >= 0; g--) {
    groups[g].is = is;
    is *= groups[g].n;
    if (!groups[g].red) {
      groups[g].os = os;
      os *= groups[g].n;
    }
  }
  const nest = (gs: typeof groups, fn: (i: Expr, o: Expr) => void, i: Expr = ix(0), o: Expr = ix(0)) => {
    if (!gs.length) return fn(i, o);
    ctx.loop(gs[0].n, (k) => nest(gs.slice(1), fn, add(i, mul(k, gs[0].is)), gs[0].red ? o : add(o, mul(k, gs[0].os))));
  };
  if (groups[groups.length - 1].red) {
    nest(groups.filter((g) => !g.red), (base, o) => {
      const acc = ctx.local(r.init);
      nest(groups.filter((g) => g.red), (i) => ctx.assign(acc, r.combine(acc, map(ctx.load(x, i), o))), base);
      ctx.store(out, o, finish(acc, o));
    });
    return;
  }
  // the last dims are kept: accumulate a row of `tail` outputs per leading kept index
  const lead = groups[0].red ? null : groups[0];
  const rest = lead ? groups.slice(1) : groups;
  const tail = numel(rest.filter((g) => !g.red).map((g) => g.n));
  const direct = !r.finish && out.t === r.acc && !isConverted(out.dtype);
  const accs = direct ? out : ctx.temp(scalarDType(r.acc), [tail], 'acc');
  const body = (k0: Expr) => {
    const obase = mul(k0, tail), abase = direct ? obase : ix(0);
    forN(ctx, tail, (t) => ctx.store(accs, add(abase, t), r.init));
    nest(rest, (i, o) => {
      const a = add(abase, o);
      ctx.store(accs, a, r.combine(ctx.load(accs, a), map(ctx.load(x, i), add(obase, o))));
    }, lead ? mul(k0, lead.is) : ix(0));
    if (!direct) forN(ctx, tail, (t) => ctx.store(out, add(obase, t), finish(ctx.load(accs, t), add(obase, t))));
  };
  if (lead) ctx.loop(lead.n, body);
  else body(ix(0));
}

/**
 * emitReduce over a tensor with run-time dims (ir/rtdims.ts): the reduced axes must be adjacent
 * and the dims after them static, so x is [pre, n, post] with a run-time pre and n; one register
 * accumulator per output element, summed in order along n.
 */
function emitReduceRt(ctx: LowerCtx, x: TensorRef, axes: number[], out: TensorRef, r: Reduction): void {
  const a = axes[0], b = axes[axes.length - 1], rt = x.rt!;
  const late = rt.slots.findIndex((s, d) => s && d > b);
  if (!axes.length || b - a + 1 !== axes.length || late >= 0)
    throw ctx.error(`reducing axes [${axes}] of a tensor with run-time dimension '${dimLabel(rt.names[rt.slots.findIndex(Boolean)])}': onnxc needs adjacent axes with the dims after them known at compile time`);
  const prod = (ds: Expr[]) => ds.reduce((p: Expr, d) => mul(p, d), ix(1));
  const ext = (from: number, to: number) => ({ hi: prod(rt.dims.slice(from, to)), bound: numel(x.shape.slice(from, to)) });
  const pre = ext(0, a), n = ext(a, b + 1), post = numel(x.shape.slice(b + 1));
  const map = (v: Expr, o: Expr) => as(r.map ? r.map(v, o) : v, r.acc);
  ctx.loop(pre.hi, (p) => ctx.nest([post], ([j]) => {
    const o = ctx.local(add(mul(p, post), j), 'o');
    const acc = ctx.local(r.init);
    ctx.loop(n.hi, (k) => ctx.assign(acc, r.combine(acc, map(ctx.load(x, add(mul(add(mul(p, n.hi), k), post), j)), o))), { name: 'k', bound: n.bound });
    ctx.store(out, o, r.finish ? r.finish(acc, o) : acc);
  }), { name: 'p', bound: pre.bound });
}

/** A tensor seen as [pre, n, post] around one axis. */
export interface AxisView {
  pre: number;
  n: number;
  post: number;
  /** Run-time rows and axis length (ir/rtdims.ts); pre and n are then their bounds. */
  rt?: { pre: Expr; n: Expr };
}

/**
 * The view of tensor x at `axis` (as axisView), with its run-time dims where it has some: the
 * dims before the axis and the axis itself may be run-time, those after it not (`what` names
 * the op's need in the error).
 */
export function axisViewOf(ctx: LowerCtx, x: TensorRef, axis: number, coerce2d = false): AxisView {
  const v = axisView(x.shape, axis, coerce2d);
  if (!x.rt) return v;
  const after = x.rt.slots.findIndex((s, d) => s && d > axis);
  if (after >= 0) throw ctx.error(`dimension ${after} of its input is known only at run time ('${dimLabel(x.rt.names[after])}'); ${ctx.node.op} needs the dims after axis ${axis} at compile time`);
  const prod = (ds: Expr[]) => ds.reduce((a: Expr, d) => mul(a, d), ix(1));
  return { ...v, rt: { pre: prod(x.rt.dims.slice(0, axis)), n: coerce2d ? prod(x.rt.dims.slice(axis)) : x.rt.dims[axis] } };
}

/** The loop extent along a view's axis (run-time where the view has it). */
export const axisExtent = (view: AxisView): Extent => (view.rt ? { hi: view.rt.n, bound: view.n } : view.n);

/** The [pre, n, post] view at `axis`; coerce2d folds all dims from axis on into n (Softmax < 13). */
export function axisView(shape: number[], axis: number, coerce2d = false): AxisView {
  const pre = numel(shape.slice(0, axis));
  return coerce2d ? { pre, n: numel(shape.slice(axis)), post: 1 } : { pre, n: shape[axis], post: numel(shape.slice(axis + 1)) };
}

/** A per-row value of alongAxis: a register when post is 1, else a scratch row over post. */
export type RowVar = { local: Expr } | { buf: TensorRef };

/**
 * Code for one row (one [pre, post] position) of an op along an axis. With post = 1 it is
 * scalar code per row. Otherwise the rows of one `pre` index run together: every pass and
 * every per-row statement loops over post innermost (contiguous), and row variables are
 * scratch arrays over post.
 */
export class Row {
  private j: Expr = ix(0);
  constructor(private ctx: LowerCtx, readonly view: AxisView, readonly p: Expr) {}

  /** Flat index of element k along the axis, in a [pre, len, post] tensor (len defaults to n). */
  at(k: E, len: E = this.view.rt?.n ?? this.view.n): Expr {
    return add(mul(add(mul(this.p, len), k), this.view.post), this.j);
  }
  /** Flat index of this row in a [pre, 1, post] tensor (per-row statistics, ArgMax output). */
  get stat(): Expr {
    return add(mul(this.p, this.view.post), this.j);
  }

  /** Runs fn for each row of the current pre index (a post loop when post > 1). */
  each(fn: () => void): void {
    if (this.view.post === 1) return fn();
    this.ctx.loop(this.view.post, (j) => {
      this.j = j;
      fn();
    }, { name: 'j' });
    this.j = ix(0);
  }
  /** One pass along the axis: k from lo to n - 1, rows innermost. */
  pass(fn: (k: Expr) => void, lo = 0): void {
    if (lo >= this.view.n) return;
    if (this.view.rt) return this.ctx.loop(this.view.rt.n, (k) => this.each(() => fn(k)), { lo, name: 'k', bound: this.view.n - lo });
    if (lo === this.view.n - 1) return this.each(() => fn(ix(lo)));
    this.ctx.loop(this.view.n, (k) => this.each(() => fn(k)), { lo, name: 'k' });
  }
  /** A row variable of type t initialized to init() (evaluated per row). */
  var(t: Scalar, init: () => E, prefix = 'acc'): RowVar {
    if (this.view.post === 1) return { local: this.ctx.local(as(init(), t), prefix) };
    const buf = this.ctx.temp(scalarDType(t), [this.view.post], prefix);
    this.each(() => this.ctx.store(buf, this.j, init()));
    return { buf };
  }
  get(v: RowVar): Expr {
    return 'local' in v ? v.local : this.ctx.load(v.buf, this.j);
  }
  set(v: RowVar, e: E): void {
    if ('local' in v) this.ctx.assign(v.local, e);
    else this.ctx.store(v.buf, this.j, e);
  }
}

/** Emits body once per row of the view (nothing for an empty tensor). */
export function alongAxis(ctx: LowerCtx, view: AxisView, body: (row: Row) => void): void {
  if (view.pre * view.n * view.post === 0) return;
  if (view.rt) ctx.loop(view.rt.pre, (p) => body(new Row(ctx, view, p)), { bound: view.pre });
  else forN(ctx, view.pre, (p) => body(new Row(ctx, view, p)));
}
