// A small transformer encoder layer with a dynamic `seq` axis, as exporters write it: MatMul+Add
// projections, heads split by Reshape to a target computed with Shape → Gather → Unsqueeze →
// Concat, Transpose, MatMul attention, Softmax, LayerNormalization (opset 17), residuals, an
// erf Gelu and a Relu. Shared by the bounded-dims test and its benchmark.
import fs from 'node:fs';
import path from 'node:path';
import { ModelBuilder, seededRandom } from '../dist/src/onnx/build.js';
import { tensorFrom } from '../dist/ir/tensor.js';

export const D = 64, HEADS = 4, FF = 128;

/** Writes encoder.onnx (input x float32[1, seq, 64], output y of the same shape) into dir. */
export function writeEncoder(dir: string): string {
  const b = new ModelBuilder(17), r = seededRandom(11);
  const w = (name: string, shape: number[], scale: number) =>
    b.initializer(name, tensorFrom('float32', shape, Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => (r() * 2 - 1) * scale)));
  const i64 = (name: string, vals: number[], scalar = false) => b.initializer(name, tensorFrom('int64', scalar ? [] : [vals.length], vals.map(BigInt)));
  b.input('x', 'float32', [1, 'seq', D]);
  i64('zero', [0], true); i64('one', [1], true); i64('ax0', [0]); i64('heads', [HEADS, D / HEADS]); i64('flat', [-1, D]);
  const [s] = b.node('Shape', ['x']);
  const [bt] = b.node('Gather', [s, 'zero'], { axis: 0 }), [sq] = b.node('Gather', [s, 'one'], { axis: 0 });
  const [bu] = b.node('Unsqueeze', [bt, 'ax0']), [su] = b.node('Unsqueeze', [sq, 'ax0']);
  const [split] = b.node('Concat', [bu, su, 'heads'], { axis: 0 });
  const proj = (x: string, name: string, k: number, n: number) => {
    const [m] = b.node('MatMul', [x, w(`${name}_w`, [k, n], 1 / Math.sqrt(k))]);
    return b.node('Add', [m, w(`${name}_b`, [n], 0.1)])[0];
  };
  const heads = (x: string, name: string, perm: number[]) => b.node('Transpose', [b.node('Reshape', [proj(x, name, D, D), split])[0]], { perm })[0];
  const q = heads('x', 'q', [0, 2, 1, 3]), k = heads('x', 'k', [0, 2, 3, 1]), v = heads('x', 'v', [0, 2, 1, 3]);
  b.initializer('scale', tensorFrom('float32', [], [1 / Math.sqrt(D / HEADS)]));
  const [scores] = b.node('Mul', [b.node('MatMul', [q, k])[0], 'scale']);
  const [p] = b.node('Softmax', [scores], { axis: -1 });
  const [ctx] = b.node('Transpose', [b.node('MatMul', [p, v])[0]], { perm: [0, 2, 1, 3] });
  const [rows] = b.node('Reshape', [ctx, 'flat']);
  const [o] = b.node('Reshape', [proj(rows, 'o', D, D), s]);
  const ln = (x: string, name: string) => b.node('LayerNormalization', [x, w(`${name}_g`, [D], 1), w(`${name}_b`, [D], 0.1)], { axis: -1, epsilon: 1e-5 })[0];
  const [h] = b.node('Add', ['x', o]);
  const h1 = ln(h, 'ln1');
  const f = proj(h1, 'ff1', D, FF);
  b.initializer('half', tensorFrom('float32', [], [0.5]));
  b.initializer('rsqrt2', tensorFrom('float32', [], [Math.SQRT1_2]));
  b.initializer('onef', tensorFrom('float32', [], [1]));
  const [erf] = b.node('Erf', [b.node('Mul', [f, 'rsqrt2'])[0]]);
  const [gelu] = b.node('Mul', [b.node('Mul', [f, 'half'])[0], b.node('Add', [erf, 'onef'])[0]]);
  const [relu] = b.node('Relu', [proj(gelu, 'ff2', FF, D)]);
  b.node('LayerNormalization', [b.node('Add', [h1, relu])[0], w('ln2_g', [D], 1), w('ln2_b', [D], 0.1)], { axis: -1, epsilon: 1e-5 }, { outputs: ['y'] });
  b.output('y', 'float32', [1, 'seq', D]);
  const file = path.join(dir, 'encoder.onnx');
  fs.writeFileSync(file, b.encode());
  return file;
}
