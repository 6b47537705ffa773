// lowerToKernels: turns the typed graph into a Program — one kernel per node over program
// buffers (graph inputs/outputs, constants, arena temporaries). Alias ops (Reshape…) share
// their input's buffer; elementwise ops may write in place over an input that dies there;
// producers of a Concat's inputs may write into the Concat's output (see concatViews.ts).
import { annotateLoops } from '../ir/loopKinds.js';
import { DType, byteSize } from '../ir/dtype.js';
import { LowerCtx, LowerTarget, TensorRef, rtDims, slotValue, tensorRef } from '../ir/ctx.js';
import { CompileError, nodeError } from '../ir/errors.js';
import { Graph, Model, Node, Value, captures, nodeInputs, nodeLabel } from '../ir/graph.js';
import { DerivedOp, boundShape, dependsOnRt, derivedOf, dimLabel, isRtDim, rtBound, shapeFactors } from '../ir/rtdims.js';
import { hoistDimLoads } from '../ir/hoistDims.js';
import { Expr, Kernel, KBuf, Program, ProgramBuf, Step, Stmt } from '../ir/kernel.js';
import { add, and, cast, cmp, ix, lit, load, max, min, mul, sub } from '../ir/kbuild.js';
import { opDefOf } from '../ir/opdef.js';
import { atNode } from '../ir/errors.js';
import type { ScheduleTable } from '../ir/schedule.js';
import { TensorData, numel } from '../ir/tensor.js';
import { planConcatViews } from './concatViews.js';

export interface LowerOptions {
  name: string;
  /** Target facts for schedules (default: scalar code). */
  lowerTarget?: LowerTarget;
  /** How the target runs the algorithms ops ask about (default: the scalar algorithms). */
  schedule?: ScheduleTable;
  /** Graph inputs the program is specialized on (guarded at run time). */
  guards?: Set<string>;
  /** Bounded input dims (--dim NAME=LO..HI), keyed by the run-time dim they are (NAME<=HI). */
  dimRanges?: Map<string, { name: string; min: number; max: number }>;
}

/** Largest buffer a program may hold (bytes); beyond it no static plan is sensible. */
export const MAX_BUFFER_BYTES = 2 ** 34;

/** The shape of a value, run-time dims at their bounds (ir/rtdims.ts). */
function concreteShape(v: Value, what: string): number[] {
  const s = boundShape(v.type!.shape);
  if (!s) {
    const sym = v.type!.shape.find((d) => typeof d !== 'number' && !isRtDim(d))!;
    if (dependsOnRt(sym)) {
      const n = v.producer;
      throw new CompileError(`${n ? `${nodeLabel(n)}: ` : ''}${what} '${v.name}' would have dimension '${sym}', computed from a run-time dimension; onnxc supports run-time dimensions only where they flow through unchanged`);
    }
    throw new CompileError(`${what} '${v.name}' has symbolic dimension '${sym}'; bind it with --dim ${sym}=VALUE`);
  }
  checkFits(v.name, v.type!.dtype, s, what);
  return s;
}

/** The run-time dims of a value (names), in order. */
const rtNames = (v: Value | null): string[] => (v?.type ? v.type.shape.filter(isRtDim) : []);

/** Whether an alias op (a reshape: same bytes) keeps the run-time dims: both shapes the same
 * constant times the same run-time dims, products of them counted by their factors
 * ([b, s, 8] and [b*s, 8] alike; ir/rtdims.ts factors). */
function aliasKeepsDims(n: Node): boolean {
  const x = n.inputs[0], y = n.outputs[0];
  if (!x?.type || !y?.type) return false;
  const fx = shapeFactors(x.type.shape), fy = shapeFactors(y.type.shape);
  return !!fx && !!fy && fx.c === fy.c && fx.names.join('|') === fy.names.join('|');
}

/** Throws when a tensor of this shape cannot fit in memory. */
export function checkFits(name: string, dtype: DType, shape: number[], what = 'value'): void {
  const bytes = byteSize(dtype, numel(shape));
  if (!(bytes <= MAX_BUFFER_BYTES))
    throw new CompileError(`${what} '${name}' of shape [${shape.join(', ')}] needs ${bytes.toExponential(2)} bytes and cannot fit in memory`);
}

