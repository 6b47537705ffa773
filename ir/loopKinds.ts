// Which loops may run in parallel, which reduce, and how many times each runs at most: the facts
// ir/kernel.ts asks every `for` loop to carry. LowerCtx.loop classifies each loop it builds with
// classifyLoop; the kernel verifier re-derives the facts and rejects a claim it cannot prove.
// The analysis is conservative: an index it cannot take apart makes the loop serial.
import { Expr, ForStmt, KBuf, LoopKind, ReduceOp, Stmt } from './kernel.js';
import { mentions } from './loops.js';
import { VExpr, vchildren } from './vector.js';

/** Inclusive integer range. */
export type Range = [number, number];
/** Ranges of the loop variables in scope (names not in it are unknown). */
export type Ranges = Map<string, Range>;

/** Range of an integer (index) expression, or null where it cannot be bounded. */
export function rangeOf(e: Expr, env: Ranges): Range | null {
  switch (e.k) {
    case 'const': return typeof e.v === 'bigint' && (e.v > 2n ** 52n || e.v < -(2n ** 52n)) ? null : [Number(e.v), Number(e.v)];
    case 'var': return env.get(e.name) ?? null;
    case 'cast': return e.bits || e.a.t === 'f32' || e.a.t === 'f64' ? null : rangeOf(e.a, env);
    case 'select': {
      const a = rangeOf(e.a, env), b = rangeOf(e.b, env);
      return a && b ? [Math.min(a[0], b[0]), Math.max(a[1], b[1])] : null;
    }
    case 'load': return e.t === 'bool' ? [0, 1] : null;
    case 'bin': {
      const a = rangeOf(e.a, env), b = rangeOf(e.b, env);
      if (!a || !b) {
        // min with a bounded side is bounded above, max below; enough for trip counts
        if (e.op === 'min' && (a || b)) return [-Infinity, (a ?? b)![1]];
        if (e.op === 'max' && (a || b)) return [(a ?? b)![0], Infinity];
        return null;
      }
      switch (e.op) {
        case 'add': return [a[0] + b[0], a[1] + b[1]];
        case 'sub': return [a[0] - b[1], a[1] - b[0]];
        case 'mul': {
          const p = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]].map((x) => (Number.isNaN(x) ? 0 : x));
          return [Math.min(...p), Math.max(...p)];
        }
        case 'min': return [Math.min(a[0], b[0]), Math.min(a[1], b[1])];
        case 'max': return [Math.max(a[0], b[0]), Math.max(a[1], b[1])];
        case 'div': return b[0] === b[1] && b[0] > 0 ? [Math.trunc(a[0] / b[0]), Math.trunc(a[1] / b[0])] : null;
        case 'mod': return b[0] === b[1] && b[0] > 0 ? [Math.max(a[0], -(b[0] - 1)) < 0 ? -(b[0] - 1) : 0, b[0] - 1] : null;
        default: return null;
      }
    }
    default: return null;
  }
}

/** Compile-time bound of a loop's trip count, or null when hi cannot be bounded. */
export function tripBound(lo: Expr, hi: Expr, step: number, env: Ranges): number | null {
  const l = rangeOf(lo, env), h = rangeOf(hi, env);
  let bound = !l || !h || !Number.isFinite(h[1]) || !Number.isFinite(l[0]) ? null : Math.max(0, Math.ceil((h[1] - l[0]) / step));
  // a tile's edge: hi = lo + c (or both a base plus constants), or min(lo + c, n), runs at most c / step times
  const tile = (x: Expr): number | null => {
    if (x.k === 'bin' && x.op === 'min') {
      const [a, b] = [tile(x.a), tile(x.b)];
      return a === null ? b : b === null ? a : Math.min(a, b);
    }
    const [hb, hc] = offsetOf(x), [lb, lc] = offsetOf(lo);
    return sameExpr(hb, lb) ? Math.max(0, Math.ceil((hc - lc) / step)) : null;
  };
  const t = tile(hi);
  if (t !== null) bound = bound === null ? t : Math.min(bound, t);
  return bound;
}

/** An expression as base + constant (constant 0 where it is not such a sum). */
function offsetOf(e: Expr): [Expr, number] {
  return e.k === 'bin' && e.op === 'add' && e.b.k === 'const' && typeof e.b.v !== 'bigint' ? [e.a, Number(e.b.v)] : [e, 0];
}

