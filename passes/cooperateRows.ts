// cooperateRows: one thread block per row for phases that reduce along rows (threaded targets).
// bindThreads alone gives each row to one thread, which then runs the row's reduce loops by
// itself (a full reduction to a scalar runs on ONE thread). This pass takes a phase that is a
// parallel row loop (up to three nested, or none: a single row) whose body holds reduce loops
// (a `decl` marked `reduce` and the top-level `reduce` loop that combines into it), parallel
// loops and scalar statements, and rewrites it for T threads per row, SPMD style:
//   rows → block.x (block.y, block.z outward); the row body → a thread.x loop of T trips;
//   reduce loop → k = lo + t, step T into a per-thread partial (from the operator's identity),
//                 partials to a shared array, barrier, a tree over it (one barrier a level),
//                 every thread reads the total (combined with the declared initial value);
//   parallel loop → k = lo + t, step T; store outside loops → `if (t == 0)`;
//   decl / assign → every thread computes the same value.
// A perfect nest of reduce loops (GlobalAveragePool's h × w) is first collapsed into one loop.
// Rows pay when a reduce loop has MIN_COOPERATIVE_TRIPS or more; T = its trips rounded up to a
// power of two, within [warp, threads.block] of the target row.
// A barrier goes between two statements where one writes what the other touches, unless both
// are strided loops over the same range touching that buffer only at the same index of k.
// Phases with anything else (serial loops, ifs, ArgMax's select updates) are left to bindThreads.
import { computeScalar } from '../ir/dtype.js';
import { bin, cast, cmp, ix, lit, load, v } from '../ir/kbuild.js';
import { Expr, ForStmt, Kernel, LoopBind, Program, ProgramBuf, ReduceOp, Stmt } from '../ir/kernel.js';
import { declaredIn, exprKey } from '../ir/loopKinds.js';
import { extreme, scalarDType } from '../ir/ops/reduction.js';
import type { Scalar } from '../ir/dtype.js';
import type { TargetDesc } from '../ir/target.js';
import { hasLoad, nestOf, phases } from './bindThreads.js';

/** Shortest reduce loop (trips along a row) for which a block per row pays. */
export const MIN_COOPERATIVE_TRIPS = 64;

const ROW_DIMS: LoopBind[] = ['block.x', 'block.y', 'block.z'];

/** The identity of a reduce operator on scalars of type t. */
function identity(op: ReduceOp, t: Scalar): Expr {
  switch (op) {
    case 'add': case 'or': return lit(0, t);
    case 'mul': return lit(1, t);
    case 'min': return extreme(t, true);
    case 'max': return extreme(t, false);
    case 'and': return t === 'bool' ? lit(1, t) : t[0] === 'u' ? extreme(t, true) : lit(-1, t);
  }
}

const sameConst = (a: Expr, b: Expr) => a.k === 'const' && b.k === 'const' && a.t === b.t && String(a.v) === String(b.v);

/** Every name a statement or expression mentions (variables, declarations, loop variables). */
function namesIn(x: unknown, out = new Set<string>()): Set<string> {
  if (!x || typeof x !== 'object') return out;
  if (Array.isArray(x)) { for (const y of x) namesIn(y, out); return out; }
  const o = x as Record<string, unknown>;
  if (typeof o.name === 'string' && o.k !== undefined) out.add(o.name);
  if (o.k === 'for') out.add(o.v as string);
  for (const [key, val] of Object.entries(o)) if (key !== 'buf' && typeof val === 'object') namesIn(val, out);
  return out;
}

/** e with variable `from` renamed (for comparing indices of two loops). */
function rename(e: Expr, from: string, to: string): Expr {
  switch (e.k) {
    case 'var': return e.name === from ? { ...e, name: to } : e;
    case 'load': return { ...e, idx: rename(e.idx, from, to) };
    case 'un': case 'cast': return { ...e, a: rename(e.a, from, to) };
    case 'bin': case 'cmp': return { ...e, a: rename(e.a, from, to), b: rename(e.b, from, to) };
    case 'select': return { ...e, c: rename(e.c, from, to), a: rename(e.a, from, to), b: rename(e.b, from, to) };
    default: return e;
  }
}

