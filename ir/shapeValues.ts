// Shape values: the contents of a small int64 tensor computed from shapes (Shape → Gather →
// Unsqueeze → Concat, the chains exporters write in front of a Reshape), where a dim is not a
// number. Each element is a Dim: a number, or a dim name (`seq`, a run-time `seq<=128`). Shape
// inference (ir/infer.ts) computes them through the table below for tensors that have no
// compile-time value, and Reshape takes its target from them, so [1, seq, 4, 16] or [-1, 64]
// resolve to dims. Integer arithmetic folds on numbers (the head size D / heads); arithmetic on
// a name (seq*4) is not a shape value: the chain stops there.
import type { Dim, Node, Value } from './graph.js';
import { DerivedOp, derivedDim, shapeFactors } from './rtdims.js';
import { tensorFrom, toNumbers } from './tensor.js';

/** The shape value of v: its compile-time contents, or the one inference attached. */
export function shapeValueOf(v: Value | null | undefined): Dim[] | undefined {
  if (!v) return undefined;
  if (v.const && (v.const.dtype === 'int64' || v.const.dtype === 'int32') && v.const.shape.length <= 1) return toNumbers(v.const);
  return v.shapeValue;
}

type Rule = (n: Node, ins: (Dim[] | undefined)[]) => Dim[] | undefined;
const attrInt = (n: Node, name: string, dflt: number): number => {
  const a = n.attrs.get(name);
  return a && a.kind === 'int' ? a.value : dflt;
};

/** Elementwise integer arithmetic on shape values (numpy broadcasting of a scalar): numbers
 * fold; a name survives only an identity (seq*1, seq+0), anything else is no shape value. */
const arith = (f: (a: number, b: number) => number | undefined, unit: number, commutes: boolean): Rule => (_n, [a, b]) => {
  if (!a || !b) return undefined;
  const len = Math.max(a.length, b.length);
  if ((a.length !== len && a.length !== 1) || (b.length !== len && b.length !== 1)) return undefined;
  const out: Dim[] = [];
  for (let i = 0; i < len; i++) {
    const x = a[a.length === 1 ? 0 : i], y = b[b.length === 1 ? 0 : i];
    const v = typeof x === 'number' && typeof y === 'number' ? f(x, y) : y === unit ? x : commutes && x === unit ? y : undefined;
    if (v === undefined) return undefined;
    out.push(v);
  }
  return out;
};

/** Elementwise Min, Max or a sum of shape values (scalars broadcast): numbers fold, run-time
 * dims make derived dims (ir/rtdims.ts: min(n, 300), a + b). */
const derivedArith = (op: DerivedOp): Rule => (_n, ins) => {
  if (!ins.length || ins.some((x) => !x)) return undefined;
  const len = Math.max(...ins.map((x) => x!.length));
  if (ins.some((x) => x!.length !== len && x!.length !== 1)) return undefined;
  const out: Dim[] = [];
  for (let i = 0; i < len; i++) {
    const d = derivedDim(op, ins.map((x) => x![x!.length === 1 ? 0 : i]));
    if (d === undefined) return undefined;
    out.push(d);
  }
  return out;
};

/** ReduceMin / ReduceMax of a shape value (one axis: every element) into one dim. */
const reduceAll = (op: DerivedOp): Rule => (n, [x, axes]) => {
  const ax = n.attrs.get('axes');
  const given = ax && ax.kind === 'ints' ? ax.value : axes;
  if (!given?.length && attrInt(n, 'noop_with_empty_axes', 0)) return x;
  if (!x || !x.length || (given && given.length && !(given.length === 1 && (given[0] === 0 || given[0] === -1)))) return undefined;
  const d = derivedDim(op, x);
  return d === undefined ? undefined : [d];
};

/** Slice of a shape value along its one axis, step 1, bounds known (opset 10+: inputs). */
const slice: Rule = (_n, [x, st, en, ax, sp]) => {
  if (!x || !st || !en || st.length !== 1 || en.length !== 1 || typeof st[0] !== 'number' || typeof en[0] !== 'number') return undefined;
  if ((ax && (ax.length !== 1 || (ax[0] !== 0 && ax[0] !== -1))) || (sp && (sp.length !== 1 || sp[0] !== 1))) return undefined;
  const c = (v: number) => (v < 0 ? Math.max(0, v + x.length) : Math.min(v, x.length));
  return x.slice(c(st[0]), c(en[0]));
};

