// Data movement ops: Pad (constant/reflect/edge/wrap), CenterCropPad, DepthToSpace,
// SpaceToDepth, ReverseSequence. Each output element reads one computed input position.
import { InferCtx, LowerCtx, TensorRef, tensorRef } from '../ctx.js';
import { Dim } from '../graph.js';
import { and, as, cast, cmp, ix, max, min, select, sub } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, float, int, ints, str } from '../opdef.js';
import { tt } from './common.js';
import { concreteDim, posMod } from './indexutil.js';

// ---- Pad, CenterCropPad ------------------------------------------------------------------

type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap';

/** Pads at the beginning and end of every axis (negative values crop). */
interface PadPlan { begin: number[]; end: number[] }

function padPlan(ctx: InferCtx): PadPlan {
  const rank = ctx.rank(0);
  let pads: number[];
  let axes: number[] = [...Array(rank).keys()];
  if (ctx.opset < 2) pads = ctx.ints('paddings');
  else if (ctx.opset < 11) pads = ctx.ints('pads');
  else {
    pads = ctx.constNums(1, 'pads');
    if (ctx.opset >= 18 && ctx.has(3)) axes = ctx.constNums(3, 'axes').map((a) => ctx.axis(a, rank));
  }
  if (pads.length !== 2 * axes.length) throw ctx.error(`expected ${2 * axes.length} pads, got ${pads.length}`);
  const plan: PadPlan = { begin: new Array(rank).fill(0), end: new Array(rank).fill(0) };
  axes.forEach((a, i) => {
    plan.begin[a] = pads[i];
    plan.end[a] = pads[axes.length + i];
  });
  return plan;
}

function paddedShape(ctx: InferCtx, p: PadPlan): Dim[] {
  return ctx.shape(0).map((d, a) => {
    if (p.begin[a] === 0 && p.end[a] === 0) return d;
    const n = concreteDim(ctx, 0, a, ctx.def.op) + p.begin[a] + p.end[a];
    if (n < 0) throw ctx.error(`pads ${p.begin[a]}, ${p.end[a]} remove more than the ${n - p.begin[a] - p.end[a]} elements of axis ${a}`);
    return n;
  });
}

/** y[o] = x[o - begin] with out-of-range positions filled per mode. */
function emitPad(ctx: LowerCtx, x: TensorRef, y: TensorRef, p: PadPlan, mode: PadMode, value: Expr): void {
  const padded = (a: number) => p.begin[a] !== 0 || p.end[a] !== 0;
  if (mode !== 'constant') x.shape.forEach((d, a) => {
    if (padded(a) && d === 0) throw ctx.error(`mode '${mode}' cannot pad axis ${a} of extent 0`);
  });
  ctx.nest(y.shape, (idx) => {
    const src = idx.map((i, a) => (padded(a) ? sub(i, p.begin[a]) : i));
    if (mode === 'constant') {
      const inside = x.shape.flatMap((d, a) => (padded(a) ? [and(cmp('ge', src[a], 0), cmp('lt', src[a], d))] : []));
      if (!inside.length) return ctx.store(y, idx, ctx.load(x, src));
      ctx.if(inside.reduce((c, e) => and(c, e)), () => ctx.store(y, idx, ctx.load(x, src)), () => ctx.store(y, idx, value));
      return;
    }
    const at = src.map((s, a) => {
      const d = x.shape[a];
      if (!padded(a)) return s;
      if (mode === 'edge' || d === 1) return min(max(s, 0), d - 1);
      if (mode === 'wrap') return posMod(ctx, s, d);
      const m = ctx.local(posMod(ctx, s, 2 * (d - 1)), 'm'); // reflect: period 2(d-1)
      return select(cmp('lt', m, d), m, sub(2 * (d - 1), m));
    });
    ctx.store(y, idx, ctx.load(x, at));
  });
}

const padDef: OpDef = {
  op: 'Pad',
  attrs: { mode: str('constant'), pads: ints(), paddings: ints(), value: float(0) },
  constInputs: (n) => (n.opset >= 11 ? [1, 3] : []),
  infer: (ctx) => [tt(ctx.dtype(0), paddedShape(ctx, padPlan(ctx)))],
  lower: (ctx) => {
    const mode = ctx.str('mode');
    const modes = ctx.opset >= 19 ? ['constant', 'reflect', 'edge', 'wrap'] : ['constant', 'reflect', 'edge'];
    if (!modes.includes(mode)) throw ctx.error(`mode '${mode}' is not supported (${modes.join(', ')})`);
    const x = ctx.in(0);
    let value: Expr = as(ctx.opset < 11 ? ctx.float('value') : 0, x.t);
    if (mode === 'constant' && ctx.opset >= 11 && ctx.has(2)) value = ctx.local(ctx.load(ctx.in(2), ix(0)), 'pad');
    emitPad(ctx, x, ctx.out(0), padPlan(ctx), mode as PadMode, value);
  },
};

/** CenterCropPad as a constant pad whose (possibly negative) pads center the input. */
function centerPlan(ctx: InferCtx): PadPlan {
  const rank = ctx.rank(0);
  const shape = ctx.constNums(1, 'shape');
  const axes = ctx.hasAttr('axes') ? ctx.ints('axes').map((a) => ctx.axis(a, rank)) : [...Array(rank).keys()];
  if (shape.length !== axes.length) throw ctx.error(`shape has ${shape.length} entries for ${axes.length} axes`);
  const plan: PadPlan = { begin: new Array(rank).fill(0), end: new Array(rank).fill(0) };
  axes.forEach((a, i) => {
    const d = concreteDim(ctx, 0, a, 'CenterCropPad'), s = shape[i];
    const begin = s >= d ? Math.floor((s - d) / 2) : -Math.floor((d - s) / 2);
    plan.begin[a] = begin;
    plan.end[a] = s - d - begin;
  });
  return plan;
}

