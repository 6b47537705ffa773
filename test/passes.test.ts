// Unit tests of the graph passes and the memory planner: each pass on a small model, before
// and after, with the IR verifier run after every pass.
import { TARGET_ROWS } from '../dist/ir/target.js';
import { scheduleFor } from '../dist/schedules/index.js';
import { SCALAR_SCHEDULE } from '../dist/ir/schedule.js';
import { describe, expect, it } from 'vitest';
import { ModelBuilder } from '../dist/src/onnx/build.js';
import { importModel } from '../dist/src/onnx/importModel.js';
import { bindInputs } from '../dist/src/api.js';
import { printKernelProgram } from '../dist/ir/printKernel.js';
import { evaluateNode } from '../dist/codegen/js/evaluate.js';
import { registerAllOps } from '../dist/ir/ops/index.js';
import { tensorFrom, toNumbers } from '../dist/ir/tensor.js';
import { verifyGraph } from '../dist/ir/verify.js';
import { inferShapes } from '../dist/passes/inferShapes.js';
import { simplifyGraph } from '../dist/passes/simplifyGraph.js';
import { foldConstants } from '../dist/passes/foldConstants.js';
import { eliminateDeadCode } from '../dist/passes/eliminateDeadCode.js';
import { runPipeline } from '../dist/passes/pipeline.js';
import { fuseActivations } from '../dist/passes/fuseActivations.js';
import { printModel } from '../dist/ir/print.js';
import { vectorizeLoops } from '../dist/passes/vectorizeLoops.js';
import { verifyProgram } from '../dist/ir/verifyKernel.js';
import { compileKernelJs } from '../dist/codegen/js/evaluate.js';
import { R } from '../dist/codegen/js/runtime.js';
import type { Expr, KBuf, LoopKind, Program, ProgramBuf, Stmt } from '../ir/kernel.js';

registerAllOps();

function model(build: (b: InstanceType<typeof ModelBuilder>) => void) {
  const b = new ModelBuilder(17);
  build(b);
  return importModel(b.encode(), 'test.onnx');
}

const ops = (m: ReturnType<typeof model>) => m.graph.nodes.map((n) => n.op);

