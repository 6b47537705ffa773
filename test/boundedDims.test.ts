// Bounded symbolic dims (--dim seq=1..128, src/dimBindings.ts): a transformer encoder layer with
// a dynamic sequence axis (test/encoderModel.ts) compiled once to C and to WASM runs at
// lengths 1, 37 and 128 and matches onnxruntime-node each time; its arena is the one compiled
// at 128; a length out of range is a status (C) or an Error (WASM loader), never a memory
// error; targets that need every dim at compile time refuse the range; inspect shows it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { compileFile } from '../dist/src/api.js';
import { ModelBuilder, seededRandom } from '../dist/src/onnx/build.js';
import { encodeTensor } from '../dist/src/onnx/tensorProto.js';
import { getRunner, readTensorFile } from '../dist/src/runners/index.js';
import { TensorData, tensorFrom, toNumbers } from '../dist/ir/tensor.js';
import { D, writeEncoder } from './encoderModel.js';
import { cli, tmpDir } from './helpers.js';

const dir = tmpDir('onnxc-bounded-');
const file = writeEncoder(dir);
const LENGTHS = [1, 37, 128];

/** The PyTorch export (test/export_encoder.py), where /usr/bin/python3 has torch (CI installs
 * it with python3-torchvision); undefined, with the reason, where it does not. */
function exportTorchEncoder(): { file?: string; why?: string } {
  const out = path.join(dir, 'torch_encoder.onnx');
  const r = spawnSync('/usr/bin/python3', [path.join(import.meta.dirname, '..', 'benchmarks', 'export_encoder.py'), out], { encoding: 'utf8' });
  return r.status === 0 ? { file: out } : { why: (r.stderr || r.error?.message || '').trim().split('\n').pop() };
}
const torchEncoder = exportTorchEncoder();

interface Encoder { label: string; file: string; inDim: number; outDim: number }
const ENCODERS: Encoder[] = [{ label: 'builder encoder', file, inDim: D, outDim: D }];
if (torchEncoder.file) ENCODERS.push({ label: 'PyTorch export', file: torchEncoder.file, inDim: 32, outDim: 10 });
else console.log(`bounded dims: the PyTorch encoder is skipped: /usr/bin/python3 cannot export it (${torchEncoder.why})`);

const input = (seq: number, d = D): TensorData => {
  const r = seededRandom(seq);
  return tensorFrom('float32', [1, seq, d], Array.from({ length: seq * d }, () => r() * 2 - 1));
};

async function reference(model: string, x: TensorData): Promise<number[]> {
  const s = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  const r = await s.run({ x: new ort.Tensor('float32', x.data as Float32Array, x.shape) });
  return Array.from(r.y.data as Float32Array);
}

const maxError = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** Compiles model m (one float input 'x', float outputs) once per target with the dim ranges,
 * runs it at each input shape on seeded values and compares every output with onnxruntime-node,
 * shape first. */
