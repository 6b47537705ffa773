// The int8 kernels (ir/ops/qint8.ts, passes/fuseQuantized.ts, ir/requant.ts) on the QDQ
// keyword-spotting model that examples/make-kws.ts builds: onnxc's C and WASM against
// onnxruntime-node on seeded inputs, within one quantization step of the logits; the int8 path
// taken (no float Conv/Gemm left, no float MACs in the generated C); the committed models
// reproducible; the fixed-point multiplier as documented.
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildKwsModels, kwsInput } from '../dist/examples/make-kws.js';
import { compileFile } from '../dist/src/api.js';
import { getRunner } from '../dist/src/runners/index.js';
import { encodeTensor } from '../dist/src/onnx/tensorProto.js';
import { quantizeMultiplier, requantRef } from '../dist/ir/requant.js';
import { tensorFrom, toNumbers } from '../dist/ir/tensor.js';
import { ModelBuilder, seededRandom } from '../dist/src/onnx/build.js';
import { ROOT, tmpDir } from './helpers.js';
import { spawnSync } from 'node:child_process';

const haveArm = spawnSync('arm-none-eabi-gcc', ['--version']).status === 0 && spawnSync('qemu-system-arm', ['--version']).status === 0;

const INT8 = path.join(ROOT, 'examples', 'kws_int8.onnx');
const FLOAT = path.join(ROOT, 'examples', 'kws_float.onnx');
const SEEDS = [1, 2, 3, 4, 5, 6];
/** The logits' quantization step: the scale of their QuantizeLinear (fc.scale in the model). */
const logitsStep = (): number => {
  const m = compileFile(INT8, { target: 'c' }).model;
  for (const n of m.graph.nodes) for (const v of n.inputs) if (v?.name === 'fc.scale' && v.const) return toNumbers(v.const)[0];
  throw new Error('fc.scale not found');
};

async function ortLogits(seed: number): Promise<number[]> {
  const s = await ort.InferenceSession.create(INT8, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  const x = kwsInput(seed);
  const r = await s.run({ mfcc: new ort.Tensor('float32', x.data as Float32Array, x.shape) });
  return Array.from(r.logits.data as Float32Array);
}

async function onnxcLogits(target: 'c' | 'wasm', dir: string, cpu?: string): Promise<number[][]> {
  const res = compileFile(INT8, { target, cpu }), runner = getRunner(target, res.cpu);
  const handle = await runner.build(res, dir);
  const out: number[][] = [];
  for (const seed of SEEDS) {
    const f = path.join(dir, `x${seed}.pb`);
    fs.writeFileSync(f, encodeTensor(kwsInput(seed), 'mfcc'));
    const [logits] = await runner.run(handle, [f], path.join(dir, `out${seed}`), 2);
    out.push(toNumbers(logits));
  }
  return out;
}

describe('int8 QDQ model', () => {
  it('the committed models are what examples/make-kws.ts builds', () => {
    const { float, qdq } = buildKwsModels();
    expect(Buffer.compare(Buffer.from(qdq), fs.readFileSync(INT8))).toBe(0);
    expect(Buffer.compare(Buffer.from(float), fs.readFileSync(FLOAT))).toBe(0);
  });

  it('runs every Conv and the Gemm as int8 kernels', () => {
    const r = compileFile(INT8, { target: 'c' });
    const labels = r.program.steps.map((s) => s.kernel.label).join('\n');
    expect(labels.match(/onnxc\.QConvInt8/g)?.length).toBe(5);
    expect(labels).toMatch(/onnxc\.QMatMulInt8/);
    expect(labels).not.toMatch(/\((Conv|Gemm|MatMul)\)/);
    // the convolution kernels hold no float arithmetic at all
    const c = r.files['kws_int8.c'] as string;
    const convFns = c.split('/* node ').filter((f) => f.split('\n')[0].includes('(onnxc.QConvInt8)'));
    expect(convFns.length).toBe(5);
    for (const f of convFns) expect(f).not.toMatch(/\bfloat\b|\bdouble\b/);
  });

  it('C and WASM match onnxruntime within one quantization step, and each other exactly', async () => {
    const step = logitsStep(), dir = tmpDir('onnxc-int8-');
    const c = await onnxcLogits('c', path.join(dir, 'c')), w = await onnxcLogits('wasm', path.join(dir, 'w'));
    let worst = 0;
    for (const [k, seed] of SEEDS.entries()) {
      const ref = await ortLogits(seed);
      ref.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - c[k][i]) / step); });
      expect(w[k]).toEqual(c[k]);
    }
    console.log(`int8 logits vs onnxruntime: worst ${worst.toFixed(3)} quantization steps`);
    expect(worst).toBeLessThanOrEqual(1 + 1e-6);
  }, 120_000);
});

