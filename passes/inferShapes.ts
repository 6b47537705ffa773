// inferShapes: gives every value a type (dtype + shape) through the op registry, and computes
// compile-time values where all inputs are known (shapes can depend on values: Shape→Reshape).
// The inference itself is ir/infer.ts; the evaluator that folds is the caller's (see pipeline.ts).
import { Model, Node, Value, newValue } from '../ir/graph.js';
import { Evaluator, inferGraph, inferNode } from '../ir/infer.js';

/** Types every value of the model; with `evaluate`, also folds nodes whose inputs are all known.
 * A sequence output becomes one output per element, NAME_0, NAME_1… (m.outputCounts says how
 * many each graph output became, null for a tensor). */
export function inferShapes(m: Model, evaluate?: Evaluator): void {
  inferGraph(m.graph, evaluate);
  if (!m.graph.outputs.some((o) => o.sequence)) return;
  const g = m.graph;
  m.outputCounts = g.outputs.map((o) => (o.sequence ? o.elems!.length : null));
  g.outputs = g.outputs.flatMap((o) => {
    if (!o.sequence) return [o];
    return o.elems!.map((e, k) => {
      const v: Value = newValue(`${o.name}_${k}`);
      const n: Node = { name: `${o.name}/element${k}`, op: 'Identity', domain: '', opset: m.opsets.get('') ?? 1, inputs: [e], outputs: [v], attrs: new Map() };
      v.producer = n;
      g.nodes.push(n);
      inferNode(n, evaluate);
      return v;
    });
  });
}
