// Inlining a subgraph into the graph around it: the subgraph's nodes, its inputs replaced by
// given values, then one Identity per output that hands the subgraph's result to the value the
// enclosing node defined. An If's taken branch is moved (passes/inlineKnownBranches.ts); Loop
// iterations and SequenceMap elements (ir/structuredControl.ts) take fresh copies, nested
// subgraphs included, so each instance gets values of its own.
import { Graph, Node, TensorType, Value, newValue } from './graph.js';
import { toNumbers } from './tensor.js';

/** Fresh copy of value v for a copied node or graph input (declared type and kind kept for inputs). */
function fresh(v: Value, prefix: string, map: Map<Value, Value>, producer: Node | null): Value {
  const c = newValue(`${prefix}/${v.name}`, producer ? null : v.type, producer);
  if (v.sequence) c.sequence = true;
  if (v.optional) c.optional = true;
  map.set(v, c);
  return c;
}

function copyNodes(nodes: Node[], map: Map<Value, Value>, prefix: string): Node[] {
  return nodes.map((n) => {
    const c: Node = { ...n, name: `${prefix}/${n.name}`, inputs: n.inputs.map((v) => (v ? map.get(v) ?? v : null)), outputs: [], attrs: new Map() };
    for (const [k, a] of n.attrs) {
      if (a.kind === 'graph') c.attrs.set(k, { kind: 'graph', value: copyGraph(a.value, map, prefix) });
      else if (a.kind === 'graphs') c.attrs.set(k, { kind: 'graphs', value: a.value.map((g) => copyGraph(g, map, prefix)) });
      else c.attrs.set(k, a);
    }
    c.outputs = n.outputs.map((v) => (v ? fresh(v, prefix, map, c) : null));
    return c;
  });
}

/** A copy of graph g whose values are fresh; values it reads from outside go through `map`. */
function copyGraph(g: Graph, map: Map<Value, Value>, prefix: string): Graph {
  const inputs = g.inputs.map((v) => fresh(v, prefix, map, null));
  const nodes = copyNodes(g.nodes, map, prefix);
  const rename = new Map([...map].map(([a, b]) => [a.name, b.name]));
  const declared = g.declared && new Map<string, TensorType>([...g.declared].map(([k, t]) => [rename.get(k) ?? k, t]));
  const outer = g.outer && new Map([...g.outer].map(([k, v]) => [k, map.get(v) ?? v]));
  return { ...g, inputs, nodes, outputs: g.outputs.map((v) => map.get(v) ?? v), declared, outer };
}

/**
 * The nodes that compute subgraph g in place of node n: g's nodes (copied with names under
 * `prefix` where `copy`; moved otherwise), g's inputs bound to `bind`, and an Identity from each
 * g output to the matching value of `outs` (null: unused).
 */
export function inlineGraph(n: Node, g: Graph, bind: Value[], outs: (Value | null)[], prefix: string, copy: boolean): Node[] {
  const map = new Map<Value, Value>(g.inputs.map((v, i) => [v, bind[i]]));
  if (!copy && g.inputs.length) throw new Error(`internal: graph '${g.name}' has inputs; inline a copy`);
  const nodes = copy ? copyNodes(g.nodes, map, prefix) : g.nodes;
  const ids: Node[] = [];
  g.outputs.forEach((r, i) => {
    const out = outs[i];
    if (!out) return;
    const id: Node = { name: `${prefix}/out${i}`, op: 'Identity', domain: '', opset: n.opset, inputs: [map.get(r) ?? r], outputs: [out], attrs: new Map() };
    out.producer = id;
    ids.push(id);
  });
  return [...nodes, ...ids];
}

/** The branch a known condition selects, or undefined. */
export function takenBranch(n: Node): Graph | undefined {
  if (n.op !== 'If' || n.domain !== '') return undefined;
  const c = n.inputs[0]?.const;
  if (!c || toNumbers(c).length === 0) return undefined;
  const a = n.attrs.get(toNumbers(c)[0] ? 'then_branch' : 'else_branch');
  return a?.kind === 'graph' ? a.value : undefined;
}

