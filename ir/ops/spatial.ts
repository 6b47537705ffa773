// Shared machinery of the convolution and pooling families: window geometry (strides,
// dilations, pads, auto_pad, ceil_mode) and the patch loop behind im2col / col2im. The GEMM
// half of a convolution goes through ir/ops/gemm.ts.
import { InferCtx, LowerCtx, TensorRef } from '../ctx.js';
import { DType, Scalar, isConverted } from '../dtype.js';
import { Dim, TensorType } from '../graph.js';
import { E, add, and, as, cmp, div, ix, lit, max, min, mul, sub } from '../kbuild.js';
import { tt } from './common.js';
import { Expr } from '../kernel.js';
import { AttrSpec, int, ints, str } from '../opdef.js';

/** Attributes of every windowed op (Conv, pools, …). */
export const windowAttrs = (): Record<string, AttrSpec> => ({
  auto_pad: str('NOTSET'), kernel_shape: ints([]), strides: ints([]), dilations: ints([]), pads: ints([]),
});
export const poolAttrs = (): Record<string, AttrSpec> => ({ ...windowAttrs(), ceil_mode: int(0) });

/** Window geometry along the spatial dims. */
export interface Geom {
  in: number[]; k: number[]; s: number[]; d: number[];
  /** Pads at the beginning / end of each dim. */
  pb: number[]; pe: number[];
  out: number[];
}

/** An ints attribute with one entry per spatial dim (default `dflt` when absent or empty). */
export function perDim(ctx: InferCtx, name: string, rank: number, dflt: number): number[] {
  const v = ctx.ints(name);
  if (!v.length) return new Array(rank).fill(dflt);
  if (v.length !== rank) throw ctx.error(`attribute '${name}' has ${v.length} values, expected ${rank}`);
  return v;
}

/** Kernel shape: the attribute, or the trailing dims of the weight shape. */
export function kernelShape(ctx: InferCtx, fromWeight?: Dim[]): number[] {
  const k = ctx.ints('kernel_shape');
  if (k.length) return k;
  if (!fromWeight) throw ctx.error(`attribute 'kernel_shape' is required`);
  if (!fromWeight.every((d) => typeof d === 'number')) throw ctx.error('the weight shape must be static');
  return fromWeight as number[];
}

/** Spatial dims of an input; symbolic dims are an error here (the window arithmetic needs numbers). */
export function spatialDims(ctx: InferCtx, i: number, from = 2): number[] {
  const s = ctx.shape(i).slice(from);
  const sym = s.find((d) => typeof d !== 'number');
  if (sym !== undefined) throw ctx.error(`spatial dimension '${sym}' of input ${i} must be known; bind it with --dim ${sym}=VALUE`);
  return s as number[];
}

/** Conv / pool output geometry from the attributes (auto_pad, pads, ceil_mode). */
export function windowGeometry(ctx: InferCtx, inSp: number[], k: number[], ceil = false): Geom {
  const r = inSp.length;
  if (k.length !== r) throw ctx.error(`kernel has ${k.length} spatial dims, the input ${r}`);
  const s = perDim(ctx, 'strides', r, 1), d = perDim(ctx, 'dilations', r, 1);
  const keff = k.map((x, i) => (x - 1) * d[i] + 1);
  const autoPad = ctx.str('auto_pad');
  const pb = new Array<number>(r).fill(0), pe = new Array<number>(r).fill(0), out: number[] = [];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    for (let i = 0; i < r; i++) {
      out.push(Math.ceil(inSp[i] / s[i]));
      const total = Math.max(0, (out[i] - 1) * s[i] + keff[i] - inSp[i]);
      const small = Math.floor(total / 2);
      pb[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pe[i] = total - pb[i];
    }
    return { in: inSp, k, s, d, pb, pe, out };
  }
  if (autoPad === 'NOTSET') {
    const p = ctx.ints('pads');
    if (p.length && p.length !== 2 * r) throw ctx.error(`attribute 'pads' has ${p.length} values, expected ${2 * r}`);
    for (let i = 0; i < r; i++) { pb[i] = p[i] ?? 0; pe[i] = p[r + i] ?? 0; }
  } else if (autoPad !== 'VALID') throw ctx.error(`unsupported auto_pad '${autoPad}'`);
  for (let i = 0; i < r; i++) {
    const span = inSp[i] + pb[i] + pe[i] - keff[i];
    let o = (ceil ? Math.ceil(span / s[i]) : Math.floor(span / s[i])) + 1;
    // with ceil_mode the last window must start inside the image or its leading pad
    if (ceil && (o - 1) * s[i] >= inSp[i] + pb[i]) o--;
    if (o < 1) throw ctx.error(`the window (kernel ${k[i]}, dilation ${d[i]}) does not fit spatial dim ${i} of size ${inSp[i]} with pads ${pb[i]}+${pe[i]}`);
    out.push(o);
  }
  return { in: inSp, k, s, d, pb, pe, out };
}

