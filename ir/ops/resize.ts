// Resize (opsets 10–19) and the deprecated Upsample. Nearest mode is one gather pass over the
// output; linear and cubic run one separable pass per resized axis (as the ONNX reference
// does), with the antialiasing filters and exclude_outside. Scales, sizes and the roi are
// compile-time constants; coordinates and filter weights are computed in double precision.
import { isFloat } from '../dtype.js';
import { InferCtx, LowerCtx, TensorRef, tensorRef } from '../ctx.js';
import { Node } from '../graph.js';
import { add, and, as, cast, cmp, div, lit, max, min, mul, or, select, sub, un } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, float, floats, int, ints, str } from '../opdef.js';
import { numel } from '../tensor.js';
import { tt } from './common.js';
import { clampLocal, copyTensor, loop1 } from './indexutil.js';

interface ResizeOpts {
  mode: string;
  /** coordinate_transformation_mode ('asymmetric' for Upsample and Resize-10). */
  coord: string;
  /** nearest_mode ('simple' for Upsample and Resize-10: floor upsampling, ceil downsampling). */
  nearest: string;
  cubicA: number;
  exclude: boolean;
  antialias: boolean;
  extrapolation: number;
}

interface ResizePlan {
  shape: number[];
  scales: number[];
  /** Axes that change, in processing order. */
  axes: number[];
  /** [begin per axis..., end per axis...] for tf_crop_and_resize. */
  roi: number[] | null;
  opts: ResizeOpts;
}

const COORD_MODES = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_crop_and_resize'];
const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
const isClose = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
const legacy = (ctx: InferCtx) => ctx.def.op === 'Upsample' || ctx.opset < 11;

function resizeOpts(ctx: InferCtx): ResizeOpts {
  const mode = ctx.str('mode');
  const modes = legacy(ctx) ? ['nearest', 'linear'] : ['nearest', 'linear', 'cubic'];
  if (!modes.includes(mode)) throw ctx.error(`mode '${mode}' is not supported (${modes.join(', ')})`);
  if (legacy(ctx)) return { mode, coord: 'asymmetric', nearest: 'simple', cubicA: 0, exclude: false, antialias: false, extrapolation: 0 };
  const coord = ctx.str('coordinate_transformation_mode'), nearest = ctx.str('nearest_mode');
  if (!COORD_MODES.includes(coord)) throw ctx.error(`coordinate_transformation_mode '${coord}' is not supported (${COORD_MODES.join(', ')})`);
  if (!NEAREST_MODES.includes(nearest)) throw ctx.error(`nearest_mode '${nearest}' is not supported (${NEAREST_MODES.join(', ')})`);
  return {
    mode, coord, nearest, cubicA: ctx.float('cubic_coeff_a'), exclude: ctx.int('exclude_outside') !== 0,
    antialias: ctx.opset >= 18 && ctx.int('antialias') !== 0, extrapolation: ctx.float('extrapolation_value'),
  };
}

