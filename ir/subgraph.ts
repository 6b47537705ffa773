// Subgraphs of control-flow ops (If's branches, Loop's and Scan's bodies): shape inference of
// a body under the types its op gives the body inputs, and lowering of a body *inline* into
// the enclosing node's kernel — each body node is lowered by its own OpDef through a child
// LowerCtx that emits at the current statement, with body intermediates in kernel scratch.
// Values a body reads from outside (and its compile-time constants) are extra kernel inputs
// of the enclosing node (see captures() in graph.ts and passes/lowerToKernels.ts).
import { InferCtx, LowerCtx, TensorRef, tensorRef } from './ctx.js';
import { Graph, Node, TensorType, Value, captures, isStatic, nodeInputs } from './graph.js';
import { inferGraph } from './infer.js';
import { ix } from './kbuild.js';
import { Expr } from './kernel.js';
import { opDefOf } from './opdef.js';
import { numel, toNumbers } from './tensor.js';

/**
 * Types a body's inputs (from the op's semantics), infers the body (folding its constants with
 * the evaluator of the enclosing inference, if any); returns its output types.
 */
export function inferSubgraph(ctx: InferCtx, g: Graph, inputTypes: TensorType[]): TensorType[] {
  if (g.inputs.length !== inputTypes.length)
    throw ctx.error(`subgraph '${g.name}' has ${g.inputs.length} inputs, expected ${inputTypes.length}`);
  g.inputs.forEach((v, i) => {
    const t = inputTypes[i];
    if (v.type && v.type.dtype !== t.dtype)
      throw ctx.error(`subgraph '${g.name}' declares input '${v.name}' as ${v.type.dtype} but receives ${t.dtype}`);
    v.type = t;
    delete v.const;
  });
  inferGraph(g, ctx.evaluate);
  return g.outputs.map((v) => v.type!);
}

/** Static shape of a body value (kernel scratch needs one). */
function staticShape(ctx: LowerCtx, v: Value): number[] {
  const s = v.type?.shape;
  if (!s || !isStatic(s)) throw ctx.error(`subgraph value '${v.name}' has no static shape [${s?.join(',') ?? '?'}]`);
  return s;
}

/** Bindings of the values a node's subgraphs capture: its kernel inputs after its own. */
export function captureBindings(ctx: LowerCtx): Map<Value, TensorRef> {
  const caps = captures(ctx.node);
  if (ctx.ins.length !== ctx.numInputs + caps.length)
    throw ctx.error(`internal: kernel got ${ctx.ins.length - ctx.numInputs} captured inputs, the subgraphs read ${caps.length}`);
  return new Map(caps.map((v, k) => [v, ctx.in(ctx.numInputs + k)]));
}

/** Body nodes that contribute to the body's outputs, in order. */
function liveNodes(g: Graph): Node[] {
  const live = new Set<Value>(g.outputs);
  const keep: Node[] = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    if (!n.outputs.some((v) => v && live.has(v))) continue;
    keep.push(n);
    for (const v of nodeInputs(n)) if (v) live.add(v);
  }
  return keep.reverse();
}

/**
 * Lowers body `g` into ctx's kernel at the current statement. `bind` gives the buffers of body
 * inputs and captured values. Where `dest[i]` is given, the node producing body output i writes
 * it there directly when it can. Returns the refs holding the body outputs (dest[i] or another).
 */
