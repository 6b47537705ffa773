// The device-resident benchmark driver (runtime-cuda/onnxc_cuda_bench.cu) built with a generated
// model as benchmarks/gpu.sh builds it: in the host emulation with g++ here, and for sm_90 with
// nvcc (warnings as errors) when nvcc is installed. The weights go through NAME.weights.bin
// (.incbin), as the benchmark models' do.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNTIME_DIR, compileModel, loadModel, writeFiles } from '../../dist/src/api.js';
import { emitCuda } from '../../dist/codegen/cuda/emitCuda.js';
import { encodeTensor } from '../../dist/src/onnx/tensorProto.js';
import { EMU_FLAGS, RUNTIME_CUDA_DIR, cudaRunner } from '../../dist/src/runners/cuda.js';
import { driverInputs } from '../../dist/benchmarks/gpuPrepare.js';
import { ROOT, tmpDir } from '../helpers.js';

const CXX = process.env.CXX || 'g++', NVCC = process.env.NVCC || 'nvcc';
const has = (cmd: string) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
const gxx = has(CXX), nvcc = has(NVCC);
if (!gxx) console.warn('test/cuda/bench: g++ not found, skipped');

const MODEL = path.join(ROOT, 'examples', 'tiny_cnn.onnx');
const DRIVER = path.join(RUNTIME_CUDA_DIR, 'onnxc_cuda_bench.cu');

/** tiny_cnn generated for cuda with its weights in tiny_cnn.weights.bin. */
function generate(dir: string) {
  const r = compileModel(loadModel(MODEL), { target: 'cuda', name: 'tiny_cnn' });
  const files = emitCuda(r.program, { source: MODEL, inlineLimit: 0 });
  expect(Object.keys(files)).toContain('tiny_cnn.weights.bin');
  writeFiles(dir, files);
  return r;
}

describe.skipIf(!gxx)('CUDA benchmark driver', () => {
  it('runs a generated model in the emulation: one JSON line, outputs as the host runner computes them', async () => {
    const dir = tmpDir('onnxc-cuda-bench-');
    const r = generate(dir);
    const pb = path.join(dir, 'onnxc_pb.o');
    expect(spawnSync('gcc', ['-std=c99', '-O2', '-I', RUNTIME_DIR, '-c', path.join(RUNTIME_DIR, 'onnxc_pb.c'), '-o', pb]).status).toBe(0);
    const b = spawnSync(CXX, [...EMU_FLAGS, '-DONNXC_CUDA_MODEL=tiny_cnn_cuda_model', '-I', '.', '-I', RUNTIME_DIR, '-I', RUNTIME_CUDA_DIR,
      '-x', 'c++', 'tiny_cnn.cu', DRIVER, '-x', 'none', pb, '-lm', '-o', 'bench'], { cwd: dir, encoding: 'utf8' });
    expect(b.stderr).toBe('');
    expect(b.status).toBe(0);

    // seeded inputs: the ones gpuPrepare.ts reproduces for the reference outputs
    fs.mkdirSync(path.join(dir, 'seeded'));
    const run = spawnSync(path.join(dir, 'bench'), ['--iters', '4', '--warmup', '1', '--label', 'tiny "b1"', '-o', path.join(dir, 'seeded')],
      { encoding: 'utf8', env: { ...process.env, ONNXC_EMU_REPORT_LEAKS: '1' } });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('onnxc_emu: 0 device allocation(s) live at exit');
    const j = JSON.parse(run.stdout.trim());
    expect(j).toMatchObject({ model: 'tiny _b1_', iters: 4, warmup: 1, device: 'emulation', arena_bytes: r.memory.arenaBytes });
    expect(j.min_ms).toBeGreaterThan(0);
    expect(j.min_ms).toBeLessThanOrEqual(j.median_ms);
    expect(j.median_ms).toBeLessThanOrEqual(j.max_ms);
    expect(j.weight_bytes).toBeGreaterThan(0);

    const ins = driverInputs(r.program.inputs.map((x) => ({ dtype: x.buf.dtype, shape: x.shape as number[] })));
    const inFiles = ins.map((t, i) => { const f = path.join(dir, `input_${i}.pb`); fs.writeFileSync(f, encodeTensor(t, r.program.inputs[i].name)); return f; });
    const exe = await cudaRunner.build({ ...r, files: { ...r.files } } as never, path.join(dir, 'host'));
    const [want] = await cudaRunner.run(exe, inFiles, path.join(dir, 'host', 'out'), 1);
    const seeded = fs.readFileSync(path.join(dir, 'seeded', 'output_0.pb'));
    expect(Buffer.from(encodeTensor(want, r.program.outputs[0].name)).equals(seeded)).toBe(true);

    // -i files give the same outputs; a wrong count is a usage error
    fs.mkdirSync(path.join(dir, 'files'));
    const withFiles = spawnSync(path.join(dir, 'bench'), ['--iters', '1', '--warmup', '0', ...inFiles.flatMap((f) => ['-i', f]), '-o', path.join(dir, 'files')], { encoding: 'utf8' });
    expect(withFiles.status, withFiles.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'files', 'output_0.pb')).equals(seeded)).toBe(true);
    const bad = spawnSync(path.join(dir, 'bench'), ['-i', inFiles[0], '-i', inFiles[0]], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error: the model has 1 inputs, got 2/);
  }, 240_000);

  it.skipIf(!nvcc)('compiles for sm_90 with nvcc, every warning an error', () => {
    const dir = tmpDir('onnxc-cuda-bench-nvcc-');
    generate(dir);
    const r = spawnSync(NVCC, ['-arch=sm_90', '-Werror', 'all-warnings', '-DONNXC_CUDA_MODEL=tiny_cnn_cuda_model', '-I', '.', '-I', RUNTIME_DIR,
      '-I', RUNTIME_CUDA_DIR, '-c', 'tiny_cnn.cu', DRIVER, '-odir', dir], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 240_000);
});
