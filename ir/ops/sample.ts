// Spatial sampling: GridSample (nearest / linear / cubic, zeros / border / reflection padding,
// N-d), AffineGrid and RoiAlign. Sampling weights and source offsets are computed once per output
// position and reused across channels.
import { InferCtx, LowerCtx } from '../ctx.js';
import { Scalar } from '../dtype.js';
import { add, and, bin, cast, cmp, div, ix, lit, max, min, mul, or, select, sub, un } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { AttrSpec, OpDef, float, int, str } from '../opdef.js';
import { tt } from './common.js';
import { each, prod, stridesOfShape } from './spatial.js';

/** One tap of a separable interpolation along a dim: source index (in range) and weight. */
export interface Tap { at: Expr; w: Expr }

/** Index i clamped to [0, n), and whether it was inside. */
const clampIdx = (i: Expr, n: number) => min(max(i, ix(0)), ix(n - 1));
const inside = (i: Expr, n: number) => and(cmp('ge', i, 0), cmp('lt', i, n));

/** Linear taps at coordinate x (pixel units) of a dim of size n; taps outside weigh 0. */
export function linearTaps(ctx: LowerCtx, x: Expr, n: number): Tap[] {
  const t = x.t, fl = ctx.local(un('floor', x), 'fl'), frac = ctx.local(sub(x, fl), 'fr');
  const i0 = ctx.local(cast(fl, 'idx'), 'i');
  return [[i0, sub(lit(1, t), frac)], [add(i0, 1), frac]].map(([i, w]) => ({
    at: ctx.local(clampIdx(i, n), 'at'), w: ctx.local(select(inside(i, n), w, lit(0, t)), 'w'),
  }));
}

/** Reflects x into [lo, hi] (GridSample's reflection padding). */
function reflect(ctx: LowerCtx, x: Expr, lo: number, hi: number): Expr {
  const t = x.t, rng = hi - lo, r = ctx.local(x, 'rf');
  const fold = (dx: Expr, near: number, far: number) => {
    const k = ctx.local(un('trunc', div(dx, lit(rng, t))), 'nr');
    const rem = ctx.local(sub(dx, mul(k, lit(rng, t))), 'rem');
    const even = cmp('eq', bin('mod', k, lit(2, t)), lit(0, t));
    ctx.assign(r, select(even, add(lit(near, t), mul(rem, near < far ? 1 : -1)), add(lit(far, t), mul(rem, near < far ? -1 : 1))));
  };
  if (rng <= 0) return lit(lo, t);
  ctx.if(cmp('lt', x, lit(lo, t)), () => fold(sub(lit(lo, t), x), lo, hi),
    () => ctx.if(cmp('gt', x, lit(hi, t)), () => fold(sub(x, lit(hi, t)), hi, lo)));
  return r;
}

const CUBIC_A = -0.75;
function cubicCoeffs(x: Expr): Expr[] {
  const t = x.t, A = CUBIC_A, c = (v: number) => lit(v, t);
  const far = (d: Expr) => sub(mul(add(mul(sub(mul(c(A), d), c(5 * A)), d), c(8 * A)), d), c(4 * A));
  const near = (d: Expr) => add(mul(mul(sub(mul(c(A + 2), d), c(A + 3)), d), d), c(1));
  return [far(add(x, c(1))), near(x), near(sub(c(1), x)), far(sub(c(2), x))];
}

type Padding = 'zeros' | 'border' | 'reflection';

