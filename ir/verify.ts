// Verifier for the tensor IR, run after every pass in tests: values defined before use, one
// producer per value, types present once inference ran.
import { CompileError } from './errors.js';
import { Graph, Value, nodeLabel } from './graph.js';

export function verifyGraph(g: Graph, typed: boolean): void {
  const defined = new Set<Value>([...g.inputs, ...(g.outer?.values() ?? [])]);
  const produced = new Set<Value>();
  for (const n of g.nodes) {
    n.inputs.forEach((v, i) => {
      if (!v) return;
      if (!defined.has(v) && !v.const)
        throw new CompileError(`verify: ${nodeLabel(n)} reads '${v.name}' (input ${i}) before it is defined`);
    });
    for (const v of n.outputs) {
      if (!v) continue;
      if (produced.has(v)) throw new CompileError(`verify: '${v.name}' has two producers`);
      if (v.producer !== n) throw new CompileError(`verify: '${v.name}' has a stale producer link`);
      if (typed && !v.type) throw new CompileError(`verify: '${v.name}' has no type after inference`);
      produced.add(v);
      defined.add(v);
    }
  }
  for (const o of g.outputs) if (!defined.has(o) && !o.const) throw new CompileError(`verify: graph output '${o.name}' is not defined`);
}
