// Control flow: If, Loop and Scan. Each becomes ONE kernel whose statements hold its body
// graphs lowered inline (ir/subgraph.ts); loop-carried values live in kernel scratch (or the
// outputs), scan outputs are stacked into the outputs slice by slice. Static memory needs
// static shapes: If's branches agree on shapes, carried values keep theirs, and the number of
// iterations behind scan outputs is known at compile time.
import { InferCtx, LowerCtx, TensorRef } from '../ctx.js';
import { CompileError, NeedsInputValues } from '../errors.js';
import { Dim, Graph, Node, TensorType } from '../graph.js';
import { add, and, cast, cmp, ix, lit, min, sub } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, graph, int, ints } from '../opdef.js';
import { numel, toNumbers } from '../tensor.js';
import { captureBindings, condStays, constHint, copySlice, copyTensor, inferSubgraph, inputsBehind, lowerSubgraph, reads } from '../subgraph.js';
import { tt } from './common.js';
import { dimBound, rtDim } from '../rtdims.js';

// a subgraph's output has no tensor type where it is a sequence (ir/sequences.ts) or missing
const sameType = (a: TensorType | null | undefined, b: TensorType | null | undefined) => !!a && !!b && a.dtype === b.dtype && a.shape.join() === b.shape.join();
const typeStr = (t: TensorType | null | undefined) => (t ? `${t.dtype}[${t.shape.join(',')}]` : 'not a tensor');
const truthy = (ctx: LowerCtx, r: TensorRef): Expr => cmp('ne', ctx.load(r, ix(0)), 0);

/** Copies body results into the node's outputs (where the body did not write them directly). */
function copyOut(ctx: LowerCtx, refs: TensorRef[], outs: (TensorRef | null)[]): void {
  refs.forEach((r, i) => { if (outs[i] && r !== outs[i]) copyTensor(ctx, r, outs[i]!); });
}

/**
 * Ends an iteration: carried body results become the new state. Results still living in a
 * state buffer (a carried input passed on, or swapped) are staged first so no state is
 * overwritten before it is read.
 */
function updateStates(ctx: LowerCtx, results: TensorRef[], states: TensorRef[]): void {
  const stateBufs = new Set(states.map((s) => s.buf));
  const staged = results.map((r, i) => {
    if (!stateBufs.has(r.buf) || r.buf === states[i].buf) return r;
    const t = ctx.temp(r.dtype, r.shape, 'staged');
    copyTensor(ctx, r, t);
    return t;
  });
  staged.forEach((r, i) => copyTensor(ctx, r, states[i]));
}

// ---- If ----

/** The branch a compile-time condition selects, or undefined for a runtime condition. */
function constBranch(ctx: InferCtx): string | undefined {
  const c = ctx.constOf(0);
  if (!c) return undefined;
  return toNumbers(c)[0] ? 'then_branch' : 'else_branch';
}

/** Types of one branch's outputs, or the CompileError that typing it raised. */
function inferBranch(ctx: InferCtx, name: string): TensorType[] | CompileError {
  try {
    const ts = inferSubgraph(ctx, ctx.graphAttr(name), []);
    if (ts.length !== ctx.numOutputs) throw ctx.error(`${name} has ${ts.length} outputs, the node ${ctx.numOutputs}`);
    return ts;
  } catch (e) {
    if (e instanceof CompileError) return e;
    throw e;
  }
}

/**
 * A known condition types only the branch it takes (passes/inlineKnownBranches then inlines
 * it). An unknown one needs both branches typed alike: static memory has one shape per value.
 * Where they are not, the error names the inputs behind the condition, whose values at compile
 * time (--const) would pick the branch.
 */
