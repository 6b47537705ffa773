// Scalar helpers the JS-rendered kernels call (the `R` object): the reference implementation of
// every intrinsic (`R.I.<row>`, ir/intrinsics.ts), NaN-propagating min/max, erf, round-half-even,
// narrow-float conversions.
import { DType } from '../../ir/dtype.js';
import { bf16ToFloat, floatToBf16, floatToHalf, floatToMini, halfToFloat, miniToFloat } from '../../ir/floatbits.js';
import { INTRINSICS, dot2Ref } from '../../ir/intrinsics.js';
import { erfF32, expF32 } from '../../ir/mathfit.js';
import { getPacked, setPacked } from '../../ir/tensor.js';

function erf(x: number): number {
  // Abramowitz–Stegun 7.1.26 is too coarse; use a series / continued fraction with double precision.
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = x, term = x;
    const x2 = x * x;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction (Lentz), accurate for |x| >= 2.5
  let f = ax, C = ax, D = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    D = ax + an * D; D = D === 0 ? 1e-300 : 1 / D;
    C = ax + an / C; if (C === 0) C = 1e-300;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / (f * Math.sqrt(Math.PI));
  return x < 0 ? erfc - 1 : 1 - erfc;
}

function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const lanewise = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));
const VOPS: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b,
  // as on every target: a NaN in the first operand propagates, one in the second does not
  max: (a, b) => (a < b ? b : a), min: (a, b) => (b < a ? b : a),
  maxnan: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b), minnan: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
};
const VUN: Record<string, (a: number) => number> = {
  // exp/erf: the rows exp_f32/erf_f32, the algorithm the C and WASM vector code run
  neg: (a) => -a, abs: Math.abs, sqrt: Math.sqrt, floor: Math.floor, ceil: Math.ceil, trunc: Math.trunc, rint, exp: expF32, erf: erfF32,
};
const VCMP: Record<string, (a: number, b: number) => boolean> = {
  eq: (a, b) => a === b, ne: (a, b) => a !== b, lt: (a, b) => a < b, le: (a, b) => a <= b, gt: (a, b) => a > b, ge: (a, b) => a >= b,
};

export const R = {
  /** Row dot2_i32 (BinOp dot2). */
  dot2: dot2Ref,
  vld: (b: Float32Array, i: number, n: number, stride = 1) => (stride === 1 ? b.slice(i, i + n) : lanewise(n, (l) => b[i + stride * l])),
  vst: (b: Float32Array, i: number, v: Float32Array) => b.set(v, i),
  vsp: (x: number, n: number) => new Float32Array(n).fill(x),
  vbin: (op: string, a: Float32Array, b: Float32Array) => lanewise(a.length, (i) => VOPS[op](a[i], b[i])),
  vun: (op: string, a: Float32Array) => lanewise(a.length, (i) => VUN[op](a[i])),
  vsel: (op: string, a: Float32Array, b: Float32Array, x: Float32Array, y: Float32Array) => lanewise(a.length, (i) => (VCMP[op](a[i], b[i]) ? x[i] : y[i])),
  /** A scalar function (the rendered scalar operator) on each lane of the arguments. */
  vmap: (f: (...xs: number[]) => number, ...args: Float32Array[]) => lanewise(args[0].length, (i) => f(...args.map((a) => a[i]))),
  vfma: (a: Float32Array, b: Float32Array, c: Float32Array) => lanewise(a.length, (i) => a[i] * b[i] + c[i]),
  erf, rint,
  /** The intrinsics' reference implementations, by row name. */
  I: Object.fromEntries([...INTRINSICS].map(([k, r]) => [k, r.ref])) as Record<string, (...a: (number | bigint)[]) => never>,
  /** div/mod on idx (a JS number in the evaluator): as the integer rows, without wrapping. */
  idiv: (a: number, b: number) => (b === 0 ? 0 : Math.trunc(a / b)),
  imod: (a: number, b: number) => (b === 0 ? 0 : a % b),
  /** f32/f64 → idx: truncated, NaN gives 0 (the evaluator's idx is a JS number). */
  f2idx: (x: number) => (Number.isNaN(x) ? 0 : Math.trunc(x)),
  fmod: (a: number, b: number) => a % b,
  fmin: (a: number, b: number) => (a !== a || b !== b ? NaN : a < b ? a : b),
  fmax: (a: number, b: number) => (a !== a || b !== b ? NaN : a > b ? a : b),
  min: <T>(a: T, b: T) => (a < b ? a : b),
  max: <T>(a: T, b: T) => (a > b ? a : b),
  h2f: halfToFloat, f2h: floatToHalf, bf2f: bf16ToFloat, f2bf: floatToBf16,
  m2f: miniToFloat,
  f2m: (kind: string, x: number, sat: boolean) => floatToMini(kind, x, sat),
  /** The value of type `to` with the bit pattern of x of type `from` (same width). */
  bits: (from: string, to: string, x: number | bigint) => {
    const v = new DataView(new ArrayBuffer(8));
    const set: Record<string, () => void> = {
      f32: () => v.setFloat32(0, x as number, true), i32: () => v.setInt32(0, x as number, true), u32: () => v.setUint32(0, x as number, true),
      f64: () => v.setFloat64(0, x as number, true), i64: () => v.setBigInt64(0, BigInt(x), true), u64: () => v.setBigUint64(0, BigInt(x), true),
    };
    set[from]();
    const get: Record<string, () => number | bigint> = {
      f32: () => v.getFloat32(0, true), i32: () => v.getInt32(0, true), u32: () => v.getUint32(0, true),
      f64: () => v.getFloat64(0, true), i64: () => v.getBigInt64(0, true), u64: () => v.getBigUint64(0, true),
    };
    return get[to]();
  },
  /** Packed sub-byte element i (int4/uint4/float4e2m1, int2/uint2; lowest bits first). */
  ldp: (d: string, a: Uint8Array, i: number) => getPacked(d as DType, a, i),
  stp: (d: string, a: Uint8Array, i: number, v: number) => setPacked(d as DType, a, i, v),
};
