// Deterministic benchmark inputs for in-process runners, matching runtime-c's --bench policy:
// floats in [-1, 1), integers 0..3, booleans 0/1.
import { numel, tensorFrom, TensorData } from '../../ir/tensor.js';
import { isFloat } from '../../ir/dtype.js';
import { Program } from '../../ir/kernel.js';
import { seededRandom } from '../onnx/build.js';

export function seededInputs(p: Program, seed = 1): TensorData[] {
  const rnd = seededRandom(seed);
  return p.inputs.map((io) => {
    const d = io.buf.dtype, n = numel(io.shape);
    const vals = Array.from({ length: n }, () => (isFloat(d) ? rnd() * 2 - 1 : d === 'bool' ? (rnd() < 0.5 ? 0 : 1) : Math.floor(rnd() * 4)));
    return tensorFrom(d, io.shape, vals);
  });
}

export function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