/** Taps of one dim of GridSample for source coordinate x (already denormalized). */
function gridTaps(ctx: LowerCtx, x: Expr, n: number, mode: string, pad: Padding, align: boolean): Tap[] {
  const t = x.t, lo = align ? 0 : -0.5, hi = align ? n - 1 : n - 0.5;
  let v = mode === 'nearest' ? un('rint', x) : x;
  const out = or(cmp('lt', v, lit(lo, t)), cmp('gt', v, lit(hi, t)));
  if (pad === 'border') v = select(out, min(max(v, lit(0, t)), lit(n - 1, t)), v);
  if (pad === 'reflection') v = reflect(ctx, ctx.local(v, 'x'), lo, hi);
  const xv = ctx.local(v, 'x');
  // a source index outside the image: 0 weight (zeros), clamped (border) or reflected
  const place = (i: Expr, w: Expr): Tap => {
    if (pad === 'zeros') return { at: ctx.local(clampIdx(i, n), 'at'), w: ctx.local(select(inside(i, n), w, lit(0, t)), 'w') };
    if (pad === 'border') return { at: ctx.local(clampIdx(i, n), 'at'), w };
    return { at: ctx.local(clampIdx(cast(reflect(ctx, cast(i, t), lo, hi), 'idx'), n), 'at'), w };
  };
  if (mode === 'nearest') return [place(ctx.local(cast(xv, 'idx'), 'i'), lit(1, t))];
  const fl = ctx.local(un('floor', xv), 'fl'), frac = ctx.local(sub(xv, fl), 'fr'), i0 = ctx.local(cast(fl, 'idx'), 'i');
  if (mode === 'linear') return [place(i0, sub(lit(1, t), frac)), place(add(i0, 1), frac)];
  const cs = cubicCoeffs(frac).map((e) => ctx.local(e, 'cw'));
  return cs.map((w, k) => place(add(i0, k - 1), w));
}

/** Sum over the tap combinations of all dims: prod(weights) * src[base + sum(at * stride)]. */
function combine(ctx: LowerCtx, taps: Tap[][], strides: number[], load: (off: Expr) => Expr): Expr {
  let terms: { w: Expr | null; off: Expr }[] = [{ w: null, off: ix(0) }];
  taps.forEach((ts, d) => {
    terms = terms.flatMap((tm) => ts.map((tp) => ({ w: tm.w ? mul(tm.w, tp.w) : tp.w, off: add(tm.off, mul(tp.at, strides[d])) })));
  });
  return terms.map((tm) => (tm.w ? mul(tm.w, load(tm.off)) : load(tm.off))).reduce((a, b) => add(a, b));
}

const gridSampleDef: OpDef = {
  op: 'GridSample', attrs: { mode: str('linear'), padding_mode: str('zeros'), align_corners: int(0) },
  infer: (ctx) => {
    const mode = ctx.str('mode'), pad = ctx.str('padding_mode'), r = ctx.rank(0) - 2;
    if (!['linear', 'bilinear', 'nearest', 'cubic', 'bicubic'].includes(mode)) throw ctx.error(`unsupported mode '${mode}'`);
    if (!['zeros', 'border', 'reflection'].includes(pad)) throw ctx.error(`unsupported padding_mode '${pad}'`);
    if ((mode === 'cubic' || mode === 'bicubic') && r !== 2) throw ctx.error('cubic mode needs a 4-D input');
    const g = ctx.shape(1);
    if (g.length !== r + 2 || (typeof g[r + 1] === 'number' && g[r + 1] !== r)) throw ctx.error(`grid shape [${g}] does not match a ${r}-D input`);
    return [tt(ctx.dtype(0), [ctx.shape(0)[0], ctx.shape(0)[1], ...g.slice(1, r + 1)])];
  },
  lower: (ctx) => {
    const x = ctx.in(0), grid = ctx.in(1), y = ctx.out(0), [N, C, ...D] = x.shape, r = D.length;
    const mode = ({ bilinear: 'linear', bicubic: 'cubic' } as Record<string, string>)[ctx.str('mode')] ?? ctx.str('mode');
    const pad = ctx.str('padding_mode') as Padding, align = ctx.int('align_corners') !== 0;
    const P = prod(y.shape.slice(2)), plane = prod(D), istr = stridesOfShape(D);
    each(ctx, N, (n) => ctx.loop(P, (p) => {
      const taps = D.map((size, j) => {
        // grid components are (x, y, z…): component r-1-j addresses spatial dim j
        const g = ctx.load(grid, add(mul(add(mul(n, P), p), r), r - 1 - j)), t = g.t;
        const xs = align ? mul(mul(add(g, lit(1, t)), lit(0.5, t)), lit(size - 1, t)) : mul(sub(mul(add(g, lit(1, t)), lit(size, t)), lit(1, t)), lit(0.5, t));
        return gridTaps(ctx, ctx.local(xs, 'x'), size, mode, pad, align);
      });
      ctx.loop(C, (c) => {
        const base = ctx.local(mul(add(mul(n, C), c), plane), 'src');
        ctx.store(y, add(mul(add(mul(n, C), c), P), p), cast(combine(ctx, taps, istr, (off) => cast(ctx.load(x, add(base, off)), grid.t)), y.t));
      }, { name: 'c' });
    }, { name: 'p' }), 'n');
  },
};

