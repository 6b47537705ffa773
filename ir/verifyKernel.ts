// Verifier for the kernel IR, run after every kernel pass in tests (pipeline option `verify`):
// variables declared before use and in scope, buffers among the kernel's params (written ones
// among `writes`), every loop's kind and bound provable by ir/loopKinds.ts (except the block
// loops of a schedule's barrier-synchronized tiles: see `perBlock`), bound loops only on parallel
// loops, barriers outside divergent control flow, vector lanes that agree.
import { computeScalar } from './dtype.js';
import { CompileError } from './errors.js';
import { Expr, ForStmt, Kernel, Program, ProgramBuf, Stmt } from './kernel.js';
import { Ranges, classifyLoop, rangeOf, tripBound, withLoopVar } from './loopKinds.js';
import { VExpr, laneExpr, vchildren } from './vector.js';

/** Checks one kernel; throws a CompileError naming the kernel and what is wrong. */
export function verifyKernel(k: Kernel): void {
  const fail = (msg: string): never => { throw new CompileError(`verify kernel ${k.name} (${k.label}): ${msg}`); };
  const shared = (k.shared ?? []).map((b) => b.id);
  const params = new Set([...k.params.map((b) => b.id), ...shared]);
  const writes = new Set([...[...k.writes].map((b) => b.id), ...shared]);
  const assigned = new Set<string>();
  const collect = (b: Stmt[]) => b.forEach((s) => {
    if (s.k === 'assign' || s.k === 'vassign') assigned.add(s.name);
    if (s.k === 'for' || s.k === 'while') collect(s.body);
    if (s.k === 'if') { collect(s.then); collect(s.else); }
  });
  collect(k.body);
  let barriers = 0;

  const expr = (e: Expr, scope: Map<string, string>): void => {
    switch (e.k) {
      case 'const': return;
      case 'var': if (!scope.has(e.name)) fail(`'${e.name}' is read outside its scope`); return;
      case 'load':
        if (!params.has(e.buf.id)) fail(`loads ${e.buf.name}, which is not a parameter`);
        if (e.t !== computeScalar(e.buf.dtype)) fail(`loads ${e.buf.name} (${e.buf.dtype}) as ${e.t}`);
        return expr(e.idx, scope);
      case 'un': case 'cast': return expr(e.a, scope);
      case 'bin': case 'cmp': expr(e.a, scope); return expr(e.b, scope);
      case 'select': expr(e.c, scope); expr(e.a, scope); return expr(e.b, scope);
    }
  };
  const vexpr = (e: VExpr, scope: Map<string, string>, lanes: number): void => {
    if (e.lanes !== lanes) fail(`a ${e.lanes}-lane vector where ${lanes} lanes are expected`);
    switch (e.k) {
      case 'vload': if (!params.has(e.buf.id)) fail(`loads ${e.buf.name}, which is not a parameter`); return expr(e.idx, scope);
      case 'vsplat': return expr(e.a, scope);
      case 'vvar': if (scope.get(e.name) !== `v${lanes}`) fail(`vector '${e.name}' is read outside its scope`); return;
      default:
        if (e.k === 'vmap' && e.args.length !== (laneExpr(e.op, []).k === 'bin' ? 2 : 1)) fail(`vmap ${e.op} with ${e.args.length} arguments`);
        for (const c of vchildren(e)) vexpr(c, scope, lanes);
    }
  };
  const loop = (s: ForStmt, env: Ranges, scope: Map<string, string>): Ranges => {
    if (!['serial', 'parallel', 'reduce'].includes(s.kind)) fail(`loop '${s.v}' has no kind`);
    if (!(Number.isInteger(s.bound) && s.bound >= 0)) fail(`loop '${s.v}' has no compile-time bound`);
    // a derived bound is only an upper bound too: it disproves the claim when it is exact
    const exact = s.lo.k === 'const' && s.hi.k === 'const' ? tripBound(s.lo, s.hi, s.step, env) : null;
    if (exact !== null && exact > s.bound) fail(`loop '${s.v}' claims at most ${s.bound} trips, it runs ${exact}`);
    if (s.bind && s.kind !== 'parallel') fail(`loop '${s.v}' is bound to ${s.bind} threads but is ${s.kind}`);
    const inner = withLoopVar(s, env);
    const spmd = s.bind?.startsWith('thread.') && hasBarrier(s.body);
    if (spmd) {
      // every thread runs the body once, barriers order its phases: one trip per thread
      const d = 'xyz'.indexOf(s.bind!.slice(-1));
      if (s.lo.k !== 'const' || Number(s.lo.v) !== 0 || s.hi.k !== 'const' || s.step !== 1) fail(`thread loop '${s.v}' waits at barriers but is not one trip per thread`);
      if (k.launch && Number((s.hi as { v: number }).v) !== k.launch.threads[d]) fail(`thread loop '${s.v}' runs ${(s.hi as { v: number }).v} trips for ${k.launch.threads[d]} threads`);
    }
    // a block-bound loop: each block has its own shared arrays and runs its iterations in
    // order, and barriers order only the threads of one iteration; what iterations of
    // different blocks must not share is global memory, so only that is checked. Output tiles
    // of a 2-D block grid (a tiled GEMM: block loops nested in block loops) are not intervals
    // the 1-D dependence test can separate: there the schedule that bound them answers for
    // them, and the verifier checks only that the loop carries no variable.
    const blockLoop = !!s.bind?.startsWith('block.'), perBlock = blockLoop && hasBarrier(s.body);
    if (perBlock && assignsOutside(s)) fail(`block loop '${s.v}' assigns a variable declared outside it`);
    const tiled2d = perBlock && (inBlocks || hasBlockLoop(s.body));
    if (s.kind !== 'serial' && !spmd && !tiled2d) {
      const facts = classifyLoop(blockLoop ? { ...s, body: blockView(s.body, new Set(shared)) } : s, inner);
      if (facts.kind === 'serial' || (s.kind === 'parallel' && facts.kind === 'reduce'))
        fail(`loop '${s.v}' is marked ${s.kind}, but its iterations depend on each other`);
    }
    expr(s.lo, scope); expr(s.hi, scope);
    return inner;
  };
  let inThreads = false, inBlocks = false;
  const block = (b: Stmt[], env: Ranges, outer: Map<string, string>, inLoop: boolean, divergent: boolean): void => {
    const scope = new Map(outer), local = new Map(env);
    for (const s of b) {
      switch (s.k) {
        case 'for': {
          const inner = loop(s, local, scope), was = inThreads, wasB = inBlocks;
          if (s.bind?.startsWith('thread.')) inThreads = true;
          if (s.bind?.startsWith('block.')) inBlocks = true;
          block(s.body, inner, new Map(scope).set(s.v, 'idx'), true, divergent);
          inThreads = was;
          inBlocks = wasB;
          break;
        }
        case 'while': expr(s.c, scope); block(s.body, local, scope, true, true); break;
        case 'if': expr(s.c, scope); block(s.then, local, scope, inLoop, true); block(s.else, local, scope, inLoop, true); break;
        case 'store':
          if (!writes.has(s.buf.id)) fail(`stores to ${s.buf.name}, which it does not write`);
          if (s.val.t !== computeScalar(s.buf.dtype)) fail(`stores a ${s.val.t} into ${s.buf.name} (${s.buf.dtype})`);
          expr(s.idx, scope); expr(s.val, scope);
          break;
        case 'decl':
          if (scope.has(s.name)) fail(`'${s.name}' is declared twice`);
          expr(s.init, scope);
          scope.set(s.name, s.t);
          if (!assigned.has(s.name)) { const r = rangeOf(s.init, local); if (r) local.set(s.name, r); }
          break;
        case 'assign': if (!scope.has(s.name)) fail(`assigns '${s.name}' outside its scope`); expr(s.val, scope); break;
        case 'break': if (!inLoop) fail('break outside a loop'); break;
        case 'fail': break;
        case 'barrier':
          if (divergent) fail('a barrier inside a condition or a while loop (threads would diverge)');
          if (!inThreads) fail('a barrier outside a loop bound to the threads of a block');
          barriers++;
          break;
        case 'vdecl':
          if (scope.has(s.name)) fail(`'${s.name}' is declared twice`);
          vexpr(s.init, scope, s.init.lanes);
          scope.set(s.name, `v${s.init.lanes}`);
          break;
        case 'vassign': {
          const t = scope.get(s.name);
          if (!t?.startsWith('v')) fail(`assigns vector '${s.name}' outside its scope`);
          vexpr(s.val, scope, Number(t!.slice(1)));
          break;
        }
        case 'vstore':
          if (!writes.has(s.buf.id)) fail(`stores to ${s.buf.name}, which it does not write`);
          expr(s.idx, scope); vexpr(s.val, scope, s.val.lanes);
          break;
      }
    }
  };
  for (const b of k.writes) if (!params.has(b.id)) fail(`writes ${b.name}, which is not a parameter`);
  block(k.body, new Map(), new Map(), false, false);
  if (barriers && k.launch && !k.launch.barrier) fail('has barriers but its launch says its threads never wait');
}

