// inferShapes: gives every value a type (dtype + shape) through the op registry, and computes
// compile-time values where all inputs are known (shapes can depend on values: Shape→Reshape).
// The inference itself is ir/infer.ts; the evaluator that folds is the caller's (see pipeline.ts).
import { Model, Node, Value, isStructured, layoutOf, leafValues, newValue } from '../ir/graph.js';
import { Evaluator, inferGraph, inferNode } from '../ir/infer.js';

/** Types every value of the model; with `evaluate`, also folds nodes whose inputs are all known.
 * A sequence or optional output becomes the outputs of its tensors: a sequence's NAME_0,
 * NAME_1…, an optional's NAME (a tensor) or its sequence's, an empty optional's none
 * (m.outputCounts says how many each graph output became, null for a tensor; m.outputLayouts
 * what each holds). */
export function inferShapes(m: Model, evaluate?: Evaluator): void {
  inferGraph(m.graph, evaluate);
  if (!m.graph.outputs.some(isStructured)) return;
  const g = m.graph;
  m.outputLayouts = g.outputs.map(layoutOf);
  m.outputCounts = g.outputs.map((o) => (isStructured(o) ? leafValues(o).length : null));
  g.outputs = g.outputs.flatMap((o) => {
    if (!isStructured(o)) return [o];
    const leaves = leafValues(o);
    const single = o.optional && leaves.length === 1 && !o.elems![0].sequence;
    return leaves.map((e, k) => {
      const v: Value = newValue(single ? o.name : `${o.name}_${k}`);
      const n: Node = { name: `${o.name}/element${k}`, op: 'Identity', domain: '', opset: m.opsets.get('') ?? 1, inputs: [e], outputs: [v], attrs: new Map() };
      v.producer = n;
      g.nodes.push(n);
      inferNode(n, evaluate);
      return v;
    });
  });
}
