// Control flow over sequences and optionals, expanded into tensor nodes during inference (rows
// as in ir/sequences.ts). SequenceMap takes one copy of its body per element (each element may
// have its own shape). A Loop carrying a sequence or optional, or whose body needs values of its
// inputs at compile time (a Slice at the iteration number), is unrolled: its trip count must be
// known at compile time. An If yielding them is inlined where its condition is known; where
// it is not, both branches must hold the same structure (lengths, presence), and the If then
// returns their tensors as plain outputs, typed alike as any If's.
import { NeedsInputValues, nodeError } from './errors.js';
import { Expand, setList } from './expand.js';
import { Graph, Node, Value, isStructured, leafValues, newValue, nodeInputs } from './graph.js';
import { constInputsOf, getOp } from './opdef.js';
import { inferGraph } from './infer.js';
import { inlineGraph, takenBranch } from './inlineGraph.js';
import { condStays, inputsBehind } from './subgraph.js';
import { tensorFrom, toNumbers } from './tensor.js';

/** Most iterations a Loop over sequences is unrolled to. */
const MAX_UNROLL = 4096;

function body(n: Node, name: string): Graph {
  const a = n.attrs.get(name);
  if (a?.kind !== 'graph') throw nodeError(n, `attribute '${name}' (a graph) is missing`);
  return a.value;
}

/** "; it is computed from 'x': give --const x=VALUE" for the inputs behind v, or "". */
function askFor(v: Value, what: string): string {
  const names = inputsBehind(v);
  return names.length ? `; ${what} is computed from ${names.map((x) => `'${x}'`).join(', ')}: give ${names.map((x) => `--const ${x}=VALUE`).join(' ')}` : '';
}

/** Iterations of a Loop that is unrolled: trip count and first condition known, and a body
 * whose condition stays true. */
function unrolledTrips(n: Node, g: Graph): number {
  const carries = n.inputs.slice(2).some(isStructured) || g.inputs.slice(2).some(isStructured);
  const why = carries ? 'it carries a sequence or optional, so onnxc unrolls it' : 'its body needs values of its inputs at compile time, so onnxc unrolls it';
  const [m, c] = n.inputs;
  if (!m) throw nodeError(n, `the loop has no trip count, and ${why}`);
  if (!m.const) throw new NeedsInputValues(nodeError(n, `the trip count is not known at compile time, and ${why}${askFor(m, 'it')}`).message, inputsBehind(m));
  if (c && !c.const) throw new NeedsInputValues(nodeError(n, `the first condition is not known at compile time, and ${why}${askFor(c, 'it')}`).message, inputsBehind(c));
  if (c && !toNumbers(c.const!)[0]) return 0;
  if (!condStays(g)) throw nodeError(n, `the body may end the loop early, and ${why} to a count known at compile time`);
  const trips = Math.max(0, toNumbers(m.const)[0]);
  if (trips > MAX_UNROLL) throw nodeError(n, `${trips} iterations; ${why}, to at most ${MAX_UNROLL}`);
  return trips;
}