/** A block without its barriers and its stores to shared arrays (what a block-bound loop's
 * iterations in different blocks can conflict on is the rest). */
function blockView(b: Stmt[], shared: Set<number>): Stmt[] {
  return b.flatMap((s): Stmt[] => {
    if (s.k === 'barrier' || (s.k === 'store' && shared.has(s.buf.id))) return [];
    if (s.k === 'for' || s.k === 'while') return [{ ...s, body: blockView(s.body, shared) }];
    if (s.k === 'if') return [{ ...s, then: blockView(s.then, shared), else: blockView(s.else, shared) }];
    return [s];
  });
}

/** Whether a block (or a loop or branch in it) holds a barrier. */
function hasBarrier(b: Stmt[]): boolean {
  return b.some((s) => s.k === 'barrier' || ((s.k === 'for' || s.k === 'while') && hasBarrier(s.body)) || (s.k === 'if' && (hasBarrier(s.then) || hasBarrier(s.else))));
}

/** Whether a loop's body assigns a variable it does not declare itself. */
/** Whether a block holds a loop bound to blocks (at any depth). */
function hasBlockLoop(b: Stmt[]): boolean {
  return b.some((s) => (s.k === 'for' && (!!s.bind?.startsWith('block.') || hasBlockLoop(s.body))) || (s.k === 'while' && hasBlockLoop(s.body))
    || (s.k === 'if' && (hasBlockLoop(s.then) || hasBlockLoop(s.else))));
}

