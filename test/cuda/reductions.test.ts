// Reductions, softmax and normalizations on --target cuda: passes/cooperateRows gives a long row
// a block of threads (strided partials, a shared-memory tree with barriers), short rows stay one
// thread per row. Each model is compiled with the verifier on, its kernels' form is checked, and
// it runs in the host emulation (or on a GPU) a few times, since a missing barrier is a race,
// against the reference evaluator: floats within the conformance tolerance, integers exactly.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../dist/src/api.js';
import { ModelBuilder } from '../../dist/src/onnx/build.js';
import { importModel } from '../../dist/src/onnx/importModel.js';
import { encodeTensor } from '../../dist/src/onnx/tensorProto.js';
import { evaluateModel } from '../../dist/codegen/js/evaluateModel.js';
import { getRunner } from '../../dist/src/runners/index.js';
import { tensorFrom, toNumbers } from '../../dist/ir/tensor.js';
import type { DType } from '../../dist/ir/dtype.js';
import { tmpDir } from '../helpers.js';

const gxx = spawnSync(process.env.CXX || 'g++', ['--version']).status === 0;
const RUNS = 3;

/** Deterministic values in [lo, hi). */
function values(n: number, lo: number, hi: number, seed = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  });
}

interface Case {
  name: string;
  shape: number[];
  dtype?: DType;
  data: number[];
  build: (b: InstanceType<typeof ModelBuilder>) => void;
  outShape: number[];
  /** Whether the reducing kernel is cooperative (a block per row, barriers, shared arrays). */
  cooperative: boolean;
}

const reduce = (op: string, axes: number[] | null, keepdims: number, dtype: DType, out: number[]) => (b: InstanceType<typeof ModelBuilder>) => {
  const ins = ['x'];
  if (axes) ins.push(b.initializer('axes', tensorFrom('int64', [axes.length], axes.map(BigInt))));
  b.node(op, ins, { keepdims }, { outputs: ['y'] });
  b.output('y', dtype, out);
};

const nanRow = values(6 * 300, -50, 50, 7);
nanRow[3 * 300 + 123] = NaN;
nanRow[5 * 300 + 7] = -Infinity;

const cases: Case[] = [
  { name: 'ReduceSum over 4096-long rows', shape: [3, 4096], data: values(3 * 4096, 0, 1), outShape: [3],
    build: reduce('ReduceSum', [1], 0, 'float32', [3]), cooperative: true },
  { name: 'ReduceMax over 300-long rows (NaN and -inf kept)', shape: [6, 300], data: nanRow, outShape: [6, 1],
    build: reduce('ReduceMax', [1], 1, 'float32', [6, 1]), cooperative: true },
  { name: 'ReduceMax over 8-long rows (one thread per row)', shape: [64, 8], data: values(512, -5, 5, 3), outShape: [64],
    build: reduce('ReduceMax', [1], 0, 'float32', [64]), cooperative: false },
  { name: 'ReduceSum to a scalar', shape: [64, 300], data: values(64 * 300, 0, 1, 5), outShape: [],
    build: reduce('ReduceSum', null, 0, 'float32', []), cooperative: true },
  { name: 'ReduceSum of int32 over 1000-long rows (exact)', shape: [3, 1000], dtype: 'int32', data: values(3000, -1e6, 1e6, 9).map(Math.round), outShape: [3],
    build: reduce('ReduceSum', [1], 0, 'int32', [3]), cooperative: true },
  { name: 'ReduceMin of int32 over 200-long rows (exact)', shape: [3, 200], dtype: 'int32', data: values(600, -1e9, 1e9, 11).map(Math.round), outShape: [3],
    build: reduce('ReduceMin', [1], 0, 'int32', [3]), cooperative: true },
  { name: 'Softmax over 1000-wide rows', shape: [3, 1000], data: values(3000, -8, 8, 13), outShape: [3, 1000],
    build: (b) => { b.node('Softmax', ['x'], { axis: -1 }, { outputs: ['y'] }); b.output('y', 'float32', [3, 1000]); }, cooperative: true },
  { name: 'LayerNormalization over 500-wide rows', shape: [3, 500], data: values(3 * 500, -3, 5, 17), outShape: [3, 500],
    build: (b) => {
      b.initializer('w', tensorFrom('float32', [500], values(500, 0.5, 1.5, 19)));
      b.initializer('bias', tensorFrom('float32', [500], values(500, -1, 1, 23)));
      b.node('LayerNormalization', ['x', 'w', 'bias'], { axis: -1, epsilon: 1e-5 }, { outputs: ['y'] });
      b.output('y', 'float32', [3, 500]);
    }, cooperative: true },
];

describe.skipIf(!gxx)('cuda reductions (cooperateRows)', () => {
  it.each(cases)('$name', async (c) => {
    const make = () => {
      const b = new ModelBuilder(18);
      b.input('x', c.dtype ?? 'float32', c.shape);
      c.build(b);
      return importModel(b.encode(), 'case.onnx');
    };
    const x = tensorFrom(c.dtype ?? 'float32', c.shape, c.data);
    const r = compileModel(make(), { target: 'cuda', name: 'm', verify: true });
    const ks = r.program.steps.map((s) => s.kernel);
    const coop = ks.filter((k) => k.launch?.barrier);
    if (c.cooperative) {
      expect(coop.length).toBe(1);
      expect(coop[0].shared?.length).toBeGreaterThan(0);
      expect(coop[0].shared!.every((b) => b.space === 'shared')).toBe(true);
      expect(coop[0].launch!.threads[0]).toBeGreaterThanOrEqual(64);
      expect(r.files['m.cu']).toContain('__syncthreads();');
    } else expect(coop).toEqual([]);

    const [want] = evaluateModel(make(), [x]);
    const dir = tmpDir('onnxc-cuda-red-'), input = path.join(dir, 'x.pb');
    fs.writeFileSync(input, encodeTensor(x, 'x'));
    const runner = getRunner('cuda'), exe = await runner.build(r, path.join(dir, 'build'));
    const ref = toNumbers(want);
    for (let run = 0; run < RUNS; run++) {
      const [got] = await runner.run(exe, [input], path.join(dir, `out${run}`), 1);
      expect(got.shape).toEqual(c.outShape);
      const g = toNumbers(got);
      if (c.dtype === 'int32') expect(g).toEqual(ref);
      else g.forEach((v, i) => {
        if (Number.isNaN(ref[i]) || !Number.isFinite(ref[i])) expect(v).toBe(ref[i]);
        else expect(Math.abs(v - ref[i]), `element ${i}: ${v} vs ${ref[i]}`).toBeLessThanOrEqual(1e-7 + 1e-3 * Math.abs(ref[i]));
      });
    }
  }, 60_000);
});
