// foldBatchNorm: Conv → BatchNormalization (inference, constant parameters) becomes one Conv
// with rescaled weights and bias, computed at compile time:
//   s = scale / sqrt(var + eps);  W'[o] = W[o] * s[o];  b'[o] = (b[o] - mean[o]) * s[o] + B[o]
import { Model, Node, Value, constValue, consumers } from '../ir/graph.js';
import { getNum, numel, setNum, zeros } from '../ir/tensor.js';

function foldable(conv: Node, bn: Node, uses: Map<Value, Node[]>, outputs: Set<Value>): boolean {
  const y = conv.outputs[0];
  if (!y || outputs.has(y) || (uses.get(y) ?? []).length !== 1) return false;
  if (bn.outputs.length > 1 && bn.outputs.slice(1).some((v) => v)) return false; // training outputs
  if (bn.attrs.get('training_mode')?.value) return false;
  const w = conv.inputs[1]?.const;
  if (!w || (conv.inputs[2] && !conv.inputs[2].const)) return false;
  if (w.dtype !== 'float32' && w.dtype !== 'float64') return false;
  return bn.inputs.slice(1, 5).every((v) => v?.const && numel(v.const.shape) === w.shape[0]);
}

export function foldBatchNorm(m: Model): void {
  const g = m.graph;
  const uses = consumers(g);
  const outputs = new Set(g.outputs);
  const removed = new Set<Node>();
  for (const bn of g.nodes) {
    if (bn.op !== 'BatchNormalization' || bn.domain !== '') continue;
    const conv = bn.inputs[0]?.producer;
    if (!conv || conv.op !== 'Conv' || conv.domain !== '' || !foldable(conv, bn, uses, outputs)) continue;
    const w = conv.inputs[1]!.const!;
    const [scale, bias, mean, variance] = bn.inputs.slice(1, 5).map((v) => v!.const!);
    const eps = (bn.attrs.get('epsilon')?.value as number | undefined) ?? 1e-5;
    const cout = w.shape[0], per = numel(w.shape) / cout;
    const w2 = zeros(w.dtype, w.shape), b2 = zeros(w.dtype, [cout]);
    const b0 = conv.inputs[2]?.const;
    for (let o = 0; o < cout; o++) {
      const s = getNum(scale, o) / Math.sqrt(getNum(variance, o) + eps);
      for (let k = 0; k < per; k++) setNum(w2, o * per + k, getNum(w, o * per + k) * s);
      setNum(b2, o, ((b0 ? getNum(b0, o) : 0) - getNum(mean, o)) * s + getNum(bias, o));
    }
    conv.inputs = [conv.inputs[0], constValue(`${conv.name}.folded_weight`, w2), constValue(`${conv.name}.folded_bias`, b2)];
    // the Conv now produces the BatchNormalization's output value
    const y = bn.outputs[0]!;
    conv.outputs[0] = y;
    y.producer = conv;
    removed.add(bn);
  }
  g.nodes = g.nodes.filter((n) => !removed.has(n));
}