const loop: Expand = (n, _lists, m) => {
  const g = body(n, 'body');
  const N = n.inputs.length - 2, K = g.outputs.length - 1 - N;
  if (N < 0 || K < 0 || g.inputs.length !== N + 2) throw nodeError(n, `body has ${g.inputs.length} inputs and ${g.outputs.length} outputs for ${Math.max(N, 0)} loop-carried values`);
  const trips = unrolledTrips(n, g);
  let cond: Value = n.inputs[1] ?? m.tensor(tensorFrom('bool', [], [1]));
  let state = n.inputs.slice(2).map((v, i) => {
    if (!v) throw nodeError(n, `loop-carried input ${i} is missing`);
    return v;
  });
  const scans: Value[][] = Array.from({ length: K }, () => []);
  const nodes: Node[] = [];
  for (let t = 0; t < trips; t++) {
    const prefix = m.prefix(`iter${t}_`);
    const res = g.outputs.map((_, j) => newValue(`${prefix}/result${j}`));
    nodes.push(...inlineGraph(n, g, [m.ints([t], true), cond, ...state], res, prefix, true));
    [cond, ...state] = res.slice(0, 1 + N);
    res.slice(1 + N).forEach((r, k) => scans[k].push(r));
  }
  n.outputs.slice(0, N).forEach((o, i) => { if (o) nodes.push(m.node('Identity', [state[i]], o)); });
  if (K && !trips && n.outputs.slice(N).some((o) => o)) throw nodeError(n, 'the loop runs no iteration, so its scan outputs have no known shape');
  scans.forEach((vs, k) => {
    const o = n.outputs[N + k];
    if (!o) return;
    const parts = vs.map((v) => m.unsqueeze(v, [0]));
    nodes.push(...parts, m.node('Concat', parts.map((p) => p.outputs[0]), o, { axis: 0 }));
  });
  return nodes;
};

const sequenceMap: Expand = (n, lists, m) => {
  const g = body(n, 'body');
  const first = n.inputs[0];
  if (!first?.sequence) throw nodeError(n, 'input 0 must be a sequence');
  if (g.inputs.length !== n.inputs.length || g.outputs.length !== n.outputs.length)
    throw nodeError(n, `body has ${g.inputs.length} inputs and ${g.outputs.length} outputs, the node ${n.inputs.length} and ${n.outputs.length}`);
  const len = lists[0].length;
  n.inputs.forEach((v, i) => {
    if (!v) throw nodeError(n, `input ${i} is missing`);
    if (v.optional) throw nodeError(n, `input ${i} is an optional; SequenceMap takes tensors and sequences`);
    if (v.sequence && lists[i].length !== len) throw nodeError(n, `sequence input ${i} has ${lists[i].length} elements, input 0 has ${len}`);
  });
  const outs: Value[][] = n.outputs.map(() => []);
  const nodes: Node[] = [];
  for (let k = 0; k < len; k++) {
    const prefix = m.prefix(`element${k}_`);
    const res = n.outputs.map((_, j) => newValue(`${prefix}/result${j}`));
    nodes.push(...inlineGraph(n, g, n.inputs.map((v, i) => (v!.sequence ? lists[i][k] : v!)), res, prefix, true));
    res.forEach((r, j) => outs[j].push(r));
  }
  n.outputs.forEach((o, j) => setList(o, outs[j]));
  return nodes;
};

/** The structure of a value, which both branches must share: "a sequence of 2", "an empty optional"… */
function structure(v: Value): string {
  if (v.sequence) return `a sequence of ${v.elems?.length}`;
  if (v.optional) return v.elems?.length ? `an optional holding ${structure(v.elems[0])}` : 'an empty optional';
  return 'a tensor';
}

/** A value of v's structure whose tensors are taken from `leaves` in order. */
function rebuild(v: Value, leaves: Value[], into?: Value | null): Value {
  if (!isStructured(v)) return leaves.shift()!;
  const out = into ?? newValue(`${v.name}/copy`);
  setList(out, v.elems!.map((e) => rebuild(e, leaves)), v);
  return out;
}