function inferIf(ctx: InferCtx): TensorType[] {
  const chosen = constBranch(ctx);
  if (chosen) {
    const ts = inferBranch(ctx, chosen);
    if (ts instanceof CompileError) throw ts;
    return ts;
  }
  const [a, b] = ['then_branch', 'else_branch'].map((n) => inferBranch(ctx, n));
  let why = '';
  if (a instanceof CompileError || b instanceof CompileError) {
    const [name, e] = a instanceof CompileError ? ['then_branch', a] : ['else_branch', b as CompileError];
    why = `${name} cannot be typed (${e.message})`;
  } else {
    const i = a.findIndex((t, k) => !sameType(t, b[k]));
    if (i < 0) return a;
    // shapes that differ where both are bounded: one run-time dim (passes/guardBranches.ts runs the branches)
    const merged = a.map((t, k) => mergeTypes(ctx.node.outputs[k]?.name ?? `${ctx.node.name}.${k}`, t, b[k]));
    if (merged.every((t) => t)) return merged as TensorType[];
    why = !a[i] || !b[i] ? `output ${i} is not a tensor in ${!a[i] ? 'then_branch' : 'else_branch'} (a sequence is kept only where the branch is known)`
      : `output ${i} is ${typeStr(a[i])} in then_branch but ${typeStr(b[i])} in else_branch, and onnxc needs one static type`;
  }
  const inputs = inputsBehind(ctx.node.inputs[0]!);
  const hint = inputs.length ? `; ${constHint(inputs)}` : '';
  throw new NeedsInputValues(ctx.error(`the condition is not known at compile time and ${why}${hint}`).message, inputs);
}

/**
 * One type for an If output that is `a` in one branch and `b` in the other: same dtype and rank,
 * and where a dim differs, a run-time dim (ir/rtdims.ts) named after the output and bounded by
 * the larger bound. Undefined when that is not possible (a dim without a bound).
 */
export function mergeTypes(name: string, a: TensorType | null | undefined, b: TensorType | null | undefined): TensorType | undefined {
  if (!a || !b || a.dtype !== b.dtype || a.shape.length !== b.shape.length) return undefined;
  const shape: Dim[] = [];
  for (let k = 0; k < a.shape.length; k++) {
    const x = a.shape[k], y = b.shape[k], bx = dimBound(x), by = dimBound(y);
    if (x === y) shape.push(x);
    else if (bx === undefined || by === undefined) return undefined;
    else shape.push(rtDim(`${name}.d${k}`, Math.max(bx, by)));
  }
  return { dtype: a.dtype, shape };
}

function lowerIf(ctx: LowerCtx): void {
  const bind = captureBindings(ctx);
  const branch = (name: string) => () => copyOut(ctx, lowerSubgraph(ctx, ctx.graphAttr(name), bind, ctx.outs), ctx.outs);
  const chosen = constBranch(ctx);
  if (chosen) branch(chosen)();
  else ctx.if(truthy(ctx, ctx.in(0)), branch('then_branch'), branch('else_branch'));
}

// ---- Loop ----

const MAX_TRIPS = 2 ** 31 - 1;

/** Loop's shape facts: N carried values, K scan outputs. */
function loopParts(n: Node, body: Graph) {
  const N = n.inputs.length - 2;
  return { N, K: body.outputs.length - 1 - N };
}

const loopBody = (n: Node) => {
  const a = n.attrs.get('body');
  return a?.kind === 'graph' ? a.value : undefined;
};

/** Iterations of a Loop known at compile time (needed for scan outputs). */
function staticTrips(ctx: InferCtx, body: Graph): number {
  const m = ctx.has(0) ? ctx.constOf(0) : undefined;
  if (!m) throw ctx.error('scan outputs need the trip count M known at compile time');
  const c = ctx.has(1) ? ctx.constOf(1) : undefined;
  if (ctx.has(1) && !c) throw ctx.error('scan outputs need the initial condition known at compile time');
  if (!condStays(body)) throw ctx.error('scan outputs need a static iteration count, but the body may end the loop early');
  const start = c ? toNumbers(c)[0] !== 0 : true;
  return start ? Math.max(0, toNumbers(m)[0]) : 0;
}

function inferLoop(ctx: InferCtx): TensorType[] {
  const body = ctx.graphAttr('body');
  const { N, K } = loopParts(ctx.node, body);
  if (N < 0 || K < 0) throw ctx.error(`body has ${body.outputs.length} outputs for ${Math.max(N, 0)} loop-carried values`);
  if (ctx.numOutputs !== N + K) throw ctx.error(`node has ${ctx.numOutputs} outputs, the body gives ${N} carried and ${K} scan outputs`);
  const carried = Array.from({ length: N }, (_, i) => ctx.type(2 + i));
  const outs = inferSubgraph(ctx, body, [tt('int64', []), tt('bool', []), ...carried]);
  if (outs[0].dtype !== 'bool' || outs[0].shape.length > 1) throw ctx.error(`body condition output is ${typeStr(outs[0])}, expected bool[]`);
  carried.forEach((t, i) => {
    if (!sameType(t, outs[1 + i]))
      throw ctx.error(`loop-carried value ${i} enters as ${typeStr(t)} but the body returns ${typeStr(outs[1 + i])}; onnxc needs a fixed type`);
  });
  const scans = outs.slice(1 + N);
  const trips = K ? staticTrips(ctx, body) : 0;
  return [...carried, ...scans.map((t) => tt(t.dtype, [trips, ...t.shape]))];
}