/** A buffer access of a row-body statement; own: which thread touches it, where that is known. */
interface Access { buf: number; store: boolean; own: string | null }

/** Buffer accesses in statements; own(idx) names the owning thread of an index, or null. */
function accessesOf(x: unknown, own: (idx: Expr) => string | null, out: Access[] = []): Access[] {
  if (!x || typeof x !== 'object') return out;
  if (Array.isArray(x)) { for (const y of x) accessesOf(y, own, out); return out; }
  const o = x as Record<string, unknown>;
  if ((o.k === 'load' || o.k === 'vload' || o.k === 'store' || o.k === 'vstore') && o.buf)
    out.push({ buf: (o.buf as { id: number }).id, store: o.k === 'store' || o.k === 'vstore', own: own(o.idx as Expr) });
  for (const [key, val] of Object.entries(o)) if (key !== 'buf' && typeof val === 'object') accessesOf(val, own, out);
  return out;
}

/** Accesses of a loop strided over the threads: an index that is a function of k alone (and
 * of values every thread shares and the row never changes) belongs to the thread that runs k
 * in every loop of that range. assigned: names assigned anywhere in the row body. */
function loopAccesses(s: ForStmt, assigned: Set<string>): Access[] {
  const inner = declaredIn(s.body), range = `${exprKey(s.lo)}|${exprKey(s.hi)}|${s.step}|`;
  return accessesOf(s.body, (idx) => {
    if (hasLoad(idx) || [...namesIn(idx)].some((n) => inner.has(n) || assigned.has(n))) return null;
    return range + exprKey(rename(idx, s.v, '@k'));
  });
}

const conflicts = (a: Access[], b: Access[]) =>
  a.some((x) => b.some((y) => x.buf === y.buf && (x.store || y.store) && !(x.own !== null && x.own === y.own)));

interface Ctx {
  T: number;
  t: Expr;
  fresh: (base: string) => string;
  shared: (t: Scalar, name: string) => ProgramBuf;
}

/** The row body rewritten for T threads, or null when it holds something this pass does not take. */
function rewriteRow(body: Stmt[], c: Ctx): { body: Stmt[]; reductions: number } | null {
  // each reduce-marked decl belongs to the first top-level statement after it that uses it
  const accOf = new Map<string, number>();
  body.forEach((s, i) => {
    if (s.k !== 'decl' || !s.reduce) return;
    const j = body.findIndex((x, n) => n > i && namesIn(x).has(s.name));
    if (j >= 0 && body[j].k === 'for' && body[j].kind === 'reduce') accOf.set(s.name, j);
  });
  const assigned = assignedIn(body), out: Stmt[] = [];
  let pending: Access[] = [], reductions = 0;
  const emit = (acc: Access[], ...ss: Stmt[]) => {
    if (conflicts(pending, acc)) { out.push({ k: 'barrier' }); pending = []; }
    out.push(...ss);
    pending.push(...acc);
  };
  const strided = (s: ForStmt): ForStmt => {
    const { hint: _, ...rest } = s;
    return { ...rest, lo: bin('add', s.lo, bin('mul', c.t, ix(s.step))), step: s.step * c.T, bound: Math.ceil(s.bound / c.T) };
  };
  const inits = new Map<string, Expr | null>(); // accumulator → its declared initial value (null: the identity)
  const decls = new Map<string, Stmt & { k: 'decl' }>();
  for (const [i, s] of body.entries()) {
    switch (s.k) {
      case 'decl':
        if (!accOf.has(s.name)) { emit(accessesOf(s.init, () => null), s); break; }
        decls.set(s.name, s);
        if (sameConst(s.init, identity(s.reduce!, s.t))) { inits.set(s.name, null); out.push(s); break; }
        {
          const name = c.fresh(`${s.name}_init`);
          inits.set(s.name, v(name, s.t));
          emit(accessesOf(s.init, () => null), { k: 'decl', name, t: s.t, init: s.init }, { ...s, init: identity(s.reduce!, s.t) });
        }
        break;
      case 'assign': emit(accessesOf(s.val, () => null), s); break;
      case 'store': emit(accessesOf(s, () => null), { k: 'if', c: cmp('eq', c.t, ix(0)), then: [s], else: [] }); break;
      case 'for': {
        if (s.bind || s.kind === 'serial') return null;
        if (s.kind === 'parallel') { emit(loopAccesses(s, assigned), strided(s)); break; }
        const accs = declaredOutside(s);
        if (!accs.length || accs.some((n) => accOf.get(n) !== i)) return null;
        emit(loopAccesses(s, assigned), strided(s));
        out.push(...combine(accs.map((n) => decls.get(n)!), inits, c));
        pending = [];
        reductions++;
        break;
      }
      default: return null;
    }
  }
  return { body: out, reductions };
}