describe('inferShapes', () => {
  it('broadcasts and keeps symbolic dims', () => {
    const m = model((b) => {
      b.input('x', 'float32', ['N', 3, 1]);
      b.input('y', 'float32', [4]);
      b.node('Add', ['x', 'y'], {}, { outputs: ['z'] });
      b.node('Less', ['z', 'y'], {}, { outputs: ['c'] });
      b.output('c', 'bool', ['N', 3, 4]);
    });
    inferShapes(m, evaluateNode);
    verifyGraph(m.graph, true);
    expect(m.graph.nodes[0].outputs[0]!.type).toEqual({ dtype: 'float32', shape: ['N', 3, 4] });
    expect(m.graph.nodes[1].outputs[0]!.type).toEqual({ dtype: 'bool', shape: ['N', 3, 4] });
  });

  it('rejects incompatible broadcasts naming the node', () => {
    const m = model((b) => {
      b.input('x', 'float32', [3]);
      b.input('y', 'float32', [4]);
      b.node('Add', ['x', 'y'], {}, { outputs: ['z'], name: 'bad_add' });
      b.output('z', 'float32', [4]);
    });
    expect(() => inferShapes(m, evaluateNode)).toThrow(/node 'bad_add' \(Add\): cannot broadcast/);
  });

  it('computes values of constant subexpressions', () => {
    const m = model((b) => {
      b.input('x', 'float32', [2]);
      b.initializer('a', tensorFrom('float32', [2], [1, 2]));
      b.initializer('b', tensorFrom('float32', [2], [3, 4]));
      b.node('Mul', ['a', 'b'], {}, { outputs: ['ab'] });
      b.node('Add', ['x', 'ab'], {}, { outputs: ['y'] });
      b.output('y', 'float32', [2]);
    });
    inferShapes(m, evaluateNode);
    expect(toNumbers(m.graph.nodes[0].outputs[0]!.const!)).toEqual([3, 8]);
  });

  it('folds only with an injected evaluator, into subgraphs too', () => {
    const branch = (name: string, v: number[]) => {
      const g = new ModelBuilder(17, name);
      g.node('Constant', [], { value: tensorFrom('float32', [2], v) }, { outputs: [`${name}_c`] });
      g.node('Neg', [`${name}_c`], {}, { outputs: [`${name}_y`] });
      g.output(`${name}_y`, 'float32', [2]);
      return { graph: g };
    };
    const m = model((b) => {
      b.input('x', 'float32', [2]);
      b.input('cond', 'bool', []);
      b.initializer('a', tensorFrom('float32', [2], [1, 2]));
      b.node('Neg', ['a'], {}, { outputs: ['na'] });
      b.node('If', ['cond'], { then_branch: branch('then', [3, 4]), else_branch: branch('else', [5, 6]) }, { outputs: ['i'] });
      b.node('Add', ['x', 'na'], {}, { outputs: ['s'] });
      b.node('Add', ['s', 'i'], {}, { outputs: ['y'] });
      b.output('y', 'float32', [2]);
    });
    inferShapes(m);
    expect(m.graph.nodes[0].outputs[0]!.type).toEqual({ dtype: 'float32', shape: [2] });
    expect(m.graph.nodes[0].outputs[0]!.const).toBeUndefined();
    const calls: string[] = [];
    inferShapes(m, (n, ...rest) => { calls.push(`${n.op}:${n.outputs[0]!.name}`); return evaluateNode(n, ...rest); });
    expect(calls).toEqual(['Neg:na', 'Constant:then_c', 'Neg:then_y', 'Constant:else_c', 'Neg:else_y']);
    expect(toNumbers(m.graph.nodes[0].outputs[0]!.const!)).toEqual([-1, -2]);
  });
});

describe('foldConstants + eliminateDeadCode', () => {
  it('drops folded and unused nodes', () => {
    const m = model((b) => {
      b.input('x', 'float32', [2]);
      b.initializer('a', tensorFrom('float32', [2], [1, 2]));
      b.node('Exp', ['a'], {}, { outputs: ['ea'] });
      b.node('Add', ['x', 'ea'], {}, { outputs: ['y'] });
      b.node('Neg', ['x'], {}, { outputs: ['unused'] });
      b.output('y', 'float32', [2]);
    });
    inferShapes(m, evaluateNode);
    foldConstants(m);
    verifyGraph(m.graph, true);
    expect(ops(m)).toEqual(['Add', 'Neg']);
    eliminateDeadCode(m);
    verifyGraph(m.graph, true);
    expect(ops(m)).toEqual(['Add']);
    expect(Array.from(m.graph.nodes[0].inputs[1]!.const!.data as Float32Array)).toEqual([Math.fround(Math.E), Math.fround(Math.exp(2))]);
  });
});

