// Type conversion ops: Cast and CastLike between every pair of numeric element types (float16,
// bfloat16, the float8 kinds with `saturate`, float8e8m0, float4e2m1, 4- and 2-bit integers,
// bool). The conversions to narrow storage formats happen in the store (see the C helpers and
// ir/floatbits.ts); this file converts between compute scalars. The quantization family
// (QuantizeLinear, …) is defined in quantize.ts and registered from here.
import { DType, Scalar, computeScalar, dtypeFromOnnx, dtypeInfo, scalarIsFloat } from '../dtype.js';
import { InferCtx, LowerCtx } from '../ctx.js';
import { cast } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, int, str } from '../opdef.js';
import { numel } from '../tensor.js';
import { tt } from './common.js';
import { quantizeOps } from './quantize.js';

/** Float8 kinds: their stores honour `saturate`. */
export const FLOAT8: ReadonlySet<DType> = new Set<DType>(['float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'float8e8m0']);

/** Wide integer a float goes through before narrowing, so narrow integers wrap like numpy. */
const WIDE: Partial<Record<Scalar, Scalar>> = { i8: 'i32', u8: 'i32', i16: 'i32', u16: 'i32', u32: 'i64' };

/**
 * Converts a value (a compute scalar) to the compute scalar of element type `to`. Float to
 * integer truncates; out-of-range values wrap (undefined in ONNX; this matches numpy for values
 * that fit the wide integer). Float to bool is x != 0 (NaN is true).
 */
export function convertTo(x: Expr, to: DType): Expr {
  const t = computeScalar(to);
  if (scalarIsFloat(x.t) && !scalarIsFloat(t) && t !== 'bool') return cast(cast(x, WIDE[t] ?? t), t);
  return cast(x, t);
}

/** Checks that an element type can be converted (numeric, not string or complex). */
export function checkNumeric(ctx: InferCtx, d: DType, what: string): void {
  if (d === 'string') throw ctx.error(`${what} of type string is not supported (string casts are not implemented)`);
  if (!dtypeInfo(d).compute) throw ctx.error(`${what} of type ${d} is not supported`);
}

/** Names accepted by Cast-1's string `to` attribute. */
function dtypeByName(ctx: InferCtx, name: string): DType {
  const d = name.toLowerCase().replace(/^float$/, 'float32').replace(/^double$/, 'float64') as DType;
  try {
    computeScalar(d);
    return d;
  } catch {
    throw ctx.error(`unsupported 'to' type '${name}'`);
  }
}

/** Target element type of Cast (`to`) or CastLike (input 1). */
function targetType(ctx: InferCtx): DType {
  if (ctx.def.op === 'CastLike') return ctx.dtype(1);
  const to = ctx.attr<number | string>('to');
  if (typeof to === 'string') return dtypeByName(ctx, to);
  const d = dtypeFromOnnx(to);
  if (!d) throw ctx.error(`unknown 'to' element type ${to}`);
  return d;
}

function inferCast(ctx: InferCtx) {
  const to = targetType(ctx);
  checkNumeric(ctx, ctx.dtype(0), 'input');
  checkNumeric(ctx, to, 'target');
  if (to === 'float8e8m0' && ctx.str('round_mode') !== 'up')
    throw ctx.error(`round_mode '${ctx.str('round_mode')}' is not supported (only 'up')`);
  return [tt(to, ctx.shape(0))];
}

/** y[i] = convert(x[i]); narrow floats round (and saturate or not) in the store. */
function lowerCast(ctx: LowerCtx): void {
  const x = ctx.in(0), y = ctx.out(0);
  const sat = FLOAT8.has(y.dtype) && ctx.int('saturate') === 0 ? false : undefined;
  const n = numel(y.shape);
  // a run-time count (ir/rtdims.ts): the loop runs to it, at most n times
  if (n) ctx.loop(y.rt ? ctx.count(y) : n, (i) => ctx.store(y, i, convertTo(ctx.load(x, i), y.dtype), sat), y.rt ? { bound: n } : { hint: { vectorize: 4 } });
}

const castAttrs = { saturate: int(1), round_mode: str('up') };

export const castOps: OpDef[] = [
  { op: 'Cast', attrs: { to: int(), ...castAttrs }, infer: inferCast, lower: lowerCast, runtimeDims: true },
  { op: 'CastLike', attrs: castAttrs, infer: inferCast, lower: lowerCast, runtimeDims: true },
  ...quantizeOps,
];
