// bindThreads: maps kernels onto GPU threads (targets with `threads` in their row, ir/target.ts).
// A kernel's top-level statements are cut into phases wherever no local crosses the cut; each
// phase becomes a kernel of its own (launched in order on one stream, so a phase sees what the
// previous one wrote). A phase that is a parallel loop nest, after locals it alone reads, is
// flattened (perfectly nested parallel loops with constant bounds become one loop) and bound to
// every thread of the launch (grid-stride); any other phase runs on one thread.
import { Expr, ForStmt, Kernel, Program, Stmt, Step } from '../ir/kernel.js';
import type { TargetDesc } from '../ir/target.js';

const idx = (v: number): Expr => ({ k: 'const', t: 'idx', v });
const bin = (op: 'div' | 'mod' | 'add', a: Expr, b: Expr): Expr => ({ k: 'bin', t: 'idx', op, a, b });

/** Names a statement reads (variables and vectors), and names it declares at its top level. */
function namesRead(x: unknown, out = new Set<string>()): Set<string> {
  if (!x || typeof x !== 'object') return out;
  if (Array.isArray(x)) { for (const y of x) namesRead(y, out); return out; }
  const o = x as Record<string, unknown>;
  if ((o.k === 'var' || o.k === 'vvar' || o.k === 'assign' || o.k === 'vassign') && typeof o.name === 'string') out.add(o.name);
  for (const [key, v] of Object.entries(o)) if (key !== 'buf' && typeof v === 'object') namesRead(v, out);
  return out;
}

/** Cuts a kernel body into phases: runs of statements that share no local with other runs. */
export function phases(body: Stmt[]): Stmt[][] {
  // last statement using each top-level local; a phase may not end inside such a span
  const lastUse = body.map((_, i) => i), declaredAt = new Map<string, number>();
  body.forEach((s, i) => {
    for (const n of namesRead(s)) {
      const d = declaredAt.get(n);
      if (d !== undefined) lastUse[d] = Math.max(lastUse[d], i);
    }
    if (s.k === 'decl' || s.k === 'vdecl') declaredAt.set(s.name, i);
  });
  const out: Stmt[][] = [];
  let end = -1;
  body.forEach((s, i) => {
    if (i > end) out.push([]);
    out[out.length - 1].push(s);
    end = Math.max(end, lastUse[i]);
  });
  return out;
}

/** Perfectly nested parallel loops with constant bounds from 0, step 1: their variables and extents. */
function nestOf(s: ForStmt): { loops: ForStmt[]; body: Stmt[] } {
  const loops = [s];
  let cur = s;
  while (cur.body.length === 1 && cur.body[0].k === 'for' && isFlat(cur.body[0])) {
    cur = cur.body[0];
    loops.push(cur);
  }
  return { loops, body: cur.body };
}

const isFlat = (s: ForStmt): boolean => s.kind === 'parallel' && s.step === 1 && s.lo.k === 'const' && Number(s.lo.v) === 0 && s.hi.k === 'const';

/** The phase as a grid-bound loop (and its trip count), or null when it must run on one thread. */
function bind(phase: Stmt[]): { body: Stmt[]; trips: number } | null {
  const last = phase[phase.length - 1];
  if (last.k !== 'for' || last.kind !== 'parallel') return null;
  // what comes before the loop must be locals: every thread computes them for itself
  if (!phase.slice(0, -1).every((s) => s.k === 'decl' && !hasLoad(s.init))) return null;
  if (!isFlat(last)) {
    return { body: [...phase.slice(0, -1), { ...last, bind: 'grid' }], trips: last.bound };
  }
  const { loops, body } = nestOf(last);
  if (loops.length === 1) return { body: [...phase.slice(0, -1), { ...last, bind: 'grid' }], trips: last.bound };
  const extents = loops.map((l) => Number((l.hi as { v: number }).v));
  const total = extents.reduce((a, b) => a * b, 1);
  const flat = `${loops[0].v}_flat`;
  // v_d = (flat / prod(extents after d)) % extent_d
  let after = 1;
  const decls: Stmt[] = [];
  for (let d = loops.length - 1; d >= 0; d--) {
    let e: Expr = { k: 'var', t: 'idx', name: flat };
    if (after > 1) e = bin('div', e, idx(after));
    if (d > 0) e = bin('mod', e, idx(extents[d]));
    decls.unshift({ k: 'decl', name: loops[d].v, t: 'idx', init: e });
    after *= extents[d];
  }
  const loop: ForStmt = { k: 'for', v: flat, lo: idx(0), hi: idx(total), step: 1, body: [...decls, ...body], kind: 'parallel', bound: total, bind: 'grid' };
  return { body: [...phase.slice(0, -1), loop], trips: total };
}

function hasLoad(e: Expr): boolean {
  switch (e.k) {
    case 'load': return true;
    case 'un': case 'cast': return hasLoad(e.a);
    case 'bin': case 'cmp': return hasLoad(e.a) || hasLoad(e.b);
    case 'select': return hasLoad(e.c) || hasLoad(e.a) || hasLoad(e.b);
    default: return false;
  }
}

/** Launch shape for n iterations spread over the grid. */
function launchFor(n: number, t: TargetDesc): { blocks: number; threads: number; barrier: boolean } {
  const th = t.threads!;
  const threads = Math.min(th.block, Math.max(th.warp, Math.ceil(n / th.warp) * th.warp));
  const blocks = Math.max(1, Math.min(Math.ceil(n / threads), th.units * 32));
  return { blocks, threads, barrier: false };
}

/** Rewrites every step of the program into launches for a threaded target. */
export function bindThreads(p: Program, target: TargetDesc): void {
  if (!target.threads) return;
  const steps: Step[] = [];
  for (const s of p.steps) {
    const parts = phases(s.kernel.body);
    parts.forEach((phase, i) => {
      const name = parts.length > 1 ? `${s.kernel.name}_p${i}` : s.kernel.name;
      const bound = bind(phase);
      const kernel: Kernel = { ...s.kernel, name, body: bound ? bound.body : phase,
        launch: bound ? launchFor(bound.trips, target) : { blocks: 1, threads: 1, barrier: false } };
      steps.push({ kernel, args: s.args });
    });
  }
  p.steps = steps;
}