describe.skipIf(!haveArm)('int8 QDQ model on a Cortex-M4 under QEMU', () => {
  it('renders the dual MACs as __smlad and gives host C\'s logits bit for bit (so within one step of onnxruntime)', async () => {
    const r = compileFile(INT8, { target: 'c', cpu: 'cortex-m4' });
    const c = r.files['kws_int8.c'] as string;
    expect(c).toMatch(/#include <arm_acle\.h>/);
    expect(c).toMatch(/= __smlad\(/);
    expect(c).not.toMatch(/onnxc_dot2_i32/);
    const dir = tmpDir('onnxc-int8-m4-');
    const m4 = await onnxcLogits('c', path.join(dir, 'm4'), 'cortex-m4'), host = await onnxcLogits('c', path.join(dir, 'host'));
    expect(m4).toEqual(host);
    const step = logitsStep();
    for (const [k, seed] of SEEDS.entries()) (await ortLogits(seed)).forEach((v, i) => expect(Math.abs(v - m4[k][i]) / step).toBeLessThanOrEqual(1 + 1e-6));
  }, 120_000);

  it('executes fewer instructions than the float model of the same architecture', async () => {
    const count = async (file: string) => {
      const res = compileFile(file, { target: 'c', cpu: 'cortex-m4' });
      return (await getRunner('c', res.cpu).bench!(res, tmpDir('onnxc-int8-bench-'), 1, 0)).instructions!;
    };
    const f = await count(FLOAT), q = await count(INT8);
    console.log(`KWS on cortex-m4 under QEMU: float ${f} instructions, int8 ${q} (${(100 * (1 - q / f)).toFixed(0)} % fewer)`);
    expect(q).toBeLessThan(0.6 * f);
  }, 120_000);
});

/** A QLinearConv (uint8 x, per-channel int8 w, int32 bias) and a QLinearMatMul (int8 a, int8 b) model. */
function qlinearModel(): Uint8Array {
  const rnd = seededRandom(11), ints = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => lo + Math.floor(rnd() * (hi - lo + 1)));
  const b = new ModelBuilder(13, 'qlinear');
  const x = b.input('x', 'uint8', [1, 3, 8, 8]), a = b.input('a', 'int8', [2, 5, 18]);
  const f = (name: string, v: number[]) => b.initializer(name, tensorFrom('float32', v.length === 1 ? [] : [v.length], v));
  b.node('QLinearConv', [x, f('xs', [0.05]), b.initializer('xz', tensorFrom('uint8', [], [120])),
    b.initializer('w', tensorFrom('int8', [4, 3, 3, 3], ints(108, -127, 127))), f('ws', [0.01, 0.02, 0.004, 0.03]),
    b.initializer('wz', tensorFrom('int8', [4], [0, 0, 0, 0])), f('ys', [0.3]), b.initializer('yz', tensorFrom('uint8', [], [100])),
    b.initializer('bias', tensorFrom('int32', [4], ints(4, -3000, 3000)))], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { outputs: ['y'] });
  b.node('QLinearMatMul', [a, f('as', [0.02]), b.initializer('az', tensorFrom('int8', [], [3])),
    b.initializer('bw', tensorFrom('int8', [18, 6], ints(108, -127, 127))), f('bs', [0.015]), b.initializer('bz', tensorFrom('int8', [], [0])),
    f('ms', [0.1]), b.initializer('mz', tensorFrom('int8', [], [-5]))], {}, { outputs: ['m'] });
  // depthwise, strided, unpadded
  b.node('QLinearConv', [x, 'xs', 'xz', b.initializer('dw', tensorFrom('int8', [3, 1, 3, 3], ints(27, -127, 127))), f('dws', [0.02, 0.01, 0.03]),
    b.initializer('dwz', tensorFrom('int8', [3], [0, 0, 0])), f('ds', [0.05]), b.initializer('dz', tensorFrom('uint8', [], [128]))],
  { kernel_shape: [3, 3], strides: [2, 2], group: 3 }, { outputs: ['d'] });
  b.output('y', 'uint8', [1, 4, 8, 8]);
  b.output('m', 'int8', [2, 5, 6]);
  b.output('d', 'uint8', [1, 3, 3, 3]);
  return b.encode();
}

describe('QLinearConv and QLinearMatMul with constant parameters', () => {
  it('run as the int8 ops, within one code of onnxruntime', async () => {
    const dir = tmpDir('onnxc-qlinear-'), file = path.join(dir, 'qlinear.onnx');
    fs.writeFileSync(file, qlinearModel());
    const res = compileFile(file, { target: 'c' });
    expect(res.program.steps.map((s) => s.kernel.label).join()).toMatch(/QConvInt8.*QMatMulInt8.*QConvInt8/);
    const rnd = seededRandom(5);
    const x = tensorFrom('uint8', [1, 3, 8, 8], Array.from({ length: 192 }, () => Math.floor(rnd() * 256)));
    const a = tensorFrom('int8', [2, 5, 18], Array.from({ length: 180 }, () => Math.floor(rnd() * 256) - 128));
    fs.writeFileSync(path.join(dir, 'x.pb'), encodeTensor(x, 'x'));
    fs.writeFileSync(path.join(dir, 'a.pb'), encodeTensor(a, 'a'));
    const runner = getRunner('c'), s = await ort.InferenceSession.create(file, { logSeverityLevel: 3 });
    const ref = await s.run({ x: new ort.Tensor('uint8', x.data as Uint8Array, x.shape), a: new ort.Tensor('int8', a.data as Int8Array, a.shape) });
    // vector rows, and scalar ones (the dual-MAC loop unrolled by two, an odd word left over)
    for (const [v, r] of [res, compileFile(file, { target: 'c', simd: false })].entries()) {
      const h = await runner.build(r, path.join(dir, `c${v}`));
      const got = await runner.run(h, [path.join(dir, 'x.pb'), path.join(dir, 'a.pb')], path.join(dir, `out${v}`), 3);
      for (const [k, name] of ['y', 'm', 'd'].entries()) {
        const want = Array.from(ref[name].data as Uint8Array), g = toNumbers(got[k]);
        expect(g.length).toBe(want.length);
        expect(Math.max(...g.map((val, i) => Math.abs(val - want[i])))).toBeLessThanOrEqual(1);
        expect(new Set(g).size).toBeGreaterThan(name === 'd' ? 5 : 10); // not saturated: the comparison means something
      }
    }
  }, 60_000);
});

describe('fixed-point requantization (ir/requant.ts)', () => {
  it('represents multipliers to 31 bits and rounds half up', () => {
    for (const r of [0.5, 0.75, 1 / 3, 1e-3, 2.3e-5, 0.999999999]) {
      const q = quantizeMultiplier(r)!;
      expect(q.mult).toBeGreaterThanOrEqual(2 ** 30);
      expect(q.mult).toBeLessThan(2 ** 31);
      expect(Math.abs(q.mult * 2 ** -q.rshift - r)).toBeLessThanOrEqual(r * 2 ** -30);
    }
    expect(quantizeMultiplier(0)).toBeNull();
    expect(quantizeMultiplier(2 ** 40)).toBeNull();
    const half = quantizeMultiplier(0.5)!;
    expect([3, -3, 5, -5, 1000].map((a) => requantRef(a, half.mult, half.rshift))).toEqual([2, -1, 3, -2, 500]);
  });
});
