// eliminateDeadCode: removes nodes none of whose outputs reach a graph output.
import { Model, Value, nodeInputs } from '../ir/graph.js';

export function eliminateDeadCode(m: Model): void {
  const g = m.graph;
  const live = new Set<Value>(g.outputs);
  const keep = new Array<boolean>(g.nodes.length).fill(false);
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    if (!n.outputs.some((v) => v && live.has(v))) continue;
    keep[i] = true;
    for (const v of nodeInputs(n)) if (v) live.add(v);
  }
  g.nodes = g.nodes.filter((_, i) => keep[i]);
}
