// Reliability: malformed or hostile models give exactly one `error:` line, exit code 1, no
// stack trace and no output folder, on every target.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelBuilder } from '../dist/src/onnx/build.js';
import { tensorFrom } from '../dist/ir/tensor.js';
import { cli, tmpDir } from './helpers.js';

const dir = tmpDir();
const write = (name: string, bytes: Uint8Array | string) => {
  const f = path.join(dir, name);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, bytes);
  return f;
};

function simple(build: (b: InstanceType<typeof ModelBuilder>) => void, opset = 17) {
  const b = new ModelBuilder(opset);
  build(b);
  return b.encode();
}

const good = simple((b) => {
  b.input('x', 'float32', [2, 3]);
  b.node('Relu', ['x'], {}, { outputs: ['y'] });
  b.output('y', 'float32', [2, 3]);
});

const cases: [string, () => string, RegExp][] = [
  ['empty file', () => write('empty.onnx', new Uint8Array()), /empty/],
  ['random bytes', () => write('random.onnx', Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)), /not a valid ONNX model/],
  ['truncated model', () => write('truncated.onnx', good.subarray(0, good.length - 7)), /not a valid ONNX model/],
  ['JSON', () => write('model.json.onnx', JSON.stringify({ graph: { node: [] } })), /not a valid ONNX model/],
  ['a dimension named like a run-time dim', () => write('rtname.onnx', simple((b) => {
    b.input('x', 'float32', ['n<=5', 3]);
    b.node('Relu', ['x'], {}, { outputs: ['y'] });
    b.output('y', 'float32', ['n<=5', 3]);
  })), /input 'x'.*dimension name 'n<=5' contains '<=', which onnxc keeps for run-time dimensions/],
  ['unknown op', () => write('unknown.onnx', simple((b) => {
    b.input('x', 'float32', [2]);
    b.node('FrobnicateTensor', ['x'], {}, { outputs: ['y'], name: 'frob' });
    b.output('y', 'float32', [2]);
  })), /node 'frob' \(FrobnicateTensor\).*opset 17.*not supported/],
  ['dangling input', () => write('dangling.onnx', simple((b) => {
    b.input('x', 'float32', [2]);
    b.node('Add', ['x', 'nowhere'], {}, { outputs: ['y'], name: 'add' });
    b.output('y', 'float32', [2]);
  })), /node 'add' \(Add\): input 'nowhere' is not produced/],
  ['cycle', () => write('cycle.onnx', simple((b) => {
    b.input('x', 'float32', [2]);
    b.node('Add', ['x', 'b'], {}, { outputs: ['a'], name: 'first' });
    b.node('Relu', ['a'], {}, { outputs: ['b'], name: 'second' });
    b.output('b', 'float32', [2]);
  })), /cycle/],
  ['MatMul shape mismatch', () => write('matmul.onnx', simple((b) => {
    b.input('x', 'float32', [2, 3]);
    b.initializer('w', tensorFrom('float32', [4, 5], new Array(20).fill(1)));
    b.node('MatMul', ['x', 'w'], {}, { outputs: ['y'], name: 'mm' });
    b.output('y', 'float32', [2, 5]);
  })), /node 'mm' \(MatMul\)/],
  ['dims of 2^40 x 2^40', () => write('huge.onnx', simple((b) => {
    b.input('x', 'float32', [2 ** 40, 2 ** 40]);
    b.node('Relu', ['x'], {}, { outputs: ['y'] });
    b.output('y', 'float32', [2 ** 40, 2 ** 40]);
  })), /cannot fit in memory/],
  // found by an independent fuzz run: a LayerNormalization graph whose op became ConvTranspose
  // (a rank-2 input and a rank-1 weight) said "the weight undefined"
  ['ConvTranspose of rank-2 input', () => write('convt.onnx', simple((b) => {
    b.input('x', 'float32', [2, 3]);
    b.initializer('w', tensorFrom('float32', [3], [1, 2, 3]));
    b.node('ConvTranspose', ['x', 'w'], {}, { outputs: ['y'], name: 'ct' });
    b.output('y', 'float32', [2, 3]);
  })), /node 'ct' \(ConvTranspose\): input 0 has rank 2; a convolution needs/],
  ['Conv with a weight of another rank', () => write('convw.onnx', simple((b) => {
    b.input('x', 'float32', [1, 3, 4, 4]);
    b.initializer('w', tensorFrom('float32', [2, 3, 1], new Array(6).fill(1)));
    b.node('Conv', ['x', 'w'], {}, { outputs: ['y'], name: 'cv' });
    b.output('y', 'float32', [1, 2, 4, 4]);
  })), /node 'cv' \(Conv\): the weight has rank 3; it must have the input's rank 4/],
  ['opset 999', () => write('opset.onnx', simple((b) => {
    b.input('x', 'float32', [2]);
    b.node('Relu', ['x'], {}, { outputs: ['y'] });
    b.output('y', 'float32', [2]);
  }, 999)), /opset 999.*supports up to/],
  ['external data outside the folder', () => {
    write('secret.bin', new Uint8Array(16));
    const b = new ModelBuilder(17);
    b.input('x', 'float32', [4]);
    b.node('Add', ['x', 'w'], {}, { outputs: ['y'] });
    b.output('y', 'float32', [4]);
    const bytes = b.encode();
    // splice an initializer with external data pointing at ../secret.bin into the model
    return write('nested/external.onnx', withExternalInitializer(bytes, 'w', '../secret.bin'));
  }, /outside the model's folder/],
];

import { ModelProto } from '../dist/src/onnx/schema.js';
function withExternalInitializer(bytes: Uint8Array, name: string, location: string): Uint8Array {
  const m = ModelProto.toObject(ModelProto.decode(bytes)) as { graph: { initializer?: object[] } };
  m.graph.initializer = [{ name, dims: [4], data_type: 1, data_location: 1, external_data: [{ key: 'location', value: location }] }];
  return ModelProto.encode(ModelProto.fromObject(m)).finish();
}

describe.each(['c', 'wasm'])('bad input, --target %s', (target) => {
  it.each(cases)('%s', (_name, make, message) => {
    const model = make();
    const out = path.join(dir, `out-${target}-${path.basename(model)}`);
    const r = cli(['compile', model, '--target', target, '-o', out]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('usage errors', () => {
  it('exit 2 with one error line', () => {
    for (const args of [['compile'], ['frobnicate'], ['compile', 'x.onnx', '--target', 'fortran']]) {
      const r = cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^error: /);
    }
  });
});
