// Elementwise op families as table rows: unary math and activations, binary arithmetic with
// broadcasting, comparisons and logic, variadic Sum/Mean/Min/Max, Where, Clip.
import { scalarIsFloat } from '../dtype.js';
import { InferCtx, LowerCtx, tensorRef } from '../ctx.js';
import { Dim } from '../graph.js';
import { add, as, bin, cast, cmp, div, lit, max, min, mul, not, select, sub, un } from '../kbuild.js';
import { BinOp, CmpOp, Expr, UnOp } from '../kernel.js';
import { AttrSpec, OpDef, float, int, str } from '../opdef.js';
import { broadcastShapes, emitElementwise, tt } from './common.js';

type UnFn = (x: Expr, ctx: LowerCtx) => Expr;
const u = (op: UnOp): UnFn => (x) => un(op, x);
const exp = (x: Expr) => un('exp', x);
const sigmoid = (x: Expr) => div(1, add(1, exp(un('neg', x))));
const softplus = (x: Expr) => un('log', add(exp(x), 1));

/** [op, expression, attribute schema] — float activations and math. */
const unaryRows: [string, UnFn, Record<string, AttrSpec>?][] = [
  ['Neg', u('neg')], ['Sqrt', u('sqrt')], ['Exp', u('exp')], ['Log', u('log')],
  ['Sin', u('sin')], ['Cos', u('cos')], ['Tan', u('tan')], ['Asin', u('asin')], ['Acos', u('acos')],
  ['Atan', u('atan')], ['Sinh', u('sinh')], ['Cosh', u('cosh')], ['Tanh', u('tanh')],
  ['Asinh', u('asinh')], ['Acosh', u('acosh')], ['Atanh', u('atanh')], ['Erf', u('erf')],
  ['Floor', u('floor')], ['Ceil', u('ceil')], ['Round', u('rint')],
  ['Abs', (x) => (x.t[0] === 'u' || x.t === 'bool' ? x : un('abs', x))],
  ['Reciprocal', (x) => div(1, x)],
  ['Sigmoid', sigmoid],
  ['Relu', (x) => max(x, 0)],
  ['Softplus', softplus],
  ['Softsign', (x) => div(x, add(1, un('abs', x)))],
  ['Sign', (x) => select(cmp('gt', x, 0), 1, select(cmp('lt', x, 0), -1, x))],
  ['Not', (x) => not(x)],
  ['BitwiseNot', u('bitnot')],
  ['IsNaN', u('isnan')],
  ['IsInf', (x, c) => {
    const inf = un('isinf', x), pos = c.int('detect_positive'), neg = c.int('detect_negative');
    if (pos && neg) return inf;
    const s = un('signbit', x);
    if (pos) return bin('and', inf, not(s));
    if (neg) return bin('and', inf, s);
    return lit(0, 'bool');
  }, { detect_positive: int(1), detect_negative: int(1) }],
  ['Elu', (x, c) => select(cmp('lt', x, 0), mul(c.float('alpha'), sub(exp(x), 1)), x), { alpha: float(1) }],
  ['Celu', (x, c) => {
    const a = c.float('alpha');
    return add(max(x, 0), min(0, mul(a, sub(exp(div(x, a)), 1))));
  }, { alpha: float(1) }],
  ['Selu', (x, c) => mul(c.float('gamma'), select(cmp('gt', x, 0), x, mul(c.float('alpha'), sub(exp(x), 1)))),
    { alpha: float(1.67326319217681884765625), gamma: float(1.05070102214813232421875) }],
  ['LeakyRelu', (x, c) => select(cmp('lt', x, 0), mul(x, c.float('alpha')), x), { alpha: float(0.01) }],
  ['ThresholdedRelu', (x, c) => select(cmp('gt', x, c.float('alpha')), x, 0), { alpha: float(1) }],
  ['HardSigmoid', (x, c) => max(0, min(1, add(mul(x, c.float('alpha')), c.float('beta')))), { alpha: float(0.2), beta: float(0.5) }],
  ['HardSwish', (x) => mul(x, max(0, min(1, add(mul(x, 1 / 6), 0.5))))],
  ['Mish', (x) => mul(x, un('tanh', softplus(x)))],
  ['Gelu', (x, c) => {
    if (c.str('approximate') === 'tanh') {
      const inner = mul(Math.sqrt(2 / Math.PI), add(x, mul(0.044715, mul(x, mul(x, x)))));
      return mul(mul(0.5, x), add(1, un('tanh', inner)));
    }
    return mul(mul(0.5, x), add(1, un('erf', mul(x, Math.SQRT1_2))));
  }, { approximate: str('none') }],
  ['Shrink', (x, c) => {
    const l = c.float('lambd'), b = c.float('bias');
    return select(cmp('lt', x, -l), add(x, b), select(cmp('gt', x, l), sub(x, b), 0));
  }, { lambd: float(0.5), bias: float(0) }],
];

