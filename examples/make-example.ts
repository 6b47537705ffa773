// Builds examples/tiny_cnn.onnx: a small image classifier with seeded random weights
// (Conv → Relu → MaxPool → Conv 1x1 → Relu → GlobalAveragePool → Flatten → Gemm → Softmax).
// Run: npm run build && node dist/examples/make-example.js
import fs from 'node:fs';
import path from 'node:path';
import { ModelBuilder, seededRandom } from '../src/onnx/build.js';
import { tensorFrom } from '../ir/tensor.js';

export function buildTinyCnn(): Uint8Array {
  const rnd = seededRandom(42);
  const weights = (shape: number[], scale: number) =>
    tensorFrom('float32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rnd() * 2 - 1) * scale));
  const b = new ModelBuilder(17, 'tiny_cnn');
  const x = b.input('image', 'float32', [1, 3, 16, 16]);
  const [c1] = b.node('Conv', [x, b.initializer('conv1.weight', weights([8, 3, 3, 3], 0.4)), b.initializer('conv1.bias', weights([8], 0.1))],
    { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  const [r1] = b.node('Relu', [c1]);
  const [p1] = b.node('MaxPool', [r1], { kernel_shape: [2, 2], strides: [2, 2] });
  const [c2] = b.node('Conv', [p1, b.initializer('conv2.weight', weights([16, 8, 1, 1], 0.5)), b.initializer('conv2.bias', weights([16], 0.1))],
    { kernel_shape: [1, 1] });
  const [r2] = b.node('Relu', [c2]);
  const [gap] = b.node('GlobalAveragePool', [r2]);
  const [flat] = b.node('Flatten', [gap], { axis: 1 });
  const [fc] = b.node('Gemm', [flat, b.initializer('fc.weight', weights([10, 16], 0.5)), b.initializer('fc.bias', weights([10], 0.1))], { transB: 1 });
  b.node('Softmax', [fc], { axis: 1 }, { outputs: ['probabilities'] });
  b.output('probabilities', 'float32', [1, 10]);
  return b.encode();
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const out = new URL('../../examples/tiny_cnn.onnx', import.meta.url).pathname;
  fs.writeFileSync(out, buildTinyCnn());
  console.log(`wrote ${out}`);
}
