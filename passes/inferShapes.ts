// inferShapes: gives every value a type (dtype + shape) through the op registry, and computes
// compile-time values where all inputs are known (shapes can depend on values: Shape→Reshape).
// The inference itself is ir/infer.ts; the evaluator that folds is the caller's (see pipeline.ts).
import { Model } from '../ir/graph.js';
import { Evaluator, inferGraph } from '../ir/infer.js';

/** Types every value of the model; with `evaluate`, also folds nodes whose inputs are all known. */
export function inferShapes(m: Model, evaluate?: Evaluator): void {
  inferGraph(m.graph, evaluate);
}
