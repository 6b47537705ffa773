// DeformConv (2-D): each kernel tap samples the input bilinearly at its offset position (zero
// outside), scaled by the optional mask, into an im2col matrix; a grouped GEMM finishes it.
import { InferCtx } from '../ctx.js';
import { add, cast, div, mul, sub } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, int, ints } from '../opdef.js';
import { tt } from './common.js';
import { linearTaps } from './sample.js';
import { emitGemm } from './gemm.js';
import { Geom, accumulator, as0, convKernel, copyOut, each, initAcc, nest, prod, scalarDType, spatialDims, windowGeometry } from './spatial.js';

function deformGeom(ctx: InferCtx): Geom {
  const inSp = spatialDims(ctx, 0);
  if (inSp.length !== 2) throw ctx.error(`only 2-D deformable convolution is supported (input has ${inSp.length} spatial dims)`);
  return windowGeometry(ctx, inSp, convKernel(ctx));
}

export const deformConvDef: OpDef = {
  op: 'DeformConv',
  attrs: { kernel_shape: ints([]), strides: ints([]), dilations: ints([]), pads: ints([]), group: int(1), offset_group: int(1), auto_pad: { type: 'string', default: 'NOTSET' } },
  infer: (ctx) => {
    const g = deformGeom(ctx), [N] = ctx.shape(0), [M] = ctx.shape(1), off = ctx.shape(2);
    const KK = prod(g.k), og = ctx.int('offset_group');
    if (off[1] !== og * KK * 2 || off[2] !== g.out[0] || off[3] !== g.out[1]) throw ctx.error(`offset shape [${off}] does not match offset_group ${og}, kernel [${g.k}] and output [${g.out}]`);
    return [tt(ctx.dtype(0), [N, M, ...g.out])];
  },
  lower: (ctx) => {
    const g = deformGeom(ctx), x = ctx.in(0), w = ctx.in(1), offset = ctx.in(2), out = ctx.out(0), acc = accumulator(ctx, out);
    const [N, C, H, W] = x.shape, M = w.shape[0], G = ctx.int('group'), OG = ctx.int('offset_group');
    const Cg = C / G, Mg = M / G, KK = prod(g.k), K = Cg * KK, P = prod(g.out), mask = ctx.has(4) ? ctx.in(4) : null;
    initAcc(ctx, acc, (m) => (ctx.has(3) ? ctx.load(ctx.in(3), m) : as0(acc)));
    const col = ctx.temp(scalarDType(acc.t), [C * KK, P], 'col');
    each(ctx, N, (n) => {
      ctx.loop(C, (c) => {
        const og = div(c, C / OG);
        nest(ctx, g.k, 'k', ([kh, kw]) => {
          const tap = add(mul(kh, g.k[1]), kw), row = add(mul(og, KK), tap);
          nest(ctx, g.out, 'o', ([oh, ow]) => {
            const p = add(mul(oh, g.out[1]), ow);
            const offAt = (j: number) => ctx.load(offset, add(mul(add(mul(n, OG * KK * 2), add(mul(row, 2), j)), P), p));
            const pos = (o: Expr, k: Expr, d: number): Expr => cast(sub(add(mul(o, g.s[d]), mul(k, g.d[d])), g.pb[d]), offset.t);
            const sy = ctx.local(add(pos(oh, kh, 0), offAt(0)), 'sy');
            const sx = ctx.local(add(pos(ow, kw, 1), offAt(1)), 'sx');
            const ty = linearTaps(ctx, sy, H), tx = linearTaps(ctx, sx, W);
            const plane = mul(add(mul(n, C), c), H * W);
            let v: Expr | null = null;
            for (const a of ty) for (const b of tx) {
              const term = mul(mul(a.w, b.w), ctx.load(x, add(plane, add(mul(a.at, W), b.at))));
              v = v ? add(v, term) : term;
            }
            if (mask) v = mul(v!, ctx.load(mask, add(mul(add(mul(n, OG * KK), row), P), p)));
            ctx.store(col, add(mul(add(mul(c, KK), tap), P), p), v!);
          });
        });
      }, { name: 'c' });
      each(ctx, G, (grp) => emitGemm(ctx, {
        M: Mg, N: P, K,
        a: { ref: w, off: mul(mul(grp, Mg), K), rs: K, cs: 1 },
        b: { ref: col, off: mul(grp, K * P), rs: P, cs: 1 },
        y: { ref: acc, off: mul(add(mul(n, M), mul(grp, Mg)), P), rs: P, cs: 1 },
      }, { accumulate: true }), 'g');
    }, 'n');
    copyOut(ctx, acc, out);
  },
};