export const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);
export const stridesOfShape = (shape: number[]) => shape.map((_, i) => prod(shape.slice(i + 1)));

/** ceil(a / s) for a >= 0, and some value <= 0 for a <= 0 (C division truncates). */
export function ceilDivIdx(a: Expr, s: number): Expr {
  return s === 1 ? a : div(add(a, s - 1), s);
}

/** Range of output positions whose whole window lies inside the image along dim i. */
export function interior(g: Geom, i: number): [number, number] {
  const lo = Math.ceil(g.pb[i] / g.s[i]);
  const hi = Math.floor((g.in[i] - 1 - (g.k[i] - 1) * g.d[i] + g.pb[i]) / g.s[i]) + 1;
  const a = Math.min(Math.max(lo, 0), g.out[i]);
  return [a, Math.min(Math.max(hi, a), g.out[i])];
}

/** Whether some window tap along dim i falls outside the image (needs a bounds check). */
export function needsCheck(g: Geom, i: number): boolean {
  return g.pb[i] > 0 || (g.out[i] - 1) * g.s[i] + (g.k[i] - 1) * g.d[i] - g.pb[i] >= g.in[i];
}

/**
 * Range [lo, hi) of output positions o along dim i whose tap o*s + kk*d - pb lies inside the
 * image, as idx locals (kk: the kernel tap, possibly a loop variable).
 */
export function validRange(ctx: LowerCtx, g: Geom, i: number, kk: Expr): [Expr, Expr] {
  if (!needsCheck(g, i)) return [ix(0), ix(g.out[i])];
  const shift = sub(g.pb[i], mul(kk, g.d[i]));
  // assigned once each, so the loops over [lo, hi) have a bound known at compile time
  const lo = ctx.local(max(ceilDivIdx(shift, g.s[i]), ix(0)), 'lo');
  const hi = ctx.local(max(min(ceilDivIdx(add(shift, g.in[i]), g.s[i]), ix(g.out[i])), lo), 'hi');
  return [lo, hi];
}

/** A strided view into a buffer: element (row, col) at off + row*ld + col. */
export interface View { ref: TensorRef; off: Expr; ld: number }

/** Callbacks of emitTaps: indices are flat, `p` over the output positions, `i` over c*plane + spatial. */
export interface TapVisitor {
  /** A tap inside the image. */
  valid(c: Expr, tap: Expr, p: Expr, i: Expr): void;
  /** A tap in the padding (optional: skipped when absent). */
  pad?(c: Expr, tap: Expr, p: Expr): void;
  /** The valid taps of a row are an elementwise map (hinted for SIMD when the stride is 1). */
  map?: boolean;
}

/** A band of output rows: positions `from` … `from + count - 1` of the first spatial dim. */
export interface RowBand { from: Expr; count: number }

/**
 * Visits every (channel, kernel tap, output position) of a windowed op over `channels` images
 * (one per channel), the innermost loop running over the last output dim. Bounds are hoisted: the valid
 * range of the last dim is computed once per tap, the other dims are checked once per row.
 * With a band (spatial rank ≥ 2), only its output rows are visited and `p` counts from the
 * band's first position.
 */
