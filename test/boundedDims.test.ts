// Bounded symbolic dims (--dim seq=1..128, src/dimBindings.ts): a transformer encoder layer with
// a dynamic sequence axis (test/encoderModel.ts) compiled once to C and to WASM runs at
// lengths 1, 37 and 128 and matches onnxruntime-node each time; its arena is the one compiled
// at 128; a length out of range is a status (C) or an Error (WASM loader), never a memory
// error; targets that need every dim at compile time refuse the range; inspect shows it.
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { compileFile } from '../dist/src/api.js';
import { ModelBuilder, seededRandom } from '../dist/src/onnx/build.js';
import { encodeTensor } from '../dist/src/onnx/tensorProto.js';
import { getRunner } from '../dist/src/runners/index.js';
import { TensorData, tensorFrom, toNumbers } from '../dist/ir/tensor.js';
import { D, writeEncoder } from './encoderModel.js';
import { cli, tmpDir } from './helpers.js';

const dir = tmpDir('onnxc-bounded-');
const file = writeEncoder(dir);
const LENGTHS = [1, 37, 128];

const input = (seq: number): TensorData => {
  const r = seededRandom(seq);
  return tensorFrom('float32', [1, seq, D], Array.from({ length: seq * D }, () => r() * 2 - 1));
};

async function reference(x: TensorData): Promise<number[]> {
  const s = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  const r = await s.run({ x: new ort.Tensor('float32', x.data as Float32Array, x.shape) });
  return Array.from(r.y.data as Float32Array);
}

const maxError = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('one program, many lengths (--dim seq=1..128)', () => {
  for (const target of ['c', 'wasm'] as const) {
    it(`${target}: compiled once, runs at ${LENGTHS.join(', ')} and matches onnxruntime`, async () => {
      const res = compileFile(file, { target, name: 'enc', dims: { seq: '1..128' }, verify: true });
      const runner = getRunner(target, res.cpu), handle = await runner.build(res, path.join(dir, target));
      for (const seq of LENGTHS) {
        const x = input(seq), f = path.join(dir, `${target}_x${seq}.pb`);
        fs.writeFileSync(f, encodeTensor(x, 'x'));
        const [y] = await runner.run(handle, [f], path.join(dir, `${target}_out${seq}`), 1);
        expect(y.shape).toEqual([1, seq, D]);
        const err = maxError(toNumbers(y), await reference(x));
        console.log(`bounded dims: ${target} seq=${seq} max |error| vs onnxruntime ${err.toExponential(2)}`);
        expect(err).toBeLessThan(2e-5);
      }
      // a length past the bound: a status from the C program, an Error from the WASM loader
      const f = path.join(dir, `${target}_x129.pb`);
      fs.writeFileSync(f, encodeTensor(input(129), 'x'));
      await expect(runner.run(handle, [f], path.join(dir, `${target}_out129`), 1))
        .rejects.toThrow(target === 'c' ? /status 5 \(an input's shape is outside the bounds/ : /input 'x' has shape \[1,129,64\]: dim 1 \(seq\) must be in \[1, 128\]/);
    }, 240_000);
  }

  it('the arena is the one compiled at the upper bound', () => {
    const bounded = compileFile(file, { target: 'c', name: 'enc', dims: { seq: '1..128' } });
    const fixed = compileFile(file, { target: 'c', name: 'enc', dims: { seq: 128 } });
    expect(bounded.program.arenaSize).toBe(fixed.program.arenaSize);
    const h = bounded.files['enc.h'] as string;
    expect(h).toContain('int enc_run_shaped(const void *const *inputs, const int64_t *const *input_dims, void *const *outputs, void *arena);');
    expect(h).toContain('Bounded dims: seq in [1, 128]');
    expect(fixed.files['enc.h'] as string).not.toContain('run_shaped');
  });
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

  it('a product of a run-time dim as a dim is refused naming the node and the dim', () => {
    // [1, seq, 64] → [-1]: the one dim would be seq*64
    const m = path.join(dir, 'flat.onnx');
    const b = new ModelBuilder(17);
    b.input('x', 'float32', [1, 'seq', 4]);
    b.initializer('flat', tensorFrom('int64', [1], [-1n]));
    b.node('Reshape', ['x', 'flat'], {}, { outputs: ['y'], name: 'flatten' });
    b.output('y', 'float32', ['n']);
    fs.writeFileSync(m, b.encode());
    expect(() => compileFile(m, { target: 'c', dims: { seq: '1..8' } })).toThrow("node 'flatten' (Reshape): 'y' would have dimension '1*seq*4', computed from run-time dimension 'seq'; onnxc takes run-time dimensions only where they stay whole dims");
  });
});

describe('inspect keeps bounded dims symbolic', () => {
  it('shows seq=1..128 on the input and the values that carry it', () => {
    const r = cli(['inspect', file, '--dim', 'seq=1..128']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/input\s+x\s+float32\[1,seq=1\.\.128,64\]/);
    expect(r.stdout).toMatch(/float32\s+\[1, 4, seq=1\.\.128, 16\]/);
  }, 60_000);
});

// The performance bar (ONNXC_BENCH_BOUNDED=1): at seq=128, the bounded program against the one
// specialized with --dim seq=128, built alike, in alternating rounds (median of round medians).
describe.skipIf(!process.env.ONNXC_BENCH_BOUNDED)('bounded vs specialized at seq=128', () => {
  const ROUNDS = 7, ITERS = 60;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  it('C (release flags) and WASM', async () => {
    const { buildC, benchC, RELEASE_CFLAGS } = await import('../dist/src/runners/c.js');
    for (const target of ['c', 'wasm'] as const) {
      const timers = await Promise.all([{ seq: '1..128' }, { seq: 128 }].map(async (dims, k) => {
        const res = compileFile(file, { target, name: 'enc', dims, cpu: 'native' });
        const out = path.join(dir, `bench_${target}_${k}`);
        if (target === 'c') {
          const exe = await buildC(res.files, out, 'enc', RELEASE_CFLAGS);
          return async () => (await benchC(exe, ITERS, 10)).median_ms;
        }
        const h = await getRunner('wasm', res.cpu).build(res, out) as { model: { run(i: unknown[]): unknown } };
        const x = input(128).data;
        return async () => {
          const ts: number[] = [];
          for (let i = 0; i < 10; i++) h.model.run([x]);
          for (let i = 0; i < ITERS; i++) { const t0 = performance.now(); h.model.run([x]); ts.push(performance.now() - t0); }
          return median(ts);
        };
      }));
      const rounds: [number, number][] = [];
      for (let r = 0; r < ROUNDS; r++) rounds.push([await timers[0](), await timers[1]()]);
      const b = median(rounds.map((x) => x[0])), s = median(rounds.map((x) => x[1]));
      console.log(`bounded dims bench: ${target} bounded ${b.toFixed(3)} ms, specialized ${s.toFixed(3)} ms, ratio ${(b / s).toFixed(3)}`);
    }
  }, 600_000);
});
