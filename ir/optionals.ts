// Optionals whose presence is known at compile time: an optional value carries `elems`, [] when
// empty or [its value] (a tensor or a sequence). Optional wraps a value (or none), and
// OptionalHasElement folds to a constant; OptionalGetElement passes the value on (opset 18 also
// takes a plain tensor or sequence, which count as present). Rows as in ir/sequences.ts.
import { nodeError } from './errors.js';
import { Expand, setList } from './expand.js';
import { Value } from './graph.js';
import { tensorFrom } from './tensor.js';

/** The value an input holds: none for an absent input or an empty optional. */
function held(v: Value | null | undefined): Value | undefined {
  if (!v) return undefined;
  return v.optional ? v.elems?.[0] : v;
}

/** Optional ops, one row each. */
export const OPTIONAL_ROWS: Record<string, Expand> = {
  Optional: (n) => {
    const x = n.inputs[0];
    setList(n.outputs[0], x ? [x] : [], { optional: true } as Value);
    return [];
  },
  OptionalHasElement: (n, _lists, m) => {
    const has = held(n.inputs[0]) !== undefined;
    return [m.node('Identity', [m.tensor(tensorFrom('bool', [], [has ? 1 : 0]))], n.outputs[0]!)];
  },
  OptionalGetElement: (n, _lists, m) => {
    const x = held(n.inputs[0]);
    if (!x) throw nodeError(n, n.inputs[0] ? `optional '${n.inputs[0].name}' is empty` : 'it has no input');
    if (x.sequence) { setList(n.outputs[0], x.elems!, x); return []; }
    return [m.node('Identity', [x], n.outputs[0]!)];
  },
};