describe('fuseActivations', () => {
  const conv = (b: InstanceType<typeof ModelBuilder>) => {
    b.input('x', 'float32', [1, 1, 4, 4]);
    b.initializer('w', tensorFrom('float32', [2, 1, 1, 1], [1, -1]));
    b.node('Conv', ['x', 'w'], {}, { outputs: ['c'] });
  };
  const fused = (build: (b: InstanceType<typeof ModelBuilder>) => void) => {
    const m = model((b) => { conv(b); build(b); });
    inferShapes(m, evaluateNode);
    fuseActivations(m);
    verifyGraph(m.graph, true);
    return m;
  };
  it('folds SiLU (x · Sigmoid(x), either operand order), Sigmoid and Relu into the Conv', () => {
    for (const order of [['s', 'c'], ['c', 's']]) {
      const m = fused((b) => { b.node('Sigmoid', ['c'], {}, { outputs: ['s'] }); b.node('Mul', order, {}, { outputs: ['y'] }); b.output('y', 'float32', [1, 2, 4, 4]); });
      expect(ops(m)).toEqual(['Conv']);
      expect(m.graph.nodes[0].attrs.get('onnxc_act')?.value).toBe('silu');
      expect(m.graph.nodes[0].outputs[0]).toBe(m.graph.outputs[0]);
    }
    expect(fused((b) => { b.node('Sigmoid', ['c'], {}, { outputs: ['y'] }); b.output('y', 'float32', [1, 2, 4, 4]); }).graph.nodes[0].attrs.get('onnxc_act')?.value).toBe('sigmoid');
    expect(fused((b) => { b.node('Relu', ['c'], {}, { outputs: ['y'] }); b.output('y', 'float32', [1, 2, 4, 4]); }).graph.nodes[0].attrs.get('onnxc_clip')?.value).toEqual([0, Infinity]);
  });
  it('leaves the nodes when the Conv output or the Sigmoid is read elsewhere', () => {
    const m1 = fused((b) => {
      b.node('Sigmoid', ['c'], {}, { outputs: ['s'] }); b.node('Mul', ['c', 's'], {}, { outputs: ['y'] }); b.node('Neg', ['c'], {}, { outputs: ['n'] });
      b.output('y', 'float32', [1, 2, 4, 4]); b.output('n', 'float32', [1, 2, 4, 4]);
    });
    expect(ops(m1)).toEqual(['Conv', 'Sigmoid', 'Mul', 'Neg']);
    const m2 = fused((b) => {
      b.node('Sigmoid', ['c'], {}, { outputs: ['s'] }); b.node('Mul', ['c', 's'], {}, { outputs: ['y'] });
      b.output('y', 'float32', [1, 2, 4, 4]); b.output('s', 'float32', [1, 2, 4, 4]);
    });
    expect(ops(m2)).toEqual(['Conv', 'Sigmoid', 'Mul']);
    const m3 = fused((b) => { b.node('Sigmoid', ['c'], {}, { outputs: ['s'] }); b.node('Mul', ['s', 's'], {}, { outputs: ['y'] }); b.output('y', 'float32', [1, 2, 4, 4]); });
    expect(ops(m3)).toEqual(['Conv', 'Mul']);
  });
});

