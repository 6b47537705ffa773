// Signal processing ops: DFT and STFT (direct O(n²) transforms over a twiddle table, in double
// precision), the window functions (Hann, Hamming, Blackman) and MelWeightMatrix.
import { DType, dtypeFromOnnx, isFloat } from '../dtype.js';
import { InferCtx, LowerCtx, TensorRef } from '../ctx.js';
import { add, and, bin, cast, cmp, div, ix, lit, max, min, mod, mul, or, select, sub, un } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, int } from '../opdef.js';
import { tt } from './common.js';

/** A compile-time integer scalar input. */
function constInt(ctx: InferCtx, i: number, what: string): number {
  const v = ctx.constNums(i, what);
  if (v.length !== 1) throw ctx.error(`${what} must be a scalar`);
  return Number(v[0]);
}

function outputDtype(ctx: InferCtx): DType {
  const code = ctx.int('output_datatype');
  const d = dtypeFromOnnx(code);
  if (!d || !isFloat(d)) throw ctx.error(`output_datatype ${code} is not a floating-point type`);
  return d;
}

/** tw[m] = (cos, sin)(2πm/n) for m < n, in f64. */
function twiddles(ctx: LowerCtx, n: number): TensorRef {
  const tw = ctx.temp('float64', [n, 2], 'tw');
  ctx.loop(n, (m) => {
    const a = ctx.local(mul(cast(m, 'f64'), (2 * Math.PI) / n), 'ang');
    ctx.store(tw, [m, ix(0)], un('cos', a));
    ctx.store(tw, [m, ix(1)], un('sin', a));
  }, { name: 'm' });
  return tw;
}

/**
 * Emits, for k < kCount, Σ_{j<len} x[j]·e^{sign·2πi·jk/n} (x from sample(j) as f64 re / im) and
 * hands (k, re, im) to emit. sign is -1 for the forward transform.
 */
function emitDftLine(ctx: LowerCtx, tw: TensorRef, n: number, len: number, kCount: number, sign: number,
  sample: (j: Expr) => [Expr, Expr | null], emit: (k: Expr, re: Expr, im: Expr) => void): void {
  ctx.loop(kCount, (k) => {
    const re = ctx.local(lit(0, 'f64'), 're'), im = ctx.local(lit(0, 'f64'), 'im');
    ctx.loop(len, (j) => {
      const m = ctx.local(mod(mul(j, k), n), 'm');
      const c = ctx.local(ctx.load(tw, [m, ix(0)]), 'c'), sn = ctx.load(tw, [m, ix(1)]);
      const s = ctx.local(sign < 0 ? un('neg', sn) : sn, 's');
      const [r, i] = sample(j);
      const xr = ctx.local(r, 'xr'), xi = i && ctx.local(i, 'xi');
      // (xr + i·xi)(c + i·s)
      ctx.assign(re, add(re, xi ? sub(mul(xr, c), mul(xi, s)) : mul(xr, c)));
      ctx.assign(im, add(im, xi ? add(mul(xr, s), mul(xi, c)) : mul(xr, s)));
    }, { name: 'j' });
    emit(k, re, im);
  }, { name: 'k' });
}

interface DftParams { axis: number; n: number; inverse: boolean; onesided: boolean }

function dftParams(ctx: InferCtx): DftParams {
  const shape = ctx.shape(0), r = shape.length;
  if (r < 2) throw ctx.error('input must have rank >= 2 ([..., signal, 1 or 2])');
  const a = ctx.opset >= 20 ? (ctx.has(2) ? constInt(ctx, 2, 'axis') : -2) : ctx.int('axis');
  const axis = ctx.axis(a, r);
  if (axis === r - 1) throw ctx.error(`axis ${a} is the complex dimension`);
  const inverse = ctx.int('inverse') !== 0, onesided = ctx.int('onesided') !== 0;
  const len = shape[axis];
  if (typeof len !== 'number') throw ctx.error(`signal dimension ${axis} must be static`);
  const n = ctx.has(1) ? constInt(ctx, 1, 'dft_length') : inverse && onesided ? 2 * (len - 1) : len;
  if (!(n >= 1)) throw ctx.error(`dft_length must be positive, got ${n}`);
  return { axis, n, inverse, onesided };
}

