// Convolutions: Conv, ConvInteger, QLinearConv (im2col + GEMM; a 1x1 convolution is the GEMM
// alone; depthwise convolutions accumulate tap by tap), ConvTranspose (GEMM + col2im),
// Col2Im and DeformConv. The pooling and sampling families live in pool.ts and sample.ts.
import { InferCtx, LowerCtx, TensorRef } from '../ctx.js';
import { add, cast, div, ix, max, min, mod, mul, sub, un } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, floats, int, ints, str } from '../opdef.js';
import { tt } from './common.js';
import { poolOps } from './pool.js';
import { sampleOps } from './sample.js';
import { deformConvDef } from './deform.js';
import { Activation, fusedActivation } from './activation.js';
import { emitGemm } from './gemm.js';
import { Geom, accumulator, as0, convGeom, convKernel, convType, copyOut, each, emitCol2im, emitIm2col, emitTaps, fill, initAcc, perDim, prod, scalarDType, spatialDims, windowAttrs } from './spatial.js';

interface ConvSpec {
  /** Converts a loaded input / weight value to the accumulation type (zero points, int widening). */
  xMap: (v: Expr) => Expr;
  wMap: (v: Expr, m: Expr) => Expr;
  /** Accumulator [N, M, P] (the output itself when it can hold the sums), already initialized. */
  acc: TensorRef;
  /** x and w are used as they are (xMap, wMap the identity): a float convolution. */
  plain?: boolean;
  /** A fused activation applied as the GEMM stores (not by the depthwise loop nest). */
  act?: Activation;
}

/**
 * Emits acc[n, m, p] += sum over c, taps of w[m, c, tap] * x[n, c, p's tap]. Pointwise
 * convolutions are a GEMM over x; depthwise ones (one input channel per group) accumulate tap by
 * tap into the output row; the rest gather an im2col matrix per image and group. Returns whether
 * spec.act was applied.
 */
