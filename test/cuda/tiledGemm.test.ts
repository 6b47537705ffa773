// The CUDA schedule's tiled GEMM (schedules/cuda/tiledGemm.ts) on products of awkward sizes:
// M, N, K off the tiles, K below one K tile, a batch that does not fold, Gemm with transposed
// operands, alpha/beta and a bias, Conv (im2col) with a fused Relu. One model holds them all; it
// is compiled with the verifier on, its kernels checked for shared arrays and barriers, run in the
// host emulation (threads of a block concurrent: a missing barrier shows as wrong numbers, so it
// runs several times) against the reference evaluator, and, where nvcc is, checked by ptxas.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileModel, writeFiles } from '../../dist/src/api.js';
import { evaluateModel } from '../../dist/codegen/js/evaluateModel.js';
import { ModelBuilder, seededRandom } from '../../dist/src/onnx/build.js';
import { importModel } from '../../dist/src/onnx/importModel.js';
import { encodeTensor } from '../../dist/src/onnx/tensorProto.js';
import { checkNvcc, cudaRunner } from '../../dist/src/runners/cuda.js';
import { tensorFrom, toNumbers } from '../../dist/ir/tensor.js';
import type { Stmt } from '../../dist/ir/kernel.js';
import { tmpDir } from '../helpers.js';

const has = (cmd: string) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
const gxx = has(process.env.CXX || 'g++'), nvcc = has(process.env.NVCC || 'nvcc');

const rand = seededRandom(7);
const data = (shape: number[]) => tensorFrom('float32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1));

/** name, shape of every graph input. */
const INPUTS: [string, number[]][] = [
  ['a3', [2, 3, 37, 20]], ['b3', [2, 1, 20, 50]], // batched MatMul: B broadcast over dim 1
  ['a2', [5, 7]], ['b2', [7, 130]], // K = 7 < BK
  ['ga', [40, 67]], ['gb', [65, 40]], ['gc', [65]], // Gemm transA, transB, alpha, beta, bias
  ['x', [1, 5, 11, 13]], // Conv 3x3 pads 1 + Relu
];

const W = data([19, 5, 3, 3]), BIAS = data([19]);

function model() {
  const b = new ModelBuilder(17);
  for (const [name, shape] of INPUTS) b.input(name, 'float32', shape);
  const [mm] = b.node('MatMul', ['a3', 'b3']);
  const [mk] = b.node('MatMul', ['a2', 'b2']);
  const [g] = b.node('Gemm', ['ga', 'gb', 'gc'], { transA: 1, transB: 1, alpha: 0.5, beta: { float: 2 } });
  const w = b.initializer('w', W), bias = b.initializer('bias', BIAS);
  const [conv] = b.node('Conv', ['x', w, bias], { pads: [1, 1, 1, 1] });
  const [relu] = b.node('Relu', [conv]);
  b.output(mm, 'float32', [2, 3, 37, 50]);
  b.output(mk, 'float32', [5, 130]);
  b.output(g, 'float32', [67, 65]);
  b.output(relu, 'float32', [1, 19, 11, 13]);
  return importModel(b.encode(), 'tiled.onnx');
}

const has2 = (body: Stmt[], k: string): boolean => body.some((s) => s.k === k
  || ((s.k === 'for' || s.k === 'while') && has2(s.body, k)) || (s.k === 'if' && (has2(s.then, k) || has2(s.else, k))));

describe('CUDA tiled GEMM', () => {
  const inputs = INPUTS.map(([, shape]) => data(shape));
  const compiled = () => compileModel(model(), { target: 'cuda', name: 'tiled', verify: true });

  it('tiles every product in shared memory with barriers, one launch of 256 threads each', () => {
    const r = compiled();
    const tiled = r.program.steps.filter((s) => s.kernel.shared?.length);
    // the two MatMuls, the Gemm and the Conv's product (its bias fill and im2col are kernels apart)
    expect(tiled.map((s) => s.kernel.label.replace(/.*\(/, '('))).toEqual(['(MatMul)', '(MatMul)', '(Gemm)', '(Conv)']);
    for (const s of tiled) {
      expect(has2(s.kernel.body, 'barrier')).toBe(true);
      expect(s.kernel.launch).toMatchObject({ threads: [256, 1, 1], barrier: true });
    }
    // blocks: ceil(M / 64) × ceil(N / 64), batch on z
    expect(tiled.map((s) => s.kernel.launch!.blocks)).toEqual([[1, 2, 2], [3, 1, 1], [2, 2, 1], [3, 1, 1]]);
  });

  it.skipIf(!gxx)('matches the reference evaluator in the emulation, run after run', async () => {
    const want = evaluateModel(model(), inputs);
    const r = compiled(), dir = tmpDir('onnxc-tiled-');
    const files = INPUTS.map(([name], i) => { const f = path.join(dir, `in${i}.pb`); fs.writeFileSync(f, encodeTensor(inputs[i], name)); return f; });
    const exe = await cudaRunner.build(r, path.join(dir, 'build'));
    for (let run = 0; run < 3; run++) {
      const got = await cudaRunner.run(exe, files, path.join(dir, `out${run}`), want.length);
      got.forEach((t, o) => {
        expect(t.shape).toEqual(want[o].shape);
        const w = toNumbers(want[o]), g = toNumbers(t);
        const bad = g.findIndex((v, i) => !(Math.abs(v - w[i]) <= 1e-4 * (1 + Math.abs(w[i]))));
        expect(bad, `output ${o}, run ${run}: element ${bad} is ${g[bad]}, want ${w[bad]}`).toBe(-1);
      });
    }
  }, 60_000);

  it.skipIf(!nvcc)('compiles for sm_90 without warnings or spills, within the registers and shared memory', async () => {
    const dir = tmpDir('onnxc-tiled-nvcc-');
    writeFiles(dir, compiled().files);
    const r = await checkNvcc(path.join(dir, 'tiled.cu'), dir, 'sm_90');
    expect(r.warnings).toEqual([]);
    const tiled = r.kernels.filter((k) => k.sharedBytes > 0);
    expect(tiled.length).toBe(4);
    // A and B tiles of 64 × BK (BK = 16, or K when less), padded to 65 columns
    expect(tiled.map((k) => k.sharedBytes).sort((x, y) => x - y)).toEqual([7, 16, 16, 16].map((bk) => 2 * bk * 65 * 4));
    for (const k of tiled) expect(k.spills).toBe(0);
    console.log(`test/cuda/tiledGemm: ${r.kernels.map((k) => `${k.name} ${k.registers} regs ${k.sharedBytes} B smem`).join('; ')}`);
  }, 120_000);
});
