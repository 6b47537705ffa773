// Ops whose output extent is a count of the data: NonZero and Unique. Their outputs get a
// run-time dim (ir/rtdims.ts) bounded by the input size; the kernel counts first, stores the
// count (LowerCtx.setDim), then writes the outputs dense in their actual shape. With the input
// known at compile time, inference counts and the node folds to a constant as any other.
import { InferCtx, LowerCtx, TensorRef } from '../ctx.js';
import { Dim } from '../graph.js';
import { E, add, cast, cmp, ix, mul } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, int } from '../opdef.js';
import { boundShape, rtDim } from '../rtdims.js';
import { TensorData, numel, toNumbers } from '../tensor.js';
import { tt } from './common.js';

/** The bound shape of input i, or an error naming the symbolic dim. */
function bounds(ctx: InferCtx, i: number): number[] {
  const s = boundShape(ctx.shape(i));
  if (!s) throw ctx.error(`input ${i} has a symbolic dimension (shape [${ctx.shape(i).join(', ')}]); bind it with --dim`);
  return s;
}

/** The run-time dim counting what output 0 of this node holds. */
const countDim = (ctx: InferCtx, what: string, bound: number): Dim =>
  rtDim(`${ctx.node.outputs[0]?.name ?? ctx.node.name}.${what}`, bound);

// ---- NonZero ---------------------------------------------------------------------------------

const nonZeroDef: OpDef = {
  op: 'NonZero', runtimeDims: true,
  infer: (ctx) => {
    const c = ctx.constOf(0), r = ctx.rank(0);
    if (c) return [tt('int64', [r, toNumbers(c).filter((x) => x !== 0).length])];
    return [tt('int64', [r, countDim(ctx, 'n', numel(bounds(ctx, 0)))])];
  },
  lower: (ctx) => {
    const x = ctx.in(0), y = ctx.out(0), ext = ctx.extents(x);
    const each = (fn: (idx: Expr[]) => void) => ctx.nest(ext, (idx) => ctx.if(cmp('ne', ctx.load(x, idx), 0), () => fn(idx)));
    const n = ctx.local(ix(0), 'n');
    each(() => ctx.assign(n, add(n, 1)));
    ctx.setDim(y, 1, n);
    // y is [rank, n], row-major over the actual n
    const k = ctx.local(ix(0), 'k');
    each((idx) => {
      idx.forEach((i, d) => ctx.store(y, add(mul(d, n), k), cast(i, 'i64')));
      ctx.assign(k, add(k, 1));
    });
  },
};

// ---- Unique ----------------------------------------------------------------------------------

/** Slices of x along `axis` (or its elements without one): pre × items × post. */
interface Items { pre: Expr; n: Expr; post: Expr; preB: number; nB: number; postB: number }

function itemsOf(ctx: LowerCtx, x: TensorRef, axis: number | undefined): Items {
  if (axis === undefined) return { pre: ix(1), n: ctx.count(x), post: ix(1), preB: 1, nB: numel(x.shape), postB: 1 };
  const prod = (a: number, b: number) => x.shape.slice(a, b).reduce((p: Expr, _, k) => mul(p, ctx.dim(x, a + k)), ix(1));
  return { pre: prod(0, axis), n: ctx.dim(x, axis), post: prod(axis + 1, x.shape.length),
    preB: numel(x.shape.slice(0, axis)), nB: x.shape[axis], postB: numel(x.shape.slice(axis + 1)) };
}

/** A loop from 0 to hi (at most bound times). */
const upTo = (ctx: LowerCtx, hi: Expr, bound: number, fn: (i: Expr) => void) => ctx.loop(hi, fn, { bound });