export function emitConv(ctx: LowerCtx, g: Geom, x: TensorRef, w: TensorRef, spec: ConvSpec): boolean {
  const [N, C] = x.shape, M = w.shape[0], G = ctx.int('group');
  const Cg = C / G, Mg = M / G, KK = prod(g.k), K = Cg * KK, P = prod(g.out), Pin = prod(g.in);
  const { acc, xMap, wMap } = spec;
  const pointwise = KK === 1 && g.s.every((s) => s === 1) && [...g.pb, ...g.pe].every((p) => !p);
  const wAt = (m: Expr, k: Expr) => wMap(ctx.load(w, add(mul(m, K), k)), m);
  if (Cg === 1 && !pointwise) {
    // depthwise: acc[n, m] += w[m, tap] * x[n, m / Mg] along each tap's valid range
    each(ctx, N, (n) => each(ctx, M, (m) => {
      const xBase = add(mul(n, C * Pin), mul(div(m, Mg), Pin)), row = add(mul(n, M * P), mul(m, P));
      emitTaps(ctx, g, 1, {
        valid: (_c, tap, p, i) => {
          const at = add(row, p);
          ctx.store(acc, at, add(ctx.load(acc, at), mul(wAt(m, tap), xMap(ctx.load(x, add(xBase, i))))));
        },
      });
    }, 'm'), 'n');
    return false;
  }
  if (!pointwise && ctx.schedule.directConv) {
    // direct: acc[n, m] += w[m, c, tap] * x[n, group's c] along each tap's valid range, no im2col buffer
    each(ctx, N, (n) => each(ctx, M, (m) => {
      const xBase = add(mul(n, C * Pin), mul(div(m, Mg), Cg * Pin)), row = add(mul(n, M * P), mul(m, P));
      emitTaps(ctx, g, Cg, {
        valid: (c, tap, p, i) => {
          const at = add(row, p);
          ctx.store(acc, at, add(ctx.load(acc, at), mul(wAt(m, add(mul(c, KK), tap)), xMap(ctx.load(x, add(xBase, i))))));
        },
      });
    }, 'm'), 'n');
    return false;
  }
  // the im2col matrix is gathered and multiplied in bands of output rows where the schedule
  // says so (a band's matrix stays in cache); rowLen: output positions per row of the first dim
  const rows = g.out.length > 1 ? g.out[0] : 1, rowLen = P / rows;
  const R = pointwise ? rows : Math.max(1, Math.min(rows, ctx.schedule.im2colRows?.(K, rows, rowLen, Mg) ?? rows));
  const col = pointwise ? null : ctx.temp(scalarDType(acc.t), [K, R * rowLen], 'col');
  each(ctx, N, (n) => each(ctx, G, (grp) => {
    const xOff = add(mul(n, C * Pin), mul(grp, Cg * Pin)), mOff = mul(grp, Mg), yOff = add(mul(n, M * P), mul(grp, Mg * P));
    const a = { ref: w, off: mul(mOff, K), rs: K, cs: 1, map: spec.plain ? undefined : (v: Expr, m: Expr) => wMap(v, add(mOff, m)) };
    // acc[m, p] += w[m, k] · col[k, p] (or x[k, p] for a 1x1 convolution)
    if (!col) {
      emitGemm(ctx, { M: Mg, N: P, K, a, b: { ref: x, off: xOff, rs: P, cs: 1, map: spec.plain ? undefined : xMap }, y: { ref: acc, off: yOff, rs: P, cs: 1 } }, { accumulate: true, act: spec.act });
      return;
    }
    const band = (from: Expr, count: number) => {
      const Pb = count * rowLen;
      emitIm2col(ctx, g, Cg, { ref: x, off: xOff, ld: 0 }, col, xMap, R < rows ? { from, count } : undefined);
      emitGemm(ctx, { M: Mg, N: Pb, K, a, b: { ref: col, off: ix(0), rs: Pb, cs: 1 }, y: { ref: acc, off: add(yOff, mul(from, rowLen)), rs: P, cs: 1 } }, { accumulate: true, act: spec.act });
    };
    const full = Math.floor(rows / R);
    each(ctx, full, (b) => band(full === 1 ? ix(0) : ctx.local(mul(b, R), 'row'), R), 'band');
    if (rows % R) band(ix(full * R), rows % R);
  }, 'g'), 'n');
  return true;
}

const convDef: OpDef = {
  op: 'Conv', attrs: { ...windowAttrs(), group: int(1), onnxc_clip: floats([]), onnxc_act: str('') },
  infer: (ctx) => [convType(ctx, ctx.dtype(0))],
  lower: (ctx) => {
    const x = ctx.in(0), w = ctx.in(1), out = ctx.out(0), acc = accumulator(ctx, out), g = convGeom(ctx);
    const bias = ctx.has(2) ? ctx.in(2) : null;
    const act = fusedActivation(ctx);
    if (w.shape[1] === 1 && ctx.int('group') === x.shape[1] && ctx.schedule.depthwise(ctx, { g, x, w, bias, out, act })) return;
    initAcc(ctx, acc, (m) => (ctx.has(2) ? ctx.load(ctx.in(2), m) : as0(acc)));
    const applied = emitConv(ctx, g, x, w, { acc, xMap: (v) => v, wMap: (v) => v, plain: true, act });
    copyOut(ctx, acc, out);
    if (act && !applied) ctx.loop(prod(out.shape), (i) => ctx.store(out, i, act.scalar(ctx.load(out, i))), { hint: { vectorize: 4 } });
  },
};

/** Zero point input i as an i32 (per output channel m when it has more than one element). */
function zeroPoint(ctx: LowerCtx, i: number, m?: Expr): Expr {
  if (!ctx.has(i)) return cast(ix(0), 'i32');
  const r = ctx.in(i);
  return cast(ctx.load(r, prod(r.shape) > 1 && m ? m : ix(0)), 'i32');
}