function lowerLoop(ctx: LowerCtx): void {
  const body = ctx.graphAttr('body');
  const { N, K } = loopParts(ctx.node, body);
  const bind = captureBindings(ctx);
  // the iteration number and condition inputs, where the body reads them
  const [iter, condIn] = [tt('int64', []), tt('bool', [])].map((t, i) => {
    if (!reads(body, body.inputs[i])) return undefined;
    const r = ctx.temp(t.dtype, [], i ? 'cond' : 'iter');
    bind.set(body.inputs[i], r);
    return r;
  });
  const states = Array.from({ length: N }, (_, i) => {
    const init = ctx.in(2 + i);
    const s = ctx.outs[i] ?? ctx.temp(init.dtype, init.shape, 'state');
    copyTensor(ctx, init, s);
    bind.set(body.inputs[2 + i], s);
    return s;
  });
  const stays = condStays(body);
  const c0 = ctx.has(1) ? ctx.constOf(1) : undefined;
  const startTrue = !ctx.has(1) || (c0 !== undefined && toNumbers(c0)[0] !== 0);
  if (c0 && !startTrue) return; // never runs: outputs are the initial values (scan outputs are empty)
  if (!ctx.has(0) && stays && startTrue) throw ctx.error('loop has no trip count and a condition that never turns false: it would not terminate');
  // a mutable condition where the body can change it, or it is only known at run time
  const cond = !stays || !startTrue ? ctx.local(ctx.has(1) ? truthy(ctx, ctx.in(1)) : lit(1, 'bool'), 'cond') : undefined;
  const iteration = (it: Expr) => {
    if (iter) ctx.store(iter, ix(0), cast(it, 'i64'));
    if (condIn) ctx.store(condIn, ix(0), cond ?? lit(1, 'bool'));
    const refs = lowerSubgraph(ctx, body, bind);
    if (cond && !stays) ctx.assign(cond, truthy(ctx, refs[0]));
    for (let k = 0; k < K; k++) copySlice(ctx, refs[1 + N + k], ctx.out(N + k), [[0, it]], true);
    updateStates(ctx, refs.slice(1, 1 + N), states);
  };
  // trip counts are clamped to MAX_TRIPS (idx may be 32-bit): longer loops end through cond
  const m = ctx.constOf(0);
  if (m && toNumbers(m)[0] <= 0) return;
  const trips: Expr | undefined = !ctx.has(0) ? undefined
    : m ? ix(Math.min(toNumbers(m)[0], MAX_TRIPS)) : cast(min(ctx.load(ctx.in(0), ix(0)), MAX_TRIPS), 'idx');
  if (stays && trips) { // the condition never changes: a counted loop, guarded once by a runtime condition
    const run = () => ctx.loop(trips, iteration, { name: 'it' });
    if (cond) ctx.if(cond, run);
    else run();
    return;
  }
  // while (cond && it < M): the body may end the loop
  const hi = trips && trips.k !== 'const' ? ctx.local(trips, 'trips') : trips;
  const it = ctx.local(ix(0), 'it');
  ctx.while(hi ? and(cond!, cmp('lt', it, hi)) : cond!, () => { iteration(it); ctx.assign(it, add(it, 1)); }, trips?.k === 'const' ? Number(trips.v) : trips ? MAX_TRIPS : undefined);
}

// ---- Scan ----

