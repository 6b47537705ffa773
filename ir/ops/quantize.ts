// Quantization ops: QuantizeLinear and DequantizeLinear (per-tensor, per-axis and blocked
// scales; integer, float8 and 4/2-bit quantized types), DynamicQuantizeLinear, and the integer
// matrix products MatMulInteger and QLinearMatMul (through the shared GEMM emitter).
import { DType, Scalar, computeScalar, dtypeFromOnnx, isConverted, scalarIsFloat } from '../dtype.js';
import { InferCtx, LowerCtx, TensorRef, tensorRef } from '../ctx.js';
import { Dim } from '../graph.js';
import { add, cast, cmp, div, ix, linearIndex, lit, max, min, mul, select, stridesOf, sub, un } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, int } from '../opdef.js';
import { numel, toNumbers } from '../tensor.js';
import { broadcastShapes, broadcastStrides, tt } from './common.js';
import { emitGemm } from './gemm.js';

/** Saturation range of each integer quantized type. */
const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767],
  uint4: [0, 15], int4: [-8, 7], uint2: [0, 3], int2: [-2, 1],
};
/** Float quantized types (the float8 kinds honour `saturate`; float4e2m1 always saturates). */
const FLOAT_Q: ReadonlySet<DType> = new Set<DType>(['float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'float4e2m1']);

/** v (a float, held in a local) clamped to [lo, hi]; NaN becomes lo (as numpy's rint → int32 → clip does). */
function clampInt(ctx: LowerCtx, v: Expr, lo: number, hi: number): Expr {
  const q = ctx.local(v, 'q');
  return select(cmp('ge', q, lo), select(cmp('le', q, hi), q, hi), lo);
}

const dims = (s: Dim[]) => `[${s.join(',')}]`;

/** How a scale / zero point maps onto x: one value, one per index of `axis`, or blocks along it. */
interface Granularity { perTensor: boolean; axis: number; block: number }

/** Checks the scale (and zero point) shape against x and classifies it. */
function granularity(ctx: InferCtx): Granularity {
  const x = ctx.shape(0), s = ctx.shape(1);
  if (ctx.has(2) && dims(ctx.shape(2)) !== dims(s) && !(numelOf(s) === 1 && numelOf(ctx.shape(2)) === 1))
    throw ctx.error(`zero point shape ${dims(ctx.shape(2))} differs from scale shape ${dims(s)}`);
  const block = ctx.opset >= 21 ? ctx.int('block_size') : 0;
  if (numelOf(s) === 1 && !block) return { perTensor: true, axis: 0, block: 0 };
  const axis = ctx.axis(ctx.opset >= 13 ? ctx.int('axis') : 1, x.length);
  const known = (a: Dim, b: Dim) => typeof a === 'number' && typeof b === 'number';
  if (block < 0) throw ctx.error(`block_size must be positive, got ${block}`);
  if (!block) {
    if (s.length !== 1) throw ctx.error(`scale of shape ${dims(s)} must be a scalar or 1-D (per-axis); blocked quantization needs block_size`);
    if (known(s[0], x[axis]) && s[0] !== x[axis]) throw ctx.error(`per-axis scale has ${s[0]} values, axis ${axis} of x has ${x[axis]}`);
    return { perTensor: false, axis, block };
  }
  if (s.length !== x.length) throw ctx.error(`blocked scale of shape ${dims(s)} must have the rank of x ${dims(x)}`);
  s.forEach((d, k) => {
    const want = k === axis && typeof x[k] === 'number' ? Math.ceil((x[k] as number) / block) : x[k];
    if (known(d, want) && d !== want)
      throw ctx.error(`blocked scale of shape ${dims(s)} does not match x ${dims(x)} with block_size ${block} on axis ${axis}`);
  });
  return { perTensor: false, axis, block };
}

function numelOf(s: Dim[]): number | null {
  return s.every((d) => typeof d === 'number') ? numel(s as number[]) : null;
}

/**
 * Emits y[i] = fn(x[i], scale[p(i)], zero_point[p(i)]) where p maps an element to its scale
 * (per tensor: hoisted out of the loop; per axis: the axis index; blocked: the scale's element).
 */
function emitScaled(ctx: LowerCtx, fn: (x: Expr, s: Expr, z: Expr | null) => Expr, sat?: boolean): void {
  const x = ctx.in(0), s = ctx.in(1), z = ctx.has(2) ? ctx.in(2) : null, y = ctx.out(0);
  const g = granularity(ctx);
  const n = numel(x.shape);
  if (!n) return;
  if (g.perTensor) {
    const sv = ctx.local(ctx.load(s, ix(0)), 'scale'), zv = z && ctx.local(ctx.load(z, ix(0)), 'zp');
    ctx.loop(n, (i) => ctx.store(y, i, fn(ctx.load(x, i), sv, zv), sat), { hint: { vectorize: 4 } });
    return;
  }
  ctx.nest(x.shape, (idx) => {
    const p = g.block ? linearIndex(idx.map((e, d) => (d === g.axis ? div(e, g.block) : e)), s.strides) : idx[g.axis];
    ctx.store(y, idx, fn(ctx.load(x, idx), ctx.load(s, p), z && ctx.load(z, p)), sat);
  });
}

const scaleAttrs = { axis: int(1), block_size: int(0), output_dtype: int(0), saturate: int(1), precision: int(0) };

/** Output type of QuantizeLinear: the zero point's, else output_dtype, else uint8. */
function quantizedType(ctx: InferCtx): DType {
  const od = ctx.opset >= 21 ? ctx.int('output_dtype') : 0;
  const odt = od ? dtypeFromOnnx(od) : undefined;
  if (od && !odt) throw ctx.error(`unknown output_dtype ${od}`);
  const zt = ctx.has(2) ? ctx.dtype(2) : undefined;
  if (zt && odt && zt !== odt) throw ctx.error(`output_dtype ${odt} differs from the zero point type ${zt}`);
  const t = zt ?? odt ?? 'uint8';
  if (!INT_RANGE[t] && !FLOAT_Q.has(t)) throw ctx.error(`quantization to ${t} is not supported`);
  return t;
}

/** Precision of x / scale: the precision attribute, else the scale's type (int32 ones divide in double). */
function divisionScalar(ctx: InferCtx): Scalar {
  const p = ctx.opset >= 23 ? ctx.int('precision') : 0;
  if (p) {
    const d = dtypeFromOnnx(p);
    if (!d || !scalarIsFloat(computeScalar(d))) throw ctx.error(`precision ${p} is not a float type`);
    return computeScalar(d);
  }
  return ctx.dtype(0) === 'int32' || ctx.dtype(1) === 'int32' ? 'f64' : ctx.dtype(1) === 'float64' ? 'f64' : 'f32';
}

const quantizeLinear: OpDef = {
  op: 'QuantizeLinear', attrs: scaleAttrs,
  infer: (ctx) => {
    granularity(ctx);
    return [tt(quantizedType(ctx), ctx.shape(0))];
  },
  lower: (ctx) => {
    const yt = ctx.out(0).dtype, t = divisionScalar(ctx), range = INT_RANGE[yt];
    const sat = yt.startsWith('float8') && ctx.int('saturate') === 0 ? false : undefined;
    emitScaled(ctx, (x, s, z) => {
      let v = div(cast(x, t), cast(s, t));
      if (range) v = un('rint', v);
      if (z) v = add(v, cast(z, t));
      return range ? cast(clampInt(ctx, v, range[0], range[1]), ctx.out(0).t) : cast(v, 'f32');
    }, sat);
  },
};

const dequantizeLinear: OpDef = {
  op: 'DequantizeLinear', attrs: scaleAttrs,
  infer: (ctx) => {
    granularity(ctx);
    const xt = ctx.dtype(0);
    if (!INT_RANGE[xt] && !FLOAT_Q.has(xt) && xt !== 'int32') throw ctx.error(`dequantization of ${xt} is not supported`);
    if (ctx.has(2) && ctx.dtype(2) !== xt) throw ctx.error(`zero point type ${ctx.dtype(2)} differs from x type ${xt}`);
    const od = ctx.opset >= 23 ? ctx.int('output_dtype') : 0;
    const yt = od ? dtypeFromOnnx(od) : ctx.dtype(1);
    if (!yt || !['float32', 'float16', 'bfloat16', 'float64'].includes(yt))
      throw ctx.error(`output type ${yt ?? od} is not supported (float32, float16 or bfloat16; set output_dtype)`);
    return [tt(yt, ctx.shape(0))];
  },
  lower: (ctx) => {
    const wide: Scalar = ctx.in(0).dtype === 'int32' ? 'i64' : 'i32';
    const yt = ctx.out(0).t;
    emitScaled(ctx, (x, s, z) => {
      // x - zero_point exactly (integers) or in float (float8/float4), then scaled
      const d = scalarIsFloat(x.t) ? (z ? sub(x, z) : x) : cast(z ? sub(cast(x, wide), cast(z, wide)) : x, 'f32');
      return cast(mul(cast(d, 'f32'), cast(s, 'f32')), yt);
    });
  },
};

/** y = saturate(round(x / scale) + zero_point) to uint8, with scale and zero point from x's range (extended to 0). */
const dynamicQuantizeLinear: OpDef = {
  op: 'DynamicQuantizeLinear',
  infer: (ctx) => {
    if (ctx.dtype(0) !== 'float32') throw ctx.error(`input of type ${ctx.dtype(0)} is not supported (float32 only)`);
    return [tt('uint8', ctx.shape(0)), tt('float32', []), tt('uint8', [])];
  },
  lower: (ctx) => {
    const x = ctx.in(0), n = numel(x.shape);
    const lo = ctx.local(lit(0, 'f32'), 'lo'), hi = ctx.local(lit(0, 'f32'), 'hi');
    ctx.loop(n, (i) => {
      const v = ctx.local(ctx.load(x, i), 'v');
      ctx.assign(lo, min(lo, v));
      ctx.assign(hi, max(hi, v));
    });
    const scale = ctx.local(div(select(cmp('eq', hi, lo), lit(1, 'f32'), sub(hi, lo)), 255), 'scale');
    const zp = ctx.local(un('rint', max(0, min(255, sub(0, div(lo, scale))))), 'zp');
    ctx.loop(n, (i) => ctx.store(ctx.out(0), i, cast(clampInt(ctx, add(un('rint', div(ctx.load(x, i), scale)), zp), 0, 255), 'u8')));
    if (ctx.hasOut(1)) ctx.store(ctx.out(1), ix(0), scale);
    if (ctx.hasOut(2)) ctx.store(ctx.out(2), ix(0), cast(zp, 'u8'));
  },
};

// ---- integer matrix products ----

/** numpy matmul output shape: 1-D operands are promoted (and the added dim dropped), batch dims broadcast. */
function matmulShape(ctx: InferCtx, a: Dim[], b: Dim[]): Dim[] {
  if (!a.length || !b.length) throw ctx.error('matrix operands must have rank at least 1');
  const A = a.length === 1 ? [1, a[0]] : a, B = b.length === 1 ? [b[0], 1] : b;
  const ka = A[A.length - 1], kb = B[B.length - 2];
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) throw ctx.error(`inner dimensions do not match: ${dims(a)} × ${dims(b)}`);
  const batch = broadcastShapes(ctx, [A.slice(0, -2), B.slice(0, -2)]);
  return [...batch, ...(a.length > 1 ? [A[A.length - 2]] : []), ...(b.length > 1 ? [B[B.length - 1]] : [])];
}

/** A quantization parameter of the `a` side (per row: [M] or [..., M, 1]) or `b` side (per column: [N] or [..., 1, N]). */
function sideShape(p: number[], side: 'a' | 'b'): number[] {
  return p.length === 1 && p[0] !== 1 ? (side === 'a' ? [p[0], 1] : [1, p[0]]) : p;
}

/** Broadcast strides of parameter `p` (a- or b-side) over `shape`; checks it broadcasts. */
function paramStrides(ctx: InferCtx, p: TensorRef, side: 'a' | 'b', shape: number[], what: string): number[] {
  const ps = sideShape(p.shape, side);
  const off = shape.length - ps.length;
  if (off < 0 || ps.some((d, k) => d !== 1 && d !== shape[k + off])) throw ctx.error(`${what} of shape ${dims(p.shape)} does not fit ${dims(shape)}`);
  return broadcastStrides(tensorRef(p.buf, ps), shape);
}

/** x - zero point as int32 (a temporary), or x itself when there is no zero point or it is constant 0. */
function shifted(ctx: LowerCtx, i: number, zi: number, side: 'a' | 'b'): TensorRef {
  const x = ctx.in(i);
  const zc = ctx.has(zi) ? ctx.constOf(zi) : undefined;
  if (!ctx.has(zi) || (zc && toNumbers(zc).every((v) => v === 0))) return x;
  const z = ctx.in(zi), t = ctx.temp('int32', x.shape, side);
  const zs = paramStrides(ctx, z, side, x.shape, `${side}_zero_point`);
  const n = numel(x.shape);
  if (n) ctx.nest(x.shape, (idx) => ctx.store(t, idx, sub(cast(ctx.load(x, idx), 'i32'), cast(ctx.load(z, linearIndex(idx, zs)), 'i32'))));
  return t;
}

/** Y (int32, shape [...batch, M, N]) = A · B with numpy matmul broadcasting. */
function emitIntMatMul(ctx: LowerCtx, A: TensorRef, B: TensorRef, Y: TensorRef): void {
  const as2 = A.shape.length === 1 ? [1, A.shape[0]] : A.shape, bs2 = B.shape.length === 1 ? [B.shape[0], 1] : B.shape;
  const M = as2[as2.length - 2], K = as2[as2.length - 1], N = bs2[bs2.length - 1];
  const batch = Y.shape.slice(0, -2);
  const bat = (s: number[]) => {
    const st = stridesOf(s), off = batch.length - (s.length - 2);
    return batch.map((_, d) => (d < off || s[d - off] === 1 ? 0 : st[d - off]));
  };
  emitGemm(ctx, {
    M, N, K, batch,
    a: { ref: A, rs: K, cs: 1, bs: bat(as2) },
    b: { ref: B, rs: N, cs: 1, bs: bat(bs2) },
    y: { ref: Y, rs: N, cs: 1, bs: stridesOf([...batch, M * N]).slice(0, batch.length) },
  });
}

/** The output shape with 1-D operands' dropped dims restored: [...batch, M, N]. */
function fullShape(ctx: LowerCtx, a: number, b: number): number[] {
  const A = ctx.in(a).shape, B = ctx.in(b).shape, y = ctx.out(0).shape;
  return [...y.slice(0, y.length - (A.length > 1 ? 1 : 0) - (B.length > 1 ? 1 : 0)), A.length > 1 ? A[A.length - 2] : 1, B.length > 1 ? B[B.length - 1] : 1];
}

const int8s = (d: DType) => d === 'int8' || d === 'uint8';

const matMulInteger: OpDef = {
  op: 'MatMulInteger',
  infer: (ctx) => {
    for (const [i, z] of [[0, 2], [1, 3]]) {
      if (!int8s(ctx.dtype(i))) throw ctx.error(`input ${i} of type ${ctx.dtype(i)} is not supported (int8 or uint8)`);
      if (ctx.has(z) && ctx.dtype(z) !== ctx.dtype(i)) throw ctx.error(`zero point ${z} of type ${ctx.dtype(z)} differs from input ${i} (${ctx.dtype(i)})`);
    }
    return [tt('int32', matmulShape(ctx, ctx.shape(0), ctx.shape(1)))];
  },
  lower: (ctx) => {
    const y = ctx.out(0);
    emitIntMatMul(ctx, shifted(ctx, 0, 2, 'a'), shifted(ctx, 1, 3, 'b'), tensorRef(y.buf, fullShape(ctx, 0, 1)));
  },
};

/** y = saturate(rint((a - a_zp)·(b - b_zp) · a_scale·b_scale/y_scale + y_zp)), the multiplier in the scales' precision. */
const qlinearMatMul: OpDef = {
  op: 'QLinearMatMul',
  infer: (ctx) => {
    for (const [i, z] of [[0, 2], [3, 5], [7, 7]]) {
      if (!int8s(ctx.dtype(i))) throw ctx.error(`input ${i} of type ${ctx.dtype(i)} is not supported (int8 or uint8)`);
      if (ctx.dtype(z) !== ctx.dtype(i)) throw ctx.error(`zero point ${z} of type ${ctx.dtype(z)} differs from input ${i} (${ctx.dtype(i)})`);
    }
    for (const i of [1, 4, 6]) if (!scalarIsFloat(computeScalar(ctx.dtype(i)))) throw ctx.error(`scale ${i} of type ${ctx.dtype(i)} is not a float`);
    for (const i of [6, 7]) if (numelOf(ctx.shape(i)) !== 1) throw ctx.error(`input ${i} (output quantization) must be a scalar`);
    return [tt(ctx.dtype(7), matmulShape(ctx, ctx.shape(0), ctx.shape(3)))];
  },
  lower: (ctx) => {
    const y = ctx.out(0), shape = fullShape(ctx, 0, 3), n = numel(shape);
    const acc = ctx.temp('int32', shape, 'acc');
    emitIntMatMul(ctx, shifted(ctx, 0, 2, 'a'), shifted(ctx, 3, 5, 'b'), acc);
    const sa = ctx.in(1), sb = ctx.in(4), sdt = sa.dtype;
    const saStr = paramStrides(ctx, sa, 'a', shape, 'a_scale'), sbStr = paramStrides(ctx, sb, 'b', shape, 'b_scale');
    // a_scale·b_scale/y_scale rounded to the scales' type after each step (as float16 arithmetic does)
    const round = isConverted(sdt) ? ctx.temp(sdt, [1], 'r') : null;
    const inScaleType = (v: Expr, prefix: string): Expr => {
      if (!round) return ctx.local(v, prefix);
      ctx.store(round, ix(0), v);
      return ctx.local(ctx.load(round, ix(0)), prefix);
    };
    const multiplier = (idx: Expr[]) => {
      const ab = inScaleType(mul(ctx.load(sa, linearIndex(idx, saStr)), ctx.load(sb, linearIndex(idx, sbStr))), 'ab');
      return inScaleType(div(ab, ctx.load(ctx.in(6), ix(0))), 'mult');
    };
    const perTensor = numel(sa.shape) === 1 && numel(sb.shape) === 1;
    const m0 = perTensor ? multiplier([]) : null;
    const zp = ctx.local(cast(ctx.load(ctx.in(7), ix(0)), 'f64'), 'yzp');
    const [lo, hi] = INT_RANGE[y.dtype]!;
    const flat = stridesOf(shape);
    if (n) ctx.nest(shape, (idx) => {
      const m = m0 ?? multiplier(idx);
      const v = un('rint', add(mul(cast(ctx.load(acc, idx), 'f64'), cast(m, 'f64')), zp));
      ctx.store(y, linearIndex(idx, flat), cast(clampInt(ctx, v, lo, hi), y.t));
    });
  },
};

export const quantizeOps: OpDef[] = [quantizeLinear, dequantizeLinear, dynamicQuantizeLinear, matMulInteger, qlinearMatMul];
