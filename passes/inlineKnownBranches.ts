// inlineKnownBranches: an If whose condition is known at compile time (a constant, a folded
// shape test, an input bound with --const) is replaced by the nodes of the branch it takes, so
// the rest of the pipeline (simplification, fusion, kernels per node, memory planning) sees
// them as ordinary nodes instead of one If kernel. Each If output becomes an Identity of the
// branch's result, which simplifyGraph then removes. Runs on every graph, bodies included, and
// on the inlined nodes in turn (nested known Ifs).
import { Graph, Model, Node, subgraphs } from '../ir/graph.js';
import { toNumbers } from '../ir/tensor.js';

/** The branch a known condition selects, or undefined. */
function takenBranch(n: Node): Graph | undefined {
  if (n.op !== 'If' || n.domain !== '') return undefined;
  const c = n.inputs[0]?.const;
  if (!c || toNumbers(c).length === 0) return undefined;
  const a = n.attrs.get(toNumbers(c)[0] ? 'then_branch' : 'else_branch');
  return a?.kind === 'graph' ? a.value : undefined;
}

/** The branch's nodes, then one Identity per If output reading the branch result. */
function inlined(n: Node, branch: Graph): Node[] {
  const copies: Node[] = [];
  branch.outputs.forEach((r, i) => {
    const out = n.outputs[i];
    if (!out) return;
    const id: Node = { name: `${n.name}/${branch.name}/out${i}`, op: 'Identity', domain: '', opset: n.opset, inputs: [r], outputs: [out], attrs: new Map() };
    out.producer = id;
    copies.push(id);
  });
  return [...branch.nodes, ...copies];
}

function inlineIn(g: Graph): number {
  let count = 0;
  const out: Node[] = [];
  const queue = [...g.nodes];
  while (queue.length) {
    const n = queue.shift()!;
    const branch = takenBranch(n);
    if (branch) {
      queue.unshift(...inlined(n, branch)); // the branch's own known Ifs are inlined in turn
      count++;
      continue;
    }
    for (const sg of subgraphs(n)) count += inlineIn(sg);
    out.push(n);
  }
  g.nodes = out;
  return count;
}

/** Inlines the taken branch of every If with a known condition; returns how many. */
export function inlineKnownBranches(m: Model): number {
  return inlineIn(m.graph);
}
