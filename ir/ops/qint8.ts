// The int8 kernels: internal ops (domain 'onnxc') that passes/fuseQuantized.ts makes of QDQ
// patterns (DequantizeLinear → Conv/MatMul/Gemm [→ Relu/Clip] → QuantizeLinear) and of
// QLinearConv / QLinearMatMul with constant quantization parameters.
//   QConvInt8(x, w, bias?, mult, rshift)    x: int8/uint8 [N, C, ...], w: int8 [M, C/group, ...]
//   QMatMulInt8(x, w, bias?, mult, rshift)  x: int8/uint8 [..., K], w: int8 [K, N]
// bias: int32 per output channel (scale x_scale·w_scale[m]); mult/rshift: int32 per output
// channel (ir/requant.ts). With attribute w_shape (the logical weight shape) the weight is packed
// in int16 pairs along K instead (int32 [output channels, ceil(K/2)], ir/ops/qint8Dot.ts), which
// selects the dual-MAC kernel; passes/fuseQuantized.ts packs all but depthwise weights. Attributes: x_zero_point, y_zero_point, y_type ('int8' | 'uint8'),
// lo/hi (the clamp in output codes: the type's range narrowed by a fused Relu/Clip).
// Products accumulate in int32 as (x - x_zero_point)·w (weights are symmetric: zero point 0),
// then ir/requant.ts maps each sum to the output code.
import { DType } from '../dtype.js';
import { InferCtx, LowerCtx, TensorRef } from '../ctx.js';
import { add, cast, lit, mul, sub } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, int, ints, str } from '../opdef.js';
import { Dim } from '../graph.js';
import { clampTo, requantExpr, requantExprHigh, roundingTerm } from '../requant.js';
import { numel, toNumbers } from '../tensor.js';
import { tt } from './common.js';
import { emitConv } from './conv.js';
import { emitGemm } from './gemm.js';
import { Geom, each, emitIm2col, initAcc, kernelShape, prod, spatialDims, windowAttrs, windowGeometry } from './spatial.js';
import { emitDualDot, emitPackRows, pairs } from './qint8Dot.js';
import { depthwiseFits, emitDepthwiseInt8 } from './qint8Depthwise.js';

const qAttrs = { x_zero_point: int(0), y_zero_point: int(0), y_type: str('int8'), lo: int(-128), hi: int(127), w_shape: ints([]) };

/** The logical weight shape: w_shape when the weight is packed, else input 1's. */
function weightShape(ctx: InferCtx): Dim[] {
  const ws = ctx.ints('w_shape');
  return ws.length ? ws : ctx.shape(1);
}
const packed = (ctx: InferCtx): boolean => ctx.ints('w_shape').length > 0;

/** Convolution geometry from the logical weight shape. */
const geomOf = (ctx: InferCtx): Geom => windowGeometry(ctx, spatialDims(ctx, 0), kernelShape(ctx, weightShape(ctx).slice(2)));

/** Output dtype from y_type, after checking the operand types. */
function checkTypes(ctx: InferCtx, channels: number | string, K: number | string): DType {
  const yt = ctx.str('y_type');
  if (yt !== 'int8' && yt !== 'uint8') throw ctx.error(`y_type '${yt}' is not int8 or uint8`);
  if (ctx.dtype(0) !== 'int8' && ctx.dtype(0) !== 'uint8') throw ctx.error(`input of type ${ctx.dtype(0)} is not int8 or uint8`);
  if (ctx.dtype(1) !== (packed(ctx) ? 'int32' : 'int8')) throw ctx.error(`weight of type ${ctx.dtype(1)} is not ${packed(ctx) ? 'int32 (packed)' : 'int8'}`);
  for (const i of [2, 3, 4]) {
    if (!ctx.has(i)) { if (i > 2) throw ctx.error(`input ${i} is required`); continue; }
    if (ctx.dtype(i) !== 'int32') throw ctx.error(`input ${i} of type ${ctx.dtype(i)} is not int32`);
    const n = ctx.shape(i).length === 1 ? ctx.shape(i)[0] : null;
    if (n !== channels) throw ctx.error(`input ${i} must have one value per output channel (${channels})`);
  }
  if (packed(ctx)) {
    const s = ctx.shape(1), Kp = typeof K === 'number' ? pairs(K) : K;
    if (s.length !== 2 || s[0] !== channels || s[1] !== Kp) throw ctx.error(`packed weight must be [${channels}, ${Kp}], got [${s.join(',')}]`);
  }
  return yt;
}