/** Scan's layout: opset 8 has sequence_lens first and a batch axis 0 on everything. */
function scanParts(ctx: InferCtx) {
  const body = ctx.graphAttr('body');
  const batch = ctx.opset < 9;
  const first = batch ? 1 : 0;
  const M = ctx.int('num_scan_inputs');
  const N = ctx.numInputs - first - M;
  const K = body.outputs.length - N;
  if (N < 0 || K < 0) throw ctx.error(`num_scan_inputs ${M} does not fit ${ctx.numInputs} inputs and ${body.outputs.length} body outputs`);
  const list = (name: string, n: number) => {
    const v = ctx.hasAttr(name) ? ctx.ints(name) : new Array<number>(n).fill(0);
    if (v.length !== n) throw ctx.error(`${name} has ${v.length} entries, expected ${n}`);
    return v;
  };
  const inDirs = list(batch ? 'directions' : 'scan_input_directions', M);
  const outDirs = batch ? new Array<number>(K).fill(0) : list('scan_output_directions', K);
  const inAxes = batch ? new Array<number>(M).fill(1) : list('scan_input_axes', M).map((a, j) => ctx.axis(a, ctx.rank(first + N + j), 'scan_input_axes entry'));
  const outAxes = batch ? new Array<number>(K).fill(1) : list('scan_output_axes', K);
  const lens = inAxes.map((a, j) => ctx.shape(first + N + j)[a]);
  const T = lens[0];
  if (M === 0) throw ctx.error('num_scan_inputs must be at least 1');
  if (lens.some((l) => l !== T)) throw ctx.error(`scan inputs have different lengths ${lens.join(', ')}`);
  if (T === undefined) throw ctx.error('a scan input has no dimension at its scan axis');
  if (typeof T !== 'number') throw ctx.error(`the scan length '${T}' must be static`);
  const B = batch ? ctx.shape(first)[0] : 1;
  return { body, batch, first, M, N, K, inDirs, outDirs, inAxes, outAxes, T, B };
}

const without = <X>(a: X[], i: number) => a.filter((_, k) => k !== i);

function inferScan(ctx: InferCtx): TensorType[] {
  const { body, batch, first, M, N, K, inAxes, outAxes, T, B } = scanParts(ctx);
  if (batch && ctx.has(0)) checkSequenceLens(ctx, T, B);
  if (ctx.numOutputs !== N + K) throw ctx.error(`node has ${ctx.numOutputs} outputs, the body gives ${N} states and ${K} scan outputs`);
  const lead = batch ? 1 : 0;
  const stateTypes = Array.from({ length: N }, (_, i) => ctx.type(first + i));
  const inTypes = [
    ...stateTypes.map((t) => tt(t.dtype, t.shape.slice(lead))),
    ...Array.from({ length: M }, (_, j) => {
      const t = ctx.type(first + N + j);
      return tt(t.dtype, without(t.shape, inAxes[j]).slice(lead));
    }),
  ];
  const outs = inferSubgraph(ctx, body, inTypes);
  for (let i = 0; i < N; i++) if (!sameType(inTypes[i], outs[i]))
    throw ctx.error(`state ${i} enters as ${typeStr(inTypes[i])} but the body returns ${typeStr(outs[i])}; onnxc needs a fixed type`);
  const scans = outs.slice(N).map((t, k) => {
    const shape: Dim[] = [...t.shape];
    const a = batch ? 0 : ctx.axis(outAxes[k], shape.length + 1, 'scan_output_axes entry');
    shape.splice(a, 0, T);
    return tt(t.dtype, batch ? [B, ...shape] : shape);
  });
  return [...stateTypes, ...scans];
}

/** Opset 8's sequence_lens: only full-length sequences are supported (static shapes). */
function checkSequenceLens(ctx: InferCtx, T: Dim, B: Dim): void {
  const c = ctx.constOf(0);
  if (!c || toNumbers(c).some((l) => l !== T))
    throw ctx.error(`sequence_lens must be known at compile time and equal the scan length ${T} for all ${B} sequences`);
}

