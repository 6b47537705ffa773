// fuseActivations: a float Conv whose output only feeds an activation becomes one Conv that
// applies the activation to each value as it stores it, and produces the activation's output:
//   Relu / Clip with constant bounds  → attribute onnxc_clip = [lo, hi]
//   Sigmoid                           → onnxc_act = 'sigmoid'
//   Mul(y, Sigmoid(y)) (SiLU / Swish) → onnxc_act = 'silu'
// The activation nodes go away. Saves one or two passes over the activation tensor.
import { Model, Node, Value, consumers } from '../ir/graph.js';
import { getNum, numel } from '../ir/tensor.js';

/** [lo, hi] of a Relu or a Clip with constant (or absent) bounds; null when not fusable. */
function bounds(n: Node): [number, number] | null {
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

interface Fusion { attrs: [string, { kind: 'floats'; value: number[] } | { kind: 'string'; value: string }][]; out: Value; nodes: Node[] }

/** What can be fused onto Conv output y, given the nodes reading it. */
function fusion(y: Value, readers: Node[], uses: Map<Value, Node[]>, outputs: Set<Value>): Fusion | null {
  const std = readers.every((n) => n.domain === '');
  if (!std) return null;
  if (readers.length === 1) {
    const [act] = readers, b = bounds(act);
    if (b) return { attrs: [['onnxc_clip', { kind: 'floats', value: b }]], out: act.outputs[0]!, nodes: [act] };
    if (act.op === 'Sigmoid') return { attrs: [['onnxc_act', { kind: 'string', value: 'sigmoid' }]], out: act.outputs[0]!, nodes: [act] };
    return null;
  }
  if (readers.length !== 2) return null;
  const sig = readers.find((n) => n.op === 'Sigmoid'), mul = readers.find((n) => n.op === 'Mul');
  const s = sig?.outputs[0];
  if (!sig || !mul || !s || outputs.has(s) || (uses.get(s) ?? []).length !== 1) return null;
  const ins = mul.inputs;
  if (ins.length !== 2 || !((ins[0] === y && ins[1] === s) || (ins[0] === s && ins[1] === y))) return null;
  return { attrs: [['onnxc_act', { kind: 'string', value: 'silu' }]], out: mul.outputs[0]!, nodes: [sig, mul] };
}

export function fuseActivations(m: Model): void {
  const g = m.graph;
  const uses = consumers(g);
  const outputs = new Set(g.outputs);
  const removed = new Set<Node>();
  for (const conv of g.nodes) {
    if (conv.op !== 'Conv' || conv.domain !== '' || conv.attrs.has('onnxc_clip') || conv.attrs.has('onnxc_act')) continue;
    const y = conv.outputs[0];
    if (!y || y.type?.dtype !== 'float32' || outputs.has(y)) continue;
    const f = fusion(y, uses.get(y) ?? [], uses, outputs);
    if (!f || f.out.type?.dtype !== 'float32') continue;
    for (const [k, v] of f.attrs) conv.attrs.set(k, v);
    conv.outputs[0] = f.out;
    f.out.producer = conv;
    for (const n of f.nodes) removed.add(n);
  }
  g.nodes = g.nodes.filter((n) => !removed.has(n));
}