export function lowerSubgraph(ctx: LowerCtx, g: Graph, bind: Map<Value, TensorRef>, dest: (TensorRef | null)[] = []): TensorRef[] {
  const refs = new Map(bind);
  const ref = (v: Value) => {
    const r = refs.get(v);
    if (!r) throw ctx.error(`subgraph '${g.name}': value '${v.name}' has no buffer`);
    return r;
  };
  const direct = new Map<Value, TensorRef>();
  g.outputs.forEach((v, i) => { if (dest[i] && !direct.has(v)) direct.set(v, dest[i]!); });
  for (const n of liveNodes(g)) {
    if (n.outputs.every((v) => !v || v.const)) continue; // folded: its values are captured constants
    const def = opDefOf(n);
    const inputs = nodeInputs(n);
    const ins = inputs.map((v) => (v ? ref(v) : null));
    if (def.alias && n.outputs.length === 1 && ins[0]) { // a view: the same bytes under a new shape
      const out = n.outputs[0]!;
      refs.set(out, tensorRef(ins[0].buf, staticShape(ctx, out)));
      continue;
    }
    const outs = n.outputs.map((v) => {
      if (!v) return null;
      const shape = staticShape(ctx, v);
      const r = direct.get(v) ?? ctx.temp(v.type!.dtype, shape, v.name);
      refs.set(v, r);
      return r;
    });
    const c = ctx.child(n, def, inputs.map((v) => v?.type ?? null), inputs.map((v) => v?.const), ins, outs);
    if (def.lower) def.lower(c);
    else copyTensor(c, ins[0]!, outs[0]!);
  }
  return g.outputs.map(ref);
}

/**
 * Copies between a tensor `small` and a slice of `big`: big's index is small's with the given
 * fixed indices inserted at their axes (ascending). `toBig` picks the direction.
 */
export function copySlice(ctx: LowerCtx, small: TensorRef, big: TensorRef, fixed: [number, Expr][], toBig: boolean): void {
  if (numel(small.shape) === 0) return;
  if (!fixed.length && numel(small.shape) === 1) {
    if (toBig) ctx.store(big, ix(0), ctx.load(small, ix(0)));
    else ctx.store(small, ix(0), ctx.load(big, ix(0)));
    return;
  }
  if (!fixed.length) {
    ctx.loop(numel(small.shape), (i) => (toBig ? ctx.store(big, i, ctx.load(small, i)) : ctx.store(small, i, ctx.load(big, i))));
    return;
  }
  const sorted = [...fixed].sort((a, b) => a[0] - b[0]);
  ctx.nest(small.shape, (idx) => {
    const bi = [...idx];
    for (const [axis, e] of sorted) bi.splice(axis, 0, e);
    if (toBig) ctx.store(big, bi, ctx.load(small, idx));
    else ctx.store(small, idx, ctx.load(big, bi));
  });
}

/** dst = src (same element count). */
export function copyTensor(ctx: LowerCtx, src: TensorRef, dst: TensorRef): void {
  if (src.buf !== dst.buf) copySlice(ctx, src, dst, [], true);
}

/** Whether a body reads value v (its nodes, nested subgraphs included, or its outputs). */
export function reads(g: Graph, v: Value): boolean {
  return g.outputs.includes(v) || g.nodes.some((n) => nodeInputs(n).includes(v));
}

/** Whether body value v is body value `from` passed on unchanged (through Identity nodes). */
export function passesThrough(v: Value, from: Value): boolean {
  for (let x: Value | undefined = v; x; x = x.producer?.op === 'Identity' && x.producer.domain === '' ? x.producer.inputs[0] ?? undefined : undefined)
    if (x === from) return true;
  return false;
}

/** What to tell of an If condition computed from graph inputs: their values at compile time pick the branch. */
export const constHint = (inputs: string[]): string =>
  `the condition is computed from ${inputs.map((n) => `'${n}'`).join(', ')}: give ${inputs.length > 1 ? 'their values' : 'its value'} at compile time with ${inputs.map((n) => `--const ${n}=VALUE`).join(' ')}`;

/** Names of the values without producer (graph or body inputs) that value v is computed from. */
export function inputsBehind(v: Value): string[] {
  const names = new Set<string>();
  const seen = new Set<Value>();
  const walk = (x: Value | null) => {
    if (!x || x.const || seen.has(x)) return;
    seen.add(x);
    if (!x.producer) names.add(x.name);
    else nodeInputs(x.producer).forEach(walk);
  };
  walk(v);
  return [...names];
}

/** The body's condition output is always true or passes its condition input on unchanged. */
export function condStays(body: Graph): boolean {
  const out = body.outputs[0];
  if (out.const) return toNumbers(out.const)[0] !== 0;
  return passesThrough(out, body.inputs[1]);
}

