// Shape-level ops: constants (Constant, ConstantOfShape, Range, EyeLike), shape queries (Shape,
// Size, folded from types alone), views that only relabel input 0's bytes (Identity, Reshape,
// Flatten, Squeeze, Unsqueeze) and Dropout. Data-moving layout ops live in layout.ts.
import { InferCtx, LowerCtx } from '../ctx.js';
import { DType, dtypeFromOnnx, dtypeInfo } from '../dtype.js';
import { Dim } from '../graph.js';
import { add, cast, cmp, ix, lit, mul, select } from '../kbuild.js';
import { OpDef, float, floats, int, ints, tensor } from '../opdef.js';
import { TensorData, getBig, getNum, numel, tensorFrom } from '../tensor.js';
import { broadcastShapes, dimOp, emitElementwise, productDims, tt } from './common.js';
import { fillHole } from '../shapeValues.js';
import { addConst, layoutOps } from './layout.js';
import { emitUniform } from './random.js';

const isNum = (d: Dim): d is number => typeof d === 'number';

/** A view of input 0 under the output's shape: the compile-time value of an alias op. */
const relabel = (ctx: InferCtx, shape: Dim[]): TensorData[] => {
  const x = ctx.constOf(0)!;
  return [{ dtype: x.dtype, shape: shape as number[], data: x.data }];
};

/** A view op: output 0 is input 0's bytes under the inferred shape. */
function viewDef(op: string, shapeOf: (ctx: InferCtx) => Dim[], extra: Partial<OpDef> = {}): OpDef {
  return {
    op, alias: true, ...extra,
    infer: (ctx) => [tt(ctx.dtype(0), shapeOf(ctx))],
    evaluate: (ctx) => relabel(ctx, shapeOf(ctx)),
  };
}

/** Reshape's target shape: 0 copies the input dim (unless allowzero), -1 takes the rest. The
 * target may hold dim names (a shape computed from a symbolic input: ir/shapeValues.ts). */
function reshapeShape(ctx: InferCtx): Dim[] {
  const spec: Dim[] = ctx.opset < 5 ? ctx.ints('shape') : ctx.shapeValue(1) ?? ctx.constNums(1, "input 'shape'");
  const inShape = ctx.shape(0);
  const allowZero = ctx.opset >= 14 && ctx.int('allowzero') !== 0;
  const out: Dim[] = spec.map((d, i) => {
    if (d === 0 && !allowZero) {
      if (i >= inShape.length) throw ctx.error(`shape entry ${i} is 0 but the input has rank ${inShape.length}`);
      return inShape[i];
    }
    if (isNum(d) && d < -1) throw ctx.error(`invalid shape entry ${d}`);
    return d;
  });
  const hole = out.indexOf(-1);
  if (hole !== out.lastIndexOf(-1)) throw ctx.error('shape has more than one -1 entry');
  const total = productDims(inShape);
  if (hole >= 0) {
    if (allowZero && out.includes(0)) throw ctx.error('shape cannot contain both 0 and -1 when allowzero is set');
    const others = out.filter((_, i) => i !== hole), rest = productDims(others);
    out[hole] = isNum(total) && isNum(rest) ? dimOp(total, rest, (a, b) => {
      if (b === 0 || a % b !== 0) throw ctx.error(`cannot reshape [${inShape.join(',')}] to [${spec.join(',')}]`);
      return a / b;
    }, '') : fillHole(inShape, others) ?? (rest === 1 ? total : `${total}/${rest}`);
  } else if (isNum(total) && out.every(isNum) && numel(out) !== total) {
    throw ctx.error(`cannot reshape [${inShape.join(',')}] (${total} elements) to [${out.join(',')}]`);
  }
  return out;
}

function flattenShape(ctx: InferCtx): Dim[] {
  const s = ctx.shape(0);
  const axis = ctx.int('axis');
  if (axis < -s.length || axis > s.length) throw ctx.error(`axis ${axis} is out of range for rank ${s.length}`);
  const a = axis < 0 ? axis + s.length : axis;
  return [productDims(s.slice(0, a)), productDims(s.slice(a))];
}