describe('vectorizeLoops', () => {
  const kernels = (lanes: number, n: number, op = 'Sigmoid') => {
    const m = model((b) => { b.input('x', 'float32', [n]); b.node(op, ['x'], {}, { outputs: ['y'] }); b.output('y', 'float32', [n]); });
    return runPipeline(m, { name: 'm', evaluate: evaluateNode, verify: true, log: () => {}, lowerTarget: { ...TARGET_ROWS.host, lanes }, schedule: scheduleFor({ ...TARGET_ROWS.host, lanes }) }).program.steps.map((s) => s.kernel.body);
  };
  const json = (x: unknown) => JSON.stringify(x);
  it('turns an exp map into a vector loop, a narrower one for what is left and a scalar tail', () => {
    const [body] = kernels(8, 37);
    expect(body.map((s) => s.k)).toEqual(['for', 'for', 'for']);
    const [vec, half, tail] = body as Extract<(typeof body)[number], { k: 'for' }>[];
    const at = (v: number) => ({ k: 'const', t: 'idx', v });
    expect([vec.step, vec.hi, half.step, half.lo, half.hi, half.bound, tail.lo, tail.hi]).toEqual([8, at(32), 4, at(32), at(36), 1, at(36), at(37)]);
    expect(json(vec.body)).toContain('"k":"vun","lanes":8,"op":"exp"');
    expect(json(half.body)).toContain('"k":"vun","lanes":4,"op":"exp"');
    expect(json(tail.body)).toContain('"k":"un","t":"f32","op":"exp"');
  });
  it('leaves scalar targets and loops under 4 elements alone; a loop under the lanes takes narrower vectors', () => {
    expect(json(kernels(0, 37))).not.toContain('vstore');
    expect(json(kernels(8, 3))).not.toContain('vstore');
    expect(json(kernels(8, 7))).toContain('"k":"vstore"');
    expect(json(kernels(8, 7))).not.toContain('"lanes":8');
    expect(json(kernels(4, 37, 'Erf'))).toContain('"op":"erf"');
  });
  const split = (body: unknown[]) => body as Extract<Stmt, { k: 'for' }>[];
  for (const lanes of [4, 8]) {
    it(`turns Relu, Add and Clip maps into ${lanes}-lane vector loops and a scalar tail`, () => {
      for (const [op, vop] of [['Relu', '"op":"max"'], ['Clip', '"op":"minnan"'], ['Add', '"op":"add"']]) {
        const m = model((b) => {
          b.input('x', 'float32', [37]);
          if (op === 'Add') b.input('z', 'float32', [37]);
          if (op === 'Clip') { b.initializer('lo', tensorFrom('float32', [], [-1])); b.initializer('hi', tensorFrom('float32', [], [1])); }
          b.node(op, op === 'Add' ? ['x', 'z'] : op === 'Clip' ? ['x', 'lo', 'hi'] : ['x'], {}, { outputs: ['y'] });
          b.output('y', 'float32', [37]);
        });
        const { program } = runPipeline(m, { name: 'm', evaluate: evaluateNode, verify: true, log: () => {}, lowerTarget: { ...TARGET_ROWS.host, lanes } });
        const loops = split(program.steps[0].kernel.body), [vec] = loops, tail = loops[loops.length - 1];
        const end = Math.floor(37 / lanes) * lanes;
        expect(loops.length).toBe(lanes === 8 ? 3 : 2); // 8 lanes: [0, 32) by 8, [32, 36) by 4, 36
        expect([vec.step, vec.kind, vec.bound, vec.hi]).toEqual([lanes, 'parallel', Math.floor(37 / lanes), { k: 'const', t: 'idx', v: end }]);
        expect([tail.step, tail.kind, tail.bound, tail.lo, tail.hint]).toEqual([1, 'parallel', 1, { k: 'const', t: 'idx', v: 36 }, undefined]);
        expect(json(vec.body)).toContain(`"k":"vstore"`);
        expect(json(vec.body)).toContain(`"lanes":${lanes},${vop}`);
        expect(json(tail.body)).not.toContain('lanes');
      }
    });
  }
  it('keeps the NaN of either operand of a scalar max/min: maxnan unless one side is a constant', () => {
    const body = (op: string) => {
      const m = model((b) => { b.input('x', 'float32', [16]); b.input('z', 'float32', [16]); b.node(op, ['x', 'z'], {}, { outputs: ['y'] }); b.output('y', 'float32', [16]); });
      return json(runPipeline(m, { name: 'm', evaluate: evaluateNode, verify: true, log: () => {}, lowerTarget: TARGET_ROWS.wasm }).program.steps[0].kernel.body);
    };
    expect(body('Max')).toContain('"op":"maxnan"');
    expect(body('Min')).toContain('"op":"minnan"');
  });
  // a loop over a dynamic bound, hand-built: y[i] = f(x[i]) for i < n, and a recurrence it cannot vectorize
  const buf = (id: number, name: string, role: 'input' | 'output', dtype: 'float32' | 'int64' = 'float32', size = 64): ProgramBuf => ({ id, name, dtype, size, role });
  const X = buf(0, 'x', 'input'), Y = buf(1, 'y', 'output'), N = buf(2, 'n', 'input', 'int64', 1);
  const i: Expr = { k: 'var', t: 'idx', name: 'i' }, c = (v: number): Expr => ({ k: 'const', t: 'f32', v });
  const ld = (b: KBuf, idx: Expr): Expr => ({ k: 'load', t: 'f32', buf: b, idx });
  const nVar: Expr = { k: 'cast', t: 'idx', a: { k: 'load', t: 'i64', buf: N, idx: { k: 'const', t: 'idx', v: 0 } } };
  const program = (val: Expr, kind: LoopKind, idx: Expr = i): Program => {
    const body: Stmt[] = [{ k: 'for', v: 'i', lo: { k: 'const', t: 'idx', v: 0 }, hi: nVar, step: 1, kind, bound: 63, hint: { vectorize: 4 },
      body: [{ k: 'store', buf: Y, idx, val }] }];
    const kernel = { name: 'k', label: 'k', params: [X, Y, N], writes: new Set([Y]), body };
    return { name: 'p', bufs: [X, Y, N], steps: [{ kernel, args: [X, Y, N] }], inputs: [], outputs: [], guards: [], arenaSize: 0 };
  };
  it('leaves a loop it cannot prove independent scalar', () => {
    const im1: Expr = { k: 'bin', t: 'idx', op: 'add', a: i, b: { k: 'const', t: 'idx', v: 1 } };
    const p = program({ k: 'bin', t: 'f32', op: 'mul', a: ld(Y, i), b: c(2) }, 'serial', im1); // y[i + 1] = 2·y[i]
    vectorizeLoops(p, 4);
    verifyProgram(p);
    expect(json(p.steps[0].kernel.body)).not.toContain('vstore');
    expect(split(p.steps[0].kernel.body)[0].hint).toEqual({ vectorize: 4 });
  });
  it('evaluates vector IR lane by lane in the JS renderer as the scalar loop does', () => {
    const x = ld(X, i), sel: Expr = { k: 'select', t: 'f32', c: { k: 'cmp', t: 'bool', op: 'lt', a: x, b: c(0) }, a: { k: 'bin', t: 'f32', op: 'mul', a: x, b: c(0.1) }, b: x };
    const vals: Expr[] = [
      { k: 'bin', t: 'f32', op: 'min', a: { k: 'bin', t: 'f32', op: 'max', a: x, b: c(-1) }, b: c(1) },
      { k: 'bin', t: 'f32', op: 'max', a: x, b: ld(X, { k: 'bin', t: 'idx', op: 'add', a: i, b: { k: 'const', t: 'idx', v: 2 } }) },
      sel,
      { k: 'un', t: 'f32', op: 'tanh', a: { k: 'un', t: 'f32', op: 'sqrt', a: { k: 'un', t: 'f32', op: 'abs', a: x } } },
      { k: 'bin', t: 'f32', op: 'pow', a: { k: 'un', t: 'f32', op: 'rint', a: x }, b: c(2) },
      { k: 'un', t: 'f32', op: 'floor', a: { k: 'bin', t: 'f32', op: 'add', a: { k: 'un', t: 'f32', op: 'ceil', a: x }, b: { k: 'un', t: 'f32', op: 'trunc', a: x } } },
    ];
    const xs = Float32Array.from({ length: 64 }, (_, k) => (k === 5 || k === 40 ? NaN : Math.sin(k * 1.7) * 3.5));
    for (const val of vals) {
      // 16 lanes: 61 elements as 48 by 16, 8 and 4 lanes, then 1 scalar, all from run-time bounds
      const run = (lanes: number) => {
        const p = program(val, 'parallel');
        vectorizeLoops(p, lanes);
        verifyProgram(p);
        const y = new Float32Array(64);
        compileKernelJs(p.steps[0].kernel)(R, xs, y, BigInt64Array.from([61n]));
        return { y, text: json(p.steps[0].kernel.body) };
      };
      const scalar = run(0);
      for (const lanes of [4, 16]) {
        const vector = run(lanes);
        expect(vector.text, JSON.stringify(val)).toContain('"k":"vstore"');
        expect(Array.from(vector.y)).toEqual(Array.from(scalar.y));
      }
      expect(run(16).text).toContain('"lanes":8');
    }
  });
  it('reads every other element with strided vector loads (im2col of a stride-2 Conv)', () => {
    const m = model((b) => {
      b.input('x', 'float32', [1, 1, 40, 40]);
      b.initializer('w', tensorFrom('float32', [2, 1, 3, 3], Array.from({ length: 18 }, (_, i) => i)));
      b.node('Conv', ['x', 'w'], { strides: [2, 2] }, { outputs: ['y'] });
      b.output('y', 'float32', [1, 2, 19, 19]);
    });
    const { program } = runPipeline(m, { name: 'm', evaluate: evaluateNode, verify: true, log: () => {}, lowerTarget: TARGET_ROWS.host, schedule: scheduleFor(TARGET_ROWS.host) });
    expect(json(program.steps[0].kernel.body)).toContain('"k":"vload","lanes":8');
    expect(json(program.steps[0].kernel.body)).toContain('"stride":2');
  });
});