function assignsOutside(s: ForStmt): boolean {
  const declared = new Set<string>(), assigned: string[] = [];
  const walk = (b: Stmt[]): void => b.forEach((x) => {
    if (x.k === 'decl' || x.k === 'vdecl') declared.add(x.name);
    if (x.k === 'assign' || x.k === 'vassign') assigned.push(x.name);
    if (x.k === 'for' || x.k === 'while') walk(x.body);
    if (x.k === 'if') { walk(x.then); walk(x.else); }
  });
  walk(s.body);
  return assigned.some((n) => !declared.has(n));
}

/** Checks every kernel of a program. */
export function verifyProgram(p: Program): void {
  // the slot of a run-time dim (ir/rtdims.ts) is written by one step, before any step reads it
  const written = new Set<ProgramBuf>((p.inputDims ?? []).map((d) => d.slot));
  for (const s of p.steps) {
    verifyKernel(s.kernel);
    if (s.args.length !== s.kernel.params.length) throw new CompileError(`verify: step ${s.kernel.name} passes ${s.args.length} buffers for ${s.kernel.params.length} params`);
    s.args.forEach((b, i) => {
      if (!b.dimOf) return;
      const writes = s.kernel.writes.has(s.kernel.params[i]);
      if (writes && written.has(b)) throw new CompileError(`verify: step ${s.kernel.name} writes run-time dim '${b.dimOf}' again`);
      if (!writes && !written.has(b)) throw new CompileError(`verify: step ${s.kernel.name} reads run-time dim '${b.dimOf}' before any step sets it`);
      if (writes) written.add(b);
    });
  }
  for (const o of p.outputs) for (const b of o.dims ?? []) if (b && !written.has(b))
    throw new CompileError(`verify: output '${o.name}' has run-time dim '${b.dimOf}' that no step sets`);
}
