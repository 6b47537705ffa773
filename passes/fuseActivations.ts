// fuseActivations: a float Conv whose only consumer is Relu or Clip (constant bounds) becomes one
// Conv that clamps each value as it stores it (attribute onnxc_clip = [lo, hi]); the activation
// node goes away and the Conv produces its output. Saves a pass over the activation tensor.
import { Model, Node, Value, consumers } from '../ir/graph.js';
import { getNum, numel } from '../ir/tensor.js';

/** [lo, hi] of a Relu or a Clip with constant (or absent) bounds; null when not fusable. */
function bounds(n: Node): [number, number] | null {
  if (n.domain !== '') return null;
  if (n.op === 'Relu') return [0, Infinity];
  if (n.op !== 'Clip') return null;
  const bound = (i: number, attr: string, dflt: number): number | null => {
    if (n.opset < 11) return (n.attrs.get(attr)?.value as number | undefined) ?? dflt;
    const v: Value | null | undefined = n.inputs[i];
    if (!v) return dflt;
    return v.const && numel(v.const.shape) === 1 ? getNum(v.const, 0) : null;
  };
  const lo = bound(1, 'min', -Infinity), hi = bound(2, 'max', Infinity);
  return lo === null || hi === null || Number.isNaN(lo) || Number.isNaN(hi) ? null : [lo, hi];
}

export function fuseActivations(m: Model): void {
  const g = m.graph;
  const uses = consumers(g);
  const outputs = new Set(g.outputs);
  const removed = new Set<Node>();
  for (const act of g.nodes) {
    const b = bounds(act), conv = act.inputs[0]?.producer;
    if (!b || !conv || conv.op !== 'Conv' || conv.domain !== '' || conv.attrs.has('onnxc_clip')) continue;
    const y = conv.outputs[0]!;
    if (y.type?.dtype !== 'float32' || outputs.has(y) || (uses.get(y) ?? []).length !== 1) continue;
    conv.attrs.set('onnxc_clip', { kind: 'floats', value: b });
    const z = act.outputs[0]!;
    conv.outputs[0] = z;
    z.producer = conv;
    removed.add(act);
  }
  g.nodes = g.nodes.filter((n) => !removed.has(n));
}