/** Integer convolution into an int32 accumulator: sum (x - x_zp) * (w - w_zp[m]). */
function emitIntConv(ctx: LowerCtx, acc: TensorRef, xi: number, wi: number, xz: number, wz: number): void {
  const xzv = zeroPoint(ctx, xz);
  emitConv(ctx, convGeom(ctx, xi, wi), ctx.in(xi), ctx.in(wi), {
    acc, xMap: (v) => sub(cast(v, 'i32'), xzv), wMap: (v, m) => sub(cast(v, 'i32'), zeroPoint(ctx, wz, m)),
  });
}

const convIntegerDef: OpDef = {
  op: 'ConvInteger', attrs: { ...windowAttrs(), group: int(1) },
  infer: (ctx) => [convType(ctx, 'int32')],
  lower: (ctx) => {
    const acc = ctx.out(0);
    initAcc(ctx, acc, () => cast(ix(0), 'i32'));
    emitIntConv(ctx, acc, 0, 1, 2, 3);
  },
};

const qlinearConvDef: OpDef = {
  op: 'QLinearConv', attrs: { ...windowAttrs(), group: int(1) },
  infer: (ctx) => [convType(ctx, ctx.dtype(7), 0, 3)],
  lower: (ctx) => {
    const out = ctx.out(0), acc = ctx.temp('int32', out.shape, 'acc');
    initAcc(ctx, acc, (m) => (ctx.has(8) ? cast(ctx.load(ctx.in(8), m), 'i32') : cast(ix(0), 'i32')));
    emitIntConv(ctx, acc, 0, 3, 2, 5);
    const [, M] = out.shape, P = prod(out.shape.slice(2)), ws = ctx.in(4);
    const lo = out.t === 'u8' ? 0 : -128, hi = out.t === 'u8' ? 255 : 127;
    const xs = ctx.load(ctx.in(1), ix(0)), ys = ctx.load(ctx.in(6), ix(0)), yz = cast(zeroPoint(ctx, 7), 'f32');
    copyOut(ctx, acc, out, (v, i) => {
      const scale = div(mul(xs, ctx.load(ws, prod(ws.shape) > 1 ? mod(div(i, P), M) : ix(0))), ys);
      return cast(min(max(add(un('rint', mul(cast(v, 'f32'), scale)), yz), lo), hi), out.t);
    });
  },
};

/** ConvTranspose geometry: positions are the input's, the "image" the output (col2im view). */
function convTransposeGeom(ctx: InferCtx): Geom {
  const inSp = spatialDims(ctx, 0), r = inSp.length;
  const k = convKernel(ctx);
  const s = perDim(ctx, 'strides', r, 1), d = perDim(ctx, 'dilations', r, 1), op = perDim(ctx, 'output_padding', r, 0);
  const full = inSp.map((n, i) => s[i] * (n - 1) + op[i] + (k[i] - 1) * d[i] + 1);
  const autoPad = ctx.str('auto_pad'), given = ctx.ints('output_shape');
  let pb: number[], pe: number[];
  if (given.length || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const outSp = given.length ? given.slice(-r) : inSp.map((n, i) => n * s[i]);
    const total = full.map((f, i) => f - outSp[i]);
    const small = total.map((t) => Math.floor(t / 2));
    pb = total.map((t, i) => (autoPad === 'SAME_UPPER' ? small[i] : t - small[i]));
    pe = total.map((t, i) => t - pb[i]);
  } else if (autoPad === 'NOTSET' || autoPad === 'VALID') {
    const p = autoPad === 'VALID' ? [] : ctx.ints('pads');
    pb = inSp.map((_, i) => p[i] ?? 0);
    pe = inSp.map((_, i) => p[r + i] ?? 0);
  } else throw ctx.error(`unsupported auto_pad '${autoPad}'`);
  return { in: full.map((f, i) => f - pb[i] - pe[i]), out: inSp, k, s, d, pb, pe };
}