/** AffineGrid: grid[n, pos, a] = theta[n, a, :r] . base(pos) + theta[n, a, r]. */
function affineSize(ctx: InferCtx): number[] {
  const size = ctx.constNums(1, 'size');
  if (size.length !== 4 && size.length !== 5) throw ctx.error(`size must have 4 or 5 entries, got ${size.length}`);
  return size;
}

const affineGridDef: OpDef = {
  op: 'AffineGrid', attrs: { align_corners: int(0) }, constInputs: [1],
  infer: (ctx) => {
    const [N, , ...S] = affineSize(ctx);
    return [tt(ctx.dtype(0), [N, ...S, S.length])];
  },
  lower: (ctx) => {
    const theta = ctx.in(0), out = ctx.out(0), [N, , ...S] = affineSize(ctx), r = S.length, t = theta.t;
    const align = ctx.int('align_corners') !== 0, sstr = stridesOfShape(S), P = prod(S);
    // normalized coordinate of index i along a dim of size n
    const coord = (i: Expr, n: number): Expr => {
      const fi = cast(i, t);
      if (align) return n === 1 ? lit(-1, t) : add(lit(-1, t), mul(fi, lit(2 / (n - 1), t)));
      return add(lit(-1, t), div(add(mul(fi, lit(2, t)), lit(1, t)), lit(n, t)));
    };
    each(ctx, N, (n) => ctx.loop(P, (p) => {
      // base vector (x, y, z…, 1): component k is the coordinate along spatial dim r-1-k
      const base = Array.from({ length: r }, (_, k) => {
        const d = r - 1 - k;
        return ctx.local(coord(bin('mod', div(p, sstr[d]), ix(S[d])), S[d]), 'base');
      });
      for (let a = 0; a < r; a++) {
        const th = (k: number) => ctx.load(theta, add(mul(n, r * (r + 1)), a * (r + 1) + k));
        const v = base.reduce((acc: Expr, b, k) => add(acc, mul(th(k), b)), th(r));
        ctx.store(out, add(mul(add(mul(n, P), p), r), a), v);
      }
    }, { name: 'p' }), 'n');
  },
};

/** coordinate_transformation_mode appeared in opset 16; opset 10 behaves as output_half_pixel. */
const ctmAttr: AttrSpec = { type: 'string', default: (opset: number) => (opset < 16 ? 'output_half_pixel' : 'half_pixel') };

