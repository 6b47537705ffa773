// Shape inference of a graph through the op registry: every value gets a type (dtype + shape),
// and, given an evaluator, compile-time values where all inputs are known (shapes can depend
// on values: Shape→Reshape). The evaluator is injected (codegen/js's evaluateNode in the
// compiler) so that the IR does not depend on a renderer; subgraphs get it through InferCtx.
import { InferCtx } from './ctx.js';
import { CompileError, atNode, nodeError } from './errors.js';
import { Graph, Node, TensorType, isStatic, nodeInputs } from './graph.js';
import { OpDef, opDefOf } from './opdef.js';
import { TensorData, numel } from './tensor.js';
import { inferShapeValue } from './shapeValues.js';
import { expandStructuredNode, isStructuredNode } from './structured.js';
import { checkDeclaredOutputs, checkInputTypes } from './validate.js';

/** Computes a node's outputs from constant inputs of the given types (outputs get `outTypes`). */
export type Evaluator = (node: Node, def: OpDef, types: (TensorType | null)[], inputs: (TensorData | undefined)[], outTypes: TensorType[]) => TensorData[];

/** Largest output (elements) computed at compile time unless inputs were at least as large. */
const FOLD_LIMIT = 1 << 16;

/** Types a node's outputs; with `evaluate`, also computes them when every input is known. */
export function inferNode(n: Node, evaluate?: Evaluator): void {
  atNode(n);
  const def = opDefOf(n);
  const types = n.inputs.map((v) => (v ? v.type : null));
  n.inputs.forEach((v, i) => {
    if (v && !v.type) throw nodeError(n, `input ${i} ('${v.name}') has no known type`);
  });
  checkInputTypes(n, types);
  const consts = n.inputs.map((v) => v?.const);
  const ctx = new InferCtx(n, def, types, consts, evaluate);
  const outTypes = def.infer(ctx);
  atNode(n); // inference of a subgraph moved on to its nodes
  n.outputs.forEach((v, i) => {
    if (!v) return;
    if (!outTypes[i]) throw nodeError(n, `output ${i} has no inferred type`);
    // an op's inference reading past its inputs' ranks leaves holes: the inputs do not fit the op
    const bad = outTypes[i].shape?.find((d) => typeof d !== 'string' && !(Number.isInteger(d) && d >= 0));
    if (!outTypes[i].shape || bad !== undefined || outTypes[i].shape.some((d) => d === undefined))
      throw nodeError(n, `the input shapes [${types.map((t) => (t ? `[${t.shape}]` : '-')).join(', ')}] do not fit ${n.op}: output ${i} would have shape [${outTypes[i].shape?.map((d) => d ?? '?')}]`);
    v.type = outTypes[i];
  });
  if (evaluate) foldNode(n, def, types, consts, outTypes, evaluate);
  inferShapeValue(n, evaluate !== undefined);
}

/** Computes n's outputs at compile time when every input is known (and the result is small). */
function foldNode(n: Node, def: OpDef, types: (TensorType | null)[], consts: (TensorData | undefined)[], outTypes: TensorType[], evaluate: Evaluator): void {
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
  const vals = all === n.inputs ? evaluate(n, def, types, consts, outTypes)
    : evaluate(n, def, all.map((v) => (v ? v.type : null)), all.map((v) => v?.const), outTypes);
  n.outputs.forEach((v, i) => { if (v) v.const = vals[i]; });
}

/** Infers types of every node output of a graph (in order: import sorted it). */
export function inferGraph(g: Graph, evaluate?: Evaluator): void {
  // sequence and optional nodes give way to the tensor nodes that compute their results (ir/structured.ts)
  for (let i = 0; i < g.nodes.length; i++) {
    const n = g.nodes[i];
    if (!isStructuredNode(n)) { inferNode(n, evaluate); continue; }
    atNode(n);
    g.nodes.splice(i, 1, ...expandStructuredNode(n, evaluate));
    i--;
  }
  for (const o of g.outputs) if (!o.type && !o.elems) throw new CompileError(`graph output '${o.name}' has no known type`);
  checkDeclaredOutputs(g);
}
