// Golden files of generated code: test/golden/NAME.{c,h} (SIMD C) and NAME.nosimd.{c,h} (the
// portable --no-simd path). Refresh with `npm run golden:update` and review the diff.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../dist/src/api.js';
import { ModelBuilder } from '../dist/src/onnx/build.js';
import { importModel } from '../dist/src/onnx/importModel.js';
import { loadModel } from '../dist/src/onnx/loadModel.js';
import { tensorFrom } from '../dist/ir/tensor.js';
import { ROOT } from './helpers.js';

const GOLDEN = path.join(ROOT, 'test', 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

function elementwiseModel() {
  const b = new ModelBuilder(17, 'elementwise');
  b.input('x', 'float32', [2, 3, 4]);
  b.input('bias', 'float32', [4]);
  b.initializer('scale', tensorFrom('float32', [1, 3, 1], [0.5, -1, 2]));
  const [s] = b.node('Mul', ['x', 'scale']);
  const [a] = b.node('Add', [s, 'bias']);
  const [r] = b.node('Sigmoid', [a]);
  b.node('Less', [r, 'bias'], {}, { outputs: ['mask'] });
  b.node('Relu', [a], {}, { outputs: ['y'] });
  b.output('y', 'float32', [2, 3, 4]);
  b.output('mask', 'bool', [2, 3, 4]);
  return importModel(b.encode(), 'elementwise.onnx');
}

const models: [string, () => ReturnType<typeof loadModel>][] = [
  ['elementwise', elementwiseModel],
  ['tiny_cnn', () => loadModel(path.join(ROOT, 'examples', 'tiny_cnn.onnx'))],
];

/** Golden variants: file suffix and the compile options that produce it. */
const variants: [string, { simd?: boolean }][] = [['', {}], ['.nosimd', { simd: false }]];
const cases = models.flatMap(([name, make]) => variants.map(([suffix, opts]) => [`${name}${suffix}`, name, make, opts] as const));

describe('golden generated C', () => {
  it.each(cases)('%s', (golden, name, make, opts) => {
    const r = compileModel(make(), { target: 'c', name, ...opts });
    for (const ext of ['c', 'h']) {
      const file = path.join(GOLDEN, `${golden}.${ext}`);
      const got = r.files[`${name}.${ext}`] as string;
      if (update) {
        fs.mkdirSync(GOLDEN, { recursive: true });
        fs.writeFileSync(file, got);
      }
      expect(got, `${file} differs: run npm run golden:update and review the diff`).toBe(fs.readFileSync(file, 'utf8'));
    }
  });

  it('the no-simd goldens are plain C (no vector extensions)', () => {
    for (const [name] of models) expect(fs.readFileSync(path.join(GOLDEN, `${name}.nosimd.c`), 'utf8')).not.toMatch(/vector_size|onnxc_[fiu]\d+x\d+/);
  });
});