const boolOut = new Set(['Not', 'IsNaN', 'IsInf']);

function unaryDef([op, fn, attrs]: (typeof unaryRows)[number]): OpDef {
  return {
    op, attrs, inplace: boolOut.has(op) ? undefined : [0], runtimeDims: true,
    infer: (c) => [tt(boolOut.has(op) && op !== 'Not' ? 'bool' : c.dtype(0), c.shape(0))],
    lower: (c) => emitElementwise(c, [c.in(0)], c.out(0), ([x]) => fn(x, c)),
  };
}

/** Python-style integer modulo (result takes the divisor's sign). */
function floorMod(a: Expr, b: Expr): Expr {
  const r = bin('mod', a, b);
  const fix = bin('and', cmp('ne', r, 0), cmp('ne', cmp('lt', r, 0), cmp('lt', b, 0)));
  return select(fix, add(r, b), r);
}

type BinFn = (a: Expr, b: Expr, ctx: LowerCtx) => Expr;
const b = (op: BinOp): BinFn => (x, y) => bin(op, x, y);
const c = (op: CmpOp): BinFn => (x, y) => cmp(op, x, y);

/** [op, expression, output is bool, attribute schema] — binary ops with broadcasting. */
const binaryRows: [string, BinFn, boolean, Record<string, AttrSpec>?][] = [
  ['Add', b('add'), false], ['Sub', b('sub'), false], ['Mul', b('mul'), false], ['Div', b('div'), false],
  ['Pow', (x, y) => {
    if (scalarIsFloat(x.t)) return bin('pow', x, cast(y, x.t));
    return cast(bin('pow', cast(x, 'f64'), cast(y, 'f64')), x.t);
  }, false],
  ['Mod', (x, y, ctx) => (ctx.int('fmod') || scalarIsFloat(x.t) ? bin('mod', x, y) : floorMod(x, y)), false, { fmod: int(0) }],
  ['And', b('and'), true], ['Or', b('or'), true], ['Xor', b('xor'), true],
  ['BitwiseAnd', b('and'), false], ['BitwiseOr', b('or'), false], ['BitwiseXor', b('xor'), false],
  ['BitShift', (x, y, ctx) => bin(ctx.str('direction') === 'LEFT' ? 'shl' : 'shr', x, y), false, { direction: str() }],
  ['Equal', c('eq'), true], ['Less', c('lt'), true], ['LessOrEqual', c('le'), true],
  ['Greater', c('gt'), true], ['GreaterOrEqual', c('ge'), true],
];

function binaryDef([op, fn, boolOut, attrs]: (typeof binaryRows)[number]): OpDef {
  return {
    op, attrs, inplace: boolOut ? undefined : [0, 1], runtimeDims: true,
    infer: (ctx) => [tt(boolOut ? 'bool' : ctx.dtype(0), broadcastShapes(ctx, [ctx.shape(0), ctx.shape(1)]))],
    lower: (ctx) => emitElementwise(ctx, [ctx.in(0), ctx.in(1)], ctx.out(0), ([x, y]) => fn(x, y, ctx)),
  };
}

