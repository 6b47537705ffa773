// Run-time dims: a tensor dim whose value is known only when the program runs, with an upper
// bound known at compile time (the count of NonZero, Unique, a run-time Compress or
// NonMaxSuppression; an input dim bound with --dim NAME=LO..HI, src/dimBindings.ts).
//
// What they mean, in each IR:
// - Graph IR (ir/graph.ts): the dim is the string `NAME<=BOUND` (rtDim). It travels through
//   shape inference as a symbolic dim does (broadcasting matches it by name), so tensors that
//   share it share the value. Arithmetic on it (`a*b`) is not a run-time dim: an op whose output
//   needs that is refused when lowered (ops declare `runtimeDims` in ir/opdef.ts).
// - Kernel IR (ir/kernel.ts): the value lives in a one-element int64 buffer, the dim's slot
//   (ProgramBuf.dimOf names the dim), in the arena. The kernel producing the dim stores the count
//   there; every kernel reading a tensor with the dim takes the slot as a parameter and loads it
//   (a loop's `hi`, its `bound` the upper bound). Buffers and the arena are planned at the bound,
//   so the arena size stays a compile-time constant. A tensor stays dense in its actual shape: a
//   [2, n] tensor is row-major with stride n, so index arithmetic uses the loaded dims.
// - Program outputs (Program.outputs[].dims): per dim, the slot holding it; the slots live to the
//   end of the run, so the host reads an output's actual shape after it (C: NAME_output_shape,
//   WASM: the loader's shapes).
// - Bounded input dims (Program.inputDims, inputs[].dims): no kernel makes them; the host checks
//   each against [min, max] and stores it before the run (C: NAME_run_shaped keeps them on the
//   stack and copies them into the arena after the run; WASM: beside the inputs), so they take
//   no arena space while the program runs and the arena is the one planned at the bounds.
// - Derived dims (derivedDim): the minimum, maximum, sum or product of other dims, one of them at
//   least a run-time dim: TopK's K = min(count, 300), a Concat along a run-time axis (the sum of
//   its inputs' dims), a Slice's length (min(end, n), or span(n, start, end) from a start), a
//   reshape's [b*s, D] of two bounded dims. The name is the expression (`min(300,a<=3234)<=300`),
//   so equal expressions are equal dims and no table travels with the graph; derivedOf gives the
//   operands back. Lowering (passes/lowerToKernels.ts) computes the slot of a derived dim from
//   its operands' slots in a step of its own, before the first kernel that reads it.
import type { Dim } from './graph.js';

const RT = /^(.*)<=(\d+)$/;

/** A run-time dim called `name` of at most `bound`. */
export const rtDim = (name: string, bound: number): string => `${name}<=${bound}`;

/** The upper bound of a run-time dim, or undefined for any other dim. */
export function rtBound(d: Dim): number | undefined {
  if (typeof d !== 'string') return undefined;
  const m = RT.exec(d);
  return m ? Number(m[2]) : undefined;
}

export const isRtDim = (d: Dim): d is string => rtBound(d) !== undefined;

/** A dim's upper bound: a number itself, a run-time dim its bound; undefined for other symbols. */
export const dimBound = (d: Dim): number | undefined => (typeof d === 'number' ? d : rtBound(d));

/** The shape with run-time dims at their bounds; undefined when another symbolic dim remains. */
export function boundShape(shape: Dim[]): number[] | undefined {
  const out: number[] = [];
  for (const d of shape) {
    const b = dimBound(d);
    if (b === undefined) return undefined;
    out.push(b);
  }
  return out;
}

/** A symbolic dim computed from a run-time one (`n<=4*2`): named in errors. */
export const dependsOnRt = (d: Dim): boolean => typeof d === 'string' && d.includes('<=');

/** The name of a dim for messages: run-time bounds left out (`min(300,a)` for `min(300,a<=3234)<=300`). */
export function dimLabel(d: Dim): string {
  const def = derivedOf(d);
  if (def && !String(d).startsWith(`${def.op}(`)) return `${def.op} of ${def.args.length} dims (${dimLabel(def.args[0])}, ${dimLabel(def.args[1])}, …)`;
  // arithmetic on a run-time dim is written in parentheses (ir/ops/common.ts dimOp): shown without
  return String(d).replace(/<=\d+/g, '').replace(/^\((.*)\)$/, '$1');
}

export type DerivedOp = 'min' | 'max' | 'sum' | 'prod' | 'span';
export interface Derived { op: DerivedOp; args: Dim[] }

// The operands of each derived name made in this process. A name is its whole expression, so
// this is a cache of parses, not state: the same name always maps to the same operands.
const DERIVED = new Map<string, Derived>();

/** The operands of a derived dim (undefined for any other dim). */
export const derivedOf = (d: Dim): Derived | undefined => (typeof d === 'string' ? DERIVED.get(d) : undefined);

