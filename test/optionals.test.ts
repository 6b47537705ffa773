// Optionals and control flow over sequences (ir/optionals.ts, ir/structuredControl.ts): presence
// known at compile time folds OptionalHasElement; SequenceMap takes one body per element; a Loop
// carrying a sequence is unrolled; an If yielding sequences keeps a run-time condition where both
// branches have one structure and asks for the condition's inputs where they do not. `onnxc run`
// reads and writes SequenceProto and OptionalProto files.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelBuilder } from '../dist/src/onnx/build.js';
import { importModel } from '../dist/src/onnx/importModel.js';
import { compileModel } from '../dist/src/api.js';
import { NeedsInputValues } from '../dist/ir/errors.js';
import { tensorFrom, toNumbers } from '../dist/ir/tensor.js';
import { encodeValue, parseValue } from '../dist/src/onnx/valueProto.js';
import { main } from '../dist/src/cli.js';
import { tmpDir } from './helpers.js';

const f32 = (shape: number[]) => ({ dtype: 'float32' as const, shape });
const constOut = (c: ReturnType<typeof compileModel>, i: number) => c.model.graph.outputs[i].const;

/** has = OptionalHasElement(o), x = OptionalGetElement(o), none = OptionalHasElement(Optional()). */
function optionalModel(): Uint8Array {
  const b = new ModelBuilder(18);
  b.optionalInput('o', 'float32');
  b.node('OptionalHasElement', ['o'], {}, { outputs: ['has'] });
  b.node('Optional', [], {}, { outputs: ['empty'] });
  b.node('OptionalHasElement', ['empty'], {}, { outputs: ['none'] });
  b.output('has');
  b.output('none');
  return b.encode();
}

describe('optionals of known presence', () => {
  it('fold OptionalHasElement to a constant and bind a present optional as one input', () => {
    const c = compileModel(importModel(optionalModel(), 'opt.onnx'), { target: 'c', layouts: { o: { optional: { tensor: f32([2]) } } } });
    expect(toNumbers(constOut(c, 0)!)).toEqual([1]);
    expect(toNumbers(constOut(c, 1)!)).toEqual([0]);
    expect(c.program.inputs.map((i) => `${i.name}[${i.shape}]`)).toEqual(['o[2]']);
  });

  it('bind an empty optional as no input at all', () => {
    const c = compileModel(importModel(optionalModel(), 'opt.onnx'), { target: 'c', layouts: { o: { optional: null } } });
    expect(toNumbers(constOut(c, 0)!)).toEqual([0]);
    expect(c.program.inputs).toEqual([]);
  });

  it('ask for the presence of an optional input', () => {
    expect(() => compileModel(importModel(optionalModel(), 'opt.onnx'), { target: 'c' })).toThrow(/input 'o' is an optional: onnxc needs to know at compile time whether it holds a value/);
  });

  it('name the node reading an empty optional', () => {
    const b = new ModelBuilder(18);
    b.optionalInput('o', 'float32');
    b.node('OptionalGetElement', ['o'], {}, { outputs: ['x'], name: 'get' });
    b.output('x');
    expect(() => compileModel(importModel(b.encode(), 'get.onnx'), { target: 'c', layouts: { o: { optional: null } } }))
      .toThrow(/^node 'get' \(OptionalGetElement\): optional 'o' is empty/);
  });

  it('round-trip through OptionalProto and SequenceProto', () => {
    const t = tensorFrom('float32', [2], [1, 2]);
    for (const layout of [{ optional: null }, { optional: { tensor: f32([2]) } }, { optional: { sequence: [f32([2])] } }, { sequence: [f32([2]), f32([2])] }]) {
      const kind = 'sequence' in layout ? 'sequence' : 'optional';
      const tensors = 'sequence' in layout ? [t, t] : layout.optional ? [t] : [];
      const back = parseValue(encodeValue(layout as never, tensors, 'v'), kind, 'v.pb');
      expect(back.layout).toEqual(layout);
      expect(back.tensors.map((x) => toNumbers(x))).toEqual(tensors.map((x) => toNumbers(x)));
    }
  });
});

/** y = SequenceMap(s) with body x -> x + 1: elements of their own shapes. */
function sequenceMapModel(): Uint8Array {
  const body = new ModelBuilder(17, 'body');
  body.input('x', 'float32', ['n']);
  body.initializer('one', tensorFrom('float32', [], [1]));
  body.node('Add', ['x', 'one'], {}, { outputs: ['x1'] });
  body.output('x1', 'float32', ['n']);
  const b = new ModelBuilder(17);
  b.sequenceInput('s', 'float32');
  b.node('SequenceMap', ['s'], { body: { graph: body } }, { outputs: ['y'] });
  b.structuredOutput('y', 'sequence', 'float32');
  return b.encode();
}