function resizePlan(ctx: InferCtx): ResizePlan {
  const opts = resizeOpts(ctx);
  const inShape = ctx.cshape(0), r = inShape.length;
  const given = (i: number) => ctx.has(i) && numel(ctx.cshape(i)) > 0;
  let axes = [...Array(r).keys()];
  let scalesIn: number[] | null = null, sizesIn: number[] | null = null, roiIn: number[] | null = null;
  if (ctx.def.op === 'Upsample' && ctx.opset < 9) scalesIn = ctx.floats('scales');
  else if (legacy(ctx)) scalesIn = ctx.constNums(1, 'scales');
  else {
    if (given(2)) scalesIn = ctx.constNums(2, 'scales');
    if (given(3)) sizesIn = ctx.constNums(3, 'sizes');
    if (scalesIn && sizesIn) throw ctx.error('only one of scales and sizes may be given');
    if (opts.coord === 'tf_crop_and_resize') {
      if (!given(1)) throw ctx.error("coordinate_transformation_mode 'tf_crop_and_resize' needs the roi input");
      roiIn = ctx.constNums(1, 'roi');
    }
    if (ctx.opset >= 18 && ctx.hasAttr('axes')) axes = ctx.ints('axes').map((a) => ctx.axis(a, r));
  }
  const given1 = scalesIn ?? sizesIn;
  if (!given1) throw ctx.error('needs scales or sizes');
  if (given1.length !== axes.length) throw ctx.error(`expected ${axes.length} ${scalesIn ? 'scales' : 'sizes'}, got ${given1.length}`);
  const scales = new Array<number>(r).fill(1), shape = [...inShape];
  if (sizesIn) {
    const sz = sizesIn;
    const raw = axes.map((a, i) => sz[i] / inShape[a]);
    const policy = ctx.opset >= 18 ? ctx.str('keep_aspect_ratio_policy') : 'stretch';
    if (policy === 'stretch') axes.forEach((a, i) => { scales[a] = raw[i]; shape[a] = sz[i]; });
    else if (policy === 'not_larger' || policy === 'not_smaller') {
      const s = policy === 'not_larger' ? Math.min(...raw) : Math.max(...raw);
      for (const a of axes) { scales[a] = s; shape[a] = Math.trunc(s * inShape[a] + 0.5); }
    } else throw ctx.error(`keep_aspect_ratio_policy '${policy}' is not supported (stretch, not_larger, not_smaller)`);
  } else {
    axes.forEach((a, i) => {
      if (!(given1[i] > 0)) throw ctx.error(`scales must be positive, got ${given1[i]}`);
      scales[a] = given1[i];
      shape[a] = Math.trunc(given1[i] * inShape[a]);
    });
  }
  let roi: number[] | null = null;
  if (roiIn) {
    if (roiIn.length !== 2 * axes.length) throw ctx.error(`expected ${2 * axes.length} roi values, got ${roiIn.length}`);
    roi = [...new Array(r).fill(0), ...new Array(r).fill(1)];
    axes.forEach((a, i) => { roi![a] = roiIn![i]; roi![r + a] = roiIn![axes.length + i]; });
  }
  const identity = (a: number) => isClose(scales[a], 1) && shape[a] === inShape[a] && (!roi || (roi[a] === 0 && isClose(roi[r + a], 1)));
  return { shape, scales, axes: axes.filter((a) => !identity(a)), roi, opts };
}

/** Source coordinate (f64) of output index y along an axis. */
function coordinate(plan: ResizePlan, axis: number, inW: number, outW: number, y: Expr): Expr {
  const s = plan.scales[axis], ow = s * inW, yf = cast(y, 'f64');
  const halfPixel = () => sub(div(add(yf, 0.5), s), 0.5);
  switch (plan.opts.coord) {
    case 'half_pixel': return halfPixel();
    case 'half_pixel_symmetric': return sub(add((inW / 2) * (1 - outW / ow), div(add(yf, 0.5), s)), 0.5);
    case 'pytorch_half_pixel': return ow === 1 ? lit(-0.5, 'f64') : halfPixel();
    case 'align_corners': return ow === 1 ? lit(0, 'f64') : div(mul(yf, inW - 1), ow - 1);
    case 'asymmetric': return div(yf, s);
    default: { // tf_crop_and_resize
      const r = plan.roi!, n = r.length / 2, r0 = r[axis], r1 = r[n + axis];
      if (ow === 1) return lit(((r1 - r0) * (inW - 1)) / 2 + r0 * (inW - 1), 'f64');
      return add(div(mul(mul(yf, r1 - r0), inW - 1), ow - 1), r0 * (inW - 1));
    }
  }
}

/** Whether source coordinate x lies inside the input (tf_crop_and_resize extrapolates outside). */
const inside = (x: Expr, inW: number) => and(cmp('ge', x, 0), cmp('le', x, inW - 1));

