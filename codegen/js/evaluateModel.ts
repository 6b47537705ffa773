// Reference interpreter for a whole model: every node evaluated through the registry in JS.
// Slow but simple; the oracle for the bundled example and for tests of the compiled targets.
import { Model } from '../../ir/graph.js';
import { InferCtx } from '../../ir/ctx.js';
import { opDefOf } from '../../ir/opdef.js';
import { TensorData } from '../../ir/tensor.js';
import { evaluateNode } from './evaluate.js';

/** Runs the model on the given inputs (graph input order); returns the graph outputs. */
export function evaluateModel(m: Model, inputs: TensorData[]): TensorData[] {
  const g = m.graph;
  g.inputs.forEach((v, i) => {
    v.const = inputs[i];
    v.type = { dtype: inputs[i].dtype, shape: inputs[i].shape };
  });
  for (const n of g.nodes) {
    const def = opDefOf(n);
    const types = n.inputs.map((v) => v?.type ?? null);
    const consts = n.inputs.map((v) => v?.const);
    const outTypes = def.infer(new InferCtx(n, def, types, consts, evaluateNode));
    n.outputs.forEach((v, i) => { if (v) v.type = outTypes[i]; });
    const vals = evaluateNode(n, def, types, consts, outTypes);
    n.outputs.forEach((v, i) => { if (v) v.const = vals[i]; });
  }
  return g.outputs.map((v) => v.const!);
}