const roiAlignDef: OpDef = {
  op: 'RoiAlign',
  attrs: { coordinate_transformation_mode: ctmAttr, mode: str('avg'), output_height: int(1), output_width: int(1), sampling_ratio: int(0), spatial_scale: float(1) },
  infer: (ctx) => {
    const mode = ctx.str('mode'), ctm = ctx.str('coordinate_transformation_mode');
    if (mode !== 'avg' && mode !== 'max') throw ctx.error(`unsupported mode '${mode}'`);
    if (ctm !== 'half_pixel' && ctm !== 'output_half_pixel') throw ctx.error(`unsupported coordinate_transformation_mode '${ctm}'`);
    if (ctx.rank(0) !== 4) throw ctx.error('input must be 4-D');
    return [tt(ctx.dtype(0), [ctx.shape(2)[0], ctx.shape(0)[1], ctx.int('output_height'), ctx.int('output_width')])];
  },
  lower: (ctx) => {
    const x = ctx.in(0), rois = ctx.in(1), bi = ctx.in(2), y = ctx.out(0);
    const [, C, H, W] = x.shape, R = rois.shape[0], OH = ctx.int('output_height'), OW = ctx.int('output_width');
    const isMax = ctx.str('mode') === 'max', half = ctx.str('coordinate_transformation_mode') === 'half_pixel';
    const ratio = ctx.int('sampling_ratio'), scale = ctx.float('spatial_scale'), t: Scalar = rois.t, c = (v: number) => lit(v, t);
    const OP = OH * OW;
    ctx.loop(R, (r) => {
      const roi = (k: number) => ctx.local(sub(mul(ctx.load(rois, add(mul(r, 4), k)), c(scale)), c(half ? 0.5 : 0)), 'roi');
      const [x0, y0, x1, y1] = [0, 1, 2, 3].map(roi);
      const rw = ctx.local(half ? sub(x1, x0) : max(sub(x1, x0), c(1)), 'rw');
      const rh = ctx.local(half ? sub(y1, y0) : max(sub(y1, y0), c(1)), 'rh');
      const bw = ctx.local(div(rw, c(OW)), 'bw'), bh = ctx.local(div(rh, c(OH)), 'bh');
      const gh = ctx.local(ratio > 0 ? ix(ratio) : cast(un('ceil', div(rh, c(OH))), 'idx'), 'gh');
      const gw = ctx.local(ratio > 0 ? ix(ratio) : cast(un('ceil', div(rw, c(OW))), 'idx'), 'gw');
      const src = ctx.local(mul(cast(ctx.load(bi, r), 'idx'), C * H * W), 'src');
      ctx.loop(OP, (op) => {
        const ph = div(op, OW), pw = sub(op, mul(ph, OW)), dst = add(mul(r, C * OP), op);
        ctx.loop(C, (ch) => ctx.store(y, add(dst, mul(ch, OP)), c(isMax ? -Infinity : 0)), { name: 'c' });
        ctx.loop(gh, (iy) => ctx.loop(gw, (ixx) => {
          const at = (start: Expr, p: Expr, bin: Expr, i: Expr, g: Expr) =>
            add(add(start, mul(cast(p, t), bin)), div(mul(add(cast(i, t), c(0.5)), bin), cast(g, t)));
          const sy = ctx.local(at(y0, ph, bh, iy, gh), 'sy'), sx = ctx.local(at(x0, pw, bw, ixx, gw), 'sx');
          const keep = ctx.local(cast(and(and(cmp('ge', sy, c(-1)), cmp('le', sy, c(H))), and(cmp('ge', sx, c(-1)), cmp('le', sx, c(W)))), t), 'in');
          // the reference's corner rule: clamp at 0, snap to the last row / column
          const corner = (v: Expr, n: number): [Expr, Expr, Expr] => {
            const vc = ctx.local(max(v, c(0)), 'v'), low = ctx.local(cast(vc, 'idx'), 'lo');
            const edge = ctx.local(cmp('ge', low, n - 1), 'edge');
            const l = ctx.local(select(edge, ix(n - 1), low), 'l');
            const hi = ctx.local(select(edge, ix(n - 1), add(low, 1)), 'h');
            return [l, hi, ctx.local(select(edge, c(0), sub(vc, cast(low, t))), 'f')];
          };
          const [yl, yh, ly] = corner(sy, H), [xl, xh, lx] = corner(sx, W);
          const hy = sub(c(1), ly), hx = sub(c(1), lx);
          const ws = [mul(hy, hx), mul(hy, lx), mul(ly, hx), mul(ly, lx)].map((w) => ctx.local(mul(w, keep), 'w'));
          const offs = [[yl, xl], [yl, xh], [yh, xl], [yh, xh]].map(([a, b]) => ctx.local(add(mul(a, W), b), 'o'));
          ctx.loop(C, (ch) => {
            const plane = add(src, mul(ch, H * W)), o = add(dst, mul(ch, OP));
            const vals = ws.map((w, k) => mul(w, cast(ctx.load(x, add(plane, offs[k])), t)));
            const prev = ctx.load(y, o);
            ctx.store(y, o, isMax ? max(prev, vals.reduce((a, b) => max(a, b))) : add(prev, vals.reduce((a, b) => add(a, b))));
          }, { name: 'c' });
        }, { name: 'ix' }), { name: 'iy' });
        const count = ctx.local(cast(mul(gh, gw), t), 'count');
        ctx.loop(C, (ch) => {
          const o = add(dst, mul(ch, OP));
          ctx.store(y, o, select(cmp('gt', count, c(0)), isMax ? ctx.load(y, o) : div(ctx.load(y, o), count), c(0)));
        }, { name: 'c' });
      }, { name: 'p' });
    }, { name: 'r' });
  },
};

export const sampleOps: OpDef[] = [gridSampleDef, affineGridDef, roiAlignDef];
