// Pooling: AveragePool, MaxPool (with Indices), LpPool, their Global variants (a window
// covering the whole image), and MaxUnpool. One loop nest per output position visits only the
// window taps inside the image (ranges computed per output row, no test per tap).
import { InferCtx, LowerCtx } from '../ctx.js';
import { scalarIsFloat } from '../dtype.js';
import { add, bin, cast, cmp, div, ix, lit, max, min, mod, mul, sub, un } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, int, ints } from '../opdef.js';
import { tt } from './common.js';
import { Geom, ceilDivIdx, interior, each, fill, kernelShape, needsCheck, poolAttrs, prod, spatialDims, stridesOfShape, windowGeometry } from './spatial.js';

type PoolKind = 'avg' | 'max' | 'lp';

function poolGeom(ctx: InferCtx, global: boolean): Geom {
  const inSp = spatialDims(ctx, 0);
  if (global) return { in: inSp, k: inSp, s: inSp.map(() => 1), d: inSp.map(() => 1), pb: inSp.map(() => 0), pe: inSp.map(() => 0), out: inSp.map(() => 1) };
  return windowGeometry(ctx, inSp, kernelShape(ctx), ctx.def.attrs?.ceil_mode ? ctx.int('ceil_mode') !== 0 : false);
}

/** Smallest value of a scalar type (the start of a max reduction). */
function lowest(t: Expr['t']): Expr {
  if (scalarIsFloat(t)) return lit(-Infinity, t);
  if (t[0] === 'u' || t === 'bool') return lit(0, t);
  const bits = t === 'i8' ? 8 : t === 'i16' ? 16 : t === 'i32' ? 32 : 64;
  return bits === 64 ? lit(-(2n ** 63n), t) : lit(-(2 ** (bits - 1)), t);
}

function lowerPool(ctx: LowerCtx, kind: PoolKind, global: boolean): void {
  const g = poolGeom(ctx, global), x = ctx.in(0), y = ctx.out(0), r = g.in.length;
  const NC = x.shape[0] * x.shape[1], plane = prod(g.in), oplane = prod(g.out);
  const istr = stridesOfShape(g.in), ostr = stridesOfShape(g.out);
  const p = kind === 'lp' ? ctx.int('p') : 0;
  const includePad = kind === 'avg' && !global && ctx.int('count_include_pad') !== 0;
  const withIndex = kind === 'max' && ctx.hasOut(1);
  // Indices: flat over the whole input, spatial part row-major or (storage_order 1) column-major
  const colMajor = withIndex && ctx.int('storage_order') === 1;
  const idxStr = colMajor ? g.in.map((_, i) => prod(g.in.slice(0, i))) : istr;
  /** Taps [lo, hi) (step d) of output position od along dim d, and their count for averages. */
  const range = (d: number, od: Expr): { lo: Expr; hi: Expr; count: Expr } => {
    const st = sub(mul(od, g.s[d]), g.pb[d]), span = (g.k[d] - 1) * g.d[d] + 1;
    if (!needsCheck(g, d)) return { lo: st, hi: add(st, span), count: ix(g.k[d]) };
    const first = g.d[d] === 1 ? max(st, ix(0)) : add(st, mul(max(ix(0), ceilDivIdx(sub(0, st), g.d[d])), g.d[d]));
    const lo = ctx.local(first, 'lo'), hi = ctx.local(min(add(st, span), ix(g.in[d])), 'hi');
    const end = includePad ? min(add(st, span), ix(g.in[d] + g.pe[d])) : hi;
    return { lo, hi, count: ceilDivIdx(max(sub(end, includePad ? st : lo), ix(0)), g.d[d]) };
  };
  if (r === 2 && !global && !withIndex && kind !== 'lp') return separable2d(ctx, g, kind, range);
  const rowSum = ctx.schedule.rowSum;
  if (global && kind === 'avg' && x.dtype === 'float32' && rowSum) {
    // each plane's sum as the schedule adds it
    ctx.loop(NC, (nc) => ctx.store(y, nc, div(rowSum(ctx, x, ctx.local(mul(nc, plane), 'base'), plane), lit(plane, x.t))), { name: 'nc' });
    return;
  }
  ctx.loop(NC, (nc) => {
    const lo: Expr[] = [], hi: Expr[] = [], count: Expr[] = [], o: Expr[] = [];
    const level = (d: number): void => {
      if (d === r) return window();
      each(ctx, g.out[d], (od) => {
        o.push(od);
        const rg = range(d, od);
        lo.push(rg.lo); hi.push(rg.hi); count.push(rg.count);
        level(d + 1);
        o.pop(); lo.pop(); hi.pop(); count.pop();
      }, 'o');
    };
    const window = () => {
      const t = x.t;
      const acc = ctx.local(kind === 'max' ? lowest(t) : lit(0, t), 'acc');
      const at = ctx.local(mul(nc, plane), 'base');
      const best = withIndex ? ctx.local(lo.reduce((a: Expr, l, i) => add(a, mul(l, idxStr[i])), mul(nc, plane)), 'arg') : null;
      const taps = (d: number, pos: Expr[]): void => {
        if (d < r) return ctx.loop(hi[d], (i) => taps(d + 1, [...pos, i]), { lo: lo[d], step: g.d[d], name: 'k' });
        const v = ctx.load(x, pos.reduce((a: Expr, i, k) => add(a, mul(i, istr[k])), at));
        if (kind === 'avg') ctx.assign(acc, add(acc, v));
        else if (kind === 'lp') ctx.assign(acc, add(acc, p === 1 ? un('abs', v) : p === 2 ? mul(v, v) : bin('pow', un('abs', v), lit(p, t))));
        else if (!best) ctx.assign(acc, max(acc, v));
        else {
          const cur = ctx.local(v, 'v');
          ctx.if(cmp('gt', cur, acc), () => {
            ctx.assign(acc, cur);
            ctx.assign(best, pos.reduce((a: Expr, i, k) => add(a, mul(i, idxStr[k])), mul(nc, plane)));
          });
        }
      };
      taps(0, []);
      let res: Expr = acc;
      if (kind === 'avg') res = div(acc, cast(count.reduce((a, c) => mul(a, c)), t));
      else if (kind === 'lp' && p === 2) res = un('sqrt', acc);
      else if (kind === 'lp' && p !== 1) res = bin('pow', acc, lit(1 / p, t));
      const out = o.reduce((a: Expr, od, i) => add(a, mul(od, ostr[i])), mul(nc, oplane));
      ctx.store(y, out, res);
      if (best) ctx.store(ctx.out(1), out, cast(best, 'i64'));
    };
    level(0);
  }, { name: 'nc' });
}