describe('control flow over sequences', () => {
  it('SequenceMap applies its body once per element, each of its own shape', () => {
    const c = compileModel(importModel(sequenceMapModel(), 'map.onnx'), { target: 'c', sequences: { s: [f32([2]), f32([3])] } });
    expect(c.program.outputs.map((o) => `${o.name}[${o.shape}]`)).toEqual(['y_0[2]', 'y_1[3]']);
    expect(c.model.outputLayouts).toEqual([{ sequence: [f32([2]), f32([3])] }]);
    expect(c.model.graph.nodes.map((n) => n.op)).not.toContain('SequenceMap');
  });

  /** A Loop of `m` iterations inserting x[0:i+1] into a sequence that starts empty (ONNX's loop13_seq). */
  function loopModel(): Uint8Array {
    const body = new ModelBuilder(13, 'body');
    body.input('i', 'int64', []);
    body.input('c', 'bool', []);
    body.sequenceInput('seq_in', 'float32');
    body.initializer('x', tensorFrom('float32', [4], [1, 2, 3, 4]));
    body.initializer('zero', tensorFrom('int64', [1], [0n]));
    body.initializer('one', tensorFrom('int64', [], [1n]));
    body.initializer('axes', tensorFrom('int64', [1], [0n]));
    body.node('Identity', ['c'], {}, { outputs: ['c_out'] });
    body.node('Add', ['i', 'one'], {}, { outputs: ['end0'] });
    body.node('Unsqueeze', ['end0', 'axes'], {}, { outputs: ['end'] });
    body.node('Slice', ['x', 'zero', 'end'], {}, { outputs: ['part'] });
    body.node('SequenceInsert', ['seq_in', 'part'], {}, { outputs: ['seq_out'] });
    body.output('c_out', 'bool', []);
    body.structuredOutput('seq_out', 'sequence', 'float32');
    const b = new ModelBuilder(13);
    b.input('m', 'int64', []);
    b.node('SequenceEmpty', [], { dtype: 1 }, { outputs: ['empty'] });
    b.node('Loop', ['m', '', 'empty'], { body: { graph: body } }, { outputs: ['res'], name: 'loop' });
    b.structuredOutput('res', 'sequence', 'float32');
    return b.encode();
  }

  it('a Loop carrying a sequence is unrolled where its trip count is known', () => {
    const c = compileModel(importModel(loopModel(), 'loop.onnx'), { target: 'c', consts: { m: [3] } });
    expect(c.program.outputs.map((o) => `${o.name}[${o.shape}]`)).toEqual(['res_0[1]', 'res_1[2]', 'res_2[3]']);
    expect(c.model.graph.outputs.map((o) => toNumbers(o.const!))).toEqual([[1], [1, 2], [1, 2, 3]]);
  });

  it('names the trip count a Loop carrying a sequence needs', () => {
    let err: unknown;
    try { compileModel(importModel(loopModel(), 'loop.onnx'), { target: 'c' }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(NeedsInputValues);
    expect((err as Error).message).toMatch(/^node 'loop' \(Loop\): the trip count is not known at compile time, and it carries a sequence or optional, so onnxc unrolls it; it is computed from 'm'/);
    expect((err as NeedsInputValues).inputs).toEqual(['m']);
  });

  /** A Loop of `m` iterations adding x[i:i+1] to y and scanning y (ONNX's loop11): the Slice's
   * starts are the iteration number, so the body needs a value per iteration. */
  function sliceLoopModel(): Uint8Array {
    const body = new ModelBuilder(11, 'body');
    body.input('i', 'int64', []);
    body.input('c', 'bool', []);
    body.input('y_in', 'float32', [1]);
    body.initializer('x', tensorFrom('float32', [5], [1, 2, 3, 4, 5]));
    body.initializer('one', tensorFrom('int64', [], [1n]));
    body.node('Identity', ['c'], {}, { outputs: ['c_out'] });
    body.node('Unsqueeze', ['i'], { axes: [0] }, { outputs: ['start'] });
    body.node('Add', ['i', 'one'], {}, { outputs: ['end0'] });
    body.node('Unsqueeze', ['end0'], { axes: [0] }, { outputs: ['end'] });
    body.node('Slice', ['x', 'start', 'end'], {}, { outputs: ['part'] });
    body.node('Add', ['y_in', 'part'], {}, { outputs: ['y_out'] });
    body.node('Identity', ['y_out'], {}, { outputs: ['scan'] });
    body.output('c_out', 'bool', []);
    body.output('y_out', 'float32', [1]);
    body.output('scan', 'float32', [1]);
    const b = new ModelBuilder(11);
    b.input('m', 'int64', []);
    b.initializer('y', tensorFrom('float32', [1], [10]));
    b.node('Loop', ['m', '', 'y'], { body: { graph: body } }, { outputs: ['res_y', 'res_scan'], name: 'loop' });
    b.output('res_y', 'float32', [1]);
    b.output('res_scan', 'float32', ['n', 1]);
    return b.encode();
  }

  it('a Loop whose body slices at the iteration number is unrolled where its trip count is known', () => {
    const c = compileModel(importModel(sliceLoopModel(), 'loop.onnx'), { target: 'c', consts: { m: [3] } });
    expect(c.model.graph.outputs.map((o) => toNumbers(o.const!))).toEqual([[16], [11, 13, 16]]);
    expect(c.program.outputs.map((o) => `${o.name}[${o.shape}]`)).toEqual(['res_y[1]', 'res_scan[3,1]']);
  });

  it('names the trip count a Loop whose body needs values per iteration needs', () => {
    let err: unknown;
    try { compileModel(importModel(sliceLoopModel(), 'loop.onnx'), { target: 'c' }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(NeedsInputValues);
    expect((err as Error).message).toMatch(/^node 'loop' \(Loop\): the trip count is not known at compile time, and its body needs values of its inputs at compile time, so onnxc unrolls it; it is computed from 'm'/);
  });

  /** If(cond) yielding a sequence of one tensor from each branch, or an optional in `opt` mode (else: empty). */
  function ifModel(opt: boolean, typed = true): Uint8Array {
    const branch = (name: string, v: number, empty: boolean) => {
      const g = new ModelBuilder(16, name);
      g.initializer(`${name}_x`, tensorFrom('float32', [2], [v, v]));
      g.node('SequenceConstruct', [`${name}_x`], {}, { outputs: [`${name}_s`] });
      if (!opt && !typed) { g.output(`${name}_s`); return g; }
      if (!opt) { g.structuredOutput(`${name}_s`, 'sequence', 'float32'); return g; }
      g.node('Optional', empty ? [] : [`${name}_s`], {}, { outputs: [`${name}_o`] });
      g.structuredOutput(`${name}_o`, 'optional', 'float32', true);
      return g;
    };
    const b = new ModelBuilder(16);
    b.input('cond', 'bool', []);
    b.node('If', ['cond'], { then_branch: { graph: branch('then', 1, false) }, else_branch: { graph: branch('else', 2, true) } }, { outputs: ['res'], name: 'if' });
    b.structuredOutput('res', opt ? 'optional' : 'sequence', 'float32', opt);
    return b.encode();
  }

  it('an If whose branches yield sequences of one structure keeps its run-time condition', () => {
    const c = compileModel(importModel(ifModel(false), 'if.onnx'), { target: 'c' });
    expect(c.program.inputs.map((i) => i.name)).toEqual(['cond']);
    expect(c.program.outputs.map((o) => `${o.name}[${o.shape}]`)).toEqual(['res_0[2]']);
    expect(c.model.graph.nodes.map((n) => n.op)).toContain('If');
  });

  it('an If whose branch outputs are left untyped is seen to yield sequences by their producers', () => {
    const c = compileModel(importModel(ifModel(false, false), 'if.onnx'), { target: 'c' });
    expect(c.program.outputs.map((o) => `${o.name}[${o.shape}]`)).toEqual(['res_0[2]']);
  });

  it('an If whose branches differ in structure asks for its condition, then takes the branch', () => {
    let err: unknown;
    try { compileModel(importModel(ifModel(true), 'if.onnx'), { target: 'c' }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(NeedsInputValues);
    expect((err as Error).message).toMatch(/^node 'if' \(If\): the condition is not known at compile time and output 0 is an optional holding a sequence of 1 in then_branch but an empty optional in else_branch/);
    const c = compileModel(importModel(ifModel(true), 'if.onnx'), { target: 'c', consts: { cond: [1] } });
    expect(c.model.outputLayouts).toEqual([{ optional: { sequence: [f32([2])] } }]);
    expect(toNumbers(c.model.graph.outputs[0].const!)).toEqual([1, 1]);
  });
});

describe('onnxc run with sequences and optionals', () => {
  it('reads a SequenceProto input and writes a SequenceProto output', async () => {
    const dir = tmpDir('onnxc-seqrun-');
    const model = path.join(dir, 'map.onnx');
    fs.writeFileSync(model, sequenceMapModel());
    const input = path.join(dir, 's.pb');
    fs.writeFileSync(input, encodeValue({ sequence: [f32([2]), f32([1])] }, [tensorFrom('float32', [2], [1, 2]), tensorFrom('float32', [1], [5])], 's'));
    const so = process.stdout.write;
    let out = '';
    process.stdout.write = ((s: string) => { out += s; return true; }) as typeof so;
    let code: number;
    try { code = await main(['run', model, '--input', input, '-o', path.join(dir, 'res')]); } finally { process.stdout.write = so; }
    expect(code).toBe(0);
    expect(out).toMatch(/output_0\.pb: y a sequence of 2 \(float32\[2\], float32\[1\]\)/);
    const y = parseValue(fs.readFileSync(path.join(dir, 'res', 'output_0.pb')), 'sequence', 'output_0.pb');
    expect(y.tensors.map((t) => toNumbers(t))).toEqual([[2, 3], [6]]);
  });
});