const convTransposeDef: OpDef = {
  op: 'ConvTranspose', attrs: { ...windowAttrs(), group: int(1), output_padding: ints([]), output_shape: ints([]) },
  infer: (ctx) => {
    const g = convTransposeGeom(ctx), [N, C] = ctx.shape(0), [Cw, Mg] = ctx.shape(1);
    if (typeof C === 'number' && C !== Cw) throw ctx.error(`input has ${C} channels, the weight ${Cw}`);
    return [tt(ctx.dtype(0), [N, typeof Mg === 'number' ? Mg * ctx.int('group') : Mg, ...g.in])];
  },
  lower: (ctx) => {
    const g = convTransposeGeom(ctx), x = ctx.in(0), w = ctx.in(1), out = ctx.out(0), acc = accumulator(ctx, out);
    const [N, C] = x.shape, G = ctx.int('group'), Cg = C / G, Mg = w.shape[1], M = Mg * G;
    const KK = prod(g.k), Pin = prod(g.out), Pout = prod(g.in), R = Mg * KK;
    initAcc(ctx, acc, (m) => (ctx.has(2) ? ctx.load(ctx.in(2), m) : as0(acc)));
    const col = ctx.temp(scalarDType(acc.t), [R, Pin], 'col');
    each(ctx, N, (n) => each(ctx, G, (grp) => {
      // col[m*KK + tap, p] = sum_c w[grp*Cg + c, m, tap] * x[n, grp*Cg + c, p]
      emitGemm(ctx, {
        M: R, N: Pin, K: Cg,
        a: { ref: w, off: mul(grp, Cg * R), rs: 1, cs: R },
        b: { ref: x, off: add(mul(n, C * Pin), mul(grp, Cg * Pin)), rs: Pin, cs: 1 },
        y: { ref: col, rs: Pin, cs: 1 },
      });
      emitCol2im(ctx, g, Mg, { ref: col, off: ix(0), ld: 0 }, { ref: acc, off: add(mul(n, M * Pout), mul(grp, Mg * Pout)), ld: 0 });
    }, 'g'), 'n');
    copyOut(ctx, acc, out);
  },
};

/** Col2Im: sums the columns [N, C*KK, L] back into images [N, C, ...image_shape]. */
function col2imGeom(ctx: InferCtx): Geom {
  const img = ctx.constNums(1, 'image_shape'), k = ctx.constNums(2, 'block_shape'), r = img.length;
  const s = perDim(ctx, 'strides', r, 1), d = perDim(ctx, 'dilations', r, 1), p = ctx.ints('pads');
  const pb = img.map((_, i) => p[i] ?? 0), pe = img.map((_, i) => p[r + i] ?? 0);
  const out = img.map((n, i) => Math.floor((n + pb[i] + pe[i] - (k[i] - 1) * d[i] - 1) / s[i]) + 1);
  return { in: img, k, s, d, pb, pe, out };
}

const col2imDef: OpDef = {
  op: 'Col2Im', attrs: { strides: ints([]), dilations: ints([]), pads: ints([]) }, constInputs: [1, 2],
  infer: (ctx) => {
    const g = col2imGeom(ctx), [N, CK, L] = ctx.shape(0), KK = prod(g.k);
    if (typeof L === 'number' && L !== prod(g.out)) throw ctx.error(`input has ${L} blocks, the geometry gives ${prod(g.out)}`);
    return [tt(ctx.dtype(0), [N, typeof CK === 'number' ? CK / KK : CK, ...g.in])];
  },
  lower: (ctx) => {
    const g = col2imGeom(ctx), x = ctx.in(0), out = ctx.out(0), acc = accumulator(ctx, out);
    const [N, C] = out.shape, CP = prod(x.shape.slice(1)), Pout = prod(g.in) * C;
    fill(ctx, acc, prod(acc.shape), () => as0(acc));
    each(ctx, N, (n) => emitCol2im(ctx, g, C, { ref: x, off: mul(n, CP), ld: 0 }, { ref: acc, off: mul(n, Pout), ld: 0 }), 'n');
    copyOut(ctx, acc, out);
  },
};

/** Everything ir/ops/index.ts registers for this family (pooling and sampling included). */
export const convOps: OpDef[] = [
  convDef, convIntegerDef, qlinearConvDef, convTransposeDef, col2imDef, deformConvDef, ...poolOps, ...sampleOps,
];
