// Constructors for kernel-IR expressions, with literal coercion and light algebraic
// simplification (so index arithmetic renders as `i*4 + j`, not `(i*4 + 0)*1 + j`).
import { Scalar, scalarIsFloat } from './dtype.js';
import { BinOp, CmpOp, Expr, KBuf, UnOp } from './kernel.js';

export type E = Expr | number;

export const lit = (v: number | bigint, t: Scalar): Expr => {
  // an integer literal from NaN or ±Inf (a float where an integer was expected): 0, as toBig
  if (typeof v !== 'bigint' && !Number.isFinite(v) && t !== 'f32' && t !== 'f64') v = 0;
  if (t === 'i64' || t === 'u64') return { k: 'const', t, v: typeof v === 'bigint' ? v : BigInt(Math.trunc(v)) };
  if (t === 'bool') return { k: 'const', t, v: v ? 1 : 0 };
  return { k: 'const', t, v: Number(v) };
};
export const ix = (v: number): Expr => lit(v, 'idx');
export const f32 = (v: number): Expr => lit(v, 'f32');
export const v = (name: string, t: Scalar = 'idx'): Expr => ({ k: 'var', t, name });

/** Coerces a JS number to a literal of type t. */
export function as(e: E, t: Scalar): Expr {
  return typeof e === 'number' ? lit(e, t) : e;
}

const isConst = (e: Expr, x?: number) => e.k === 'const' && (x === undefined || Number(e.v) === x);

export function bin(op: BinOp, a: E, b: E): Expr {
  const t = typeof a === 'number' ? (typeof b === 'number' ? 'idx' : b.t) : a.t;
  const A = as(a, t), B = as(b, t);
  if (t === 'idx' && A.k === 'const' && B.k === 'const') {
    const x = Number(A.v), y = Number(B.v);
    switch (op) {
      case 'add': return ix(x + y);
      case 'sub': return ix(x - y);
      case 'mul': return ix(x * y);
      case 'div': if (y !== 0) return ix(Math.trunc(x / y)); break;
      case 'mod': if (y !== 0) return ix(x % y); break;
      case 'min': return ix(Math.min(x, y));
      case 'max': return ix(Math.max(x, y));
    }
  }
  if (t === 'idx' || !scalarIsFloat(t)) {
    if (op === 'add' && isConst(A, 0)) return B;
    if ((op === 'add' || op === 'sub') && isConst(B, 0)) return A;
    if (op === 'mul' && (isConst(A, 0) || isConst(B, 0))) return lit(0, t);
    if (op === 'mul' && isConst(A, 1)) return B;
    if ((op === 'mul' || op === 'div') && isConst(B, 1)) return A;
    if (op === 'mod' && isConst(B, 1)) return lit(0, t);
  }
  return { k: 'bin', t, op, a: A, b: B };
}

export const add = (a: E, b: E) => bin('add', a, b);
export const sub = (a: E, b: E) => bin('sub', a, b);
export const mul = (a: E, b: E) => bin('mul', a, b);
export const div = (a: E, b: E) => bin('div', a, b);
export const mod = (a: E, b: E) => bin('mod', a, b);
export const min = (a: E, b: E) => bin('min', a, b);
export const max = (a: E, b: E) => bin('max', a, b);

export function un(op: UnOp, a: Expr): Expr {
  const t: Scalar = op === 'isnan' || op === 'isinf' || op === 'signbit' || op === 'not' ? 'bool' : a.t;
  return { k: 'un', t, op, a };
}

export function cmp(op: CmpOp, a: E, b: E): Expr {
  const t = typeof a === 'number' ? (typeof b === 'number' ? 'idx' : b.t) : a.t;
  const A = as(a, t), B = as(b, t);
  // unsigned vs 0: decide statically (C compilers warn on always-true/false comparisons)
  if ((t[0] === 'u' || t === 'bool') && B.k === 'const' && Number(B.v) === 0) {
    if (op === 'lt') return lit(0, 'bool');
    if (op === 'ge') return lit(1, 'bool');
  }
  if ((t[0] === 'u' || t === 'bool') && A.k === 'const' && Number(A.v) === 0) {
    if (op === 'gt') return lit(0, 'bool');
    if (op === 'le') return lit(1, 'bool');
  }
  return { k: 'cmp', t: 'bool', op, a: A, b: B };
}

export function select(c: Expr, a: E, b: E): Expr {
  const t = typeof a === 'number' ? (typeof b === 'number' ? 'f32' : b.t) : a.t;
  return { k: 'select', t, c, a: as(a, t), b: as(b, t) };
}

export function cast(a: Expr, t: Scalar, sat?: boolean): Expr {
  if (a.t === t) return a;
  if (a.k === 'const' && t === 'idx' && typeof a.v !== 'bigint') return ix(Math.trunc(a.v));
  if (a.k === 'const' && a.t === 'idx' && !scalarIsFloat(t)) return lit(a.v, t);
  return sat === undefined ? { k: 'cast', t, a } : { k: 'cast', t, a, sat };
}

/** The value whose bit pattern is a's (same width; plain modular cast between integers). */
export function bitcast(a: Expr, t: Scalar): Expr {
  if (a.t === t) return a;
  return scalarIsFloat(a.t) || scalarIsFloat(t) ? { k: 'cast', t, a, bits: true } : cast(a, t);
}

export const and = (a: Expr, b: Expr) => bin('and', a, b);
export const or = (a: Expr, b: Expr) => bin('or', a, b);
export const not = (a: Expr) => un('not', a);

export function load(buf: KBuf, idx: E, t: Scalar): Expr {
  return { k: 'load', t, buf, idx: as(idx, 'idx') };
}

/** Sum of idx[d] * strides[d] (skipping zero strides and extents of 1). */
export function linearIndex(idxs: Expr[], strides: number[]): Expr {
  let e: Expr = ix(0);
  for (let d = 0; d < idxs.length; d++) if (strides[d] !== 0) e = add(e, mul(idxs[d], strides[d]));
  return e;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}