/**
 * min, max or sum of dims as one dim: a number when every operand is one, an operand when the
 * others cannot change it (min(300, n<=200) is n), else a derived run-time dim bounded by the
 * same operation on the bounds. Undefined when an operand is a symbolic dim with no bound.
 */
export function derivedDim(op: DerivedOp, args: Dim[]): Dim | undefined {
  const bounds = args.map(dimBound);
  if (bounds.some((b) => b === undefined)) return undefined;
  if (op === 'prod') return product(args);
  const nums = args.filter((d): d is number => typeof d === 'number');
  let names = args.filter((d): d is string => typeof d === 'string');
  if (op === 'sum') {
    const c = nums.reduce((a, b) => a + b, 0);
    if (!names.length) return c;
    if (names.length === 1 && c === 0) return names[0];
    const bound = (bounds as number[]).reduce((a, b) => a + b, 0);
    return named(op, c ? [c, ...names] : names, bound);
  }
  const pick = op === 'min' ? Math.min : Math.max;
  names = [...new Set(names)];
  if (!names.length) return pick(...nums);
  const c = nums.length ? pick(...nums) : undefined;
  const nb = names.map((d) => rtBound(d)!);
  // a constant no name can reach decides: min(0, n) is 0, max(300, n<=200) is 300
  if (c !== undefined && (op === 'min' ? c <= 0 : c >= Math.max(...nb))) return c;
  // a constant no name can cross drops out: min(300, n<=200) is n, max(0, n) is n
  const drop = c === undefined || (op === 'min' ? c >= Math.max(...nb) : c <= 0);
  if (drop && names.length === 1) return names[0];
  const ops: Dim[] = drop ? names : [c, ...names];
  return named(op, ops, pick(...ops.map((d) => dimBound(d)!)));
}

/**
 * A dim as a constant times run-time dims (products flattened: prod(4,prod(b,s)) is 4·b·s), or
 * undefined for a symbolic dim without a bound. Two dims with equal factors are equal; a reshape
 * that keeps them keeps the bytes (passes/lowerToKernels.ts aliasKeepsDims).
 */
export function factors(d: Dim): { c: number; names: string[] } | undefined {
  if (typeof d === 'number') return { c: d, names: [] };
  const def = derivedOf(d);
  if (def?.op === 'prod') {
    const fs = def.args.map(factors);
    return { c: fs.reduce((p, f) => p * f!.c, 1), names: fs.flatMap((f) => f!.names).sort() };
  }
  return isRtDim(d) ? { c: 1, names: [d] } : undefined;
}

/** The factors of a whole shape (see factors), or undefined. */
export function shapeFactors(shape: Dim[]): { c: number; names: string[] } | undefined {
  const fs = shape.map(factors);
  if (fs.some((f) => !f)) return undefined;
  return { c: fs.reduce((p, f) => p * f!.c, 1), names: fs.flatMap((f) => f!.names).sort() };
}

/** A product as one dim: its factors in a canonical order, so b*s and s*b are the same dim. */
function product(args: Dim[]): Dim | undefined {
  const f = shapeFactors(args);
  if (!f) return undefined;
  if (f.c === 0 || !f.names.length) return f.c;
  if (f.c === 1 && f.names.length === 1) return f.names[0];
  const ops: Dim[] = f.c === 1 ? f.names : [f.c, ...f.names];
  return named('prod', ops, ops.reduce((p: number, d) => p * dimBound(d)!, 1));
}

/**
 * The length of elements [start, end) of an axis of n (Slice with step 1, ONNX's clamping; a
 * negative end counts from the end): a number, min(end, n) from the start, or the derived dim
 * span(n, start, end) = max(0, min(end', n) - start). start must not count from the end.
 */
export function spanDim(n: Dim, start: number, end: number): Dim | undefined {
  const b = dimBound(n);
  if (b === undefined || start < 0) return undefined;
  if (start >= b) return 0;
  end = Math.min(end, b); // past every actual length: to the end (and no huge literal in code)
  const len = (m: number) => Math.max(0, Math.min(end < 0 ? Math.max(0, m + end) : end, m) - Math.min(start, m));
  if (typeof n === 'number') return len(n);
  if (start === 0 && end >= 0) return derivedDim('min', [end, n]);
  return named('span', [n, start, end], len(b));
}

function named(op: DerivedOp, args: Dim[], bound: number): string {
  // a long expression (a Concat of 90 run-time parts) is named by its hash, kept readable in messages by dimLabel
  const expr = `${op}(${args.join(',')})`;
  const name = rtDim(expr.length <= 80 ? expr : `${op}${args.length}_${hash(expr)}`, bound);
  if (!DERIVED.has(name)) DERIVED.set(name, { op, args });
  return name;
}

/** 64 bits of FNV-1a over the string, as hex. */
function hash(s: string): string {
  let a = 0x811c9dc5, b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    a = Math.imul(a ^ s.charCodeAt(i), 0x01000193);
    b = Math.imul(b ^ s.charCodeAt(i), 0x5bd1e995);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
