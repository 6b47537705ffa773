// Sequences of known length (ir/sequences.ts): expanded into tensor nodes during inference,
// checked by folding a whole sequence pipeline to values, and by the program's inputs and
// outputs (one per element) and errors where a length or position is not known.
import { describe, expect, it } from 'vitest';
import { ModelBuilder } from '../dist/src/onnx/build.js';
import { importModel } from '../dist/src/onnx/importModel.js';
import { compileModel } from '../dist/src/api.js';
import { inferShapes } from '../dist/passes/inferShapes.js';
import { evaluateNode } from '../dist/codegen/js/evaluate.js';
import { tensorFrom, toNumbers } from '../dist/ir/tensor.js';

/** x[4,3] → rows → drop the last → insert y first → (stacked, length, element 1, the list). */
function pipeline(): Uint8Array {
  const b = new ModelBuilder(17);
  b.input('x', 'float32', [4, 3]);
  b.initializer('y', tensorFrom('float32', [3], [-1, -2, -3]));
  b.initializer('last', tensorFrom('int64', [], [-1n]));
  b.initializer('zero', tensorFrom('int64', [], [0n]));
  b.initializer('one', tensorFrom('int64', [], [1n]));
  b.node('SplitToSequence', ['x'], { axis: 0, keepdims: 0 }, { outputs: ['rows'] });
  b.node('SequenceErase', ['rows', 'last'], {}, { outputs: ['three'] });
  b.node('SequenceInsert', ['three', 'y', 'zero'], {}, { outputs: ['four'] });
  b.node('ConcatFromSequence', ['four'], { axis: 0, new_axis: 1 }, { outputs: ['stacked'] });
  b.node('SequenceLength', ['four'], {}, { outputs: ['len'] });
  b.node('SequenceAt', ['four', 'one'], {}, { outputs: ['at1'] });
  for (const o of ['stacked', 'len', 'at1', 'four']) b.output(o);
  return b.encode();
}

describe('sequences of known length', () => {
  it('fold through SplitToSequence, Erase, Insert, ConcatFromSequence, Length, At', () => {
    const m = importModel(pipeline(), 'seq.onnx');
    const x = m.graph.inputs[0];
    x.const = tensorFrom('float32', [4, 3], Array.from({ length: 12 }, (_, i) => i));
    inferShapes(m, evaluateNode);
    const [stacked, len, at1, ...elems] = m.graph.outputs;
    expect(m.outputCounts).toEqual([null, null, null, 4]);
    expect(stacked.type!.shape).toEqual([4, 3]);
    expect(toNumbers(stacked.const!)).toEqual([-1, -2, -3, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(toNumbers(len.const!)).toEqual([4]);
    expect(len.type).toEqual({ dtype: 'int64', shape: [] });
    expect(toNumbers(at1.const!)).toEqual([0, 1, 2]);
    expect(elems.map((e) => e.name)).toEqual(['four_0', 'four_1', 'four_2', 'four_3']);
    expect(elems.map((e) => toNumbers(e.const!))).toEqual([[-1, -2, -3], [0, 1, 2], [3, 4, 5], [6, 7, 8]]);
  });

  it('compiles with one program output per element, no sequence op left', () => {
    const c = compileModel(importModel(pipeline(), 'seq.onnx'), { target: 'c' });
    expect(c.program.outputs.map((o) => `${o.name}[${o.shape}]`)).toEqual(['stacked[4,3]', 'len[]', 'at1[3]', 'four_0[3]', 'four_1[3]', 'four_2[3]', 'four_3[3]']);
    expect(c.model.graph.nodes.map((n) => n.op).filter((op) => op.startsWith('Sequence'))).toEqual([]);
  });

  it('binds a sequence input as one input per element', () => {
    const b = new ModelBuilder(17);
    b.sequenceInput('s', 'float32');
    b.node('ConcatFromSequence', ['s'], { axis: 0 }, { outputs: ['y'] });
    b.output('y');
    expect(() => compileModel(importModel(b.encode(), 'in.onnx'), { target: 'c' })).toThrow(/input 's' is a sequence: onnxc needs its length and element shapes/);
    const c = compileModel(importModel(b.encode(), 'in.onnx'), { target: 'c', sequences: { s: [{ dtype: 'float32', shape: [2] }, { dtype: 'float32', shape: [3] }] } });
    expect(c.program.inputs.map((i) => `${i.name}[${i.shape}]`)).toEqual(['s_0[2]', 's_1[3]']);
    expect(c.program.outputs[0].shape).toEqual([5]);
  });

  it('names the node whose position is not known', () => {
    const b = new ModelBuilder(17);
    b.input('x', 'float32', [2]);
    b.input('p', 'int64', []);
    b.node('SequenceConstruct', ['x', 'x'], {}, { outputs: ['s'] });
    b.node('SequenceAt', ['s', 'p'], {}, { outputs: ['y'], name: 'pick' });
    b.output('y');
    expect(() => compileModel(importModel(b.encode(), 'at.onnx'), { target: 'c' })).toThrow(/^node 'pick' \(SequenceAt\): the position must be known at compile time/);
    const c = compileModel(importModel(b.encode(), 'at.onnx'), { target: 'c', consts: { p: [1] } });
    expect(c.program.outputs[0].shape).toEqual([2]);
  });
});