/** Names assigned anywhere in a block. */
function assignedIn(b: Stmt[], out = new Set<string>()): Set<string> {
  for (const x of b) {
    if (x.k === 'assign' || x.k === 'vassign') out.add(x.name);
    if (x.k === 'for' || x.k === 'while') assignedIn(x.body, out);
    if (x.k === 'if') { assignedIn(x.then, out); assignedIn(x.else, out); }
  }
  return out;
}

/** Names a loop assigns that are declared outside it (a reduce loop's accumulators). */
function declaredOutside(s: ForStmt): string[] {
  const inner = declaredIn(s.body);
  return [...assignedIn(s.body)].filter((n) => !inner.has(n));
}

/** Partials to shared arrays, a tree over them (a barrier a level), the totals to every thread. */
function combine(accs: (Stmt & { k: 'decl' })[], inits: Map<string, Expr | null>, c: Ctx): Stmt[] {
  const out: Stmt[] = [];
  const sh = accs.map((a) => c.shared(a.t, `${a.name}_part`));
  const st = sh.map((b) => computeScalar(b.dtype));
  const at = (i: number, idx: Expr) => cast(load(sh[i], idx, st[i]), accs[i].t);
  accs.forEach((a, i) => out.push({ k: 'store', buf: sh[i], idx: c.t, val: cast(v(a.name, a.t), st[i]) }));
  out.push({ k: 'barrier' });
  for (let s = c.T / 2; s >= 1; s /= 2) {
    const then: Stmt[] = accs.map((a, i) => ({ k: 'store', buf: sh[i], idx: c.t, val: cast(bin(a.reduce!, at(i, c.t), at(i, bin('add', c.t, ix(s)))), st[i]) }));
    out.push({ k: 'if', c: cmp('lt', c.t, ix(s)), then, else: [] }, { k: 'barrier' });
  }
  accs.forEach((a, i) => {
    const init = inits.get(a.name);
    out.push({ k: 'assign', name: a.name, val: init ? bin(a.reduce!, init, at(i, ix(0))) : at(i, ix(0)) });
  });
  return out;
}

/** Whether a loop in the block is bound to launch dimensions already. */
function hasBind(b: Stmt[]): boolean {
  return b.some((s) => (s.k === 'for' && (s.bind !== undefined || hasBind(s.body))) || (s.k === 'while' && hasBind(s.body)) || (s.k === 'if' && (hasBind(s.then) || hasBind(s.else))));
}

const fromZero = (s: ForStmt) => s.lo.k === 'const' && Number(s.lo.v) === 0 && s.step === 1 && s.hi.k === 'const' && Number(s.hi.v) === s.bound;
const hasStore = (b: Stmt[]): boolean => b.some((s) => s.k === 'store' || s.k === 'vstore'
  || ((s.k === 'for' || s.k === 'while') && hasStore(s.body)) || (s.k === 'if' && (hasStore(s.then) || hasStore(s.else))));

/** A perfect nest of reduce loops from 0 (k0 < n0 { k1 < n1 { … } }, no stores) as one loop over
 * n0·n1 trips with k0, k1 recomputed from it, so that the threads share all of its work (a
 * GlobalAveragePool row is 7 × 7), not only the outer loop's few trips. */