const dftDef: OpDef = {
  op: 'DFT', attrs: { axis: int(1), inverse: int(0), onesided: int(0) },
  constInputs: (node) => (node.opset >= 20 ? [1, 2] : [1]),
  infer: (ctx) => {
    const { axis, n, inverse, onesided } = dftParams(ctx);
    const shape = [...ctx.shape(0)], c = shape[shape.length - 1];
    if (c !== 1 && c !== 2) throw ctx.error(`last dimension must be 1 (real) or 2 (complex), got ${c}`);
    shape[axis] = onesided && !inverse ? Math.floor(n / 2) + 1 : n;
    shape[shape.length - 1] = inverse && onesided ? 1 : 2;
    return [tt(ctx.dtype(0), shape)];
  },
  lower: (ctx) => {
    const { axis, n, inverse, onesided } = dftParams(ctx);
    const x = ctx.in(0), y = ctx.out(0);
    const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const inner = x.shape.slice(axis + 1, -1).reduce((a, b) => a * b, 1);
    const lenIn = x.shape[axis], cIn = x.shape[x.shape.length - 1], lenOut = y.shape[axis], cOut = y.shape[y.shape.length - 1];
    const tw = twiddles(ctx, n);
    ctx.nest([outer, inner], ([o, q]) => {
      const at = (j: Expr, len: number, c: number) => mul(add(mul(add(mul(o, len), j), inner), q), c);
      const xr = (j: Expr) => cast(ctx.load(x, at(j, lenIn, cIn)), 'f64');
      const xi = (j: Expr) => (cIn === 2 ? cast(ctx.load(x, add(at(j, lenIn, cIn), 1)), 'f64') : null);
      if (inverse && onesided) {
        // inverse of a one-sided spectrum: real output, bins above n/2 are conjugates of those below
        const bins = Math.min(lenIn, Math.floor(n / 2) + 1);
        emitDftLine(ctx, tw, n, bins, lenOut, 1, (k) => {
          const w = ctx.local(select(or(cmp('eq', k, 0), cmp('eq', mul(k, 2), n)), lit(1, 'f64'), lit(2, 'f64')), 'w');
          const xk = xi(k);
          return [mul(w, xr(k)), xk ? mul(w, xk) : null];
        }, (j, re) => ctx.store(y, at(j, lenOut, cOut), cast(div(re, n), y.t)));
        return;
      }
      emitDftLine(ctx, tw, n, Math.min(lenIn, n), lenOut, inverse ? 1 : -1, (j) => [xr(j), xi(j)], (k, re, im) => {
        ctx.store(y, at(k, lenOut, cOut), cast(inverse ? div(re, n) : re, y.t));
        ctx.store(y, add(at(k, lenOut, cOut), 1), cast(inverse ? div(im, n) : im, y.t));
      });
    });
  },
};

interface StftParams { step: number; n: number; frames: number; bins: number }

function stftParams(ctx: InferCtx): StftParams {
  const [, L, c] = ctx.shape(0);
  if (ctx.rank(0) !== 3 || (c !== 1 && c !== 2)) throw ctx.error('signal must have shape [batch, length, 1 or 2]');
  if (typeof L !== 'number') throw ctx.error('signal length must be static');
  const step = constInt(ctx, 1, 'frame_step');
  const win = ctx.has(2) ? ctx.shape(2) : null;
  if (win && (win.length !== 1 || typeof win[0] !== 'number')) throw ctx.error('window must be a static 1-D tensor');
  const n = ctx.has(3) ? constInt(ctx, 3, 'frame_length') : win ? (win[0] as number) : L;
  if (win && win[0] !== n) throw ctx.error(`window length ${win[0]} differs from frame_length ${n}`);
  if (!(step >= 1) || !(n >= 1) || n > L) throw ctx.error(`frame_step ${step} / frame_length ${n} invalid for signal length ${L}`);
  const onesided = ctx.int('onesided') !== 0;
  if (onesided && c === 2) throw ctx.error('onesided output needs a real signal');
  return { step, n, frames: 1 + Math.floor((L - n) / step), bins: onesided ? Math.floor(n / 2) + 1 : n };
}

const stftDef: OpDef = {
  op: 'STFT', attrs: { onesided: int(1) },
  constInputs: [1, 3],
  infer: (ctx) => {
    const { frames, bins } = stftParams(ctx);
    return [tt(ctx.dtype(0), [ctx.shape(0)[0], frames, bins, 2])];
  },
  lower: (ctx) => {
    const { step, n, frames, bins } = stftParams(ctx);
    const x = ctx.in(0), y = ctx.out(0), win = ctx.has(2) ? ctx.in(2) : null;
    const [batch, L, c] = x.shape;
    const tw = twiddles(ctx, n);
    ctx.loop(batch, (b) => ctx.loop(frames, (f) => {
      const at = (j: Expr) => mul(add(mul(b, L), add(mul(f, step), j)), c);
      const weight = (j: Expr, v: Expr) => (win ? mul(v, cast(ctx.load(win, j), 'f64')) : v);
      emitDftLine(ctx, tw, n, n, bins, -1,
        (j) => [weight(j, cast(ctx.load(x, at(j)), 'f64')), c === 2 ? weight(j, cast(ctx.load(x, add(at(j), 1)), 'f64')) : null],
        (k, re, im) => {
          ctx.store(y, [b, f, k, ix(0)], cast(re, y.t));
          ctx.store(y, [b, f, k, ix(1)], cast(im, y.t));
        });
    }, { name: 'f' }), { name: 'b' });
  },
};

