// The int8 depthwise convolution of QConvInt8 (one input and one output channel per group, 2-D,
// at most 25 taps): each image is first copied into a scratch padded with the input's zero point
// (a real 0), so no tap needs a bounds check; the zero point is folded into the accumulator's
// start (bias − x_zero_point · Σ w), each channel's taps are locals, and every output is one
// register sum of w · x over the taps, requantized as it is stored. Per MAC that is a byte load
// and a multiply-add, where the generic tap loop (ir/ops/conv.ts) reads and writes an int32
// scratch row per tap.
import { LowerCtx } from '../ctx.js';
import { add, cast, lit, mul, sub } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { Geom, each, prod } from './spatial.js';

/** Whether emitDepthwiseInt8 handles this convolution. */
export function depthwiseFits(ctx: LowerCtx, g: Geom): boolean {
  const [, C] = ctx.in(0).shape, [M, Cg] = ctx.in(1).shape;
  return Cg === 1 && M === C && ctx.int('group') === C && g.k.length === 2 && prod(g.k) <= 25;
}

/**
 * Emits the depthwise convolution; rq(c) reads channel c's requantization (once per channel)
 * and returns the stored code of a finished sum; bias(c) its initial accumulator.
 */
export function emitDepthwiseInt8(ctx: LowerCtx, g: Geom, bias: (c: Expr) => Expr, rq: (c: Expr) => (acc: Expr) => Expr): void {
  const x = ctx.in(0), w = ctx.in(1), out = ctx.out(0), [N, C] = x.shape;
  const [H, W] = g.in, [OH, OW] = g.out, [KH, KW] = g.k, KK = KH * KW;
  const Hp = H + g.pb[0] + g.pe[0], Wp = W + g.pb[1] + g.pe[1], plane = Hp * Wp, P = OH * OW;
  const zp = ctx.int('x_zero_point'), pad = ctx.temp(x.dtype, [C, Hp, Wp], 'xpad');
  const padded = g.pb.some((p) => p > 0) || g.pe.some((p) => p > 0);
  each(ctx, N, (n) => {
    if (padded) ctx.loop(C * plane, (i) => ctx.store(pad, i, lit(zp, x.t)));
    ctx.loop(C, (c) => ctx.loop(H, (y) => ctx.loop(W, (xi) =>
      ctx.store(pad, add(mul(c, plane), add(mul(add(y, g.pb[0]), Wp), add(xi, g.pb[1]))), ctx.load(x, add(mul(add(mul(n, C), c), H * W), add(mul(y, W), xi)))),
    { name: 'x' }), { name: 'y' }), { name: 'c' });
    ctx.loop(C, (c) => {
      const taps = Array.from({ length: KK }, (_, t) => ctx.local(cast(ctx.load(w, add(mul(c, KK), t)), 'i32'), 'w'));
      const wsum = taps.reduce((a: Expr, t) => add(a, t), lit(0, 'i32'));
      const init = ctx.local(sub(bias(c), mul(lit(zp, 'i32'), wsum)), 'start'), store = rq(c);
      ctx.loop(OH, (oy) => ctx.loop(OW, (ox) => {
        let acc: Expr = init;
        for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
          const at = add(mul(c, plane), add(mul(add(mul(oy, g.s[0]), ky * g.d[0]), Wp), add(mul(ox, g.s[1]), kx * g.d[1])));
          acc = add(acc, mul(taps[ky * KW + kx], cast(ctx.load(pad, at), 'i32')));
        }
        ctx.store(out, add(mul(add(mul(n, C), c), P), add(mul(oy, OW), ox)), store(ctx.local(acc, 'acc')));
      }, { name: 'ox' }), { name: 'oy' });
    }, { name: 'c' });
  }, 'n');
}