/** A derived dim's value from its operands' (ir/rtdims.ts). */
const fold = (f: (a: Expr, b: Expr) => Expr) => (xs: Expr[]) => xs.reduce((a, b) => f(a, b));
const DERIVE: Record<DerivedOp, (xs: Expr[]) => Expr> = {
  sum: fold(add), prod: fold(mul), min: fold(min), max: fold(max),
  // span(n, start, end): max(0, min(end', n) - start), end' = max(0, n + end) for a negative end
  span: ([n, s, e]) => max(ix(0), sub(min(e.k === 'const' && Number(e.v) < 0 ? max(ix(0), add(n, e)) : e, n), s)),
};

const sanitize = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=\d)/, '_').slice(0, 40) || 'v';

export function lowerToKernels(m: Model, opts: LowerOptions): Program {
  const g: Graph = m.graph;
  const bufs: ProgramBuf[] = [];
  const steps: Step[] = [];
  const valueBuf = new Map<Value, ProgramBuf>();
  const newBuf = (name: string, dtype: DType, size: number, role: ProgramBuf['role'], extra: Partial<ProgramBuf> = {}): ProgramBuf => {
    // weights are read-only (const memory); everything else lives in global memory until a
    // schedule says otherwise (shared arrays: LowerCtx.shared)
    const b: ProgramBuf = { id: bufs.length, name: sanitize(name), dtype, size, role, space: role === 'const' ? 'const' : 'global', ...extra };
    bufs.push(b);
    return b;
  };
  const outputIndex = new Map<Value, number>();
  g.outputs.forEach((v, i) => { if (!outputIndex.has(v)) outputIndex.set(v, i); });
  g.inputs.forEach((v, i) => {
    const shape = concreteShape(v, 'input');
    valueBuf.set(v, newBuf(v.name, v.type!.dtype, numel(shape), 'input', { index: i }));
  });
  const constBuf = (v: Value): ProgramBuf => {
    let b = valueBuf.get(v);
    if (!b) {
      const c = v.const!;
      valueBuf.set(v, (b = newBuf(v.name, c.dtype, numel(c.shape), 'const', { data: c })));
    }
    return b;
  };
  /** The buffer holding value v so far (constants get theirs on first use). */
  const bufOf = (v: Value): ProgramBuf | undefined => (v.const && !valueBuf.has(v) ? constBuf(v) : valueBuf.get(v));
  /** Fresh storage for v: its graph output buffer, or an arena temporary. */
  const ownBuf = (v: Value, size: number): ProgramBuf => {
    const oi = outputIndex.get(v);
    return oi !== undefined ? newBuf(v.name, v.type!.dtype, size, 'output', { index: oi }) : newBuf(v.name, v.type!.dtype, size, 'temp');
  };
  // run-time dims: one int64 slot each, made where the dim first appears (its producer)
  const slots = new Map<string, ProgramBuf>();
  const slotOf = (d: string): ProgramBuf => {
    let b = slots.get(d);
    if (!b) slots.set(d, (b = newBuf(`dim_${dimLabel(d)}`, 'int64', 1, 'temp', { dimOf: d })));
    return b;
  };
  /** A derived dim's slot (ir/rtdims.ts), computed from its operands' slots by a step of its own
   * the first time a node needs it; its operands come first. */
  const derivedSlot = (d: string, where: string): void => {
    const def = derivedOf(d);
    if (!def || slots.has(d)) return;
    const args: Expr[] = [], reads: TensorRef[] = [];
    for (const a of def.args) {
      if (typeof a === 'number') { args.push(ix(a)); continue; }
      derivedSlot(a, where);
      const b = slots.get(a);
      if (!b) throw new CompileError(`${where}: run-time dimension '${dimLabel(a)}' is needed before any node computes it`);
      reads.push(tensorRef(b, [1]));
      args.push(slotValue(b));
    }
    const val = DERIVE[def.op](args);
    const out = tensorRef(slotOf(d), [1]);
    steps.push(makeStep(`dim_${steps.length}`, `dimension ${dimLabel(d)}`, [{ k: 'store', buf: out.buf, idx: ix(0), val: cast(val, 'i64') }], reads, [], [out]));
  };
  // bounded input dims: the host sets their slots, so no node makes them
  for (const d of g.inputs.flatMap(rtNames)) slotOf(d);
  /** The kernel's view of value v in buffer b (its run-time dims loaded from their slots). */
  const refOf = (v: Value, b: KBuf, shape: number[]): TensorRef => {
    const names = v.type!.shape;
    if (!names.some(isRtDim)) return tensorRef(b, shape);
    return tensorRef(b, shape, rtDims(shape, names, names.map((d) => (isRtDim(d) ? slotOf(d) : undefined))));
  };

  // last node index reading each value (graph outputs live to the end)
  const lastUse = new Map<Value, number>();
  g.nodes.forEach((n, i) => nodeInputs(n).forEach((v) => v && lastUse.set(v, i)));
  for (const v of g.outputs) lastUse.set(v, Infinity);
  const bufLast = new Map<ProgramBuf, number>();
  const join = (v: Value, b: ProgramBuf) => {
    valueBuf.set(v, b);
    bufLast.set(b, Math.max(bufLast.get(b) ?? -1, lastUse.get(v) ?? -1));
  };

  // Concat inputs written in place: their buffers (views) and their Concats' outputs are made
  // when first needed, a view after the buffer it is part of
  const concatViews = planConcatViews(g, (n) => !!opDefOf(n).alias);
  const planned = new Map<Value, ProgramBuf>();
  const plannedBuf = (v: Value): ProgramBuf => {
    let b = planned.get(v);
    if (b) return b;
    const size = numel(concreteShape(v, 'value')), view = concatViews.views.get(v);
    b = view ? newBuf(v.name, v.type!.dtype, size, 'view', { view: { of: plannedBuf(view.parent), at: view.at } }) : ownBuf(v, size);
    planned.set(v, b);
    return b;
  };

  g.nodes.forEach((n, step) => {
    atNode(n);
    const def = opDefOf(n);
    const dimsIn = new Set(nodeInputs(n).flatMap(rtNames)), dimsOut = new Set(n.outputs.flatMap(rtNames));
    const taken = def.alias ? aliasKeepsDims(n) : !!def.runtimeDims;
    // a dim computed from a run-time one (seq*4): not a run-time dim (ir/rtdims.ts)
    const product = n.outputs.find((v) => v?.type?.shape.some((d) => !isRtDim(d) && dependsOnRt(d)));
    if (product && (dimsIn.size || dimsOut.size)) {
      const d = String(product.type!.shape.find((x) => !isRtDim(x) && dependsOnRt(x)));
      throw nodeError(n, `'${product.name}' would have dimension '${dimLabel(d)}', computed from run-time dimension '${dimLabel([...dimsIn][0] ?? '')}'; onnxc takes run-time dimensions only where they stay whole dims`);
    }
    if ((dimsIn.size || dimsOut.size) && !taken) {
      const d = [...dimsIn, ...dimsOut][0], v = [...nodeInputs(n), ...n.outputs].find((x) => rtNames(x).includes(d))!;
      throw nodeError(n, `'${v.name}' has run-time dimension '${dimLabel(d)}' (at most ${rtBound(d)}), which ${n.op} cannot take: onnxc needs this shape at compile time`);
    }
    for (const d of [...dimsIn, ...dimsOut]) derivedSlot(d, nodeLabel(n));
    // slots of dims this node makes (written) and of those it reads
    const made = [...dimsOut].filter((d) => !dimsIn.has(d) && !slots.has(d)).map((d) => tensorRef(slotOf(d), [1]));
    const read = [...dimsIn, ...dimsOut].filter((d) => !made.some((r) => r.buf === slots.get(d))).map((d) => tensorRef(slotOf(d), [1]));
    const slices = concatViews.concats.get(n);
    if (slices) return concatInPlace(n, slices);
    // values read by the node's subgraphs (If/Loop/Scan) are extra inputs of its kernel; its
    // guard's conditions (passes/guardBranches.ts) come after them
    const guards = n.guard ?? [];
    const inputs = [...n.inputs, ...captures(n)];
    const inBufs = inputs.map((v) => (v ? bufOf(v) : undefined));
    inputs.forEach((v, i) => { if (v && !inBufs[i]) throw nodeError(n, `input '${v.name}' was not computed`); });
    const ins = inputs.map((v, i) => (v ? refOf(v, inBufs[i]!, concreteShape(v, 'value')) : null));
    const outs: (TensorRef | null)[] = n.outputs.map((v, i) => {
      if (!v) return null;
      const shape = concreteShape(v, 'value');
      let b: ProgramBuf | undefined;
      if (concatViews.views.has(v) || concatViews.parents.has(v)) b = plannedBuf(v);
      else if (outputIndex.has(v)) b = ownBuf(v, numel(shape));
      else if (i === 0 && def.alias && inBufs[0]) b = inBufs[0] as ProgramBuf;
      else if (i === 0) b = inPlaceCandidate(n, def.inplace ?? [], inBufs as ProgramBuf[], v, step);
      b ??= ownBuf(v, numel(shape));
      join(v, b);
      return refOf(v, b, shape);
    });
    if (def.alias && outs[0] && outs[0].buf === inBufs[0] && n.outputs.length === 1) return; // pure view: no kernel
    if (!def.lower && !def.alias) throw nodeError(n, 'op has no lowering');
    const ctx = new LowerCtx(n, def, inputs.map((v) => v?.type ?? null), inputs.map((v) => v?.const), ins, outs,
      (dtype, size, name) => newBuf(`${n.name}_${name}`, dtype, size, 'temp'), opts.lowerTarget, opts.schedule);
    if (def.lower) def.lower(ctx);
    else copyKernel(ctx, ins[0]!, outs[0]!);
    for (const b of ctx.sharedBufs) (b as ProgramBuf).role = 'shared';
    const conds = guards.map((gd) => {
      const b = bufOf(gd.cond);
      if (!b) throw nodeError(n, `guard '${gd.cond.name}' was not computed`);
      return tensorRef(b, concreteShape(gd.cond, 'value'));
    });
    // a guarded node runs where its conditions hold; skipped, the dims it makes read 0
    const body: Stmt[] = !guards.length ? ctx.body : [{
      k: 'if', c: guards.map((gd, i) => cmp(gd.when ? 'ne' : 'eq', load(conds[i].buf, ix(0), conds[i].t), 0)).reduce((a, b) => and(a, b)),
      then: ctx.body, else: made.map((r) => ({ k: 'store', buf: r.buf, idx: ix(0), val: lit(0, 'i64') }) as Stmt),
    }];
    const k = makeStep(`${sanitize(n.op)}_${steps.length}`, nodeLabel(n), body, [...ins, ...outs, ...read, ...conds], ctx.scratch as ProgramBuf[], [...outs, ...made]);
    if (ctx.sharedBufs.length) k.kernel.shared = [...ctx.sharedBufs];
    steps.push(k);
  });

  /** A Concat some of whose inputs were written into its output: copies only the others. */
  function concatInPlace(n: Node, slices: { at: number; view: boolean }[]): void {
    const out = n.outputs[0]!, ob = plannedBuf(out);
    join(out, ob);
    n.inputs.forEach((v, i) => {
      if (!v || slices[i].view) return;
      const shape = concreteShape(v, 'value'), size = numel(shape);
      if (!size) return;
      const src = bufOf(v);
      if (!src) throw nodeError(n, `input '${v.name}' was not computed`);
      const dst = newBuf(`${out.name}_${i}`, out.type!.dtype, size, 'view', { view: { of: ob, at: slices[i].at } });
      const from = tensorRef(src, shape), to = tensorRef(dst, shape);
      steps.push(makeStep(`${sanitize(n.op)}_${steps.length}`, nodeLabel(n), copyBody(from, to), [from], [], [to]));
    });
  }

  function inPlaceCandidate(n: Node, cands: number[], inBufs: ProgramBuf[], out: Value, step: number): ProgramBuf | undefined {
    for (const j of cands) {
      const src = n.inputs[j], b = inBufs[j];
      if (!src || !b || b.role !== 'temp') continue;
      if (src.type!.shape.join() !== out.type!.shape.join() || byteSize(b.dtype, 1) !== byteSize(out.type!.dtype, 1)) continue;
      if (b.dtype !== out.type!.dtype) continue;
      if ((bufLast.get(b) ?? Infinity) !== step) continue;
      if (n.inputs.some((v, k) => k !== j && v && inBufs[k] === b)) continue;
      return b;
    }
    return undefined;
  }

  // graph outputs that are not written by a node of their own: inputs, constants, repeats
  for (const v of g.outputs) for (const d of rtNames(v)) derivedSlot(d, `output '${v.name}'`);
  const outputs = g.outputs.map((v, i) => {
    const shape = concreteShape(v, 'output');
    let b = bufOf(v);
    if (!b) throw new CompileError(`graph output '${v.name}' is not computed`);
    if (b.role !== 'output' || b.index !== i) {
      const dst = newBuf(v.name, v.type!.dtype, numel(shape), 'output', { index: i });
      // a run-time dim copies its actual count, reading its slot
      const src = refOf(v, b, shape), out = refOf(v, dst, shape), dims = rtNames(v).map((d) => tensorRef(slotOf(d), [1]));
      steps.push(makeStep(`copy_${steps.length}`, `output '${v.name}'`, copyBody(src, out), [src, ...dims], [], [out]));
      b = dst;
    }
    const names = v.type!.shape;
    return names.some(isRtDim) ? { name: v.name, buf: b, shape, dims: names.map((d) => (isRtDim(d) ? slotOf(d) : undefined)) } : { name: v.name, buf: b, shape };
  });
  const guards = g.inputs.filter((v) => opts.guards?.has(v.name) && v.const).map((v) => ({ buf: valueBuf.get(v)!, data: v.const as TensorData }));
  const inputs: Program['inputs'] = g.inputs.map((v) => {
    const names = v.type!.shape, io = { name: v.name, buf: valueBuf.get(v)!, shape: concreteShape(v, 'input') };
    return names.some(isRtDim) ? { ...io, dims: names.map((d) => (isRtDim(d) ? slotOf(d) : undefined)) } : io;
  });
  const program: Program = { name: opts.name, bufs, steps, guards, arenaSize: 0, inputs, outputs };
  const inputDims = [...new Set(inputs.flatMap((io) => io.dims ?? []))].filter((b) => b).map((slot) => {
    const r = opts.dimRanges?.get(slot!.dimOf!);
    if (!r) throw new CompileError(`input dimension '${slot!.dimOf}' has no range`);
    return { name: r.name, slot: slot!, min: r.min, max: r.max };
  });
  if (inputDims.length) program.inputDims = inputDims;
  return program;
}