/**
 * 2-D max or average pooling in two 1-D passes per output row: the window's input rows are
 * combined into a row buffer (elementwise along the contiguous row: SIMD targets vectorize it),
 * then each output takes its horizontal taps from that buffer.
 */
function separable2d(ctx: LowerCtx, g: Geom, kind: 'max' | 'avg', range: (d: number, od: Expr) => { lo: Expr; hi: Expr; count: Expr }): void {
  const x = ctx.in(0), y = ctx.out(0), t = x.t, [H, W] = g.in, [OH, OW] = g.out;
  const combine = (a: Expr, b: Expr) => (kind === 'max' ? max(a, b) : add(a, b));
  const row = ctx.temp(x.dtype, [W], 'row');
  ctx.loop(x.shape[0] * x.shape[1], (nc) => each(ctx, OH, (oh) => {
    const v = range(0, oh);
    const rowAt = (kh: Expr) => ctx.local(add(mul(nc, H * W), mul(kh, W)), 'at');
    const vmap = (val: (w: Expr) => Expr) => ctx.loop(W, (w) => ctx.store(row, w, val(w)), { name: 'w', hint: { vectorize: 4 } });
    // without padding the window's first row is always inside: it initializes the buffer
    const inside = !needsCheck(g, 0);
    if (inside) {
      const at = rowAt(v.lo);
      vmap((w) => ctx.load(x, add(at, w)));
    } else vmap(() => (kind === 'max' ? lowest(t) : lit(0, t)));
    ctx.loop(v.hi, (kh) => {
      const at = rowAt(kh);
      vmap((w) => combine(ctx.load(row, w), ctx.load(x, add(at, w))));
    }, { lo: inside ? add(v.lo, g.d[0]) : v.lo, step: g.d[0], name: 'kh' });
    const vcount = kind === 'avg' ? ctx.local(v.count, 'vcount') : null;
    const outAt = ctx.local(add(mul(nc, OH * OW), mul(oh, OW)), 'oat');
    // border outputs (windows reaching into padding) take their taps in a checked loop
    const border = (from: number, to: number) => from < to && ctx.loop(to, (ow) => {
      const h = range(1, ow);
      const acc = ctx.local(kind === 'max' ? lowest(t) : lit(0, t), 'acc');
      ctx.loop(h.hi, (kw) => ctx.assign(acc, combine(acc, ctx.load(row, kw))), { lo: h.lo, step: g.d[1], name: 'kw' });
      ctx.store(y, add(outAt, ow), vcount ? div(acc, cast(mul(vcount, h.count), t)) : acc);
    }, { lo: from, name: 'o' });
    // interior outputs: every tap inside the row, unrolled (unit stride: vectorized across outputs)
    const [s, d, k] = [g.s[1], g.d[1], g.k[1]], [lo, hi] = interior(g, 1);
    border(0, lo);
    ctx.loop(hi, (ow) => {
      const st = sub(mul(ow, s), g.pb[1]);
      let acc = ctx.load(row, st);
      for (let kw = 1; kw < k; kw++) acc = combine(acc, ctx.load(row, add(st, kw * d)));
      ctx.store(y, add(outAt, ow), vcount ? div(acc, cast(mul(vcount, ix(k)), t)) : acc);
    }, { lo, name: 'o', ...(s === 1 ? { hint: { vectorize: 4 } } : {}) });
    border(hi, OW);
  }, 'o'), { name: 'nc' });
}