/** Window functions of x = 2πi/N (f64): [op, w(x)]. */
const windowRows: [string, (x: Expr) => Expr][] = [
  ['HannWindow', (x) => { const s = un('sin', mul(x, 0.5)); return mul(s, s); }],
  ['HammingWindow', (x) => sub(25 / 46, mul(21 / 46, un('cos', x)))],
  ['BlackmanWindow', (x) => add(sub(0.42, mul(0.5, un('cos', x))), mul(0.08, un('cos', mul(x, 2))))],
];

const windowDef = ([op, w]: (typeof windowRows)[number]): OpDef => ({
  op, attrs: { output_datatype: int(1), periodic: int(1) },
  constInputs: [0],
  infer: (ctx) => {
    const size = constInt(ctx, 0, 'size');
    if (size < 0) throw ctx.error(`size must be non-negative, got ${size}`);
    return [tt(outputDtype(ctx), [size])];
  },
  lower: (ctx) => {
    const y = ctx.out(0), size = y.shape[0];
    const N = ctx.int('periodic') ? size : size - 1;
    ctx.loop(size, (i) => ctx.store(y, i, cast(w(mul(cast(i, 'f64'), (2 * Math.PI) / N)), y.t)));
  },
});

const melDef: OpDef = {
  op: 'MelWeightMatrix', attrs: { output_datatype: int(1) },
  constInputs: [0, 1],
  infer: (ctx) => {
    const mels = constInt(ctx, 0, 'num_mel_bins'), dft = constInt(ctx, 1, 'dft_length');
    if (mels < 1 || dft < 1) throw ctx.error(`num_mel_bins ${mels} and dft_length ${dft} must be positive`);
    return [tt(outputDtype(ctx), [Math.floor(dft / 2) + 1, mels])];
  },
  lower: (ctx) => {
    const y = ctx.out(0), [spec, mels] = y.shape, dft = constInt(ctx, 1, 'dft_length');
    const scalar = (i: number, t: 'f32' | 'f64') => cast(ctx.load(ctx.in(i), ix(0)), t);
    // mel(f) = 2595·log10(1 + f/700), in single precision as the reference computes the edges
    const mel = (f: Expr) => mul(div(un('log', add(div(f, 700), 1)), Math.LN10), 2595);
    const low = ctx.local(mel(scalar(3, 'f32')), 'lo'), high = ctx.local(mel(scalar(4, 'f32')), 'hi');
    const step = ctx.local(cast(div(sub(high, low), mels + 2), 'f64'), 'step');
    // edges of the triangles as spectrogram bins
    const edge = ctx.temp('int64', [mels + 2], 'edge');
    ctx.loop(mels + 2, (i) => {
      const hz = mul(sub(bin('pow', lit(10, 'f64'), div(add(mul(cast(i, 'f64'), step), cast(low, 'f64')), 2595)), 1), 700);
      ctx.store(edge, i, cast(un('floor', div(mul(hz, dft + 1), scalar(2, 'f64'))), 'i64'));
    });
    ctx.loop(spec * mels, (i) => ctx.store(y, i, lit(0, y.t)));
    ctx.loop(mels, (i) => {
      const e = (k: number) => ctx.local(cast(ctx.load(edge, add(i, k)), 'idx'), ['l', 'c', 'r'][k]);
      const l = e(0), c = e(1), r = e(2);
      const put = (j: Expr, v: Expr) => ctx.store(y, add(mul(j, mels), i), cast(v, y.t));
      const ramp = (lo: Expr, hi: Expr, v: (j: Expr) => Expr) =>
        ctx.loop(min(hi, spec), (j) => put(j, v(j)), { name: 'j', lo: max(lo, 0) });
      ctx.if(cmp('eq', c, l),
        () => ctx.if(and(cmp('ge', c, 0), cmp('lt', c, spec)), () => put(c, lit(1, 'f64'))),
        () => ramp(l, add(c, 1), (j) => div(cast(sub(j, l), 'f64'), cast(sub(c, l), 'f64'))));
      ctx.if(cmp('gt', r, c), () => ramp(c, r, (j) => div(cast(sub(r, j), 'f64'), cast(sub(r, c), 'f64'))));
    });
  },
};

export const signalOps: OpDef[] = [dftDef, stftDef, ...windowRows.map(windowDef), melDef];
