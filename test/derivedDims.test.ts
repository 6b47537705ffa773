// Derived run-time dims (ir/rtdims.ts derivedDim): dims that are the minimum or the sum of other
// dims, at least one known only at run time. The patterns of a torchvision detector's
// post-processing, small: TopK with K = min(count, 5) computed from a Shape, a Concat along a
// run-time axis, a Slice of a run-time axis, an If whose branches give different shapes
// (passes/guardBranches.ts), and NonMaxSuppression over a run-time number of boxes. C and WASM
// against onnxruntime-node, shapes first, at counts of 0, a few and all.
import { describe, expect, it } from 'vitest';
import { compileFile } from '../dist/src/api.js';
import { ModelBuilder } from '../dist/src/onnx/build.js';
import { tensorFrom } from '../dist/ir/tensor.js';
import { tmpDir } from './helpers.js';
import { agree, model, range } from './rtHelpers.js';

const i64 = (...v: number[]) => tensorFrom('int64', [v.length], v.map(BigInt));

/** x [12] → the positives (Compress: n of them) → TopK of the min(n, 5) largest; the values
 * after the positives (Concat: min(n,5) + n), the first 7 of that (Slice: min(7, …)). */
const topFile = model(tmpDir('onnxc-derived-'), (b) => {
  b.input('x', 'float32', [12]);
  b.initializer('zero', tensorFrom('float32', [], [0]));
  b.initializer('five', i64(5));
  b.initializer('one', i64(1));
  b.initializer('s0', i64(0));
  b.initializer('e7', i64(7));
  const [pos] = b.node('Greater', ['x', 'zero']);
  const [kept] = b.node('Compress', ['x', pos], { axis: 0 });
  const [shape] = b.node('Shape', [kept]);
  const [both] = b.node('Concat', ['five', shape], { axis: 0 });
  const [k] = b.node('ReduceMin', [both], { keepdims: 0 });
  const [k1] = b.node('Reshape', [k, 'one']);
  const [vals, idx] = b.node('TopK', [kept, k1], { axis: 0 }, { outputs: ['top', 'top_idx'] });
  b.node('Concat', [vals, kept], { axis: 0 }, { outputs: ['joined'] });
  b.node('Slice', ['joined', 's0', 'e7'], {}, { outputs: ['first7'] });
  // from a start: [2:] and [1:-1] of the positives (span(n, 2, end), span(n, 1, -1))
  b.initializer('s1', i64(1));
  b.initializer('s2', i64(2));
  b.initializer('last', i64(-1));
  b.initializer('big', tensorFrom('int64', [1], [9223372036854775807n]));
  b.node('Slice', [kept, 's2', 'big'], {}, { outputs: ['from2'] });
  b.node('Slice', [kept, 's1', 'last'], {}, { outputs: ['inner'] });
  for (const o of ['top', 'top_idx', 'joined', 'first7', 'from2', 'inner']) b.output(o);
  void idx;
});

