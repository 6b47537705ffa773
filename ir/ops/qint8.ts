// The int8 kernels: internal ops (domain 'onnxc') that passes/fuseQuantized.ts makes of QDQ
// patterns (DequantizeLinear → Conv/MatMul/Gemm [→ Relu/Clip] → QuantizeLinear) and of
// QLinearConv / QLinearMatMul with constant quantization parameters.
//   QConvInt8(x, w, bias?, mult, rshift)    x: int8/uint8 [N, C, ...], w: int8 [M, C/group, ...]
//   QMatMulInt8(x, w, bias?, mult, rshift)  x: int8/uint8 [..., K], w: int8 [K, N]
// bias: int32 per output channel (scale x_scale·w_scale[m]); mult/rshift: int32 per output
// channel (ir/requant.ts). Attributes: x_zero_point, y_zero_point, y_type ('int8' | 'uint8'),
// lo/hi (the clamp in output codes: the type's range narrowed by a fused Relu/Clip).
// Products accumulate in int32 as (x - x_zero_point)·w (weights are symmetric: zero point 0),
// then ir/requant.ts maps each sum to the output code.
import { DType } from '../dtype.js';
import { InferCtx, LowerCtx, TensorRef } from '../ctx.js';
import { add, cast, lit, mul, sub } from '../kbuild.js';
import { OpDef, int, str } from '../opdef.js';
import { clampTo, requantExpr, roundingTerm } from '../requant.js';
import { numel } from '../tensor.js';
import { tt } from './common.js';
import { emitConv } from './conv.js';
import { emitGemm } from './gemm.js';
import { convGeom, convType, each, initAcc, prod, windowAttrs } from './spatial.js';

const qAttrs = { x_zero_point: int(0), y_zero_point: int(0), y_type: str('int8'), lo: int(-128), hi: int(127) };

/** Output dtype from y_type, after checking the operand types. */
function checkTypes(ctx: InferCtx, channels: number | string): DType {
  const yt = ctx.str('y_type');
  if (yt !== 'int8' && yt !== 'uint8') throw ctx.error(`y_type '${yt}' is not int8 or uint8`);
  if (ctx.dtype(0) !== 'int8' && ctx.dtype(0) !== 'uint8') throw ctx.error(`input of type ${ctx.dtype(0)} is not int8 or uint8`);
  if (ctx.dtype(1) !== 'int8') throw ctx.error(`weight of type ${ctx.dtype(1)} is not int8`);
  for (const i of [2, 3, 4]) {
    if (!ctx.has(i)) { if (i > 2) throw ctx.error(`input ${i} is required`); continue; }
    if (ctx.dtype(i) !== 'int32') throw ctx.error(`input ${i} of type ${ctx.dtype(i)} is not int32`);
    const n = ctx.shape(i).length === 1 ? ctx.shape(i)[0] : null;
    if (n !== channels) throw ctx.error(`input ${i} must have one value per output channel (${channels})`);
  }
  return yt;
}

/**
 * out = requant(acc) over acc viewed as [outer, C, inner] with C the output channel: the
 * channel's multiplier, shift and rounding term are read once, outside the inner loop.
 */
function emitRequant(ctx: LowerCtx, acc: TensorRef, out: TensorRef, [outer, C, inner]: [number, number, number]): void {
  const mult = ctx.in(3), rsh = ctx.in(4), t = out.t as 'i8' | 'u8';
  const zp = lit(ctx.int('y_zero_point'), 'i32'), lo = ctx.int('lo'), hi = ctx.int('hi');
  if (!numel(out.shape)) return;
  each(ctx, outer, (o) => each(ctx, C, (c) => {
    const m = ctx.local(cast(ctx.load(mult, c), 'i64'), 'mult'), sh = ctx.local(cast(ctx.load(rsh, c), 'i64'), 'sh');
    const half = ctx.local(roundingTerm(sh), 'half'), base = mul(add(mul(o, C), c), inner);
    each(ctx, inner, (i) => {
      const v = ctx.local(add(requantExpr(ctx.load(acc, add(base, i)), m, sh, half), zp), 'q');
      ctx.store(out, add(base, i), clampTo(v, lo, hi, t));
    }, 'p');
  }, 'c'), 'o');
}

const qconvInt8: OpDef = {
  op: 'QConvInt8', domain: 'onnxc', attrs: { ...windowAttrs(), group: int(1), ...qAttrs },
  infer: (ctx) => {
    const yt = checkTypes(ctx, ctx.shape(1)[0]);
    return [convType(ctx, yt)];
  },
  lower: (ctx) => {
    const out = ctx.out(0), acc = ctx.temp('int32', out.shape, 'acc'), [, M] = out.shape, P = prod(out.shape.slice(2));
    initAcc(ctx, acc, (m) => (ctx.has(2) ? ctx.load(ctx.in(2), m) : lit(0, 'i32')));
    const xz = lit(ctx.int('x_zero_point'), 'i32');
    emitConv(ctx, convGeom(ctx), ctx.in(0), ctx.in(1), {
      acc, xMap: (v) => sub(cast(v, 'i32'), xz), wMap: (v) => cast(v, 'i32'),
    });
    // the channel of flat element i of [N, M, P]: (i / P) mod M
    emitRequant(ctx, acc, out, [out.shape[0], M, P]);
  },
};

const qmatmulInt8: OpDef = {
  op: 'QMatMulInt8', domain: 'onnxc', attrs: qAttrs,
  infer: (ctx) => {
    const x = ctx.shape(0), w = ctx.shape(1);
    if (x.length < 1 || w.length !== 2) throw ctx.error('x must have rank ≥ 1 and the weight rank 2');
    if (typeof x[x.length - 1] === 'number' && x[x.length - 1] !== w[0]) throw ctx.error(`inner dimensions do not match: ${x[x.length - 1]} and ${w[0]}`);
    const yt = checkTypes(ctx, w[1]);
    return [tt(yt, [...x.slice(0, -1), w[1]])];
  },
  lower: (ctx) => {
    const x = ctx.in(0), w = ctx.in(1), out = ctx.out(0);
    const [K, N] = w.shape, M = numel(x.shape) / K;
    const acc = ctx.temp('int32', [M, N], 'acc');
    const xz = lit(ctx.int('x_zero_point'), 'i32');
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
