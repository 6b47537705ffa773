// splitWideNodes: a Concat, Sum, Min, Max or Mean of more than MAX_WIDE_INPUTS inputs becomes a
// tree of nodes of at most that many inputs each. One node lowers to one kernel with one buffer
// parameter and one straight-line copy (or one term of an expression) per input; past a few
// hundred inputs C compilers spend time superlinear in the kernel's size (gcc -O2: 21 s for a
// 2,000-input Concat as one kernel; its SLP vectorizer alone 8 s). As a tree every kernel stays
// small and the total stays linear. Concat parts are written straight into the outer Concat's
// output where its slices are contiguous (passes/concatViews.ts), so they cost no extra copy.
// Mean becomes a tree of Sums and one division by the input count.
import { tensorFrom } from '../ir/tensor.js';
import { Graph, Model, Node, Value, constValue, newValue } from '../ir/graph.js';
import { inferNode } from '../ir/infer.js';

/** Most inputs a Concat, Sum, Min, Max or Mean keeps (C99 guarantees 127 parameters). */
export const MAX_WIDE_INPUTS = 32;

/** The op each row's parts use, and how the root combines them. */
const WIDE: Record<string, { part: string }> = {
  Concat: { part: 'Concat' }, Sum: { part: 'Sum' }, Min: { part: 'Min' }, Max: { part: 'Max' }, Mean: { part: 'Sum' },
};

export function splitWideNodes(m: Model): void {
  const g = m.graph;
  if (!g.nodes.some(isWide)) return;
  const names = new Set<string>();
  for (const n of g.nodes) for (const v of [...n.inputs, ...n.outputs]) if (v) names.add(v.name);
  for (const v of g.inputs) names.add(v.name);
  const fresh = (base: string) => {
    let name = base;
    for (let k = 1; names.has(name); k++) name = `${base}_${k}`;
    names.add(name);
    return name;
  };
  g.nodes = g.nodes.flatMap((n) => (isWide(n) ? splitNode(g, n, fresh) : [n]));
}

function isWide(n: Node): boolean {
  return n.domain === '' && n.op in WIDE && n.inputs.filter((v) => v).length > MAX_WIDE_INPUTS && !!n.outputs[0]?.type;
}

/** The nodes replacing n: groups of inputs reduced level by level, then n itself over the last level. */
function splitNode(g: Graph, n: Node, fresh: (base: string) => string): Node[] {
  const out = n.outputs[0]!, part = WIDE[n.op].part, made: Node[] = [];
  let level = n.inputs.filter((v): v is Value => v !== null);
  for (let depth = 0; level.length > MAX_WIDE_INPUTS; depth++) {
    const next: Value[] = [];
    for (let i = 0; i < level.length; i += MAX_WIDE_INPUTS) {
      const group = level.slice(i, i + MAX_WIDE_INPUTS);
      if (group.length === 1) { next.push(group[0]); continue; }
      const name = fresh(`${out.name}_part${depth}_${next.length}`);
      const v = newValue(name);
      const p: Node = { name: fresh(`${n.name || n.op}_part${depth}_${next.length}`), op: part, domain: '', opset: n.opset, inputs: group, outputs: [v], attrs: new Map(n.attrs) };
      v.producer = p;
      inferNode(p);
      made.push(p);
      next.push(v);
    }
    level = next;
  }
  if (n.op !== 'Mean') {
    n.inputs = level;
    return [...made, n];
  }
  // Mean(x1..xn) = Sum(x1..xn) / n
  const sum = newValue(fresh(`${out.name}_sum`));
  const s: Node = { name: fresh(`${n.name || n.op}_sum`), op: 'Sum', domain: '', opset: n.opset, inputs: level, outputs: [sum], attrs: new Map() };
  sum.producer = s;
  inferNode(s);
  const count = constValue(fresh(`${out.name}_count`), tensorFrom(out.type!.dtype, [], [n.inputs.filter((v) => v).length]));
  const div: Node = { name: n.name, op: 'Div', domain: '', opset: Math.max(n.opset, 7), inputs: [sum, count], outputs: [out], attrs: new Map() };
  out.producer = div;
  inferNode(div);
  return [...made, s, div];
}