describe('derived run-time dims against onnxruntime (C and WASM)', () => {
  it('TopK with K = min(count, 5), Concat along the run-time axis, Slices of it: the first 7, [2:], [1:-1]', async () => {
    const cases = [
      range(12, (i) => (i % 3 === 0 ? 0.5 + i : -1)), // 4 positives: K = 4
      range(12, (i) => (i === 5 ? 2 : -1)), // one: [2:] and [1:-1] empty
      range(12, (i) => ((i * 7) % 12) - 2.5), // 9 positives: K = 5
      range(12, () => -1), // none: every output empty
    ];
    for (const xs of cases) {
      const [top, , joined, first7, from2, inner] = await agree(topFile, [['x', tensorFrom('float32', [12], xs)]], ['top', 'top_idx', 'joined', 'first7', 'from2', 'inner']);
      const n = xs.filter((v) => v > 0).length;
      expect(from2.shape).toEqual([Math.max(0, n - 2)]);
      expect(inner.shape).toEqual([Math.max(0, n - 2)]);
      expect(top.shape).toEqual([Math.min(n, 5)]);
      expect(joined.shape).toEqual([Math.min(n, 5) + n]);
      expect(first7.shape).toEqual([Math.min(7, Math.min(n, 5) + n)]);
    }
  });

  it('an If on a run-time condition whose branches differ in shape, around NonMaxSuppression', async () => {
    // if no box scores above 0: an empty selection, else NMS over the boxes that do
    const file = model(tmpDir('onnxc-derived-'), (b) => {
      b.input('dets', 'float32', [8, 5]); // a box and its score per row
      b.initializer('zero', tensorFrom('float32', [], [0]));
      b.initializer('ax0', i64(0));
      b.initializer('four', tensorFrom('int64', [], [4n]));
      b.initializer('s0', i64(0));
      b.initializer('e4', i64(4));
      b.initializer('ax1', i64(1));
      b.initializer('maxOut', tensorFrom('int64', [1], [9223372036854775807n]));
      b.initializer('iou', tensorFrom('float32', [1], [0.5]));
      b.initializer('two', tensorFrom('int64', [], [2n]));
      b.initializer('none', tensorFrom('int64', [0], []));
      b.initializer('zero_i', tensorFrom('int64', [], [0n]));
      const [score] = b.node('Gather', ['dets', 'four'], { axis: 1 });
      const [pos] = b.node('Greater', [score, 'zero']);
      const [kept] = b.node('Compress', ['dets', pos], { axis: 0 });
      const [bx] = b.node('Slice', [kept, 's0', 'e4', 'ax1']);
      const [sc] = b.node('Gather', [kept, 'four'], { axis: 1 });
      const [cnt] = b.node('Size', [sc]);
      const [empty] = b.node('Equal', [cnt, 'zero_i']);
      const els = new ModelBuilder(13, 'else');
      const [bx3] = els.node('Unsqueeze', [bx, 'ax0']);
      const [sc2] = els.node('Unsqueeze', [sc, 'ax0']);
      const [sc3] = els.node('Unsqueeze', [sc2, 'ax0']);
      const [sel] = els.node('NonMaxSuppression', [bx3, sc3, 'maxOut', 'iou']);
      els.node('Gather', [sel, 'two'], { axis: 1 }, { outputs: ['keep'] });
      els.output('keep');
      const thn = new ModelBuilder(13, 'then');
      thn.node('Identity', ['none'], {}, { outputs: ['nothing'] });
      thn.output('nothing');
      b.node('If', [empty], { then_branch: { graph: thn }, else_branch: { graph: els } }, { outputs: ['kept'] });
      b.output('kept');
    }, 13);
    for (const scores of [range(8, (i) => 0.9 - i * 0.1), range(8, (i) => (i % 2 ? 0.5 + i * 0.01 : -1)), range(8, () => -1)]) {
      const dets = tensorFrom('float32', [8, 5], range(8).flatMap((i) => [i * 0.1, i * 0.05, i * 0.1 + 0.3, i * 0.05 + 0.4, scores[i]]));
      const [kept] = await agree(file, [['dets', dets]], ['kept']);
      expect(kept.shape[0]).toBeLessThanOrEqual(scores.filter((s) => s > 0).length);
    }
    // a target without run-time dims names the input behind the condition (run/test then specialize)
    const err = (() => { try { compileFile(file, { target: 'hls' }); } catch (e) { return e as Error; } })();
    expect(err?.name).toBe('NeedsInputValues');
    expect(err?.message).toMatch(/the branches of its If differ in shape.*the hls target needs every shape at compile time.*--const dets=VALUE$/);
  });

  it('inspect and errors name a derived dim by its expression', () => {
    const res = compileFile(topFile, { target: 'c', name: 'top' });
    expect(res.program.outputs[0].dims?.[0]?.dimOf).toMatch(/^min\(5,.*\)<=5$/);
  });
});