function makeStep(name: string, label: string, body: Kernel['body'], ins: (TensorRef | null)[], scratch: ProgramBuf[], outs: (TensorRef | null)[]): Step {
  const params: ProgramBuf[] = [];
  const add = (b: KBuf) => { if (!params.includes(b as ProgramBuf)) params.push(b as ProgramBuf); };
  for (const r of [...ins, ...outs]) if (r) add(r.buf);
  for (const b of scratch) add(b);
  const writes = new Set<KBuf>([...outs.filter((r) => r).map((r) => r!.buf), ...scratch]);
  body = hoistDimLoads(body, params.filter((b) => b.dimOf && !writes.has(b)));
  annotateLoops(body, (msg) => { throw new CompileError(`${label}: internal: ${msg}`); });
  return { kernel: { name, label, params, writes, body }, args: params };
}

function copyBody(src: TensorRef, out: TensorRef): Kernel['body'] {
  const n = numel(out.shape);
  if (n === 0) return [];
  const i = { k: 'var', t: 'idx', name: 'i0' } as const;
  const hi: Expr = out.rt ? out.rt.dims.reduce((a: Expr, d) => mul(a, d), ix(1)) : ix(n);
  return [{ k: 'for', v: 'i0', lo: { k: 'const', t: 'idx', v: 0 }, hi, step: 1, kind: 'parallel', bound: n,
    body: [{ k: 'store', buf: out.buf, idx: i, val: { k: 'load', t: src.t, buf: src.buf, idx: i } }] }];
}

function copyKernel(ctx: LowerCtx, src: TensorRef, out: TensorRef): void {
  for (const s of copyBody(src, out)) ctx.emit(s);
}