const centerCropPadDef: OpDef = {
  op: 'CenterCropPad', attrs: { axes: ints() },
  constInputs: [1],
  infer: (ctx) => [tt(ctx.dtype(0), paddedShape(ctx, centerPlan(ctx)))],
  lower: (ctx) => emitPad(ctx, ctx.in(0), ctx.out(0), centerPlan(ctx), 'constant', as(0, ctx.in(0).t)),
};

// ---- DepthToSpace, SpaceToDepth -----------------------------------------------------------

/** Copies through 6-d views: y6[o] = x6[map(o)] (a reshape-transpose-reshape). */
function emitPermute(ctx: LowerCtx, x6: number[], y6: number[], map: (o: Expr[]) => Expr[]): void {
  const x = tensorRef(ctx.in(0).buf, x6), y = tensorRef(ctx.out(0).buf, y6);
  ctx.nest(y6, (o) => ctx.store(y, o, ctx.load(x, map(o))));
}

function nchw(ctx: InferCtx): [Dim, number, number, number, number] {
  if (ctx.rank(0) !== 4) throw ctx.error(`expects a 4-d NCHW input, got rank ${ctx.rank(0)}`);
  const b = ctx.int('blocksize');
  if (b < 1) throw ctx.error(`blocksize must be positive, got ${b}`);
  const [n] = ctx.shape(0);
  return [n, concreteDim(ctx, 0, 1, ctx.def.op), concreteDim(ctx, 0, 2, ctx.def.op), concreteDim(ctx, 0, 3, ctx.def.op), b];
}

const depthToSpaceDef: OpDef = {
  op: 'DepthToSpace', attrs: { blocksize: int(), mode: str('DCR') },
  infer: (ctx) => {
    const [n, c, h, w, b] = nchw(ctx);
    if (c % (b * b)) throw ctx.error(`channels ${c} are not a multiple of blocksize² ${b * b}`);
    return [tt(ctx.dtype(0), [n, c / (b * b), h * b, w * b])];
  },
  lower: (ctx) => {
    const [n, c, h, w] = ctx.in(0).shape, b = ctx.int('blocksize'), cc = c / (b * b);
    const mode = ctx.opset < 11 ? 'DCR' : ctx.str('mode');
    const y6 = [n, cc, h, b, w, b];
    // y6[n, c, h, i, w, j] from x viewed as [n, b, b, C', h, w] (DCR) or [n, C', b, b, h, w] (CRD)
    if (mode === 'DCR') emitPermute(ctx, [n, b, b, cc, h, w], y6, ([N, C, H, I, W, J]) => [N, I, J, C, H, W]);
    else if (mode === 'CRD') emitPermute(ctx, [n, cc, b, b, h, w], y6, ([N, C, H, I, W, J]) => [N, C, I, J, H, W]);
    else throw ctx.error(`mode '${mode}' is not supported (DCR, CRD)`);
  },
};

const spaceToDepthDef: OpDef = {
  op: 'SpaceToDepth', attrs: { blocksize: int() },
  infer: (ctx) => {
    const [n, c, h, w, b] = nchw(ctx);
    if (h % b || w % b) throw ctx.error(`spatial size ${h}x${w} is not a multiple of blocksize ${b}`);
    return [tt(ctx.dtype(0), [n, c * b * b, h / b, w / b])];
  },
  lower: (ctx) => {
    const [n, c, h, w] = ctx.in(0).shape, b = ctx.int('blocksize');
    // y viewed as [n, b, b, C, h/b, w/b] from x viewed as [n, C, h/b, b, w/b, b]
    emitPermute(ctx, [n, c, h / b, b, w / b, b], [n, b, b, c, h / b, w / b], ([N, I, J, C, H, W]) => [N, C, H, I, W, J]);
  },
};

// ---- ReverseSequence ------------------------------------------------------------------------

const reverseSequenceDef: OpDef = {
  op: 'ReverseSequence', attrs: { batch_axis: int(1), time_axis: int(0) },
  infer: (ctx) => {
    const r = ctx.rank(0), b = ctx.axis(ctx.int('batch_axis'), r), t = ctx.axis(ctx.int('time_axis'), r);
    if (r < 2 || b === t) throw ctx.error('needs rank >= 2 and distinct batch_axis and time_axis');
    return [tt(ctx.dtype(0), ctx.shape(0))];
  },
  lower: (ctx) => {
    const x = ctx.in(0), lens = ctx.in(1), y = ctx.out(0);
    const r = x.shape.length, ba = ctx.axis(ctx.int('batch_axis'), r), ta = ctx.axis(ctx.int('time_axis'), r);
    const steps = x.shape[ta];
    ctx.nest(y.shape, (idx) => {
      // the first min(len, steps) time steps are reversed, the rest copied
      const len = ctx.local(min(cast(ctx.load(lens, idx[ba]), 'idx'), ix(steps)), 'len');
      const t = idx[ta];
      const src = idx.map((i, a) => (a === ta ? select(cmp('lt', t, len), sub(sub(len, 1), t), t) : i));
      ctx.store(y, idx, ctx.load(x, src));
    });
  },
};

export const movementOps: OpDef[] = [padDef, centerCropPadDef, depthToSpaceDef, spaceToDepthDef, reverseSequenceDef];