export function emitTaps(ctx: LowerCtx, g: Geom, channels: number, vis: TapVisitor, band?: RowBand): void {
  const r = g.in.length, last = r - 1, planeIn = prod(g.in);
  const istr = stridesOfShape(g.in), ostr = stridesOfShape(g.out), kstr = stridesOfShape(g.k);
  const outer = g.out.slice(0, last);
  if (band && last > 0) outer[0] = band.count;
  each(ctx, channels, (c) => nest(ctx, g.k, 'k', (kk) => {
    const tap = kk.reduce((a: Expr, x, i) => add(a, mul(x, kstr[i])), ix(0));
    const [lo, hi] = validRange(ctx, g, last, kk[last]);
    nest(ctx, outer, 'o', (o) => {
      const abs = band && last > 0 ? [add(o[0], band.from), ...o.slice(1)] : o;
      const pos = abs.map((x, i) => sub(add(mul(x, g.s[i]), mul(kk[i], g.d[i])), g.pb[i]));
      let cond: Expr | null = null;
      for (let i = 0; i < last; i++) if (needsCheck(g, i)) {
        const ci = and(cmp('ge', pos[i], 0), cmp('lt', pos[i], g.in[i]));
        cond = cond ? and(cond, ci) : ci;
      }
      const pBase = o.reduce((a: Expr, x, i) => add(a, mul(x, ostr[i])), ix(0));
      const iBase = pos.reduce((a: Expr, x, i) => add(a, mul(x, istr[i])), mul(c, planeIn));
      const iAt = (ol: Expr) => add(iBase, sub(add(mul(ol, g.s[last]), mul(kk[last], g.d[last])), g.pb[last]));
      const pad = vis.pad;
      const fill = pad ? (a: E, b: E) => ctx.loop(b, (ol) => pad(c, tap, add(pBase, ol)), { lo: a, name: 'o' }) : null;
      const body = () => {
        if (fill && needsCheck(g, last)) fill(0, lo);
        const hint = vis.map && g.s[last] <= 2 ? { vectorize: 4 } : undefined;
        ctx.loop(hi, (ol) => vis.valid(c, tap, add(pBase, ol), iAt(ol)), { lo, name: 'o', hint });
        if (fill && needsCheck(g, last)) fill(hi, g.out[last]);
      };
      if (!cond) body();
      else ctx.if(cond, body, fill ? () => fill(0, g.out[last]) : undefined);
    });
  }), 'c');
}

/**
 * im2col: col[(c*KK + tap)*P + p] = the tap's image value (map applied), 0 in the padding. With
 * a band, only its output rows: P is the band's positions, p counts from its first one.
 */
export function emitIm2col(ctx: LowerCtx, g: Geom, channels: number, img: View, col: TensorRef, map: (v: Expr) => Expr = (v) => v, band?: RowBand): void {
  const KK = prod(g.k), P = band && g.out.length > 1 ? band.count * prod(g.out.slice(1)) : prod(g.out), zero = as(0, col.t);
  const at = (c: Expr, tap: Expr, p: Expr) => add(mul(add(mul(c, KK), tap), P), p);
  emitTaps(ctx, g, channels, {
    valid: (c, tap, p, i) => ctx.store(col, at(c, tap, p), map(ctx.load(img.ref, add(img.off, i)))),
    pad: (c, tap, p) => ctx.store(col, at(c, tap, p), zero),
    map: true,
  }, band);
}

/** col2im: image += col[(c*KK + tap)*P + p] for every tap inside the image. */
export function emitCol2im(ctx: LowerCtx, g: Geom, channels: number, col: View, img: View): void {
  const KK = prod(g.k), P = prod(g.out);
  emitTaps(ctx, g, channels, {
    valid: (c, tap, p, i) => {
      const at = add(img.off, i);
      ctx.store(img.ref, at, add(ctx.load(img.ref, at), ctx.load(col.ref, add(col.off, add(mul(add(mul(c, KK), tap), P), p)))));
    },
  });
}

/** Loops i over [0, n), or calls fn(0) when n is 1. */
export function each(ctx: LowerCtx, n: number, fn: (i: Expr) => void, name = 'i'): void {
  if (n === 1) fn(ix(0));
  else ctx.loop(n, fn, { name });
}

