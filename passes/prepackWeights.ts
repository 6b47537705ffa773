// prepackWeights: lays constant weights out the way kernels read them fastest, at compile time.
// Gemm with a constant transposed B (fully connected layers: W is [N, K]) gets B = Wᵀ as [K, N],
// so the GEMM micro-kernel streams contiguous rows of B.
import { Model, constValue } from '../ir/graph.js';
import { TensorData, zeros } from '../ir/tensor.js';

function transpose2d(t: TensorData): TensorData {
  const [r, c] = t.shape;
  const out = zeros(t.dtype, [c, r]);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out.data[j * r + i] = t.data[i * c + j];
  return out;
}

export function prepackWeights(m: Model): void {
  for (const n of m.graph.nodes) {
    if (n.op !== 'Gemm' || n.domain !== '' || !n.attrs.get('transB')?.value) continue;
    const b = n.inputs[1];
    const w = b?.const;
    if (!b || !w || w.shape.length !== 2 || (w.dtype !== 'float32' && w.dtype !== 'float64')) continue;
    // a weight shared with other nodes keeps its layout for them; this node gets its own copy
    const t = transpose2d(w);
    n.inputs[1] = constValue(`${b.name}.T`, t);
    n.attrs.set('transB', { kind: 'int', value: 0 });
  }
}
