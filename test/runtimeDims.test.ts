// Run-time dims (ir/rtdims.ts): graphs whose shapes depend on the data (NonZero, Compress with
// a run-time condition, an SSD-style TopK → NonMaxSuppression → Gather) compiled to C and WASM
// and compared with onnxruntime-node on seeded inputs, shapes first; the C ABI's shape report
// (NAME_output_shape) driven from a C program; the errors where a run-time dim cannot go.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile } from '../dist/src/api.js';
import { seededRandom } from '../dist/src/onnx/build.js';
import { compareTensors } from '../dist/src/testing/compare.js';
import { tensorFrom, toNumbers } from '../dist/ir/tensor.js';
import { tmpDir } from './helpers.js';
import { agree, model, range } from './rtHelpers.js';

describe('run-time dims against onnxruntime (C and WASM)', () => {
  it('NonZero → Transpose → Gather, and Cast → Add on the indices', async () => {
    const file = model(tmpDir('onnxc-rt-'), (b) => {
      b.input('x', 'float32', [4, 5]);
      b.initializer('zero', tensorFrom('int64', [], [0n]));
      b.initializer('bias', tensorFrom('float32', [2], [0.5, -1]));
      const [nz] = b.node('NonZero', ['x']);
      const [t] = b.node('Transpose', [nz], { perm: [1, 0] });
      const [row] = b.node('Gather', [t, 'zero'], { axis: 1 });
      b.node('Gather', ['x', row], { axis: 0 }, { outputs: ['rows'] });
      const [f] = b.node('Cast', [t], { to: 1 });
      b.node('Add', [f, 'bias'], {}, { outputs: ['shifted'] });
      b.initializer('s0', tensorFrom('int64', [1], [1n]));
      b.initializer('s1', tensorFrom('int64', [1], [2n]));
      b.initializer('ax', tensorFrom('int64', [1], [1n]));
      b.node('Slice', [t, 's0', 's1', 'ax'], {}, { outputs: ['cols'] });
      b.output('rows', 'float32', ['n', 5]);
      b.output('shifted', 'float32', ['n', 2]);
      b.output('cols', 'int64', ['n', 1]);
    });
    const r = seededRandom(7);
    const x = tensorFrom('float32', [4, 5], range(20, () => (r() < 0.6 ? 0 : Math.round(r() * 10) - 5 || 1)));
    const [rows] = await agree(file, [['x', x]], ['rows', 'shifted', 'cols']);
    expect(rows.shape[0]).toBe(toNumbers(x).filter((v) => v !== 0).length);
  });

  it('Compress with a run-time condition → Add, including an empty selection', async () => {
    const file = model(tmpDir('onnxc-rt-'), (b) => {
      b.input('x', 'float32', [6, 3]);
      b.input('keep', 'bool', [6]);
      b.initializer('bias', tensorFrom('float32', [3], [1, 2, 3]));
      const [c] = b.node('Compress', ['x', 'keep'], { axis: 0 });
      b.node('Add', [c, 'bias'], {}, { outputs: ['y'] });
      b.output('y', 'float32', ['m', 3]);
    });
    const x = tensorFrom('float32', [6, 3], range(18, (i) => i * 0.25 - 2));
    const [y] = await agree(file, [['x', x], ['keep', tensorFrom('bool', [6], [1, 0, 0, 1, 1, 0])]], ['y']);
    expect(y.shape).toEqual([3, 3]);
    const [none] = await agree(file, [['x', x], ['keep', tensorFrom('bool', [6], [0, 0, 0, 0, 0, 0])]], ['y']);
    expect(none.shape).toEqual([0, 3]);
  });

  it('SSD-style post-processing: TopK → NonMaxSuppression → Gather on seeded boxes', async () => {
    const N = 40, K = 24;
    const file = model(tmpDir('onnxc-rt-'), (b) => {
      b.input('boxes', 'float32', [1, N, 4]);
      b.input('scores', 'float32', [1, 1, N]);
      b.initializer('k', tensorFrom('int64', [1], [BigInt(K)]));
      b.initializer('flat', tensorFrom('int64', [1], [BigInt(K)]));
      b.initializer('boxes2d', tensorFrom('int64', [2], [BigInt(N), 4n]));
      b.initializer('maxOut', tensorFrom('int64', [1], [10n]));
      b.initializer('iou', tensorFrom('float32', [1], [0.4]));
      b.initializer('minScore', tensorFrom('float32', [1], [0.2]));
      b.initializer('two', tensorFrom('int64', [], [2n]));
      const [vals, idx] = b.node('TopK', ['scores', 'k'], { axis: -1 }, { outputs: 2 });
      const [idxFlat] = b.node('Reshape', [idx, 'flat']);
      const [valsFlat] = b.node('Reshape', [vals, 'flat']);
      const [bx] = b.node('Reshape', ['boxes', 'boxes2d']);
      const [topBoxes] = b.node('Gather', [bx, idxFlat], { axis: 0 });
      const [topBoxes3] = b.node('Unsqueeze', [topBoxes], { axes: [0] }, {});
      const [sel] = b.node('NonMaxSuppression', [topBoxes3, vals, 'maxOut', 'iou', 'minScore'], {}, { outputs: ['selected'] });
      const [which] = b.node('Gather', [sel, 'two'], { axis: 1 });
      b.node('Gather', [valsFlat, which], { axis: 0 }, { outputs: ['det_scores'] });
      b.node('Gather', [topBoxes, which], { axis: 0 }, { outputs: ['det_boxes'] });
      b.output('selected', 'int64', ['m', 3]);
      b.output('det_scores', 'float32', ['m']);
      b.output('det_boxes', 'float32', ['m', 4]);
    }, 11);
    for (const seed of [1, 2, 3]) {
      const r = seededRandom(seed);
      const boxes = tensorFrom('float32', [1, N, 4], range(N).flatMap(() => {
        const y = r() * 0.8, x = r() * 0.8, h = 0.05 + r() * 0.3, w = 0.05 + r() * 0.3;
        return [y, x, y + h, x + w];
      }));
      const scores = tensorFrom('float32', [1, 1, N], range(N, () => r()));
      const [sel] = await agree(file, [['boxes', boxes], ['scores', scores]], ['selected', 'det_scores', 'det_boxes']);
      expect(sel.shape[0]).toBeGreaterThan(0);
      expect(sel.shape[0]).toBeLessThanOrEqual(10);
    }
  });
});