/** Reads output channel c's multiplier, shift and rounding term (as locals, where it is called);
 * returns the stored code of a finished int32 sum. */
function channelRequant(ctx: LowerCtx, c: Expr, t: 'i8' | 'u8'): (acc: Expr) => Expr {
  const zp = lit(ctx.int('y_zero_point'), 'i32'), lo = ctx.int('lo'), hi = ctx.int('hi');
  const m = ctx.local(cast(ctx.load(ctx.in(3), c), 'i64'), 'mult'), sh = ctx.local(cast(ctx.load(ctx.in(4), c), 'i64'), 'sh');
  const half = ctx.local(roundingTerm(sh), 'half');
  // shifts known to be 32 or more (from the constant input): the 32-bit high-word form
  const shifts = ctx.constOf(4), high = !!shifts && toNumbers(shifts).every((s) => s >= 32);
  const rest = high ? ctx.local(sub(cast(ctx.load(ctx.in(4), c), 'i32'), lit(32, 'i32')), 'rest') : null;
  return (acc) => clampTo(ctx.local(add(rest ? requantExprHigh(acc, m, rest, half) : requantExpr(acc, m, sh, half), zp), 'q'), lo, hi, t);
}

/** out = requant(acc) over acc viewed as [outer, C, inner], C the output channel. */
function emitRequant(ctx: LowerCtx, acc: TensorRef, out: TensorRef, [outer, C, inner]: [number, number, number]): void {
  if (!numel(out.shape)) return;
  each(ctx, outer, (o) => each(ctx, C, (c) => {
    const rq = channelRequant(ctx, c, out.t as 'i8' | 'u8'), base = mul(add(mul(o, C), c), inner);
    each(ctx, inner, (i) => ctx.store(out, add(base, i), rq(ctx.load(acc, add(base, i)))), 'p');
  }, 'c'), 'o');
}

/** The initial accumulator of output channel c: its bias, or 0. */
const biasOf = (ctx: LowerCtx, c: Expr): Expr => (ctx.has(2) ? ctx.load(ctx.in(2), c) : lit(0, 'i32'));

/** Non-depthwise QConvInt8 with packed weights (input 5): per image and group, the activations
 * (im2col'd unless pointwise) packed per position, then the dual-MAC dot products. */
function emitPackedConv(ctx: LowerCtx, g: Geom): void {
  const x = ctx.in(0), out = ctx.out(0), [N, C] = x.shape, M = out.shape[1], G = ctx.int('group');
  const Cg = C / G, Mg = M / G, KK = prod(g.k), K = Cg * KK, P = prod(g.out), Pin = prod(g.in), Kp = pairs(K);
  const xz = lit(ctx.int('x_zero_point'), 'i32'), t = out.t as 'i8' | 'u8';
  const pointwise = KK === 1 && g.s.every((s) => s === 1) && [...g.pb, ...g.pe].every((p) => !p);
  const col = pointwise ? null : ctx.temp('int32', [K, P], 'col'), xp = ctx.temp('int32', [P, Kp], 'xp');
  each(ctx, N, (n) => each(ctx, G, (grp) => {
    const xOff = add(mul(n, C * Pin), mul(grp, Cg * Pin));
    if (col) emitIm2col(ctx, g, Cg, { ref: x, off: xOff, ld: 0 }, col, (v) => sub(cast(v, 'i32'), xz));
    emitPackRows(ctx, xp, P, K, (p, k) => (col ? ctx.load(col, add(mul(k, P), p)) : sub(cast(ctx.load(x, add(xOff, add(mul(k, Pin), p))), 'i32'), xz)));
    emitDualDot(ctx, {
      wp: ctx.in(1), xp, M: Mg, P, Kp, mOff: mul(grp, Mg),
      row: (m) => {
        const ch = add(mul(grp, Mg), m), rq = channelRequant(ctx, ch, t), oBase = mul(add(mul(n, M), ch), P);
        return { init: biasOf(ctx, ch), store: (p, acc) => ctx.store(out, add(oBase, p), rq(acc)) };
      },
    });
  }, 'g'), 'n');
}

