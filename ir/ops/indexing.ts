// Indexing ops: Slice, Gather/GatherElements/GatherND, ScatterElements/Scatter/ScatterND,
// TensorScatter, Compress, OneHot. Pad, CenterCropPad, DepthToSpace, SpaceToDepth and
// ReverseSequence live in movement.ts, Resize and Upsample in resize.ts.
import { LowerCtx, InferCtx, TensorRef } from '../ctx.js';
import { Dim } from '../graph.js';
import { add, cast, cmp, ix, max, min, mul, select } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, int, ints, str } from '../opdef.js';
import { numel, toNumbers } from '../tensor.js';
import { dimLabel, isRtDim, rtBound, rtDim, spanDim } from '../rtdims.js';
import { tt } from './common.js';
import { clampLocal, concreteDim, copyTensor, indexLocal, posMod } from './indexutil.js';
import { movementOps } from './movement.js';
import { resizeOps } from './resize.js';

// ---- Slice ---------------------------------------------------------------------------------

interface SlicePlan { starts: number[]; steps: number[]; shape: Dim[] }

/** Per-axis start, step and output extent, following the ONNX clamping rules. */
function slicePlan(ctx: InferCtx): SlicePlan {
  const rank = ctx.rank(0);
  let starts: number[], ends: number[], axes: number[], steps: number[];
  if (ctx.opset < 10) {
    starts = ctx.ints('starts');
    ends = ctx.ints('ends');
    axes = ctx.hasAttr('axes') ? ctx.ints('axes') : starts.map((_, i) => i);
    steps = starts.map(() => 1);
  } else {
    starts = ctx.constNums(1, 'starts');
    ends = ctx.constNums(2, 'ends');
    axes = ctx.has(3) ? ctx.constNums(3, 'axes') : starts.map((_, i) => i);
    steps = ctx.has(4) ? ctx.constNums(4, 'steps') : starts.map(() => 1);
  }
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length)
    throw ctx.error(`starts, ends, axes and steps must have the same length (${starts.length}, ${ends.length}, ${axes.length}, ${steps.length})`);
  const plan: SlicePlan = { starts: new Array(rank).fill(0), steps: new Array(rank).fill(1), shape: [...ctx.shape(0)] };
  const seen = new Set<number>();
  axes.forEach((a0, k) => {
    const a = ctx.axis(a0, rank);
    if (seen.has(a)) throw ctx.error(`axis ${a0} is sliced twice`);
    seen.add(a);
    const rt = ctx.shape(0)[a];
    // a run-time axis (ir/rtdims.ts), step 1 from a start that does not count from the end:
    // the length is a derived dim (min(end, n), span(n, start, end))
    const span = isRtDim(rt) && steps[k] === 1 ? spanDim(rt, starts[k], ends[k]) : undefined;
    if (span !== undefined) {
      plan.shape[a] = span;
      plan.starts[a] = starts[k];
      return;
    }
    if (isRtDim(rt)) throw ctx.error(`axis ${a} has run-time dimension '${dimLabel(rt)}' (at most ${rtBound(rt)}): Slice takes a run-time axis with step 1 from a start that does not count from the end, not [${starts[k]}:${ends[k]}:${steps[k]}]`);
    const dim = concreteDim(ctx, 0, a, 'Slice');
    const step = steps[k];
    if (step === 0) throw ctx.error('slice step cannot be 0');
    let s = starts[k] < 0 ? starts[k] + dim : starts[k];
    let e = ends[k] < 0 ? ends[k] + dim : ends[k];
    if (step > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
    } else {
      s = Math.min(Math.max(s, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
    }
    plan.starts[a] = s;
    plan.steps[a] = step;
    plan.shape[a] = Math.max(0, Math.ceil((e - s) / step));
  });
  return plan;
}

const sliceDef: OpDef = {
  op: 'Slice', runtimeDims: true,
  attrs: { starts: ints(), ends: ints(), axes: ints() },
  constInputs: (n) => (n.opset >= 10 ? [1, 2, 3, 4] : []),
  infer: (ctx) => [tt(ctx.dtype(0), slicePlan(ctx).shape)],
  lower: (ctx) => {
    const { starts, steps } = slicePlan(ctx);
    const x = ctx.in(0), y = ctx.out(0);
    // a run-time dim (ir/rtdims.ts) is never sliced (slicePlan needs it): it flows through
    ctx.nest(ctx.extents(y), (idx) => ctx.store(y, idx, ctx.load(x, idx.map((i, d) => add(mul(i, steps[d]), starts[d])))));
  },
};

// ---- Gather family -------------------------------------------------------------------------

const gatherDef: OpDef = {
  op: 'Gather', attrs: { axis: int(0) }, runtimeDims: true,
  infer: (ctx) => {
    const s = ctx.shape(0), a = ctx.axis(ctx.int('axis'), s.length);
    return [tt(ctx.dtype(0), [...s.slice(0, a), ...ctx.shape(1), ...s.slice(a + 1)])];
  },
  lower: (ctx) => {
    const x = ctx.in(0), ind = ctx.in(1), y = ctx.out(0);
    const a = ctx.axis(ctx.int('axis'), x.shape.length), xe = ctx.extents(x);
    ctx.nest([...xe.slice(0, a), ...ctx.extents(ind)], (outer) => {
      const j = indexLocal(ctx, ctx.load(ind, outer.slice(a)), x.rt ? ctx.dim(x, a) : x.shape[a]);
      ctx.nest(xe.slice(a + 1), (inner) =>
        ctx.store(y, [...outer, ...inner], ctx.load(x, [...outer.slice(0, a), j, ...inner])));
    });
  },
};

const gatherElementsDef: OpDef = {
  op: 'GatherElements', attrs: { axis: int(0) },
  infer: (ctx) => {
    if (ctx.rank(1) !== ctx.rank(0)) throw ctx.error(`indices must have the rank of data (${ctx.rank(0)}), got ${ctx.rank(1)}`);
    return [tt(ctx.dtype(0), ctx.shape(1))];
  },
  lower: (ctx) => {
    const x = ctx.in(0), ind = ctx.in(1), y = ctx.out(0);
    const a = ctx.axis(ctx.int('axis'), x.shape.length);
    ctx.nest(ind.shape, (idx) => {
      const j = indexLocal(ctx, ctx.load(ind, idx), x.shape[a]);
      ctx.store(y, idx, ctx.load(x, idx.map((i, d) => (d === a ? j : i))));
    });
  },
};

/** Loads the k = indices.shape[-1] coordinates at position `pos` of indices, wrapped for data dims b.. */
function tupleLocals(ctx: LowerCtx, ind: TensorRef, pos: Expr[], dims: number[]): Expr[] {
  return dims.map((dim, c) => indexLocal(ctx, ctx.load(ind, [...pos, ix(c)]), dim));
}

function gatherNDShape(ctx: InferCtx, batch: number): { k: number; shape: Dim[] } {
  const ds = ctx.shape(0), is = ctx.shape(1);
  const k = is[is.length - 1];
  if (typeof k !== 'number') throw ctx.error('the last dimension of indices must be concrete');
  if (batch + k > ds.length) throw ctx.error(`batch_dims ${batch} + index depth ${k} exceeds the data rank ${ds.length}`);
  return { k, shape: [...is.slice(0, -1), ...ds.slice(batch + k)] };
}

const gatherNDDef: OpDef = {
  op: 'GatherND', attrs: { batch_dims: int(0) }, runtimeDims: true,
  infer: (ctx) => [tt(ctx.dtype(0), gatherNDShape(ctx, ctx.int('batch_dims')).shape)],
  lower: (ctx) => {
    const x = ctx.in(0), ind = ctx.in(1), y = ctx.out(0), b = ctx.int('batch_dims');
    const { k } = gatherNDShape(ctx, b);
    // run-time dims (ir/rtdims.ts): the positions of indices (a NonZero's count), not the data dims indexed
    const late = x.rt?.slots.findIndex((sl, d) => sl && d >= b) ?? -1;
    if (late >= 0) throw ctx.error(`data dimension ${late} is known only at run time ('${dimLabel(x.rt!.names[late])}'); GatherND needs the data dims after batch_dims at compile time`);
    ctx.nest(ctx.extents(ind).slice(0, -1), (pos) => {
      const js = tupleLocals(ctx, ind, pos, x.shape.slice(b, b + k));
      ctx.nest(x.shape.slice(b + k), (rest) => ctx.store(y, [...pos, ...rest], ctx.load(x, [...pos.slice(0, b), ...js, ...rest])));
    });
  },
};

// ---- Scatter family ------------------------------------------------------------------------

const reductions: Record<string, ((old: Expr, upd: Expr) => Expr) | null> = {
  none: null, add: (a, b) => add(a, b), mul: (a, b) => mul(a, b), max: (a, b) => max(a, b), min: (a, b) => min(a, b),
};

function reductionOf(ctx: InferCtx): ((old: Expr, upd: Expr) => Expr) | null {
  const r = ctx.def.attrs?.reduction ? ctx.str('reduction') : 'none';
  if (!(r in reductions)) throw ctx.error(`reduction '${r}' is not supported (none, add, mul, max, min)`);
  return reductions[r];
}

/** out = data, then out[target(i)] (op)= updates[i]. */
function storeUpdate(ctx: LowerCtx, out: TensorRef, at: Expr[], val: Expr, red: ((o: Expr, u: Expr) => Expr) | null): void {
  ctx.store(out, at, red ? red(ctx.load(out, at), val) : val);
}

function scatterElementsDef(op: string, withReduction: boolean): OpDef {
  return {
    op, attrs: withReduction ? { axis: int(0), reduction: str('none') } : { axis: int(0) },
    inplace: [0],
    infer: (ctx) => {
      if (ctx.shape(1).join() !== ctx.shape(2).join()) throw ctx.error('indices and updates must have the same shape');
      return [tt(ctx.dtype(0), ctx.shape(0))];
    },
    lower: (ctx) => {
      const x = ctx.in(0), ind = ctx.in(1), upd = ctx.in(2), y = ctx.out(0), red = reductionOf(ctx);
      const a = ctx.axis(ctx.int('axis'), x.shape.length);
      copyTensor(ctx, x, y);
      ctx.nest(ind.shape, (idx) => {
        const j = indexLocal(ctx, ctx.load(ind, idx), x.shape[a]);
        storeUpdate(ctx, y, idx.map((i, d) => (d === a ? j : i)), ctx.load(upd, idx), red);
      });
    },
  };
}

const scatterNDDef: OpDef = {
  op: 'ScatterND', attrs: { reduction: str('none') }, inplace: [0],
  infer: (ctx) => {
    const d = ctx.shape(0), ind = ctx.shape(1), u = ctx.shape(2), k = ind[ind.length - 1];
    if (ind.length < 1) throw ctx.error('indices must have rank at least 1');
    if (typeof k === 'number' && (k > d.length || u.length !== ind.length - 1 + d.length - k))
      throw ctx.error(`updates have rank ${u.length}; indices [${ind}] into data of rank ${d.length} need rank ${ind.length - 1 + d.length - k}`);
    return [tt(ctx.dtype(0), d)];
  },
  lower: (ctx) => {
    const x = ctx.in(0), ind = ctx.in(1), upd = ctx.in(2), y = ctx.out(0), red = reductionOf(ctx);
    const k = ind.shape[ind.shape.length - 1];
    if (k > x.shape.length) throw ctx.error(`index depth ${k} exceeds the data rank ${x.shape.length}`);
    copyTensor(ctx, x, y);
    ctx.nest(ind.shape.slice(0, -1), (pos) => {
      const js = tupleLocals(ctx, ind, pos, x.shape.slice(0, k));
      ctx.nest(x.shape.slice(k), (rest) => storeUpdate(ctx, y, [...js, ...rest], ctx.load(upd, [...pos, ...rest]), red));
    });
  },
};

/** TensorScatter (KV-cache update): update's sequence slices written at write_indices[batch]. */
const tensorScatterDef: OpDef = {
  op: 'TensorScatter', attrs: { axis: int(-2), mode: str('linear') }, inplace: [0],
  infer: (ctx) => {
    const r = ctx.rank(0), a = ctx.axis(ctx.int('axis'), r);
    if (a === 0) throw ctx.error('axis cannot be 0 (the batch dimension)');
    if (ctx.rank(1) !== r) throw ctx.error(`update must have the rank of past_cache (${r}), got ${ctx.rank(1)}`);
    return [tt(ctx.dtype(0), ctx.shape(0))];
  },
  lower: (ctx) => {
    const past = ctx.in(0), upd = ctx.in(1), y = ctx.out(0), mode = ctx.str('mode');
    if (mode !== 'linear' && mode !== 'circular') throw ctx.error(`mode '${mode}' is not supported (linear, circular)`);
    const a = ctx.axis(ctx.int('axis'), past.shape.length), maxSeq = past.shape[a];
    copyTensor(ctx, past, y);
    ctx.nest(upd.shape.slice(0, a), (pre) => {
      const w = ctx.has(2) ? ctx.local(cast(ctx.load(ctx.in(2), pre[0]), 'idx'), 'w') : ix(0);
      ctx.loop(upd.shape[a], (s) => {
        const pos = mode === 'circular' ? ctx.local(posMod(ctx, add(w, s), maxSeq), 'pos') : ctx.local(add(w, s), 'pos');
        if (mode === 'linear') clampLocal(ctx, pos, maxSeq);
        ctx.nest(upd.shape.slice(a + 1), (post) => ctx.store(y, [...pre, pos, ...post], ctx.load(upd, [...pre, s, ...post])));
      });
    });
  },
};

// ---- Compress, OneHot ----------------------------------------------------------------------

/** Number of selected slices: true entries of the condition within the axis extent; with the
 * condition known only at run time, a run-time dim (ir/rtdims.ts) bounded by that extent. */
function compressCount(ctx: InferCtx, extent: number): Dim {
  const c = ctx.constOf(1);
  if (c) return toNumbers(c).slice(0, extent).filter((v) => v !== 0).length;
  return rtDim(`${ctx.node.outputs[0]?.name ?? ctx.node.name}.n`, Math.min(extent, numel(ctx.cshape(1))));
}

const compressDef: OpDef = {
  op: 'Compress', attrs: { axis: int() }, runtimeDims: true, foldInputs: [1],
  infer: (ctx) => {
    if (!ctx.hasAttr('axis')) return [tt(ctx.dtype(0), [compressCount(ctx, numel(ctx.cshape(0)))])];
    const s = [...ctx.shape(0)], a = ctx.axis(ctx.int('axis'), s.length);
    s[a] = compressCount(ctx, concreteDim(ctx, 0, a, 'Compress'));
    return [tt(ctx.dtype(0), s)];
  },
  lower: (ctx) => {
    const x = ctx.in(0), cond = ctx.in(1), y = ctx.out(0);
    if (x.rt || cond.rt) throw ctx.error('the data and the condition of Compress need shapes known at compile time');
    const flat = !ctx.hasAttr('axis');
    const a = flat ? 0 : ctx.axis(ctx.int('axis'), x.shape.length);
    const pre = flat ? 1 : numel(x.shape.slice(0, a)), post = flat ? 1 : numel(x.shape.slice(a + 1));
    const extent = flat ? numel(x.shape) : x.shape[a];
    const n = Math.min(extent, numel(cond.shape));
    // count the selected slices first: y is dense in its actual shape, m slices along the axis
    const m = ctx.local(ix(0), 'm');
    ctx.loop(n, (j) => ctx.if(cmp('ne', ctx.load(cond, j), 0), () => ctx.assign(m, add(m, 1))));
    ctx.setDim(y, a, m);
    const k = ctx.local(ix(0), 'k');
    ctx.loop(n, (j) => ctx.if(cmp('ne', ctx.load(cond, j), 0), () => {
      ctx.nest([pre, post], ([p, q]) =>
        ctx.store(y, add(mul(add(mul(p, m), k), post), q), ctx.load(x, add(mul(add(mul(p, extent), j), post), q))));
      ctx.assign(k, add(k, 1));
    }));
  },
};

const oneHotDef: OpDef = {
  op: 'OneHot', attrs: { axis: int(-1) },
  constInputs: [1],
  infer: (ctx) => {
    const s = ctx.shape(0), depth = Math.trunc(ctx.constNums(1, 'depth')[0]);
    if (!(depth > 0)) throw ctx.error(`depth must be positive, got ${depth}`);
    const a = ctx.axis(ctx.int('axis'), s.length + 1);
    return [tt(ctx.dtype(2), [...s.slice(0, a), depth, ...s.slice(a)])];
  },
  lower: (ctx) => {
    const ind = ctx.in(0), vals = ctx.in(2), y = ctx.out(0);
    const a = ctx.axis(ctx.int('axis'), ind.shape.length + 1), depth = y.shape[a];
    const off = ctx.local(ctx.load(vals, ix(0)), 'off'), on = ctx.local(ctx.load(vals, ix(1)), 'on');
    ctx.nest(y.shape, (idx) => {
      const j = ctx.local(cast(ctx.load(ind, [...idx.slice(0, a), ...idx.slice(a + 1)]), 'i64'), 'j');
      const w = select(cmp('lt', j, 0), add(j, depth), j);
      ctx.store(y, idx, select(cmp('eq', w, cast(idx[a], 'i64')), on, off));
    });
  },
};

export const indexingOps: OpDef[] = [
  sliceDef,
  gatherDef,
  gatherElementsDef,
  gatherNDDef,
  scatterElementsDef('ScatterElements', true),
  scatterElementsDef('Scatter', false),
  scatterNDDef,
  tensorScatterDef,
  compressDef,
  oneHotDef,
  ...movementOps,
  ...resizeOps,
];