/** Squeeze/Unsqueeze axes: an attribute before opset 13, optional input 1 from 13. */
function axesOf(ctx: InferCtx): number[] | undefined {
  if (ctx.opset < 13) return ctx.hasAttr('axes') ? ctx.ints('axes') : undefined;
  return ctx.has(1) ? ctx.constNums(1, "input 'axes'") : undefined;
}

function squeezeShape(ctx: InferCtx): Dim[] {
  const s = ctx.shape(0);
  const axes = axesOf(ctx);
  if (!axes) return s.filter((d) => d !== 1);
  const drop = new Set(axes.map((a) => ctx.axis(a, s.length)));
  for (const a of drop) if (isNum(s[a]) && s[a] !== 1) throw ctx.error(`cannot squeeze axis ${a} of size ${s[a]}`);
  return s.filter((_, i) => !drop.has(i));
}

function unsqueezeShape(ctx: InferCtx): Dim[] {
  const s = ctx.shape(0);
  const axes = axesOf(ctx);
  if (!axes) throw ctx.error("'axes' is required");
  const rank = s.length + axes.length;
  const ins = new Set(axes.map((a) => ctx.axis(a, rank)));
  if (ins.size !== axes.length) throw ctx.error(`axes [${axes.join(',')}] contain a duplicate`);
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(ins.has(i) ? 1 : s[k++]);
  return out;
}

/** Constant's value from whichever value attribute is set. */
function constantValue(ctx: InferCtx): TensorData {
  if (ctx.hasAttr('value')) return ctx.tensorAttr('value');
  if (ctx.hasAttr('value_float')) return tensorFrom('float32', [], [ctx.float('value_float')]);
  if (ctx.hasAttr('value_floats')) { const v = ctx.floats('value_floats'); return tensorFrom('float32', [v.length], v); }
  if (ctx.hasAttr('value_int')) return tensorFrom('int64', [], [ctx.int('value_int')]);
  if (ctx.hasAttr('value_ints')) { const v = ctx.ints('value_ints'); return tensorFrom('int64', [v.length], v); }
  const other = ['sparse_value', 'value_string', 'value_strings'].find((a) => ctx.hasAttr(a));
  throw ctx.error(other ? `attribute '${other}' is not supported` : 'no value attribute is set');
}

/** Shape's [start, end) slice of the dims, clamped to the rank (opset 15+). */
function shapeRange(ctx: InferCtx): [number, number] {
  const r = ctx.rank(0);
  const clamp = (a: number) => Math.min(r, Math.max(0, a < 0 ? a + r : a));
  const start = clamp(ctx.int('start'));
  const end = ctx.hasAttr('end') ? clamp(ctx.int('end')) : r;
  return [start, Math.max(start, end)];
}

/** Range's element count: max(ceil((limit - start) / delta), 0); Range(0, d, 1) over a dim d
 * computed from shapes (ir/shapeValues.ts) has d elements. */
function rangeCount(ctx: InferCtx): Dim {
  const sv = [0, 1, 2].map((i) => (ctx.constOf(i) ? undefined : ctx.shapeValue(i)?.[0]));
  if (sv.some((d) => d !== undefined)) {
    const [start, limit, delta] = [0, 1, 2].map((i) => sv[i] ?? ctx.constNums(i)[0]);
    if (start === 0 && delta === 1) return limit;
    if (isNum(start) && isNum(limit) && isNum(delta)) return Math.max(Math.ceil((limit - start) / delta), 0);
    throw ctx.error(`a range from ${start} to ${limit} by ${delta} over symbolic dims: onnxc supports Range(0, dim, 1)`);
  }
  const [start, limit, delta] = [0, 1, 2].map((i) => {
    const v = ctx.constNums(i, ['start', 'limit', 'delta'][i]);
    if (v.length !== 1 || !Number.isFinite(v[0])) throw ctx.error(`${['start', 'limit', 'delta'][i]} must be one finite number, got [${v.slice(0, 4)}]`);
    return v[0];
  });
  if (delta === 0) throw ctx.error('delta must not be 0');
  return Math.max(Math.ceil((limit - start) / delta), 0);
}