/** Nearest source index (f64) of coordinate x per nearest_mode. */
function nearestOf(x: Expr, mode: string, scale: number): Expr {
  const fl = un('floor', x);
  switch (mode) {
    case 'round_prefer_floor': return select(cmp('le', sub(x, fl), 0.5), fl, add(fl, 1));
    case 'round_prefer_ceil': return select(cmp('lt', sub(x, fl), 0.5), fl, add(fl, 1));
    case 'floor': return fl;
    case 'ceil': return un('ceil', x);
    default: return scale < 1 ? un('ceil', x) : un('trunc', x); // 'simple'
  }
}

/** Nearest mode: one pass, each output element copies one input element. */
function emitNearest(ctx: LowerCtx, plan: ResizePlan, x: TensorRef, y: TensorRef): void {
  const resized = new Set(plan.axes), tf = plan.opts.coord === 'tf_crop_and_resize';
  const go = (d: number, out: Expr[], src: Expr[], ok: Expr | null): void => {
    if (d === y.shape.length) {
      const v = ctx.load(x, src);
      ctx.store(y, out, ok ? select(ok, v, as(plan.opts.extrapolation, y.t)) : v);
      return;
    }
    loop1(ctx, y.shape[d], (i) => {
      if (!resized.has(d)) return go(d + 1, [...out, i], [...src, i], ok);
      const inW = x.shape[d];
      const xc = ctx.local(coordinate(plan, d, inW, y.shape[d], i), 'x');
      const s = ctx.local(cast(nearestOf(xc, plan.opts.nearest, plan.scales[d]), 'idx'), 's');
      clampLocal(ctx, s, inW);
      const okHere = tf ? ctx.local(ok ? and(ok, inside(xc, inW)) : inside(xc, inW), 'ok') : ok;
      go(d + 1, [...out, i], [...src, s], okHere);
    });
  };
  go(0, [], [], null);
}

/** Filter kernel of linear or cubic interpolation at distance |d| = a. */
function filterAt(mode: string, a: Expr, A: number): Expr {
  if (mode === 'linear') return select(cmp('lt', a, 1), sub(1, a), 0);
  const near = add(mul(mul(sub(mul(A + 2, a), A + 3), a), a), 1);
  const far = sub(mul(add(mul(sub(mul(A, a), 5 * A), a), 8 * A), a), 4 * A);
  return select(cmp('le', a, 1), near, select(cmp('lt', a, 2), far, 0));
}

/** Converts an f64 result to the output element type (integers round and saturate). */
function toElem(v: Expr, r: TensorRef): Expr {
  if (isFloat(r.dtype)) return cast(v, r.t);
  const lim = { i8: [-128, 127], u8: [0, 255], i16: [-32768, 32767], u16: [0, 65535], i32: [-2147483648, 2147483647], u32: [0, 4294967295] }[r.t as 'i8'];
  const rounded = un('rint', v);
  return cast(lim ? min(max(rounded, lim[0]), lim[1]) : rounded, r.t);
}

