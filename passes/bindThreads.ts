// bindThreads: maps kernels onto GPU threads (targets with `threads` in their row, ir/target.ts).
// A kernel's top-level statements are cut into phases wherever no local crosses the cut; each
// phase becomes a kernel of its own (launched in order on one stream, so a phase sees what the
// previous one wrote). A phase that is a parallel loop nest, after locals it alone reads, has up
// to three perfectly nested parallel loops bound to launch dimensions x (innermost: blocks ×
// threads), y and z (blocks), each grid-stride; any other phase runs on one thread.
import { Expr, ForStmt, KBuf, Kernel, LoopBind, Program, Stmt, Step } from '../ir/kernel.js';
import { CompileError } from '../ir/errors.js';
import type { TargetDesc } from '../ir/target.js';


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

/** Up to three perfectly nested parallel loops from s inward (each loop's body is just the next). */
export function nestOf(s: ForStmt): ForStmt[] {
  const loops = [s];
  let cur = s;
  while (loops.length < 3 && cur.body.length === 1 && cur.body[0].k === 'for' && cur.body[0].kind === 'parallel') {
    cur = cur.body[0];
    loops.push(cur);
  }
  return loops;
}

const DIMS: LoopBind[] = ['grid.x', 'block.y', 'block.z'];

/** The phase with its parallel loop nest bound to launch dimensions (innermost x), or null. */
function bind(phase: Stmt[], t: TargetDesc): { body: Stmt[]; launch: NonNullable<Kernel['launch']> } | null {
  const last = phase[phase.length - 1];
  if (last.k !== 'for' || last.kind !== 'parallel') return null;
  // what comes before the loop must be locals: every thread computes them for itself
  if (!phase.slice(0, -1).every((s) => s.k === 'decl' && !hasLoad(s.init))) return null;
  const loops = nestOf(last);
  const th = t.threads!, trips = loops.map((l) => Math.max(1, l.bound));
  const inner = trips[trips.length - 1];
  const threads = Math.min(th.block, Math.max(th.warp, Math.ceil(inner / th.warp) * th.warp));
  const blocks: [number, number, number] = [Math.max(1, Math.min(Math.ceil(inner / threads), th.units * 32)), 1, 1];
  // rebuild the nest from the inside out, binding each loop to its dimension
  let body: Stmt[] = loops[loops.length - 1].body;
  for (let d = loops.length - 1, dim = 0; d >= 0; d--, dim++) {
    body = [{ ...loops[d], body, bind: DIMS[dim] }];
    if (dim > 0) blocks[dim] = Math.min(trips[d], 65535);
  }
  return { body: [...phase.slice(0, -1), ...body], launch: { blocks, threads: [threads, 1, 1], barrier: false } };
}

export function hasLoad(e: Expr): boolean {
  switch (e.k) {
    case 'load': return true;
    case 'un': case 'cast': return hasLoad(e.a);
    case 'bin': case 'cmp': return hasLoad(e.a) || hasLoad(e.b);
    case 'select': return hasLoad(e.c) || hasLoad(e.a) || hasLoad(e.b);
    default: return false;
  }
}

/** The launch of a phase whose loops a schedule bound (largest bound per dimension), or null. */
export function scheduledLaunch(phase: Stmt[]): Kernel['launch'] | null {
  const blocks: [number, number, number] = [1, 1, 1], threads: [number, number, number] = [1, 1, 1];
  let any = false, barrier = false;
  const dim = (d: string) => ({ x: 0, y: 1, z: 2 })[d as 'x' | 'y' | 'z'];
  const walk = (b: Stmt[]): void => b.forEach((s) => {
    if (s.k === 'barrier') barrier = true;
    if (s.k === 'for') {
      if (s.bind && s.bind !== 'grid.x') {
        any = true;
        const [kind, d] = s.bind.split('.'), i = dim(d);
        if (kind === 'block') blocks[i] = Math.max(blocks[i], Math.min(s.bound, i ? 65535 : 2 ** 31 - 1));
        else threads[i] = Math.max(threads[i], s.bound);
      }
      walk(s.body);
    }
    if (s.k === 'while') walk(s.body);
    if (s.k === 'if') { walk(s.then); walk(s.else); }
  });
  walk(phase);
  return any ? { blocks, threads, barrier } : null;
}

/** Whether a statement touches one of the buffers. */
function usesAny(s: Stmt, bufs: KBuf[]): boolean {
  const ids = new Set(bufs.map((b) => b.id));
  const look = (x: unknown): boolean => {
    if (!x || typeof x !== 'object') return false;
    if (Array.isArray(x)) return x.some(look);
    const o = x as Record<string, unknown>;
    if (o.buf && ids.has((o.buf as KBuf).id)) return true;
    return Object.entries(o).some(([k, v]) => k !== 'buf' && typeof v === 'object' && look(v));
  };
  return look(s);
}

/** Rewrites every step of the program into launches for a threaded target. */
export function bindThreads(p: Program, target: TargetDesc): void {
  if (!target.threads) return;
  const steps: Step[] = [];
  for (const s of p.steps) {
    const parts = phases(s.kernel.body);
    parts.forEach((phase, i) => {
      const name = parts.length > 1 ? `${s.kernel.name}_p${i}` : s.kernel.name;
      // a phase a schedule already bound keeps its loops; its launch follows from them
      const given = scheduledLaunch(phase);
      // every thread of that launch runs the whole phase: anything but locals ahead of the
      // bound loops would run once per thread
      if (given && !phase.slice(0, -1).every((st) => st.k === 'decl' || st.k === 'vdecl'))
        throw new CompileError(`bindThreads: ${name} (${s.kernel.label}): a phase a schedule bound holds other statements before its loops`);
      const bound = given ? { body: phase, launch: given } : bind(phase, target);
      const kernel: Kernel = { ...s.kernel, name, body: bound ? bound.body : phase,
        launch: bound ? bound.launch : { blocks: [1, 1, 1], threads: [1, 1, 1], barrier: false } };
      // the shared arrays this phase uses (an op with two tiled products has two pairs)
      const shared = (kernel.shared ?? []).filter((b) => phase.some((st) => usesAny(st, [b])));
      if (shared.length) kernel.shared = shared;
      else delete kernel.shared;
      steps.push({ kernel, args: s.args });
    });
  }
  p.steps = steps;
}

