// inferShapes: gives every value a type (dtype + shape) through the op registry, and computes
// compile-time values where all inputs are known (shapes can depend on values: Shape→Reshape).
import { evaluateNode } from '../codegen/js/evaluate.js';
import { InferCtx } from '../ir/ctx.js';
import { CompileError, nodeError } from '../ir/errors.js';
import { Graph, Model, Node, TensorType, isStatic, nodeInputs } from '../ir/graph.js';
import { OpDef, getOp } from '../ir/opdef.js';
import { numel } from '../ir/tensor.js';

/** Largest output (elements) computed at compile time unless inputs were at least as large. */
const FOLD_LIMIT = 1 << 16;

/** The registry entry for a node, or a one-line error naming node, op, domain and opset. */
export function opDefOf(n: Node): OpDef {
  const def = getOp(n.domain, n.op);
  if (!def) {
    const dom = n.domain || 'ai.onnx';
    throw nodeError(n, `op ${n.op} (domain '${dom}', opset ${n.opset}) is not supported by onnxc`);
  }
  return def;
}

export function inferNode(n: Node, fold = true): void {
  const def = opDefOf(n);
  const types = n.inputs.map((v) => (v ? v.type : null));
  n.inputs.forEach((v, i) => {
    if (v && !v.type) throw nodeError(n, `input ${i} ('${v.name}') has no known type`);
  });
  const consts = n.inputs.map((v) => v?.const);
  const ctx = new InferCtx(n, def, types, consts);
  let outTypes: TensorType[];
  try {
    outTypes = def.infer(ctx);
  } catch (e) {
    if (e instanceof CompileError) throw e;
    throw nodeError(n, `shape inference failed: ${(e as Error).message}`);
  }
  n.outputs.forEach((v, i) => {
    if (!v) return;
    if (!outTypes[i]) throw nodeError(n, `output ${i} has no inferred type`);
    v.type = outTypes[i];
  });
  if (!fold) return;
  // a node with subgraphs (If, Loop, Scan) also reads the values they capture
  const all = nodeInputs(n);
  const present = all.filter((v) => v);
  const allConst = def.typeOnly || (present.every((v) => v!.const) && (present.length > 0 || def.evaluate !== undefined));
  if (!allConst || (!def.lower && !def.evaluate)) return;
  if (!outTypes.every((t) => t && isStatic(t.shape))) return;
  const outSize = outTypes.reduce((s, t) => s + numel(t.shape as number[]), 0);
  const inSize = present.reduce((s, v) => s + (v!.const ? numel(v!.const.shape) : 0), 0);
  // a node without inputs (Constant) already holds its value: fold it whatever its size
  if (present.length && outSize > Math.max(FOLD_LIMIT, inSize)) return;
  const vals = all === n.inputs ? evaluateNode(n, def, types, consts, outTypes)
    : evaluateNode(n, def, all.map((v) => (v ? v.type : null)), all.map((v) => v?.const), outTypes);
  n.outputs.forEach((v, i) => { if (v) v.const = vals[i]; });
}

/** Infers types of every node output of a graph (in order: import sorted it). */
export function inferGraph(g: Graph, fold = true): void {
  for (const n of g.nodes) inferNode(n, fold);
  for (const o of g.outputs) if (!o.type) throw new CompileError(`graph output '${o.name}' has no known type`);
}

export function inferShapes(m: Model): void {
  inferGraph(m.graph);
}
