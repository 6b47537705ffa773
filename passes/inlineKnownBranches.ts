// inlineKnownBranches: an If whose condition is known at compile time (a constant, a folded
// shape test, an input bound with --const) is replaced by the nodes of the branch it takes, so
// the rest of the pipeline (simplification, fusion, kernels per node, memory planning) sees
// them as ordinary nodes instead of one If kernel. Each If output becomes an Identity of the
// branch's result, which simplifyGraph then removes. Runs on every graph, bodies included, and
// on the inlined nodes in turn (nested known Ifs).
import { Graph, Model, Node, subgraphs } from '../ir/graph.js';
import { inlineGraph, takenBranch } from '../ir/inlineGraph.js';

function inlineIn(g: Graph): number {
  let count = 0;
  const out: Node[] = [];
  const queue = [...g.nodes];
  while (queue.length) {
    const n = queue.shift()!;
    const branch = takenBranch(n);
    if (branch) {
      queue.unshift(...inlineGraph(n, branch, [], n.outputs, `${n.name}/${branch.name}`, false)); // the branch's own known Ifs are inlined in turn
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