async function matchesOrt(m: string, dims: Record<string, string>, shapes: number[][], seed: number, tol = 1e-5): Promise<void> {
  const d = path.dirname(m), r = seededRandom(seed);
  const sess = await ort.InferenceSession.create(m, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  for (const target of ['c', 'wasm'] as const) {
    const res = compileFile(m, { target, name: 'm', dims, verify: true });
    const runner = getRunner(target, res.cpu), handle = await runner.build(res, path.join(d, target));
    for (const shape of shapes) {
      const x = tensorFrom('float32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1));
      const tag = shape.join('x'), f = path.join(d, `x${tag}.pb`);
      fs.writeFileSync(f, encodeTensor(x, 'x'));
      const got = await runner.run(handle, [f], path.join(d, `${target}_out${tag}`), res.program.outputs.length);
      const ref = await sess.run({ x: new ort.Tensor('float32', x.data as Float32Array, x.shape) });
      sess.outputNames.forEach((name, i) => {
        expect(got[i].shape, `${target} ${name} at [${shape}]`).toEqual([...ref[name].dims]);
        expect(maxError(toNumbers(got[i]), Array.from(ref[name].data as Float32Array)), `${target} ${name} at [${shape}]`).toBeLessThan(tol);
      });
    }
  }
}

describe.each(ENCODERS)('one program, many lengths (--dim seq=1..128): $label', ({ label, file: model, inDim, outDim }) => {
  const tag = label === 'builder encoder' ? '' : 'torch_';
  for (const target of ['c', 'wasm'] as const) {
    it(`${target}: compiled once, runs at ${LENGTHS.join(', ')} and matches onnxruntime`, async () => {
      const res = compileFile(model, { target, name: 'enc', dims: { seq: '1..128' }, verify: true });
      const runner = getRunner(target, res.cpu), handle = await runner.build(res, path.join(dir, tag + target));
      for (const seq of LENGTHS) {
        const x = input(seq, inDim), f = path.join(dir, `${tag}${target}_x${seq}.pb`);
        fs.writeFileSync(f, encodeTensor(x, 'x'));
        const [y] = await runner.run(handle, [f], path.join(dir, `${tag}${target}_out${seq}`), 1);
        expect(y.shape).toEqual([1, seq, outDim]);
        const err = maxError(toNumbers(y), await reference(model, x));
        console.log(`bounded dims (${label}): ${target} seq=${seq} max |error| vs onnxruntime ${err.toExponential(2)}`);
        expect(err).toBeLessThan(2e-5);
      }
      // a length past the bound: a status from the C program, an Error from the WASM loader
      const f = path.join(dir, `${tag}${target}_x129.pb`);
      fs.writeFileSync(f, encodeTensor(input(129, inDim), 'x'));
      await expect(runner.run(handle, [f], path.join(dir, `${tag}${target}_out129`), 1))
        .rejects.toThrow(target === 'c' ? /status 5 \(an input's shape is outside the bounds/ : new RegExp(`input 'x' has shape \\[1,129,${inDim}\\]: dim 1 \\(seq\\) must be in \\[1, 128\\]`));
      if (target !== 'wasm' || tag) return;
      // the loader itself: a bare typed array is the upper bound; bad shapes are one Error each
      const m = (handle as { model: { run(i: unknown[]): Record<string, { shape: number[] }> } }).model;
      expect(m.run([input(128).data]).y.shape).toEqual([1, 128, D]);
      const x5 = input(5).data;
      expect(() => m.run([{ data: x5, shape: [1, 0, D] }])).toThrow("input 'x' has shape [1,0,64]: dim 1 (seq) must be in [1, 128]");
      expect(() => m.run([{ data: x5, shape: [5, D] }])).toThrow("input 'x' has shape [5,64]: expected rank 3");
      expect(() => m.run([{ data: x5, shape: [2, 5, D] }])).toThrow("input 'x' has shape [2,5,64]: dim 0 must be 1");
      expect(() => m.run([{ data: x5, shape: [1, 6, D] }])).toThrow("input 'x' has 320 elements, expected [1,6,64]");
    }, 240_000);
  }

  it('the arena is the one compiled at the upper bound', () => {
    const bounded = compileFile(model, { target: 'c', name: 'enc', dims: { seq: '1..128' } });
    const fixed = compileFile(model, { target: 'c', name: 'enc', dims: { seq: 128 } });
    expect(bounded.program.arenaSize).toBe(fixed.program.arenaSize);
    console.log(`bounded dims (${label}): arena ${bounded.program.arenaSize} bytes, at seq=128 ${fixed.program.arenaSize}`);
    const h = bounded.files['enc.h'] as string;
    expect(h).toContain('int enc_run_shaped(const void *const *inputs, const int64_t *const *input_dims, void *const *outputs, void *arena);');
    expect(h).toContain('Bounded dims: seq in [1, 128]');
    expect(fixed.files['enc.h'] as string).not.toContain('run_shaped');
  });
});

describe('Gemm with run-time rows', () => {
  it('Gemm (transB, alpha, beta, bias) then Softmax over the rows, at 1, 5 and 20 (C and WASM)', async () => {
    const d = tmpDir('onnxc-bounded-gemm-'), m = path.join(d, 'gemm.onnx'), r = seededRandom(3);
    const rand = (n: number) => Array.from({ length: n }, () => r() * 2 - 1);
    const b = new ModelBuilder(17);
    b.input('x', 'float32', ['n', 8]);
    b.initializer('w', tensorFrom('float32', [20, 8], rand(160)));
    b.initializer('c', tensorFrom('float32', [20], rand(20)));
    const [g] = b.node('Gemm', ['x', 'w', 'c'], { transB: 1, alpha: 0.5, beta: { float: 2 } });
    b.node('Softmax', [g], { axis: 0 }, { outputs: ['y'] });
    b.output('y', 'float32', ['n', 20]);
    fs.writeFileSync(m, b.encode());
    await matchesOrt(m, { n: '1..20' }, [[1, 8], [5, 8], [20, 8]], 13);
  }, 120_000);

  it('MatMul of [seq, 1, K] rows (the [seq, batch, D] projections of PyTorch attention) takes the GEMM with run-time rows', async () => {
    const d = tmpDir('onnxc-bounded-seq1-'), m = path.join(d, 'seq1.onnx'), r = seededRandom(4);
    const rand = (n: number) => Array.from({ length: n }, () => r() * 2 - 1);
    const b = new ModelBuilder(17);
    b.input('x', 'float32', ['seq', 1, 24]);
    b.initializer('w', tensorFrom('float32', [24, 40], rand(960)));
    b.node('MatMul', ['x', 'w'], {}, { outputs: ['y'] });
    b.output('y', 'float32', ['seq', 1, 40]);
    fs.writeFileSync(m, b.encode());
    await matchesOrt(m, { seq: '1..64' }, [[1, 1, 24], [13, 1, 24], [64, 1, 24]], 14);
  }, 120_000);

  it('a product narrower than a vector (N = 3: the row-streaming GEMM) over run-time rows, groups of four and the rest', async () => {
    const d = tmpDir('onnxc-bounded-narrow-'), m = path.join(d, 'narrow.onnx'), r = seededRandom(6);
    const b = new ModelBuilder(17);
    b.input('x', 'float32', [1, 'seq', 24]);
    b.initializer('w', tensorFrom('float32', [24, 3], Array.from({ length: 72 }, () => r() * 2 - 1)));
    b.node('Relu', [b.node('MatMul', ['x', 'w'])[0]], {}, { outputs: ['y'] });
    b.output('y', 'float32', [1, 'seq', 3]);
    fs.writeFileSync(m, b.encode());
    await matchesOrt(m, { seq: '1..32' }, [[1, 1, 24], [1, 7, 24], [1, 32, 24]], 15);
  }, 120_000);
});

describe('shape arithmetic over a bounded dim', () => {
  it('Range(0, seq) position embeddings, ConstantOfShape and Expand to Shape(x), at 1, 9 and 16 (C and WASM)', async () => {
    const d = tmpDir('onnxc-bounded-shape-'), m = path.join(d, 'pos.onnx'), r = seededRandom(5);
    const rand = (n: number) => Array.from({ length: n }, () => r() * 2 - 1);
    const b = new ModelBuilder(17);
    b.input('x', 'float32', [1, 'seq', 8]);
    b.initializer('table', tensorFrom('float32', [16, 8], rand(128)));
    b.initializer('bias', tensorFrom('float32', [1, 1, 8], rand(8)));
    b.initializer('zero', tensorFrom('int64', [], [0n]));
    b.initializer('one', tensorFrom('int64', [], [1n]));
    b.initializer('ax0', tensorFrom('int64', [1], [0n]));
    const [s] = b.node('Shape', ['x']);
    const [n] = b.node('Gather', [s, 'one'], { axis: 0 });
    const [pos] = b.node('Range', ['zero', n, 'one']);
    const [emb] = b.node('Unsqueeze', [b.node('Gather', ['table', pos], { axis: 0 })[0], 'ax0']);
    const [half] = b.node('ConstantOfShape', [s], { value: tensorFrom('float32', [1], [0.5]) });
    const [wide] = b.node('Expand', ['bias', s]);
    b.node('Mul', [b.node('Add', [b.node('Add', ['x', emb])[0], half])[0], wide], {}, { outputs: ['y'] });
    b.output('y', 'float32', [1, 'seq', 8]);
    fs.writeFileSync(m, b.encode());
    const sess = await ort.InferenceSession.create(m, { intraOpNumThreads: 1, logSeverityLevel: 3 });
    for (const target of ['c', 'wasm'] as const) {
      const res = compileFile(m, { target, name: 'pos', dims: { seq: '1..16' }, verify: true });
      const runner = getRunner(target, res.cpu), handle = await runner.build(res, path.join(d, target));
      for (const len of [1, 9, 16]) {
        const x = tensorFrom('float32', [1, len, 8], rand(len * 8)), f = path.join(d, `x${len}.pb`);
        fs.writeFileSync(f, encodeTensor(x, 'x'));
        const [y] = await runner.run(handle, [f], path.join(d, `${target}_out${len}`), 1);
        const ref = await sess.run({ x: new ort.Tensor('float32', x.data as Float32Array, x.shape) });
        expect(y.shape).toEqual([1, len, 8]);
        expect(maxError(toNumbers(y), Array.from(ref.y.data as Float32Array))).toBeLessThan(1e-6);
      }
    }
  }, 120_000);

  it('a Reshape target from Slice, Div and Mul over Shape(x): [1, seq, 2, D/2] (C)', async () => {
    const d = tmpDir('onnxc-bounded-split-'), m = path.join(d, 'split.onnx'), r = seededRandom(6);
    const b = new ModelBuilder(17);
    b.input('x', 'float32', [1, 'seq', 8]);
    const i64 = (name: string, v: number[]) => b.initializer(name, tensorFrom('int64', [v.length], v.map(BigInt)));
    i64('s0', [0]); i64('s2', [2]); i64('s3', [3]); i64('two', [2]); i64('one', [1]);
    const [s] = b.node('Shape', ['x']);
    const [lead] = b.node('Slice', [s, 's0', 's2']);
    const [last] = b.node('Slice', [s, 's2', 's3']);
    const [half] = b.node('Div', [last, 'two']);
    const [lead1] = b.node('Mul', [lead, 'one']);
    const [target] = b.node('Concat', [lead1, 'two', half], { axis: 0 });
    b.node('Transpose', [b.node('Reshape', ['x', target])[0]], { perm: [0, 2, 1, 3] }, { outputs: ['y'] });
    b.output('y', 'float32', [1, 2, 'seq', 4]);
    fs.writeFileSync(m, b.encode());
    const res = compileFile(m, { target: 'c', name: 'split', dims: { seq: '1..16' }, verify: true });
    const runner = getRunner('c', res.cpu), handle = await runner.build(res, path.join(d, 'c'));
    const x = tensorFrom('float32', [1, 5, 8], Array.from({ length: 40 }, () => r())), f = path.join(d, 'x.pb');
    fs.writeFileSync(f, encodeTensor(x, 'x'));
    const [y] = await runner.run(handle, [f], path.join(d, 'out'), 1);
    expect(y.shape).toEqual([1, 2, 5, 4]);
    const xs = toNumbers(x);
    expect(toNumbers(y)).toEqual([0, 1].flatMap((h) => [0, 1, 2, 3, 4].flatMap((t) => [0, 1, 2, 3].map((k) => xs[t * 8 + h * 4 + k]))));
  }, 60_000);
});

describe('Split and Concat along a static axis of a bounded tensor', () => {
  it('rotate-half (Split, Neg, Concat on the last axis) at 1, 6 and 10 (C and WASM)', async () => {
    const d = tmpDir('onnxc-bounded-concat-'), m = path.join(d, 'rot.onnx'), r = seededRandom(9);
    const b = new ModelBuilder(17);
    b.input('x', 'float32', [1, 'seq', 8]);
    b.initializer('halves', tensorFrom('int64', [2], [4n, 4n]));
    const [lo, hi] = b.node('Split', ['x', 'halves'], { axis: -1 }, { outputs: 2 });
    b.node('Concat', [b.node('Neg', [hi])[0], lo], { axis: -1 }, { outputs: ['y'] });
    b.output('y', 'float32', [1, 'seq', 8]);
    fs.writeFileSync(m, b.encode());
    for (const target of ['c', 'wasm'] as const) {
      const res = compileFile(m, { target, name: 'rot', dims: { seq: '1..10' }, verify: true });
      const runner = getRunner(target, res.cpu), handle = await runner.build(res, path.join(d, target));
      for (const len of [1, 6, 10]) {
        const xs = Array.from({ length: len * 8 }, () => r()), f = path.join(d, `x${len}.pb`);
        fs.writeFileSync(f, encodeTensor(tensorFrom('float32', [1, len, 8], xs), 'x'));
        const [y] = await runner.run(handle, [f], path.join(d, `${target}_out${len}`), 1);
        expect(y.shape).toEqual([1, len, 8]);
        const want = Array.from({ length: len }, (_, t) => [...xs.slice(t * 8 + 4, t * 8 + 8).map((v) => -v), ...xs.slice(t * 8, t * 8 + 4)]).flat();
        expect(toNumbers(y)).toEqual(want.map((v) => Math.fround(v)));
      }
    }
  }, 60_000);
});

describe('graph outputs that are copies', () => {
  it('an input that is also an output, and an Identity of it, copy their actual size (C and WASM)', async () => {
    const d = tmpDir('onnxc-bounded-copy-'), m = path.join(d, 'copy.onnx');
    const b = new ModelBuilder(17);
    b.input('x', 'float32', ['n', 4]);
    b.node('Identity', ['x'], {}, { outputs: ['y'] });
    b.output('x', 'float32', ['n', 4]);
    b.output('y', 'float32', ['n', 4]);
    fs.writeFileSync(m, b.encode());
    for (const target of ['c', 'wasm'] as const) {
      const res = compileFile(m, { target, name: 'cp', dims: { n: '1..8' }, verify: true });
      const loops = res.program.steps.flatMap((st) => st.kernel.body.filter((x) => x.k === 'for'));
      expect(loops.every((l) => l.k === 'for' && l.hi.k !== 'const')).toBe(true);
      const runner = getRunner(target, res.cpu), handle = await runner.build(res, path.join(d, target));
      const xs = Array.from({ length: 12 }, (_, i) => i + 0.5), f = path.join(d, 'x.pb');
      fs.writeFileSync(f, encodeTensor(tensorFrom('float32', [3, 4], xs), 'x'));
      const got = await runner.run(handle, [f], path.join(d, `${target}_out`), 2);
      for (const t of got) {
        expect(t.shape).toEqual([3, 4]);
        expect(toNumbers(t)).toEqual(xs);
      }
    }
  }, 60_000);
});

describe('CumSum over a bounded dim', () => {
  it('along seq, and reversed and exclusive, at 1, 6 and 16 (C and WASM)', async () => {
    const d = tmpDir('onnxc-bounded-cumsum-'), m = path.join(d, 'cumsum.onnx');
    const b = new ModelBuilder(17);
    b.input('x', 'float32', [2, 'seq', 4]);
    b.initializer('ax', tensorFrom('int64', [], [1n]));
    b.node('CumSum', ['x', 'ax'], {}, { outputs: ['y'] });
    b.node('CumSum', ['x', 'ax'], { exclusive: 1, reverse: 1 }, { outputs: ['z'] });
    b.output('y', 'float32', [2, 'seq', 4]);
    b.output('z', 'float32', [2, 'seq', 4]);
    fs.writeFileSync(m, b.encode());
    await matchesOrt(m, { seq: '1..16' }, [[2, 1, 4], [2, 6, 4], [2, 16, 4]], 12);
  }, 60_000);
});

describe('two bounded dims', () => {
  it('batch=1..4 and seq=1..16: MatMul, Softmax, mean over seq, at (1, 1), (2, 9), (4, 16) (C and WASM)', async () => {
    const d = tmpDir('onnxc-bounded-two-'), m = path.join(d, 'two.onnx'), r = seededRandom(10);
    const b = new ModelBuilder(17);
    b.input('x', 'float32', ['batch', 'seq', 8]);
    b.initializer('w', tensorFrom('float32', [8, 8], Array.from({ length: 64 }, () => r() - 0.5)));
    const [sm] = b.node('Softmax', [b.node('MatMul', ['x', 'w'])[0]], { axis: -1 }, { outputs: ['y'] });
    b.node('ReduceMean', [sm], { axes: [1], keepdims: 0 }, { outputs: ['z'] });
    b.output('y', 'float32', ['batch', 'seq', 8]);
    b.output('z', 'float32', ['batch', 8]);
    fs.writeFileSync(m, b.encode());
    await matchesOrt(m, { batch: '1..4', seq: '1..16' }, [[1, 1, 8], [2, 9, 8], [4, 16, 8]], 10, 1e-6);
  }, 60_000);

  it('products of them: [batch, seq, 8] → [-1, 8] rows (batch*seq) → MatMul → back to [batch, seq, 3]; Flatten to [batch, seq*8]; a shape computed as seq*8', async () => {
    const d = tmpDir('onnxc-bounded-prod-'), m = path.join(d, 'prod.onnx'), r = seededRandom(11);
    const b = new ModelBuilder(17);
    const i64 = (...v: number[]) => tensorFrom('int64', [v.length], v.map(BigInt));
    b.input('x', 'float32', ['batch', 'seq', 8]);
    b.initializer('w', tensorFrom('float32', [8, 3], Array.from({ length: 24 }, () => r() - 0.5)));
    b.initializer('rows', i64(-1, 8));
    b.initializer('s0', i64(0));
    b.initializer('s2', i64(2));
    b.initializer('three', i64(3));
    b.initializer('one', i64(1));
    b.initializer('eight', tensorFrom('int64', [], [8n]));
    const [flat] = b.node('Reshape', ['x', 'rows']);
    const [prod] = b.node('MatMul', [flat, 'w']);
    const [shape] = b.node('Shape', ['x']);
    const [lead] = b.node('Slice', [shape, 's0', 's2']);
    const [back] = b.node('Concat', [lead, 'three'], { axis: 0 });
    b.node('Reshape', [prod, back], {}, { outputs: ['y'] });
    b.node('Relu', [b.node('Flatten', ['x'], { axis: 1 })[0]], {}, { outputs: ['f'] });
    // [batch, seq*8] again, from a shape value: Gather(Shape(x), 1) * 8
    b.initializer('at0', tensorFrom('int64', [], [0n]));
    b.initializer('at1', tensorFrom('int64', [], [1n]));
    const [seq] = b.node('Gather', [shape, 'at1'], { axis: 0 });
    const [seq8] = b.node('Mul', [seq, 'eight']);
    const [batch] = b.node('Gather', [shape, 'at0'], { axis: 0 });
    const [target] = b.node('Concat', [b.node('Unsqueeze', [batch, 's0'])[0], b.node('Unsqueeze', [seq8, 's0'])[0]], { axis: 0 });
    b.node('Neg', [b.node('Reshape', ['x', target])[0]], {}, { outputs: ['g'] });
    b.output('y', 'float32', ['batch', 'seq', 3]);
    b.output('f', 'float32', ['batch', 'n']);
    b.output('g', 'float32', ['batch', 'n']);
    fs.writeFileSync(m, b.encode());
    await matchesOrt(m, { batch: '1..4', seq: '1..16' }, [[1, 1, 8], [3, 5, 8], [4, 16, 8]], 11, 1e-6);
  }, 60_000);
});

describe('reductions over bounded dims', () => {
  it('a decomposed LayerNorm (ReduceMean over the last axis), mean pooling and ArgMax over seq (C and WASM)', async () => {
    const d = tmpDir('onnxc-bounded-reduce-'), m = path.join(d, 'reduce.onnx'), r = seededRandom(8);
    const b = new ModelBuilder(17);
    b.input('x', 'float32', [1, 'seq', 16]);
    b.initializer('two', tensorFrom('float32', [], [2]));
    b.initializer('eps', tensorFrom('float32', [], [1e-5]));
    const [mean] = b.node('ReduceMean', ['x'], { axes: [-1] });
    const [c] = b.node('Sub', ['x', mean]);
    const [v] = b.node('ReduceMean', [b.node('Pow', [c, 'two'])[0]], { axes: [-1] });
    const [y] = b.node('Div', [c, b.node('Sqrt', [b.node('Add', [v, 'eps'])[0]])[0]], {}, { outputs: ['y'] });
    b.node('ReduceMean', [y], { axes: [1], keepdims: 0 }, { outputs: ['pooled'] });
    b.node('ArgMax', ['x'], { axis: 1, keepdims: 0 }, { outputs: ['arg'] });
    b.output('y', 'float32', [1, 'seq', 16]);
    b.output('pooled', 'float32', [1, 16]);
    b.output('arg', 'int64', [1, 16]);
    fs.writeFileSync(m, b.encode());
    const sess = await ort.InferenceSession.create(m, { intraOpNumThreads: 1, logSeverityLevel: 3 });
    for (const target of ['c', 'wasm'] as const) {
      const res = compileFile(m, { target, name: 'red', dims: { seq: '1..12' }, verify: true });
      const runner = getRunner(target, res.cpu), handle = await runner.build(res, path.join(d, target));
      for (const len of [1, 7, 12]) {
        const x = tensorFrom('float32', [1, len, 16], Array.from({ length: len * 16 }, () => r() * 4 - 2)), f = path.join(d, `x${len}.pb`);
        fs.writeFileSync(f, encodeTensor(x, 'x'));
        const got = await runner.run(handle, [f], path.join(d, `${target}_out${len}`), 3);
        const ref = await sess.run({ x: new ort.Tensor('float32', x.data as Float32Array, x.shape) });
        ['y', 'pooled', 'arg'].forEach((name, i) => {
          expect(got[i].shape, `${target} ${name} at ${len}`).toEqual([...ref[name].dims]);
          const want = Array.from(ref[name].data as ArrayLike<number | bigint>, Number);
          expect(maxError(toNumbers(got[i]), want), `${target} ${name} at ${len}`).toBeLessThan(1e-5);
        });
      }
    }
  }, 120_000);
});

const haveCc = spawnSync('cc', ['--version']).status === 0;

describe.skipIf(!haveCc)('the C ABI of bounded dims', () => {
  it('NAME_run_shaped checks every dim before running; NAME_run runs at the bounds', () => {
    const d = tmpDir('onnxc-bounded-abi-'), m = path.join(d, 'two.onnx');
    const b = new ModelBuilder(17);
    b.input('x', 'float32', ['seq', 4]);
    b.input('w', 'float32', ['seq', 4]);
    b.node('Add', ['x', 'w'], {}, { outputs: ['y'] });
    b.output('y', 'float32', ['seq', 4]);
    fs.writeFileSync(m, b.encode());
    const res = compileFile(m, { target: 'c', name: 'two', dims: { seq: '2..8' } });
    for (const [f, data] of Object.entries(res.files)) fs.writeFileSync(path.join(d, f), data);
    fs.writeFileSync(path.join(d, 'main.c'), `#include <stdio.h>
#include <stdlib.h>
#include "two.h"
static float x[32], w[32], y[32];
static int shaped(int64_t a, int64_t b, int64_t cols, void *arena) {
  const int64_t xd[2] = {a, cols}, wd[2] = {b, 4};
  const int64_t *dims[2] = {xd, wd};
  const void *in[2] = {x, w};
  void *out[1] = {y};
  return two_run_shaped(in, dims, out, arena);
}
int main(void) {
  int64_t dims[2];
  int k;
  void *arena = aligned_alloc(ONNXC_ARENA_ALIGN, two_ARENA_SIZE ? two_ARENA_SIZE : ONNXC_ARENA_ALIGN);
  const int64_t *none[2] = {NULL, NULL};
  const void *in[2] = {x, w};
  void *out[1] = {y};
  for (k = 0; k < 32; k++) { x[k] = (float)k; w[k] = 100.0f; y[k] = -1.0f; }
  printf("ok %d", shaped(3, 3, 4, arena));
  two_output_shape(arena, 0, dims);
  printf(" %lld %lld %g %g\\n", (long long)dims[0], (long long)dims[1], y[11], y[12]);
  printf("low %d high %d differ %d static %d null %d\\n", shaped(1, 1, 4, arena), shaped(9, 9, 4, arena),
         shaped(3, 4, 4, arena), shaped(3, 3, 5, arena), two_run_shaped(in, none, out, arena));
  printf("run %d", two_run(in, out, arena));
  two_output_shape(arena, 0, dims);
  printf(" %lld %g %d\\n", (long long)dims[0], y[31], two_model.run_shaped == two_run_shaped);
  free(arena);
  return 0;
}
`);
    const cc = spawnSync('cc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-I', d, '-o', path.join(d, 'a.out'), path.join(d, 'main.c'), path.join(d, 'two.c'), '-lm'], { encoding: 'utf8' });
    expect(cc.stderr).toBe('');
    const run = spawnSync(path.join(d, 'a.out'), { encoding: 'utf8' });
    expect(run.stdout).toBe('ok 0 3 4 111 -1\nlow 5 high 5 differ 5 static 5 null 1\nrun 0 8 131 1\n');
  });
});

describe.skipIf(!haveCc)('onnxc build with a bounded dim', () => {
  it('the program reads each input file\'s shape: length 37 runs, 129 is status 5', () => {
    const exe = path.join(dir, 'enc_cli');
    const b = cli(['build', file, '--dim', 'seq=1..128', '-o', exe]);
    expect(b.stderr).toBe('');
    fs.writeFileSync(path.join(dir, 'cli37.pb'), encodeTensor(input(37), 'x'));
    fs.writeFileSync(path.join(dir, 'cli129.pb'), encodeTensor(input(129), 'x'));
    const ok = spawnSync(exe, ['-i', path.join(dir, 'cli37.pb'), '-o', path.join(dir, 'cli_out')], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(readTensorFile(path.join(dir, 'cli_out', 'output_0.pb')).shape).toEqual([1, 37, D]);
    const bad = spawnSync(exe, ['-i', path.join(dir, 'cli129.pb'), '-o', path.join(dir, 'cli_bad')], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/status 5/);
  }, 120_000);
});

describe('where a bounded dim cannot go', () => {
  it('CUDA, HLS and Cortex-M refuse it at compile time, naming the dim', () => {
    for (const [target, cpu, name] of [['cuda', undefined, 'cuda'], ['hls', undefined, 'hls'], ['c', 'cortex-m4', 'cortex-m4']] as const)
      expect(() => compileFile(file, { target, cpu, dims: { seq: '1..128' } })).toThrow(`--dim seq=1..128: the ${name} target needs every dim known at compile time`);
  });

  it('ranges that make no sense are one error line', () => {
    for (const [dims, why] of [['5..2', 'the lower bound 5 is above the upper bound 2'], ['0..8', 'the lower bound must be at least 1'], ['1..x', 'expects a non-negative integer']]) {
      const r = cli(['compile', file, '--dim', `seq=${dims}`, '-o', path.join(dir, 'bad')]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toBe(`error: --dim seq=${dims}: ${why}${why.startsWith('expects') ? ' or a range LO..HI of them' : ''}\n`);
    }
  });

  it('a dim that is no product of run-time dims is refused naming the node and the dim', () => {
    // [1, seq, 4] → [-1, 3]: the hole would be 4*seq/3
    const m = path.join(dir, 'third.onnx');
    const b = new ModelBuilder(17);
    b.input('x', 'float32', [1, 'seq', 4]);
    b.initializer('shape', tensorFrom('int64', [2], [-1n, 3n]));
    b.node('Reshape', ['x', 'shape'], {}, { outputs: ['y'], name: 'thirds' });
    b.output('y', 'float32', ['n', 3]);
    fs.writeFileSync(m, b.encode());
    expect(() => compileFile(m, { target: 'c', dims: { seq: '1..8' } })).toThrow("node 'thirds' (Reshape): 'y' would have dimension 'prod(4,seq)/3', computed from run-time dimension 'seq'; onnxc takes run-time dimensions only where they stay whole dims");
  });
});

describe('inspect keeps bounded dims symbolic', () => {
  it('shows seq=1..128 on the input and the values that carry it; unbound, seq stays symbolic', () => {
    const r = cli(['inspect', file, '--dim', 'seq=1..128']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/input\s+x\s+float32\[1,seq=1\.\.128,64\]/);
    expect(r.stdout).toMatch(/float32\s+\[1, 4, seq=1\.\.128, 16\]/);
    // unbound, seq stays symbolic through the Reshapes (shape values); the plan says how to bind it
    const u = cli(['inspect', file]);
    expect(u.stdout).toMatch(/reshape\d+\s+float32\s+\[1, seq, 4, 16\]/);
    expect(u.stdout).toMatch(/y\s+float32\s+\[1, seq, 64\]/);
    expect(u.stdout).toContain("arena: not planned (input 'x' has symbolic dimension 'seq'; bind it with --dim seq=VALUE (or a range: --dim seq=LO..HI))");
  }, 60_000);
});