const ifNode: Expand = (n, _lists, m) => {
  const known = takenBranch(n);
  if (known) return inlineGraph(n, known, [], n.outputs, `${n.name}/${known.name}`, false);
  const [a, b] = [body(n, 'then_branch'), body(n, 'else_branch')];
  for (const g of [a, b]) {
    inferGraph(g, m.evaluate);
    if (g.outputs.length !== n.outputs.length) throw nodeError(n, `${g.name} has ${g.outputs.length} outputs, the node ${n.outputs.length}`);
  }
  const i = a.outputs.findIndex((v, k) => structure(v) !== structure(b.outputs[k]));
  if (i >= 0) {
    const cond = n.inputs[0]!;
    throw new NeedsInputValues(nodeError(n, `the condition is not known at compile time and output ${i} is ${structure(a.outputs[i])} in then_branch but ${structure(b.outputs[i])} in else_branch; onnxc needs one structure${askFor(cond, 'the condition')}`).message, inputsBehind(cond));
  }
  // the If returns the branches' tensors; its structured outputs are rebuilt from them
  const shapes = [...a.outputs];
  const leaves = a.outputs.flatMap(leafValues).map((v, k) => newValue(`${n.name}/leaf${k}`));
  const flat: Node = { ...n, name: `${n.name}/tensors`, outputs: leaves, attrs: new Map(n.attrs) };
  leaves.forEach((v) => { v.producer = flat; });
  for (const g of [a, b]) g.outputs = g.outputs.flatMap(leafValues);
  const nodes: Node[] = [flat];
  const pool = [...leaves];
  n.outputs.forEach((o, k) => {
    const shape = shapes[k];
    if (!isStructured(shape)) { const l = pool.shift()!; if (o) nodes.push(m.node('Identity', [l], o)); return; }
    rebuild(shape, pool, o);
  });
  return nodes;
};

/** Control-flow ops, where they carry sequences or optionals. */
export const CONTROL_ROWS: Record<string, Expand> = { Loop: loop, SequenceMap: sequenceMap, If: ifNode };

/** Ops whose output is a sequence or an optional. */
const YIELDS_STRUCTURE = new Set(['SequenceEmpty', 'SequenceConstruct', 'SequenceInsert', 'SequenceErase', 'SplitToSequence', 'SequenceMap', 'Optional']);

/** Whether v is declared or made a sequence or optional (branch outputs may be left untyped). */
function structuredResult(v: Value): boolean {
  for (let x: Value | null = v; x; x = x.producer?.op === 'Identity' && x.producer.domain === '' ? x.producer.inputs[0] : null) {
    if (isStructured(x)) return true;
    if (x.producer?.domain === '' && YIELDS_STRUCTURE.has(x.producer.op)) return true;
  }
  return false;
}

const branchesStructured = (n: Node) => ['then_branch', 'else_branch'].some((b) => {
  const a = n.attrs.get(b);
  return a?.kind === 'graph' && a.value.outputs.some(structuredResult);
});

/**
 * Whether operands of a body's nodes that must be known at compile time (a Slice's starts, a
 * Reshape's shape) are computed from the body's inputs (the iteration number, the condition,
 * loop-carried values): each iteration then has values of its own, so the Loop is unrolled
 * (test_loop11 slices at the iteration number). Values read only for their type (Shape) stop the
 * search, as in passes/findShapeInputs.ts.
 */
function bodyNeedsValues(g: Graph): boolean {
  const ins = new Set(g.inputs), seen = new Set<Value>();
  const reaches = (v: Value | null): boolean => {
    if (!v || v.const || seen.has(v)) return false;
    seen.add(v);
    if (ins.has(v)) return true;
    const p = v.producer;
    if (!p || getOp(p.domain, p.op)?.typeOnly) return false;
    return nodeInputs(p).some(reaches);
  };
  return g.nodes.some((n) => constInputsOf(n).some((i) => reaches(n.inputs[i] ?? null)));
}

/** When a row of CONTROL_ROWS applies (SequenceMap: always). */
export const CONTROL_APPLIES: Record<string, (n: Node) => boolean> = {
  If: (n) => n.outputs.some(isStructured) || branchesStructured(n),
  Loop: (n) => n.inputs.slice(2).some(isStructured) || (n.attrs.get('body')?.kind === 'graph' && (body(n, 'body').inputs.slice(2).some(isStructured) || bodyNeedsValues(body(n, 'body')))),
};

/** Loop's trip count and condition, where it is unrolled (it carries sequences or optionals, or
 * its body needs values of its inputs at compile time). */
export function controlConstInputs(n: Node): number[] {
  return n.op === 'Loop' && CONTROL_APPLIES.Loop(n) ? [0, 1] : [];
}
