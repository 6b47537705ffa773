// Sequences and optionals known at compile time: the registry of the rows that expand them
// into tensor nodes during inference (ir/sequences.ts, ir/optionals.ts,
// ir/structuredControl.ts). ir/infer.ts splices a node's expansion in its place.
import { nodeError } from './errors.js';
import { Maker } from './expand.js';
import { Node, isStructured } from './graph.js';
import type { Evaluator } from './infer.js';
import { OPTIONAL_ROWS } from './optionals.js';
import { SEQUENCE_ROWS, sequenceConstInputs } from './sequences.js';
import { CONTROL_APPLIES, CONTROL_ROWS, controlConstInputs } from './structuredControl.js';

const ROWS = { ...SEQUENCE_ROWS, ...OPTIONAL_ROWS, ...CONTROL_ROWS };
const APPLIES: Record<string, (n: Node) => boolean> = { ...CONTROL_APPLIES, Identity: (n) => isStructured(n.inputs[0]) };

/** Whether node n expands at compile time: a sequence or optional op, an Identity, If or Loop
 * of such values, or a Loop that is unrolled (see CONTROL_APPLIES). */
export function isStructuredNode(n: Node): boolean {
  if (n.domain !== '' || !(n.op in ROWS)) return false;
  return APPLIES[n.op]?.(n) ?? true;
}

/** Expands a structured node: sets its structured outputs' lists; returns the tensor nodes to
 * infer instead. */
export function expandStructuredNode(n: Node, evaluate?: Evaluator): Node[] {
  const lists = n.inputs.map((v) => {
    if (!isStructured(v)) return [];
    if (!v!.elems) throw nodeError(n, `${v!.sequence ? 'sequence' : 'optional'} '${v!.name}' is not known at compile time (${v!.sequence ? 'its length' : 'whether it holds a value'})`);
    return v!.elems;
  });
  return ROWS[n.op](n, lists, new Maker(n, evaluate));
}

/** Inputs that must be known at compile time (positions, split sizes, the trip count of a Loop
 * that is unrolled): `run` and `test` specialize on graph inputs feeding them
 * (passes/findShapeInputs.ts). */
export function structuredConstInputs(n: Node): number[] {
  return [...sequenceConstInputs(n), ...controlConstInputs(n)];
}