const haveCc = spawnSync('cc', ['--version']).status === 0;

describe.skipIf(!haveCc)('the C ABI reports actual output shapes', () => {
  it('NAME_output_shape after NAME_run, NAME_model.output_shape, and a bad index', () => {
    const dir = tmpDir('onnxc-rt-abi-');
    const file = model(dir, (b) => {
      b.input('x', 'float32', [2, 3]);
      b.node('NonZero', ['x'], {}, { outputs: ['nz'] });
      b.node('Relu', ['x'], {}, { outputs: ['r'] });
      b.output('nz', 'int64', [2, 'n']);
      b.output('r', 'float32', [2, 3]);
    });
    const res = compileFile(file, { target: 'c', name: 'nzm' });
    const h = res.files['nzm.h'] as string;
    expect(h).toMatch(/int nzm_output_shape\(const void \*arena, int32_t output, int64_t \*dims\);/);
    expect(h).toMatch(/output 0: nz int64\[2x<=6\]/);
    for (const [f, data] of Object.entries(res.files)) fs.writeFileSync(path.join(dir, f), data);
    fs.writeFileSync(path.join(dir, 'main.c'), `#include <stdio.h>
#include <stdlib.h>
#include "nzm.h"
int main(void) {
  static const float x[6] = {0, 1.5f, 0, -2, 0, 3};
  int64_t nz[2 * 6], dims[2];
  float r[6];
  const void *in[1] = {x};
  void *out[2] = {nz, r};
  void *arena = aligned_alloc(ONNXC_ARENA_ALIGN, nzm_ARENA_SIZE ? nzm_ARENA_SIZE : ONNXC_ARENA_ALIGN);
  int k, st = nzm_run(in, out, arena);
  if (st) return 10 + st;
  if (nzm_model.output_shape != nzm_output_shape) return 20;
  for (k = 0; k < 2; k++) {
    if (nzm_output_shape(arena, k, dims)) return 30;
    printf("%lld %lld\\n", (long long)dims[0], (long long)dims[1]);
  }
  for (k = 0; k < 2 * (int)dims[1] && k < 12; k++) printf("%lld ", (long long)nz[k]);
  printf("\\nbad %d\\n", nzm_output_shape(arena, 2, dims));
  free(arena);
  return 0;
}
`);
    const cc = spawnSync('cc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-I', dir, '-o', path.join(dir, 'a.out'), path.join(dir, 'main.c'), path.join(dir, 'nzm.c'), '-lm'], { encoding: 'utf8' });
    expect(cc.stderr).toBe('');
    const run = spawnSync(path.join(dir, 'a.out'), { encoding: 'utf8' });
    expect(run.status).toBe(0);
    // x = [[0, 1.5, 0], [-2, 0, 3]]: nonzero at (0,1), (1,0), (1,2): a [2, 3] output, row stride 3
    expect(run.stdout).toBe('2 3\n2 3\n0 1 1 1 0 2 \nbad 4\n');
  });

  it('a static model keeps its ABI: no NAME_output_shape, NULL output_shape and run_shaped in its descriptor', () => {
    const dir = tmpDir('onnxc-rt-abi-');
    const file = model(dir, (b) => { b.input('x', 'float32', [2]); b.node('Relu', ['x'], {}, { outputs: ['y'] }); b.output('y', 'float32', [2]); });
    const res = compileFile(file, { target: 'c', name: 'st' });
    expect(res.files['st.h'] as string).not.toMatch(/output_shape/);
    expect(res.files['st.c'] as string).toMatch(/st_run, NULL, NULL\n\};/);
  });
});

describe('where a run-time dim cannot go', () => {
  const nonzeroInto = (op: string, attrs: Record<string, number | number[]> = {}) => model(tmpDir('onnxc-rt-err-'), (b) => {
    b.input('x', 'float32', [3, 4]);
    const [nz] = b.node('NonZero', ['x'], {}, { name: 'nz', outputs: ['nz_0'] });
    b.node(op, [nz], attrs, { outputs: ['y'], name: 'consumer' });
    b.output('y');
  });

  it('an op without run-time dims is refused with one line naming the node and the dim', () => {
    const file = nonzeroInto('Trilu');
    expect(() => compileFile(file, { target: 'c' })).toThrow(/^node 'consumer' \(Trilu\): 'nz_0' has run-time dimension 'nz_0\.n' \(at most 12\), which Trilu cannot take/);
  });

  it('CUDA and HLS refuse them at compile time, naming the node that makes the dim', () => {
    const file = nonzeroInto('Neg');
    for (const target of ['cuda', 'hls'] as const)
      expect(() => compileFile(file, { target })).toThrow(new RegExp(`^node 'nz' \\(NonZero\\): dimension 'nz_0\\.n' is known only at run time \\(at most 12\\); the ${target} target needs every shape at compile time$`));
  });

  it('the test harness fails a program that reports the bound instead of the actual shape', () => {
    const actual = tensorFrom('int64', [2, 3], range(6)), bound = tensorFrom('int64', [2, 6], range(12));
    expect(compareTensors(bound, actual)).toMatch(/shape/);
  });
});

