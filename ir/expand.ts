// What expanding a structured node (a sequence or optional op, or control flow over them) gives:
// the tensor nodes to infer in its place, built by a Maker. Rows of ir/sequences.ts,
// ir/optionals.ts and ir/structuredControl.ts have this form; ir/infer.ts splices the nodes in.
import type { Evaluator } from './infer.js';
import { Node, Value, constValue, newValue } from './graph.js';
import { TensorData, tensorFrom } from './tensor.js';

/** Builds the replacement nodes of node n (named after it, same opset). */
export class Maker {
  private count = 0;
  constructor(readonly n: Node, readonly evaluate?: Evaluator) {}
  node(op: string, inputs: (Value | null)[], out: Value | undefined, attrs: Record<string, number | number[]> = {}): Node {
    const v = out ?? newValue(`${this.n.name}/${op}_${this.count}`);
    const node: Node = { name: `${this.n.name}/${op}_${this.count++}`, op, domain: '', opset: this.n.opset, inputs, outputs: [v], attrs: new Map() };
    for (const [k, a] of Object.entries(attrs)) node.attrs.set(k, Array.isArray(a) ? { kind: 'ints', value: a } : { kind: 'int', value: a });
    v.producer = node;
    return node;
  }
  /** Unsqueeze(v) at `axes`: an input from opset 13 on, an attribute before (Loop and sequence
   * ops exist from opset 11). */
  unsqueeze(v: Value, axes: number[]): Node {
    return this.n.opset >= 13 ? this.node('Unsqueeze', [v, this.ints(axes)], undefined) : this.node('Unsqueeze', [v], undefined, { axes });
  }
  ints(values: number[], scalar = false): Value {
    return this.tensor(tensorFrom('int64', scalar ? [] : [values.length], values.map(BigInt)));
  }
  tensor(t: TensorData): Value {
    return constValue(`${this.n.name}/c${this.count++}`, t);
  }
  /** A fresh name under the node's, for an instance of a subgraph. */
  prefix(what: string): string {
    return `${this.n.name}/${what}${this.count++}`;
  }
}

/** What expanding one node gives: tensor nodes to infer in its place. `lists` are the
 * elements of its structured inputs ([] for tensors). */
export type Expand = (n: Node, lists: Value[][], make: Maker) => Node[];

export const intAttr = (n: Node, name: string, dflt: number): number => {
  const a = n.attrs.get(name);
  return a?.kind === 'int' ? a.value : dflt;
};

/** Makes v a structured value holding `elems` (kind: that of `like`, or a sequence). */
export function setList(v: Value | null, elems: Value[], like?: Value): void {
  if (!v) return;
  v.elems = elems;
  if (like?.optional) { v.optional = true; delete v.sequence; } else { v.sequence = true; delete v.optional; }
}