function lowerScan(ctx: LowerCtx): void {
  const { body, batch, first, M, N, K, inDirs, outDirs, inAxes, outAxes, T, B } = scanParts(ctx);
  const bind = captureBindings(ctx);
  const bodyIn = body.inputs;
  const states = Array.from({ length: N }, (_, i) => {
    const r = ctx.in(first + i);
    const s = !batch && ctx.outs[i] ? ctx.outs[i]! : ctx.temp(r.dtype, r.shape.slice(batch ? 1 : 0), 'state');
    bind.set(bodyIn[i], s);
    return s;
  });
  const slices = Array.from({ length: M }, (_, j) => {
    const r = ctx.in(first + N + j);
    const s = ctx.temp(r.dtype, without(r.shape, inAxes[j]).slice(batch ? 1 : 0), 'slice');
    bind.set(bodyIn[N + j], s);
    return s;
  });
  const at = (b: Expr, axis: number, t: Expr): [number, Expr][] => (batch ? [[0, b], [1, t]] : [[axis, t]]);
  const step = (t: Expr, reverse: number) => (reverse ? sub(ix(T - 1), t) : t);
  const sequence = (b: Expr) => {
    states.forEach((s, i) => copySlice(ctx, s, ctx.in(first + i), batch ? [[0, b]] : [], false));
    if (T > 0) ctx.loop(T as number, (t) => {
      slices.forEach((s, j) => copySlice(ctx, s, ctx.in(first + N + j), at(b, inAxes[j], step(t, inDirs[j])), false));
      const refs = lowerSubgraph(ctx, body, bind);
      for (let k = 0; k < K; k++) {
        const out = ctx.out(N + k);
        const axis = batch ? 1 : ctx.axis(outAxes[k], out.shape.length);
        copySlice(ctx, refs[N + k], out, at(b, axis, step(t, outDirs[k])), true);
      }
      updateStates(ctx, refs.slice(0, N), states);
    }, { name: 't' });
    states.forEach((s, i) => { if (ctx.outs[i] && s !== ctx.outs[i]) copySlice(ctx, s, ctx.outs[i]!, batch ? [[0, b]] : [], true); });
  };
  if (B === 1) sequence(ix(0));
  else ctx.loop(B as number, sequence, { name: 'b' });
}

/**
 * onnxc.IfMerge(cond, then results…, else results…): an If's results once its branches run as
 * guarded nodes (passes/guardBranches.ts): each output is the taken branch's result, with the
 * dims where the branches differ (mergeTypes) set from it.
 */
const ifMergeDef: OpDef = {
  op: 'IfMerge', domain: 'onnxc', runtimeDims: true,
  infer: (ctx) => {
    const n = ctx.numOutputs;
    if (ctx.numInputs !== 1 + 2 * n) throw ctx.error(`needs the condition and ${n} results of each branch`);
    return Array.from({ length: n }, (_, i) => {
      const t = mergeTypes(ctx.node.outputs[i]?.name ?? `${ctx.node.name}.${i}`, ctx.type(1 + i), ctx.type(1 + n + i));
      if (!t) throw ctx.error(`output ${i} is ${typeStr(ctx.type(1 + i))} in then_branch but ${typeStr(ctx.type(1 + n + i))} in else_branch`);
      return t;
    });
  },
  lower: (ctx) => {
    const n = ctx.numOutputs;
    const take = (first: number) => () => {
      for (let i = 0; i < n; i++) {
        if (!ctx.hasOut(i)) continue;
        const src = ctx.in(first + i), out = ctx.out(i);
        out.shape.forEach((_, k) => { if (out.rt?.names[k] !== (src.rt?.names[k] ?? src.shape[k])) ctx.setDim(out, k, ctx.dim(src, k)); });
        const bound = numel(src.shape);
        if (bound) ctx.loop(ctx.count(src), (j) => ctx.store(out, j, ctx.load(src, j)), { bound });
      }
    };
    ctx.if(truthy(ctx, ctx.in(0)), take(1), take(1 + n));
  },
};

export const controlOps: OpDef[] = [
  { op: 'If', attrs: { then_branch: graph(), else_branch: graph() }, infer: inferIf, lower: lowerIf },
  ifMergeDef,
  {
    op: 'Loop', attrs: { body: graph() },
    // scan outputs stack one slice per iteration: their length needs M and cond at compile time
    constInputs: (n) => {
      const body = loopBody(n);
      return body && loopParts(n, body).K > 0 ? [0, 1] : [];
    },
    infer: inferLoop, lower: lowerLoop,
  },
  {
    op: 'Scan',
    attrs: {
      body: graph(), num_scan_inputs: int(), directions: ints(), scan_input_axes: ints(), scan_input_directions: ints(),
      scan_output_axes: ints(), scan_output_directions: ints(),
    },
    constInputs: (n) => (n.opset < 9 ? [0] : []),
    infer: inferScan, lower: lowerScan,
  },
];