const qconvInt8: OpDef = {
  op: 'QConvInt8', domain: 'onnxc', attrs: { ...windowAttrs(), group: int(1), ...qAttrs },
  infer: (ctx) => {
    const w = weightShape(ctx), K = w.slice(1).reduce((a: number | string, d) => (typeof a === 'number' && typeof d === 'number' ? a * d : '?'), 1);
    const yt = checkTypes(ctx, w[0], K), [N, C] = ctx.shape(0), group = ctx.int('group');
    if (typeof C === 'number' && typeof w[1] === 'number' && C !== w[1] * group) throw ctx.error(`input has ${C} channels, weight ${w[1]} per group x ${group} groups`);
    if (typeof w[0] === 'number' && w[0] % group) throw ctx.error(`${w[0]} output channels are not divisible by group ${group}`);
    return [tt(yt, [N, w[0], ...geomOf(ctx).out])];
  },
  lower: (ctx) => {
    const g = geomOf(ctx);
    if (packed(ctx)) return emitPackedConv(ctx, g);
    if (depthwiseFits(ctx, g)) return emitDepthwiseInt8(ctx, g, (c) => biasOf(ctx, c), (c) => channelRequant(ctx, c, ctx.out(0).t as 'i8' | 'u8'));
    // other convolutions without packed weights: int32 sums in a scratch, then requantized
    const out = ctx.out(0), acc = ctx.temp('int32', out.shape, 'acc'), [, M] = out.shape, P = prod(out.shape.slice(2));
    initAcc(ctx, acc, (m) => biasOf(ctx, m));
    const xz = lit(ctx.int('x_zero_point'), 'i32');
    emitConv(ctx, g, ctx.in(0), ctx.in(1), { acc, xMap: (v) => sub(cast(v, 'i32'), xz), wMap: (v) => cast(v, 'i32') });
    emitRequant(ctx, acc, out, [out.shape[0], M, P]);
  },
};

const qmatmulInt8: OpDef = {
  op: 'QMatMulInt8', domain: 'onnxc', attrs: qAttrs,
  infer: (ctx) => {
    const x = ctx.shape(0), w = weightShape(ctx);
    if (x.length < 1 || w.length !== 2) throw ctx.error('x must have rank ≥ 1 and the weight rank 2');
    if (typeof x[x.length - 1] === 'number' && x[x.length - 1] !== w[0]) throw ctx.error(`inner dimensions do not match: ${x[x.length - 1]} and ${w[0]}`);
    const yt = checkTypes(ctx, w[1], w[0]);
    return [tt(yt, [...x.slice(0, -1), w[1]])];
  },
  lower: (ctx) => {
    const x = ctx.in(0), w = ctx.in(1), out = ctx.out(0), t = out.t as 'i8' | 'u8';
    const [K, N] = weightShape(ctx) as number[], M = numel(x.shape) / K;
    const xz = lit(ctx.int('x_zero_point'), 'i32');
    if (packed(ctx)) {
      // rows of x packed, then out[r, c] = requant(bias[c] + Σ dot2(wp[c, j], xp[r, j]))
      const Kp = pairs(K), xp = ctx.temp('int32', [M, Kp], 'xp');
      emitPackRows(ctx, xp, M, K, (r, k) => sub(cast(ctx.load(x, add(mul(r, K), k)), 'i32'), xz));
      emitDualDot(ctx, {
        wp: w, xp, M: N, P: M, Kp,
        row: (c) => { const rq = channelRequant(ctx, c, t); return { init: biasOf(ctx, c), store: (r, acc) => ctx.store(out, add(mul(r, N), c), rq(acc)) }; },
      });
      return;
    }
    const acc = ctx.temp('int32', [M, N], 'acc');
    emitGemm(ctx, {
      M, N, K,
      a: { ref: x, rs: K, cs: 1, map: (v) => sub(cast(v, 'i32'), xz) },
      b: { ref: w, rs: N, cs: 1, map: (v) => cast(v, 'i32') },
      y: { ref: acc, rs: N, cs: 1 },
      epilogue: ctx.has(2) ? (s, _i, j) => add(s, ctx.load(ctx.in(2), j)) : undefined,
    });
    emitRequant(ctx, acc, out, [M, N, 1]);
  },
};

export const qint8Ops: OpDef[] = [qconvInt8, qmatmulInt8];