/** Structural equality of two expressions. */
function sameExpr(a: Expr, b: Expr): boolean {
  const text = (e: Expr) => JSON.stringify(e, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
  return a === b || text(a) === text(b);
}

// ---- dependences ----

/** An index taken apart: stride·v + terms over inner variables + terms fixed during the loop. */
interface Split { stride: number; inner: Range; outer: string }

type Access = { buf: KBuf; split: Split | null; store: boolean };

/** Names declared or bound (loop variables) anywhere inside a block. */
export function declaredIn(b: Stmt[], out = new Set<string>()): Set<string> {
  for (const s of b) {
    if (s.k === 'decl' || s.k === 'vdecl') out.add(s.name);
    if (s.k === 'for') { out.add(s.v); declaredIn(s.body, out); }
    if (s.k === 'while') declaredIn(s.body, out);
    if (s.k === 'if') { declaredIn(s.then, out); declaredIn(s.else, out); }
  }
  return out;
}

/** Additive terms of an index expression with their coefficients (constant factors distributed). */
function terms(e: Expr, sign: number, out: { e: Expr; sign: number }[]): void {
  if (e.k === 'bin' && (e.op === 'add' || e.op === 'sub') && e.t === 'idx') {
    terms(e.a, sign, out);
    terms(e.b, e.op === 'add' ? sign : -sign, out);
  } else if (e.k === 'bin' && e.op === 'mul' && e.t === 'idx' && e.b.k === 'const' && e.a.k === 'bin') terms(e.a, sign * Number(e.b.v), out);
  else if (e.k === 'bin' && e.op === 'mul' && e.t === 'idx' && e.a.k === 'const' && e.b.k === 'bin') terms(e.b, sign * Number(e.a.v), out);
  else out.push({ e, sign });
}

/** Splits idx for loop variable v; inner: variables private to an iteration (with ranges). */
function split(idx: Expr, v: string, inner: Set<string>, env: Ranges, width: number): Split | null {
  const ts: { e: Expr; sign: number }[] = [];
  terms(idx, 1, ts);
  let stride = 0, lo = 0, hi = width;
  const outer: string[] = [];
  const names = (e: Expr, acc: Set<string>): Set<string> => {
    if (e.k === 'var') acc.add(e.name);
    else if (e.k === 'load') names(e.idx, acc);
    else if (e.k === 'un' || e.k === 'cast') names(e.a, acc);
    else if (e.k === 'bin' || e.k === 'cmp') { names(e.a, acc); names(e.b, acc); }
    else if (e.k === 'select') { names(e.c, acc); names(e.a, acc); names(e.b, acc); }
    return acc;
  };
  for (const { e, sign } of ts) {
    const ns = names(e, new Set());
    if (ns.has(v)) {
      // c·v, v·c or v
      const c = e.k === 'var' ? 1 : e.k === 'bin' && e.op === 'mul' && e.a.k === 'var' && e.a.name === v && e.b.k === 'const' ? Number(e.b.v)
        : e.k === 'bin' && e.op === 'mul' && e.b.k === 'var' && e.b.name === v && e.a.k === 'const' ? Number(e.a.v) : NaN;
      if (Number.isNaN(c)) return null;
      stride += sign * c;
    } else if ([...ns].some((n) => inner.has(n)) || (!ns.size && e.k === 'const')) {
      if ([...ns].some((n) => !inner.has(n)) || e.k === 'load') return null;
      const r = rangeOf(e, env);
      if (!r) return null;
      lo += sign > 0 ? sign * r[0] : sign * r[1];
      hi += sign > 0 ? sign * r[1] : sign * r[0];
    } else outer.push(`${sign}*${exprKey(e)}`);
  }
  return { stride, inner: [lo, hi], outer: outer.sort().join('+') };
}

/** Reads and writes of buffers in a block, their indices split for v. */
function accesses(b: Stmt[], v: string, inner: Set<string>, outerEnv: Ranges, out: Access[], assigned: Set<string>): void {
  const env = new Map(outerEnv);
  const ex = (e: Expr | VExpr): void => {
    switch (e.k) {
      case 'load': out.push({ buf: e.buf, split: split(e.idx, v, inner, env, 0), store: false }); ex(e.idx); return;
      case 'vload': out.push({ buf: e.buf, split: split(e.idx, v, inner, env, (e.lanes - 1) * (e.stride ?? 1)), store: false }); ex(e.idx); return;
      case 'un': case 'cast': case 'vun': case 'vsplat': ex(e.a); return;
      case 'bin': case 'cmp': case 'vbin': ex(e.a); ex(e.b); return;
      case 'select': ex(e.c); ex(e.a); ex(e.b); return;
      case 'vfma': case 'vselect': case 'vmap': for (const c of vchildren(e)) ex(c); return;
      default: return;
    }
  };
  for (const s of b) {
    switch (s.k) {
      case 'for': {
        ex(s.lo); ex(s.hi);
        accesses(s.body, v, inner, withLoopVar(s, env), out, assigned);
        break;
      }
      case 'store': out.push({ buf: s.buf, split: split(s.idx, v, inner, env, 0), store: true }); ex(s.idx); ex(s.val); break;
      case 'vstore': out.push({ buf: s.buf, split: split(s.idx, v, inner, env, s.val.lanes - 1), store: true }); ex(s.idx); ex(s.val); break;
      case 'decl': {
        ex(s.init);
        const r = assigned.has(s.name) ? null : rangeOf(s.init, env);
        if (r) env.set(s.name, r);
        break;
      }
      case 'vdecl': ex(s.init); break;
      case 'assign': ex(s.val); break;
      case 'vassign': ex(s.val); break;
      case 'if': ex(s.c); accesses(s.then, v, inner, env, out, assigned); accesses(s.else, v, inner, env, out, assigned); break;
      case 'while': ex(s.c); accesses(s.body, v, inner, env, out, assigned); break;
      default: break;
    }
  }
}

/** Whether iterations touch disjoint parts of every buffer some iteration writes. */
function disjoint(acc: Access[], step: number): boolean {
  const stored = new Set(acc.filter((a) => a.store).map((a) => a.buf.id));
  for (const id of stored) {
    const all = acc.filter((a) => a.buf.id === id);
    const first = all[0].split;
    if (!first || first.stride === 0) return false;
    let lo = Infinity, hi = -Infinity;
    for (const a of all) {
      if (!a.split || a.split.stride !== first.stride || a.split.outer !== first.outer) return false;
      lo = Math.min(lo, a.split.inner[0]);
      hi = Math.max(hi, a.split.inner[1]);
    }
    if (hi - lo >= Math.abs(first.stride) * step) return false;
  }
  return true;
}

/** Scalar `acc = acc ∘ x` / vector `acc = fma(a, b, acc)`: the operator, or null. */
function reduceStep(s: Stmt): { name: string; op: ReduceOp } | null {
  if (s.k === 'assign' && s.val.k === 'bin' && ['add', 'mul', 'min', 'max', 'and', 'or'].includes(s.val.op)) {
    const { a, b } = s.val, self = (e: Expr) => e.k === 'var' && e.name === s.name;
    if ((self(a) && !mentions(b, s.name)) || (self(b) && !mentions(a, s.name))) return { name: s.name, op: s.val.op as ReduceOp };
  }
  if (s.k === 'vassign') {
    const val = s.val, self = (e: VExpr) => e.k === 'vvar' && e.name === s.name;
    if (val.k === 'vfma' && self(val.c)) return { name: s.name, op: 'add' };
    if (val.k === 'vbin' && (val.op === 'add' || val.op === 'max' || val.op === 'min') && (self(val.a) || self(val.b))) return { name: s.name, op: val.op };
  }
  return null;
}

/** Occurrences of variable `name` in a statement or expression (as a value or an assignment target). */
function uses(x: unknown, name: string): number {
  if (!x || typeof x !== 'object') return 0;
  if (Array.isArray(x)) return x.reduce((n: number, y) => n + uses(y, name), 0);
  const o = x as Record<string, unknown>;
  let n = (o.k === 'var' || o.k === 'vvar' || o.k === 'assign' || o.k === 'vassign') && o.name === name ? 1 : 0;
  for (const [key, v] of Object.entries(o)) if (key !== 'buf' && typeof v === 'object') n += uses(v, name);
  return n;
}

/** A compact text key of an expression (buffers by id). */
export function exprKey(e: Expr): string {
  switch (e.k) {
    case 'const': return `${e.t}:${e.v}`;
    case 'var': return e.name;
    case 'load': return `b${e.buf.id}[${exprKey(e.idx)}]`;
    case 'un': return `${e.op}(${exprKey(e.a)})`;
    case 'cast': return `${e.t}${e.bits ? '~' : ''}(${exprKey(e.a)})`;
    case 'bin': case 'cmp': return `(${exprKey(e.a)} ${e.op} ${exprKey(e.b)})`;
    case 'select': return `(${exprKey(e.c)} ? ${exprKey(e.a)} : ${exprKey(e.b)})`;
  }
}

/** Statements of a block and of its nested blocks, flattened. */
function walk(b: Stmt[], f: (s: Stmt, depth: number) => void, depth = 0): void {
  for (const s of b) {
    f(s, depth);
    if (s.k === 'for' || s.k === 'while') walk(s.body, f, depth + 1);
    if (s.k === 'if') { walk(s.then, f, depth + 1); walk(s.else, f, depth + 1); }
  }
}

export interface LoopFacts { kind: LoopKind; accumulators: Map<string, ReduceOp> }

/**
 * Classifies a loop over variable v: parallel when iterations are independent, reduce when they
 * only combine into variables declared outside with one associative operator each, else serial.
 * env: ranges of the variables in scope, v's own included (withLoopVar).
 */
export function classifyLoop(s: ForStmt, env: Ranges): LoopFacts {
  const serial: LoopFacts = { kind: 'serial', accumulators: new Map() };
  const inner = declaredIn(s.body);
  let ok = true;
  const assigned = new Map<string, Stmt[]>();
  walk(s.body, (st, depth) => {
    if (st.k === 'fail' || st.k === 'barrier' || (st.k === 'break' && depth === 0)) ok = false;
    if ((st.k === 'assign' || st.k === 'vassign') && !inner.has(st.name)) assigned.set(st.name, [...(assigned.get(st.name) ?? []), st]);
  });
  // a break inside an `if` at this loop's level leaves this loop too
  const breaks = (b: Stmt[]): boolean => b.some((x) => x.k === 'break' || (x.k === 'if' && (breaks(x.then) || breaks(x.else))));
  if (!ok || breaks(s.body)) return serial;
  const accumulators = new Map<string, ReduceOp>();
  for (const [name, sts] of assigned) {
    const steps = sts.map(reduceStep);
    if (steps.some((x) => !x || x.op !== steps[0]!.op)) return serial;
    // the accumulator is read only by its own updates (each names it twice: target and operand)
    if (uses(s.body, name) !== 2 * sts.length) return serial;
    accumulators.set(name, steps[0]!.op);
  }
  const acc: Access[] = [];
  accesses(s.body, s.v, inner, env, acc, assignedIn(s.body));
  if (!disjoint(acc, s.step)) return serial;
  return { kind: accumulators.size ? 'reduce' : 'parallel', accumulators };
}

/** env plus the range of loop s's variable: lo's least value up to the last value it takes. */
export function withLoopVar(s: ForStmt, env: Ranges): Ranges {
  const lr = rangeOf(s.lo, env), hr = rangeOf(s.hi, env), out = new Map(env);
  if (!lr) return out;
  const last = lr[1] + Math.max(0, s.bound - 1) * s.step;
  out.set(s.v, [lr[0], hr ? Math.min(hr[1] - 1, last) : last]);
  return out;
}

/** Names assigned anywhere in a block (their declared value does not hold throughout). */
function assignedIn(b: Stmt[], out = new Set<string>()): Set<string> {
  walk(b, (s) => { if (s.k === 'assign' || s.k === 'vassign') out.add(s.name); });
  return out;
}

/**
 * Sets kind and bound on every `for` loop of a kernel body, innermost first, and marks the
 * accumulators of reduce loops. Passes that rewrite loops run it again on what they made. A loop whose trip count cannot be bounded keeps the bound its
 * builder gave (a value loaded at run time: the most it can be); with none it is an error.
 */
export function annotateLoops(body: Stmt[], onError: (msg: string) => never): void {
  const assigned = assignedIn(body);
  walk(body, (s) => { if (s.k === 'decl' || s.k === 'vdecl') delete s.reduce; });
  const go = (b: Stmt[], env: Ranges): void => {
    const local = new Map(env);
    for (const s of b) {
      if (s.k === 'decl' && !assigned.has(s.name) && (s.t === 'idx' || s.t[0] === 'i' || s.t[0] === 'u')) {
        const r = rangeOf(s.init, local);
        if (r) local.set(s.name, r);
      }
      if (s.k === 'if') { go(s.then, local); go(s.else, local); }
      if (s.k === 'while') go(s.body, local);
      if (s.k !== 'for') continue;
      const derived = tripBound(s.lo, s.hi, s.step, local);
      if (derived !== null) s.bound = s.bound >= 0 ? Math.min(s.bound, derived) : derived;
      else if (!(s.bound >= 0)) onError(`the trip count of loop '${s.v}' has no compile-time bound`);
      const inner = withLoopVar(s, local);
      go(s.body, inner);
      if (s.bind) continue; // a schedule bound it to threads and said what it is
      const facts = classifyLoop(s, inner);
      s.kind = facts.kind;
      if (facts.kind === 'reduce') markAccumulators(b, facts.accumulators);
    }
  };
  go(body, new Map());
}

/** Marks the declarations of a reduce loop's accumulators (in the block around the loop). */
function markAccumulators(b: Stmt[], accs: Map<string, ReduceOp>): void {
  for (const st of b) if ((st.k === 'decl' || st.k === 'vdecl') && accs.has(st.name)) st.reduce = accs.get(st.name);
}
