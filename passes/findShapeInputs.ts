// findShapeInputs: graph inputs whose values decide shapes (Reshape's shape, Tile's repeats…).
// A static-memory program must know them at compile time: `run`/`test` specialize on the
// given values, and the generated code checks them at run time.
import { Graph, Model, Node, Value, isStructured, nodeInputs, subgraphs } from '../ir/graph.js';
import { constInputsOf, getOp } from '../ir/opdef.js';
import { structuredConstInputs } from '../ir/structured.js';

/** runtimeDims: the target takes run-time dims (ir/rtdims.ts), so ops' foldInputs need no value. */
export function findShapeInputs(m: Model, runtimeDims = true): Set<string> {
  const g: Graph = m.graph;
  const inputs = new Set(g.inputs);
  const need = new Set<string>();
  const seen = new Set<Value>();
  const walk = (v: Value | null) => {
    // a sequence's or optional's structure is bound anyway (and a value read from its elements cannot be)
    if (!v || seen.has(v) || v.const || isStructured(v)) return;
    seen.add(v);
    if (inputs.has(v)) { need.add(v.name); return; }
    const p = v.producer;
    if (!p) return;
    const def = getOp(p.domain, p.op);
    if (def?.typeOnly) return;
    nodeInputs(p).forEach(walk);
  };
  // nodes of subgraphs (If/Loop/Scan bodies) too: their shape operands may come from outside
  const visit = (nodes: Node[]) => {
    for (const n of nodes) {
      for (const sg of subgraphs(n)) visit(sg.nodes);
      for (const i of structuredConstInputs(n)) walk(n.inputs[i] ?? null);
      const def = getOp(n.domain, n.op);
      if (!runtimeDims) for (const i of def?.foldInputs ?? []) walk(n.inputs[i] ?? null);
      for (const i of constInputsOf(n)) walk(n.inputs[i] ?? null);
    }
  };
  visit(g.nodes);
  return need;
}