/** Per op: the output's shape value from the inputs' (undefined: none). */
const RULES: Record<string, Rule> = {
  Shape: (n) => {
    const s = n.inputs[0]?.type?.shape;
    if (!s) return undefined;
    const r = s.length, clamp = (a: number) => Math.min(r, Math.max(0, a < 0 ? a + r : a));
    const start = clamp(attrInt(n, 'start', 0)), end = n.attrs.has('end') ? clamp(attrInt(n, 'end', r)) : r;
    return s.slice(start, Math.max(start, end));
  },
  Size: (n) => {
    const s = n.inputs[0]?.type?.shape.filter((d) => d !== 1);
    if (!s) return undefined;
    if (s.every((d) => typeof d === 'number')) return [s.reduce((a: number, d) => a * (d as number), 1)];
    return s.length === 1 ? s : undefined;
  },
  Gather: (n, [x, idx]) => {
    if (!x || !idx || attrInt(n, 'axis', 0) !== 0) return undefined;
    const picked = idx.map((i) => (typeof i === 'number' ? x[i < 0 ? i + x.length : i] : undefined));
    return picked.every((d) => d !== undefined) ? (picked as Dim[]) : undefined;
  },
  Concat: (_n, ins) => (ins.every((x) => x) ? ins.flatMap((x) => x!) : undefined),
  Unsqueeze: (_n, [x]) => x,
  Squeeze: (_n, [x]) => x,
  Identity: (_n, [x]) => x,
  Slice: slice,
  Add: (n, ins) => arith((a, b) => a + b, 0, true)(n, ins) ?? derivedArith('sum')(n, ins),
  Sub: arith((a, b) => a - b, 0, false),
  Mul: (n, ins) => arith((a, b) => a * b, 1, true)(n, ins) ?? derivedArith('prod')(n, ins),
  Div: arith((a, b) => (b === 0 ? undefined : Math.trunc(a / b)), 1, false),
  Min: derivedArith('min'),
  Max: derivedArith('max'),
  ReduceMin: reduceAll('min'),
  ReduceMax: reduceAll('max'),
  Reshape: (_n, [x]) => x,
  Cast: (n, [x]) => (attrInt(n, 'to', 0) === 7 || attrInt(n, 'to', 0) === 6 ? x : undefined),
};

/** Attaches the shape value of n's output 0 where the table knows one (a tensor without a
 * compile-time value: its elements may still be all numbers, e.g. the last dim of Shape(x) when
 * x is [seq, 1, 192]). With `fold`, a value of numbers only becomes the output's compile-time
 * value, so every consumer that needs one (Slice's ends, Reshape, Expand…) sees a constant. */
export function inferShapeValue(n: Node, fold = false): void {
  const rule = RULES[n.op], out = n.outputs[0];
  if (!rule || !out || out.const || n.domain) return;
  const t = out.type;
  if (!t || t.shape.length > 1 || (t.dtype !== 'int64' && t.dtype !== 'int32')) return;
  const v = rule(n, n.inputs.map(shapeValueOf));
  if (!v) return;
  out.shapeValue = v;
  const count = t.shape.length ? t.shape[0] : 1;
  if (fold && count === v.length && v.every((d): d is number => typeof d === 'number'))
    out.const = tensorFrom(t.dtype, t.shape as number[], v);
}

/**
 * Dims `target` that multiply to the product of `from`, with one hole (-1) to fill: the hole
 * gets the product left over, by name where the names cancel (from [1, seq, 64], rest [64]:
 * seq; from [b, s, 8], rest [8]: the run-time product b*s). Undefined when what is left is not
 * one number, one name or a product of run-time dims.
 */
export function fillHole(from: Dim[], rest: Dim[]): Dim | undefined {
  // numbers and run-time dims: what is left may be a product of run-time dims ([b, s, 8] to [-1, 8]: b*s)
  const f = shapeFactors(from), r = shapeFactors(rest);
  if (f && r) {
    const left = [...f.names];
    for (const d of r.names) {
      const k = left.indexOf(d);
      if (k < 0) return undefined;
      left.splice(k, 1);
    }
    return r.c === 0 || f.c % r.c !== 0 ? undefined : derivedDim('prod', [f.c / r.c, ...left]);
  }
  const names = from.filter((d): d is string => typeof d === 'string');
  let num = from.reduce((p: number, d) => (typeof d === 'number' ? p * d : p), 1), den = 1;
  for (const d of rest) {
    if (typeof d === 'number') { den *= d; continue; }
    const k = names.indexOf(d);
    if (k < 0) return undefined;
    names.splice(k, 1);
  }
  if (den === 0 || num % den !== 0) return undefined;
  num /= den;
  if (!names.length) return num;
  return names.length === 1 && num === 1 ? names[0] : undefined;
}