function presentInputs(ctx: InferCtx): number[] {
  return ctx.node.inputs.map((_, i) => i).filter((i) => ctx.has(i));
}

/** Variadic ops folding their inputs pairwise: Sum, Mean, Min, Max. */
function variadicDef(op: string, fold: (a: Expr, b: Expr) => Expr, finish?: (acc: Expr, n: number) => Expr): OpDef {
  return {
    op, inplace: [0], runtimeDims: true,
    infer: (ctx) => {
      const ins = presentInputs(ctx);
      if (!ins.length) throw ctx.error('needs at least one input');
      return [tt(ctx.dtype(ins[0]), broadcastShapes(ctx, ins.map((i) => ctx.shape(i))))];
    },
    lower: (ctx) => {
      const ins = presentInputs(ctx).map((i) => ctx.in(i));
      emitElementwise(ctx, ins, ctx.out(0), (vals) => {
        const acc = vals.reduce((a, v) => fold(a, v));
        return finish ? finish(acc, vals.length) : acc;
      });
    },
  };
}

/** PRelu before opset 7 applies a 1-D slope of C values per channel (axis 1). */
function preluSlopeShape(ctx: InferCtx): Dim[] {
  const xs = ctx.shape(0), ss = ctx.shape(1);
  return ctx.opset < 7 && ss.length === 1 && xs.length > 2 && ss[0] === xs[1] && ss[0] !== 1
    ? [ss[0], ...xs.slice(2).map(() => 1)] : ss;
}

const preluDef: OpDef = {
  op: 'PRelu', inplace: [0],
  infer: (ctx) => [tt(ctx.dtype(0), broadcastShapes(ctx, [ctx.shape(0), preluSlopeShape(ctx)]))],
  lower: (ctx) => {
    const slope = ctx.in(1);
    const view = tensorRef(slope.buf, preluSlopeShape(ctx) as number[]);
    emitElementwise(ctx, [ctx.in(0), view], ctx.out(0), ([x, a]) => select(cmp('lt', x, 0), mul(x, a), x));
  },
};

const whereDef: OpDef = {
  op: 'Where', runtimeDims: true,
  infer: (ctx) => [tt(ctx.dtype(1), broadcastShapes(ctx, [ctx.shape(0), ctx.shape(1), ctx.shape(2)]))],
  lower: (ctx) => emitElementwise(ctx, [ctx.in(0), ctx.in(1), ctx.in(2)], ctx.out(0), ([cond, x, y]) => select(cond, x, y)),
};

/** Clip: bounds from attributes (opset < 11) or optional inputs. */
const clipDef: OpDef = {
  op: 'Clip', attrs: { min: float(-Infinity), max: float(Infinity) }, inplace: [0],
  infer: (ctx) => [tt(ctx.dtype(0), ctx.shape(0))],
  lower: (ctx) => {
    const x = ctx.in(0);
    if (ctx.opset < 11) {
      const lo = ctx.float('min'), hi = ctx.float('max');
      return emitElementwise(ctx, [x], ctx.out(0), ([v]) => min(max(v, as(lo, v.t)), as(hi, v.t)));
    }
    const bounds = [1, 2].filter((i) => ctx.has(i)).map((i) => ctx.in(i));
    emitElementwise(ctx, [x, ...bounds], ctx.out(0), ([v, ...bs]) => {
      let r = v;
      if (ctx.has(1)) r = max(r, bs[0]);
      if (ctx.has(2)) r = min(r, bs[ctx.has(1) ? 1 : 0]);
      return r;
    });
  },
};

export const elementwiseOps: OpDef[] = [
  ...unaryRows.map(unaryDef),
  ...binaryRows.map(binaryDef),
  variadicDef('Sum', (a, v) => add(a, v)),
  variadicDef('Mean', (a, v) => add(a, v), (acc, n) => div(acc, n)),
  variadicDef('Min', (a, v) => min(a, v)),
  variadicDef('Max', (a, v) => max(a, v)),
  whereDef,
  clipDef,
  preluDef,
];