/** Nested loops over a shape (extents of 1 give the constant 0), named prefix0, prefix1, … */
export function nest(ctx: LowerCtx, shape: number[], prefix: string, fn: (idx: Expr[]) => void): void {
  const go = (d: number, acc: Expr[]): void => {
    if (d === shape.length) return fn(acc);
    each(ctx, shape[d], (i) => go(d + 1, [...acc, i]), prefix);
  };
  go(0, []);
}

/** dst[i] = val(i) over a flat range. */
export function fill(ctx: LowerCtx, dst: TensorRef, n: number, val: (i: Expr) => E, off: Expr = ix(0)): void {
  ctx.loop(n, (i) => ctx.store(dst, add(off, i), val(i)));
}

/** The dtype of a kernel-IR scalar (for scratch buffers holding computed values). */
export function scalarDType(t: Scalar): DType {
  const m: Partial<Record<Scalar, DType>> = { f32: 'float32', f64: 'float64', i32: 'int32', i64: 'int64', u8: 'uint8', i8: 'int8' };
  const d = m[t];
  if (!d) throw new Error(`no dtype for scalar ${t}`);
  return d;
}

export const convGeom = (ctx: InferCtx, x = 0, w = 1): Geom => windowGeometry(ctx, spatialDims(ctx, x), convKernel(ctx, x, w));

/** The kernel's spatial shape of a convolution (Conv, ConvTranspose, ConvInteger…), after checking
 * that the input is [N, C, spatial…] with at least one spatial dim and the weight has its rank. */
export function convKernel(ctx: InferCtx, x = 0, w = 1): number[] {
  const xr = ctx.shape(x).length, wr = ctx.shape(w).length;
  if (xr < 3) throw ctx.error(`input ${x} has rank ${xr}; a convolution needs [N, C, spatial...] (rank 3 or more)`);
  if (wr !== xr) throw ctx.error(`the weight has rank ${wr}; it must have the input's rank ${xr}`);
  const k = kernelShape(ctx, ctx.shape(w).slice(2));
  if (k.length !== xr - 2) throw ctx.error(`kernel_shape has ${k.length} dims; the input has ${xr - 2} spatial dims`);
  return k;
}

/** Output type of a convolution: [N, M, ...spatial], after checking channels against group. */
export function convType(ctx: InferCtx, dtype: DType, x = 0, w = 1): TensorType {
  const g = convGeom(ctx, x, w), group = ctx.int('group');
  const [N, C] = ctx.shape(x), [M, Cg] = ctx.shape(w);
  if (typeof C === 'number' && typeof Cg === 'number' && C !== Cg * group) throw ctx.error(`input has ${C} channels, weight ${Cg} per group x ${group} groups`);
  if (typeof M === 'number' && M % group) throw ctx.error(`${M} output channels are not divisible by group ${group}`);
  return tt(dtype, [N, M, ...g.out]);
}

/** acc[n, m, p] = bias(m) for every element. */
export function initAcc(ctx: LowerCtx, acc: TensorRef, bias: (m: Expr) => Expr): void {
  const [N, M] = acc.shape, P = prod(acc.shape.slice(2));
  each(ctx, N, (n) => each(ctx, M, (m) => {
    const b = ctx.local(bias(m), 'bias');
    fill(ctx, acc, P, () => b, mul(add(mul(n, M), m), P));
  }, 'm'), 'n');
}

/** The output, or a float32 scratch when the output is stored narrower than it computes. */
export function accumulator(ctx: LowerCtx, out: TensorRef): TensorRef {
  return isConverted(out.dtype) ? ctx.temp('float32', out.shape, 'acc') : out;
}

export function copyOut(ctx: LowerCtx, acc: TensorRef, out: TensorRef, f: (v: Expr, i: Expr) => Expr = (v) => v): void {
  if (acc !== out) fill(ctx, out, prod(out.shape), (i) => f(ctx.load(acc, i), i));
}

export const as0 = (r: TensorRef): Expr => lit(0, r.t);