/** Dropout's ratio when training_mode (input 2, opset 12+) is set, else 0 (inference: identity). */
function dropoutRatio(ctx: InferCtx): number {
  if (ctx.opset < 12 || !ctx.has(2) || !ctx.constNums(2, "input 'training_mode'")[0]) return 0;
  const ratio = ctx.has(1) ? ctx.constNums(1, "input 'ratio'")[0] : 0.5;
  if (!(ratio >= 0 && ratio < 1)) throw ctx.error(`ratio ${ratio} is outside [0, 1)`);
  return ratio;
}

/**
 * Training-mode Dropout: keep x[i] (scaled by 1 / (1 - ratio)) where a uniform draw is >= ratio.
 * The draws come from MT19937 seeded with the 'seed' attribute (0 when absent), as numpy does.
 */
function emitTrainingDropout(ctx: LowerCtx, ratio: number): void {
  const x = ctx.in(0), y = ctx.out(0), scale = 1 / (1 - ratio);
  emitUniform(ctx, ctx.int('seed'), numel(x.shape), (u, i) => {
    const keep = ctx.local(cmp('ge', u, lit(ratio, 'f64')), 'keep');
    ctx.store(y, i, select(keep, mul(ctx.load(x, i), scale), 0));
    if (ctx.hasOut(1)) ctx.store(ctx.out(1), i, keep);
  });
}