describe('simplifyGraph', () => {
  it('removes Identity and Dropout but keeps graph outputs', () => {
    const m = model((b) => {
      b.input('x', 'float32', [2]);
      b.node('Identity', ['x'], {}, { outputs: ['i'] });
      b.node('Dropout', ['i'], {}, { outputs: ['d'] });
      b.node('Relu', ['d'], {}, { outputs: ['r'] });
      b.node('Identity', ['r'], {}, { outputs: ['y'] });
      b.output('y', 'float32', [2]);
    });
    inferShapes(m, evaluateNode);
    simplifyGraph(m);
    verifyGraph(m.graph, true);
    expect(ops(m)).toEqual(['Relu', 'Identity']);
    expect(m.graph.nodes[0].inputs[0]!.name).toBe('x');
  });
});

describe('planMemory', () => {
  it('never overlaps live buffers and stays near the lower bound', () => {
    const m = model((b) => {
      b.input('x', 'float32', [64]);
      let cur = 'x';
      const keep: string[] = [];
      for (let i = 0; i < 12; i++) {
        const [y] = b.node(i % 3 ? 'Exp' : 'Neg', [cur]);
        if (i % 4 === 0) keep.push(y);
        cur = y;
      }
      for (const k of keep) [cur] = b.node('Add', [cur, k]);
      b.node('Relu', [cur], {}, { outputs: ['out'] });
      b.output('out', 'float32', [64]);
    });
    const { program, memory } = runPipeline(m, { name: 'm', evaluate: evaluateNode, verify: true, log: () => {} });
    expect(memory.arenaBytes).toBeLessThanOrEqual(Math.ceil(memory.lowerBound * 1.1));
    const temps = program.bufs.filter((b) => b.role === 'temp');
    const live = new Map(temps.map((b) => [b, [Infinity, -1]]));
    program.steps.forEach((s, i) => s.args.forEach((b) => {
      const l = live.get(b);
      if (l) { l[0] = Math.min(l[0], i); l[1] = Math.max(l[1], i); }
    }));
    for (const a of temps) for (const b of temps) {
      if (a === b || live.get(a)![1] < 0 || live.get(b)![1] < 0) continue;
      const [a0, a1] = live.get(a)!, [b0, b1] = live.get(b)!;
      const timeOverlap = a0 <= b1 && b0 <= a1;
      const spaceOverlap = a.offset! < b.offset! + b.size * 4 && b.offset! < a.offset! + a.size * 4;
      expect(timeOverlap && spaceOverlap).toBe(false);
    }
    // elementwise chains reuse their input's storage in place
    expect(temps.filter((b) => live.get(b)![1] >= 0).length).toBeLessThan(program.steps.length);
  });
});