function collapse(s: ForStmt, fresh: (base: string) => string): ForStmt {
  const inner = s.body.length === 1 && s.body[0].k === 'for' ? s.body[0] : null;
  const plain = (l: ForStmt) => l.kind === 'reduce' && !l.bind && fromZero(l);
  if (!inner || !plain(s) || !plain(inner) || hasStore(inner.body)) return s;
  const c = collapse(inner, fresh), n = c.bound, f = fresh('f');
  return {
    k: 'for', v: f, lo: ix(0), hi: ix(s.bound * n), step: 1, kind: 'reduce', bound: s.bound * n,
    body: [{ k: 'decl', name: s.v, t: 'idx', init: bin('div', v(f), ix(n)) }, { k: 'decl', name: c.v, t: 'idx', init: bin('mod', v(f), ix(n)) }, ...c.body],
  };
}

/** Largest trip count of the top-level reduce loops of a row body with constant bounds (0: none).
 * A loop whose bounds vary (a pooling window clipped at the border) has only an upper bound,
 * often far above its real trips: cooperating on it costs a block of barriers per row for little. */
function reduceTrips(body: Stmt[]): number {
  return Math.max(0, ...body.map((s) => (s.k === 'for' && s.kind === 'reduce' && s.lo.k === 'const' && s.hi.k === 'const' ? s.bound : 0)));
}

const pow2ceil = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/** The phase rewritten to a block per row, or null when it does not fit or would not pay. */
function cooperate(phase: Stmt[], t: TargetDesc, fresh: (base: string) => string, mk: (T: number) => Ctx): Stmt[] | null {
  if (hasBind(phase)) return null; // a schedule bound it already
  const last = phase[phase.length - 1];
  const looped = last.k === 'for' && last.kind === 'parallel' && phase.slice(0, -1).every((s) => s.k === 'decl' && !hasLoad(s.init));
  const rows = looped ? nestOf(last as ForStmt) : [];
  const th = t.threads!;
  const body = (looped ? rows[rows.length - 1].body : phase)
    .map((s) => (s.k === 'for' && s.kind === 'reduce' && s.bound < th.block ? collapse(s, fresh) : s));
  const trips = reduceTrips(body);
  if (trips < MIN_COOPERATIVE_TRIPS) return null;
  const T = Math.max(th.warp, Math.min(pow2ceil(trips), th.block));
  const c = mk(T);
  const made = rewriteRow(body, c);
  if (!made || !made.reductions) return null;
  // a block runs more than one row only where the rows outnumber a dimension's blocks: the
  // next row's partials must wait until every thread has read this row's totals
  if (rows.some((l, d) => d < rows.length - 1 && l.bound > 65535)) made.body.push({ k: 'barrier' });
  const tv = (c.t as { name: string }).name;
  let nest: Stmt[] = [{ k: 'for', v: tv, lo: ix(0), hi: ix(T), step: 1, body: made.body, kind: 'parallel', bound: T, bind: 'thread.x' }];
  for (let d = rows.length - 1, dim = 0; d >= 0; d--, dim++) nest = [{ ...rows[d], body: nest, bind: ROW_DIMS[dim] }];
  return looped ? [...phase.slice(0, -1), ...nest] : nest;
}

/** Rewrites the phases of every kernel that reduce along rows to a block of threads per row. */
export function cooperateRows(p: Program, target: TargetDesc): void {
  if (!target.threads) return;
  for (const step of p.steps) {
    const k: Kernel = step.kernel, names = namesIn(k.body);
    const fresh = (base: string) => {
      let n = 0;
      while (names.has(`${base}${n}`)) n++;
      names.add(`${base}${n}`);
      return `${base}${n}`;
    };
    const mk = (T: number): Ctx => ({
      T, t: v(fresh('t')), fresh,
      shared: (t, name) => {
        const b: ProgramBuf = { id: p.bufs.length, name: fresh(name), dtype: scalarDType(t), size: T, shape: [T], space: 'shared', role: 'shared' };
        p.bufs.push(b);
        (k.shared ??= []).push(b);
        return b;
      },
    });
    let changed = false;
    const body = phases(k.body).flatMap((phase) => {
      const nbufs = p.bufs.length, nshared = k.shared?.length ?? 0;
      const made = cooperate(phase, target, fresh, mk);
      if (made) changed = true;
      else { p.bufs.length = nbufs; if (k.shared) k.shared.length = nshared; } // a row it gave up on keeps no arrays
      return made ?? phase;
    });
    if (changed) k.body = body;
    if (k.shared && !k.shared.length) delete k.shared;
  }
}