export const shapeOps: OpDef[] = [
  {
    op: 'Constant',
    attrs: { value: tensor(), value_float: float(), value_floats: floats(), value_int: int(), value_ints: ints() },
    infer: (ctx) => { const v = constantValue(ctx); return [tt(v.dtype, v.shape)]; },
    evaluate: (ctx) => [constantValue(ctx)],
  },
  {
    op: 'Shape', attrs: { start: int(0), end: int() }, typeOnly: true, runtimeDims: true,
    infer: (ctx) => { const [s, e] = shapeRange(ctx); return [tt('int64', [e - s])]; },
    evaluate: (ctx) => {
      const [s, e] = shapeRange(ctx), dims = ctx.shape(0).slice(s, e);
      // symbolic dims: no compile-time value (the lowering stores the bound sizes)
      return dims.every(isNum) ? [tensorFrom('int64', [dims.length], dims)] : [];
    },
    // run-time dims (ir/rtdims.ts): stored from their slots
    lower: (ctx) => {
      const [s, e] = shapeRange(ctx), x = ctx.in(0), y = ctx.out(0);
      for (let d = s; d < e; d++) ctx.store(y, ix(d - s), cast(ctx.dim(x, d), y.t));
    },
  },
  {
    op: 'Size', typeOnly: true, runtimeDims: true,
    infer: () => [tt('int64', [])],
    evaluate: (ctx) => { const n = productDims(ctx.shape(0)); return isNum(n) ? [tensorFrom('int64', [], [n])] : []; },
    // with run-time dims (ir/rtdims.ts) the actual count
    lower: (ctx) => ctx.store(ctx.out(0), ix(0), cast(ctx.count(ctx.in(0)), 'i64')),
  },
  viewDef('Identity', (ctx) => ctx.shape(0)),
  viewDef('Reshape', reshapeShape, { attrs: { allowzero: int(0), shape: ints() }, constInputs: [1] }),
  viewDef('Flatten', flattenShape, { attrs: { axis: int(1) } }),
  viewDef('Squeeze', squeezeShape, { attrs: { axes: ints() }, constInputs: [1] }),
  viewDef('Unsqueeze', unsqueezeShape, { attrs: { axes: ints() }, constInputs: [1] }),
  {
    op: 'Dropout', attrs: { ratio: float(0.5), seed: int(0), is_test: int(0) },
    constInputs: [1, 2], inplace: [0],
    infer: (ctx) => {
      const y = tt(ctx.dtype(0), ctx.shape(0));
      return ctx.numOutputs > 1 ? [y, tt(ctx.opset >= 10 ? 'bool' : ctx.dtype(0), ctx.shape(0))] : [y];
    },
    lower: (ctx) => {
      const ratio = dropoutRatio(ctx);
      if (ratio > 0) return emitTrainingDropout(ctx, ratio);
      emitElementwise(ctx, [ctx.in(0)], ctx.out(0), ([x]) => x);
      if (ctx.hasOut(1)) emitElementwise(ctx, [], ctx.out(1), () => lit(1, ctx.out(1).t));
    },
  },
  {
    op: 'Expand', constInputs: [1], runtimeDims: true,
    infer: (ctx) => [tt(ctx.dtype(0), broadcastShapes(ctx, [ctx.shape(0), ctx.shapeValue(1) ?? ctx.constNums(1, "input 'shape'")]))],
    lower: (ctx) => emitElementwise(ctx, [ctx.in(0)], ctx.out(0), ([x]) => x),
  },
  {
    op: 'ConstantOfShape', attrs: { value: tensor() }, constInputs: [0], runtimeDims: true,
    infer: (ctx) => {
      const shape = ctx.shapeValue(0) ?? ctx.constNums(0, "input 'shape'");
      if (shape.some((d) => isNum(d) && d < 0)) throw ctx.error(`negative dimension in shape [${shape.join(',')}]`);
      return [tt(ctx.hasAttr('value') ? ctx.tensorAttr('value').dtype : 'float32', shape)];
    },
    lower: (ctx) => {
      const out = ctx.out(0);
      const v = ctx.hasAttr('value') ? ctx.tensorAttr('value') : undefined;
      if (v && numel(v.shape) !== 1) throw ctx.error("attribute 'value' must have exactly one element");
      const val = v ? lit(out.t === 'i64' || out.t === 'u64' ? getBig(v, 0) : getNum(v, 0), out.t) : lit(0, out.t);
      emitElementwise(ctx, [], out, () => val);
    },
  },
  {
    op: 'Range', constInputs: [0, 1, 2], runtimeDims: true,
    infer: (ctx) => [tt(ctx.dtype(0), [rangeCount(ctx)])],
    lower: (ctx) => {
      const out = ctx.out(0);
      const [start, delta] = [0, 2].map((i) => lit(Number(ctx.shapeValue(i)?.[0] ?? ctx.constNums(i)[0]), out.t));
      ctx.nest(ctx.extents(out), ([i]) => ctx.store(out, i, add(start, mul(cast(i, out.t), delta))));
    },
  },
  {
    op: 'EyeLike', attrs: { dtype: int(), k: int(0) },
    infer: (ctx) => {
      if (ctx.rank(0) !== 2) throw ctx.error(`input must be 2-D, got rank ${ctx.rank(0)}`);
      return [tt(eyeDtype(ctx), ctx.shape(0))];
    },
    lower: (ctx) => {
      const out = ctx.out(0), [rows, cols] = out.shape, k = ctx.int('k');
      emitElementwise(ctx, [], out, () => lit(0, out.t));
      const lo = Math.max(0, -k), hi = Math.min(rows, cols - k);
      if (hi > lo) ctx.loop(hi, (i) => ctx.store(out, addConst(mul(i, cols + 1), k), lit(1, out.t)), { lo });
    },
  },
  ...layoutOps,
];

function eyeDtype(ctx: InferCtx): DType {
  if (!ctx.hasAttr('dtype')) return ctx.dtype(0);
  const d = dtypeFromOnnx(ctx.int('dtype'));
  if (!d || !dtypeInfo(d).compute) throw ctx.error(`dtype ${ctx.int('dtype')} (${d ?? 'unknown'}) is not supported`);
  return d;
}