describe('runPipeline hooks', () => {
  const relu = () => model((b) => { b.input('x', 'float32', [2]); b.node('Relu', ['x'], {}, { outputs: ['y'] }); b.output('y', 'float32', [2]); });
  it('prints kernel stages with the injected printer', () => {
    let text = '';
    runPipeline(relu(), { name: 'm', evaluate: evaluateNode, printProgram: (p) => `<${p.steps.length} steps>\n` + printKernelProgram(p), printAfterAll: true, log: (s) => { text += s; } });
    expect(text).toContain('// ----- after inferShapes -----\n');
    expect(text).toContain('// ----- after planMemory -----\n<1 steps>\n');
  });
  it('prints the kernel IR with its facts by default (not through a target renderer)', () => {
    let text = '';
    runPipeline(relu(), { name: 'm', evaluate: evaluateNode, printAfterAll: true, log: (s) => { text += s; } });
    expect(text).toMatch(/for i0 in \[0:idx, 2:idx\) \(parallel, ≤2, hint \{"vectorize":4\}\) \{/);
    expect(text).toMatch(/kernel Relu_0 "node 'relu0' \(Relu\)"/);
    expect(text).not.toContain('ONNXC_KERNEL');
  });
});

describe('printer and verifier', () => {
  it('prints nodes with types, and the verifier catches a use before definition', () => {
    const m = model((b) => {
      b.input('x', 'float32', [2]);
      b.node('Relu', ['x'], {}, { outputs: ['y'] });
      b.output('y', 'float32', [2]);
    });
    bindInputs(m);
    inferShapes(m, evaluateNode);
    expect(printModel(m)).toContain('%y = Relu(%x) : float32[2]');
    const n = m.graph.nodes[0];
    m.graph.nodes = [];
    m.graph.nodes.push({ ...n, inputs: [n.outputs[0]] });
    expect(() => verifyGraph(m.graph, true)).toThrow(/before it is defined/);
  });
});

describe('schedules', () => {
  const matmul = () => model((b) => { b.input('a', 'float32', [2, 3, 4]); b.input('b', 'float32', [2, 4, 5]); b.node('MatMul', ['a', 'b'], {}, { outputs: ['y'] }); b.output('y', 'float32', [2, 3, 5]); });
  type S = { k: string; kind?: string; v?: string; name?: string; reduce?: string; body?: S[] };
  const loops = (body: S[]): string[] => body.flatMap((s) => (s.k === 'for' ? [`${s.kind}`, ...loops(s.body!)] : s.k === 'decl' && s.reduce ? [`acc ${s.reduce}`] : []));
  it('the GEMM algorithm has parallel batch, i and j loops and a reduce loop over K', () => {
    const row = TARGET_ROWS.cuda;
    const { program } = runPipeline(matmul(), { name: 'm', evaluate: evaluateNode, verify: true, log: () => {}, lowerTarget: row, schedule: SCALAR_SCHEDULE });
    expect(loops(program.steps[0].kernel.body as S[])).toEqual(['parallel', 'parallel', 'parallel', 'acc add', 'reduce']);
  });
  it('the CUDA table tiles float32 products: blocks over tiles and batch, a block of threads waiting at barriers', () => {
    const row = TARGET_ROWS.cuda;
    const { program } = runPipeline(matmul(), { name: 'm', evaluate: evaluateNode, verify: true, log: () => {}, lowerTarget: row, schedule: scheduleFor(row) });
    const k = program.steps[0].kernel;
    const binds = (body: Stmt[]): string[] => body.flatMap((s) => (s.k === 'for' ? [...(s.bind ? [s.bind] : []), ...binds(s.body)] : []));
    expect(binds(k.body)).toEqual(['block.z', 'block.y', 'block.x', 'thread.x']);
    expect(k.shared?.length).toBe(2);
    expect(k.launch).toEqual({ blocks: [1, 1, 2], threads: [256, 1, 1], barrier: true });
  });
  it('the CPU table takes float32 products over with vector code', () => {
    const { program } = runPipeline(matmul(), { name: 'm', evaluate: evaluateNode, verify: true, log: () => {}, lowerTarget: { ...TARGET_ROWS.host, lanes: 4 }, schedule: scheduleFor({ ...TARGET_ROWS.host, lanes: 4 }) });
    expect(JSON.stringify(program.steps[0].kernel.body)).toContain('"k":"vfma"');
  });
});