/** Linear/cubic along one axis: dst[p, y, q] = sum_k w_k(y) * src[p, tap_k(y), q]. */
function emitAxis(ctx: LowerCtx, plan: ResizePlan, src: TensorRef, dst: TensorRef, axis: number): void {
  const o = plan.opts, scale = plan.scales[axis];
  const inW = src.shape[axis], outW = dst.shape[axis];
  const pre = numel(src.shape.slice(0, axis)), post = numel(src.shape.slice(axis + 1));
  const S = tensorRef(src.buf, [pre, inW, post]), D = tensorRef(dst.buf, [pre, outW, post]);
  // antialiasing widens the filter by 1/scale when downsampling; taps are normalized to sum 1
  const ks = o.antialias ? Math.min(scale, 1) : 1;
  const n = 2 - 2 * (Math.floor((o.mode === 'linear' ? -1 : -2) / ks) + 1);
  const normalize = o.antialias || o.exclude;
  const W = ctx.temp('float64', [n], 'weight'), T = ctx.temp('int64', [n], 'tap');
  ctx.loop(outW, (y) => {
    const xc = ctx.local(coordinate(plan, axis, inW, outW, y), 'x');
    const interpolate = () => {
      // taps ceil(x) - n/2 .. ceil(x) + n/2 - 1, clamped to the edge (exclude_outside drops them)
      const first = ctx.local(sub(cast(un('ceil', xc), 'idx'), n / 2), 'first');
      const wsum = normalize ? ctx.local(lit(0, 'f64'), 'wsum') : null;
      ctx.loop(n, (k) => {
        const t = ctx.local(add(first, k), 't');
        const dist = sub(cast(t, 'f64'), xc);
        const a = ctx.local(un('abs', ks === 1 ? dist : mul(dist, ks)), 'd');
        let w = filterAt(o.mode, a, o.cubicA);
        if (o.exclude) w = select(and(cmp('ge', t, 0), cmp('lt', t, inW)), w, 0);
        ctx.store(W, k, w);
        if (wsum) ctx.assign(wsum, add(wsum, ctx.load(W, k)));
        clampLocal(ctx, t, inW);
        ctx.store(T, k, cast(t, 'i64'));
      });
      loop1(ctx, pre, (p) => loop1(ctx, post, (q) => {
        const acc = ctx.local(lit(0, 'f64'), 'acc');
        ctx.loop(n, (k) => ctx.assign(acc, add(acc, mul(ctx.load(W, k), cast(ctx.load(S, [p, cast(ctx.load(T, k), 'idx'), q]), 'f64')))));
        ctx.store(D, [p, y, q], toElem(wsum ? div(acc, wsum) : acc, D));
      }));
    };
    if (o.coord !== 'tf_crop_and_resize') return interpolate();
    const fill = () => loop1(ctx, pre, (p) => loop1(ctx, post, (q) => ctx.store(D, [p, y, q], as(o.extrapolation, D.t))));
    ctx.if(or(cmp('lt', xc, 0), cmp('gt', xc, inW - 1)), fill, interpolate);
  });
}

function lowerResize(ctx: LowerCtx): void {
  const plan = resizePlan(ctx), x = ctx.in(0), y = ctx.out(0);
  if (!plan.axes.length) return copyTensor(ctx, x, y);
  if (plan.opts.mode === 'nearest') return emitNearest(ctx, plan, x, y);
  const shape = [...x.shape];
  let cur = x;
  plan.axes.forEach((a, k) => {
    shape[a] = plan.shape[a];
    const dst = k === plan.axes.length - 1 ? y : ctx.temp('float64', [...shape], 'resized');
    emitAxis(ctx, plan, cur, dst, a);
    cur = dst;
  });
}

const isTfCrop = (n: Node) => n.attrs.get('coordinate_transformation_mode')?.value === 'tf_crop_and_resize';

export const resizeOps: OpDef[] = [
  {
    op: 'Resize',
    attrs: {
      mode: str('nearest'), coordinate_transformation_mode: str('half_pixel'), nearest_mode: str('round_prefer_floor'),
      cubic_coeff_a: float(-0.75), exclude_outside: int(0), extrapolation_value: float(0), antialias: int(0),
      axes: ints(), keep_aspect_ratio_policy: str('stretch'),
    },
    constInputs: (n) => (n.opset < 11 ? [1] : isTfCrop(n) ? [1, 2, 3] : [2, 3]),
    infer: (ctx) => [tt(ctx.dtype(0), resizePlan(ctx).shape)],
    lower: lowerResize,
  },
  {
    op: 'Upsample', attrs: { mode: str('nearest'), scales: floats() },
    constInputs: (n) => (n.opset >= 9 ? [1] : []),
    infer: (ctx) => {
      if (ctx.opset < 7) throw ctx.error('Upsample-1 (height_scale/width_scale) is not supported; use opset 7 or later');
      return [tt(ctx.dtype(0), resizePlan(ctx).shape)];
    },
    lower: lowerResize,
  },
];