function poolDef(op: string, kind: PoolKind, global: boolean): OpDef {
  const attrs = global ? (kind === 'lp' ? { p: int(2) } : {})
    : { ...poolAttrs(), ...(kind === 'avg' ? { count_include_pad: int(0) } : {}), ...(kind === 'max' ? { storage_order: int(0) } : {}), ...(kind === 'lp' ? { p: int(2) } : {}) };
  return {
    op, attrs,
    infer: (ctx) => {
      if (!global && kind === 'max' && ctx.int('storage_order') > 1) throw ctx.error(`unsupported storage_order ${ctx.int('storage_order')}`);
      const g = poolGeom(ctx, global), [N, C] = ctx.shape(0), shape = [N, C, ...g.out];
      return kind === 'max' && ctx.numOutputs > 1 ? [tt(ctx.dtype(0), shape), tt('int64', shape)] : [tt(ctx.dtype(0), shape)];
    },
    lower: (ctx) => lowerPool(ctx, kind, global),
  };
}

/** MaxUnpool: the output size from the window attributes, or the optional output_shape input. */
function unpoolShapes(ctx: InferCtx): { inferred: number[]; out: number[] } {
  const inSp = spatialDims(ctx, 0), k = kernelShape(ctx), r = inSp.length;
  const s = ctx.ints('strides'), p = ctx.ints('pads');
  const [N, C] = ctx.shape(0);
  if (typeof N !== 'number' || typeof C !== 'number') throw ctx.error('batch and channel dims must be known');
  const inferred = [N, C, ...inSp.map((n, i) => (n - 1) * (s[i] ?? 1) - (p[i] ?? 0) - (p[r + i] ?? 0) + k[i])];
  if (!ctx.has(2)) return { inferred, out: inferred };
  const out = ctx.constNums(2, 'output_shape');
  if (out.length !== inferred.length || out.some((d, i) => d < inferred[i])) throw ctx.error(`output_shape [${out}] is smaller than the unpooled shape [${inferred}]`);
  return { inferred, out };
}

const maxUnpoolDef: OpDef = {
  op: 'MaxUnpool', attrs: { kernel_shape: ints(), strides: ints([]), pads: ints([]) }, constInputs: [2],
  infer: (ctx) => [tt(ctx.dtype(0), unpoolShapes(ctx).out)],
  lower: (ctx) => {
    const { inferred, out } = unpoolShapes(ctx), x = ctx.in(0), ind = ctx.in(1), y = ctx.out(0);
    fill(ctx, y, prod(out), () => lit(0, y.t));
    const same = inferred.join() === out.join(), istr = stridesOfShape(inferred), ostr = stridesOfShape(out);
    ctx.loop(prod(x.shape), (j) => {
      // indices address the unpooled shape; a larger output_shape keeps it in its leading corner
      const at = ctx.local(cast(ctx.load(ind, j), 'idx'), 'at');
      const dst = same ? at : inferred.reduce((a: Expr, n, d) => add(a, mul(mod(div(at, istr[d]), n), ostr[d])), ix(0));
      ctx.store(y, dst, ctx.load(x, j));
    });
  },
};

export const poolOps: OpDef[] = [
  poolDef('AveragePool', 'avg', false), poolDef('MaxPool', 'max', false), poolDef('LpPool', 'lp', false),
  poolDef('GlobalAveragePool', 'avg', true), poolDef('GlobalMaxPool', 'max', true), poolDef('GlobalLpPool', 'lp', true),
  maxUnpoolDef,
];