function lowerUnique(ctx: LowerCtx): void {
  const x = ctx.in(0), axis = ctx.hasAttr('axis') ? ctx.axis(ctx.int('axis'), x.shape.length) : undefined;
  const it = itemsOf(ctx, x, axis);
  const at = (i: Expr, p: Expr, q: Expr) => ctx.load(x, add(mul(add(mul(p, it.n), i), it.post), q));
  // over the elements of one item, in row-major order of the slice
  const elems = (fn: (p: Expr, q: Expr) => void) => upTo(ctx, it.pre, it.preB, (p) => upTo(ctx, it.post, it.postB, (q) => fn(p, q)));
  /** A local holding -1, 0 or 1 as item a sorts before, with or after item b. */
  const order = (a: Expr, b: Expr, lexical: boolean): Expr => {
    const r = ctx.local(ix(0), 'ord');
    elems((p, q) => ctx.if(cmp('eq', r, 0), () => {
      const va = at(a, p, q), vb = at(b, p, q);
      if (!lexical) ctx.if(cmp('ne', va, vb), () => ctx.assign(r, 1));
      else ctx.if(cmp('lt', va, vb), () => ctx.assign(r, -1), () => ctx.if(cmp('gt', va, vb), () => ctx.assign(r, 1)));
    }));
    return r;
  };
  const first = ctx.temp('int64', [it.nB], 'first'), rank = ctx.temp('int64', [it.nB], 'rank');
  const ld = (t: TensorRef, i: E) => cast(ctx.load(t, as1(i)), 'idx');
  const st = (t: TensorRef, i: E, v: E) => ctx.store(t, as1(i), cast(typeof v === 'number' ? ix(v) : v, 'i64'));
  // first[i]: the first item equal to item i; rank[i] of a first item: its place in order of appearance
  const u = ctx.local(ix(0), 'u');
  upTo(ctx, it.n, it.nB, (i) => {
    const f = ctx.local(i, 'f');
    upTo(ctx, i, it.nB, (j) => ctx.if(cmp('eq', f, i), () => ctx.if(cmp('eq', order(j, i, false), 0), () => ctx.assign(f, j))));
    st(first, i, f);
    ctx.if(cmp('eq', f, i), () => { st(rank, i, u); ctx.assign(u, add(u, 1)); });
  });
  const y = ctx.out(0), yAxis = axis ?? 0;
  for (let o = 0; o < 4; o++) if (o !== 2 && ctx.hasOut(o)) ctx.setDim(ctx.out(o), o === 0 ? yAxis : 0, u);
  // sorted: a first item's rank is the number of first items before it in lexical order
  if (ctx.int('sorted')) upTo(ctx, it.n, it.nB, (i) => ctx.if(cmp('eq', ld(first, i), i), () => {
    const r = ctx.local(ix(0), 'r');
    upTo(ctx, it.n, it.nB, (j) => ctx.if(cmp('eq', ld(first, j), j), () =>
      ctx.if(cmp('lt', order(j, i, true), 0), () => ctx.assign(r, add(r, 1)))));
    st(rank, i, r);
  }));
  const counts = ctx.hasOut(3) ? ctx.out(3) : undefined;
  if (counts) upTo(ctx, u, it.nB, (k) => st(counts, k, 0));
  upTo(ctx, it.n, it.nB, (i) => {
    const k = ctx.local(ld(rank, ld(first, i)), 'k');
    if (ctx.hasOut(2)) st(ctx.out(2), i, k);
    if (counts) st(counts, k, add(ld(counts, k), 1));
    ctx.if(cmp('eq', ld(first, i), i), () => {
      if (ctx.hasOut(1)) st(ctx.out(1), k, i);
      elems((p, q) => ctx.store(y, add(mul(add(mul(p, u), k), it.post), q), at(i, p, q)));
    });
  });
}

const as1 = (i: E): Expr => (typeof i === 'number' ? ix(i) : i);

/** Distinct items of a constant (elements, or slices along axis), for folding. */
function uniqueCount(t: TensorData, axis: number | undefined): number {
  const v = toNumbers(t);
  if (axis === undefined) return new Set(v.map(String)).size;
  const s = t.shape, pre = numel(s.slice(0, axis)), post = numel(s.slice(axis + 1)), n = s[axis];
  const keys = new Set<string>();
  for (let i = 0; i < n; i++) {
    const item: number[] = [];
    for (let p = 0; p < pre; p++) for (let q = 0; q < post; q++) item.push(v[(p * n + i) * post + q]);
    keys.add(item.join(','));
  }
  return keys.size;
}

const uniqueDef: OpDef = {
  op: 'Unique', attrs: { axis: int(), sorted: int(1) }, runtimeDims: true,
  infer: (ctx) => {
    const s = ctx.shape(0), b = bounds(ctx, 0);
    const axis = ctx.hasAttr('axis') ? ctx.axis(ctx.int('axis'), s.length) : undefined;
    const items = axis === undefined ? numel(b) : b[axis];
    const c = ctx.constOf(0);
    const u: Dim = c ? uniqueCount(c, axis) : countDim(ctx, 'u', items);
    const y = axis === undefined ? [u] : s.map((d, k) => (k === axis ? u : d));
    const n: Dim = axis === undefined ? (s.length === 1 ? s[0] : numel(b)) : s[axis];
    if (axis === undefined && s.some((d) => typeof d !== 'number') && s.length !== 1)
      throw ctx.error('without axis, the input must have a static shape or rank 1');
    return [tt(ctx.dtype(0), y), tt('int64', [u]), tt('int64', [n]), tt('int64', [u])];
  },
  lower: lowerUnique,
};

export const countedOps: OpDef[] = [nonZeroDef, uniqueDef];
