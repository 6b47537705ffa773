// The CUDA runtime side without a GPU: hand-written fixtures that follow the generated-code
// contract are built as the CUDA runner builds them (host emulation with g++ here) and run;
// ThreadSanitizer proves the emulation's block threads race when a __syncthreads is missing;
// nvcc compiles the model fixture for sm_90 warning-free.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeTensor } from '../../dist/src/onnx/tensorProto.js';
import { EMU_FLAGS, RUNTIME_CUDA_DIR, buildCuda, checkNvcc, cudaDevice, cudaHeaderFiles, cudaRunner } from '../../dist/src/runners/cuda.js';
import { parsePtxas, checkLimits } from '../../dist/src/runners/ptxas.js';
import { RUNTIME_DIR } from '../../dist/src/api.js';
import { tmpDir } from '../helpers.js';

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
const has = (cmd: string) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
const gxx = has(process.env.CXX || 'g++'), nvcc = has(process.env.NVCC || 'nvcc');
if (!gxx) console.warn('test/cuda/emulation: g++ not found, emulation tests skipped');
if (!nvcc) console.warn('test/cuda/emulation: nvcc not found, nvcc checks skipped');

// x[r][j] = (j - 20 - r) / 4; w[j] = (j - 32) / 8 (as in fix.cu): every sum is exact in float
const X = Float32Array.from({ length: 256 }, (_, i) => ((i % 64) - 20 - Math.floor(i / 64)) / 4);
const W = Float32Array.from({ length: 64 }, (_, j) => (j - 32) / 8);
const Y = X.map((v, i) => Math.max(v, 0) + W[i % 64]);
const rows = [0, 1, 2, 3].map((r) => Array.from(Y.subarray(r * 64, r * 64 + 64)));

function fixFiles(cu = fs.readFileSync(path.join(FIXTURES, 'fix.cu'), 'utf8')): Record<string, string> {
  return { 'fix.cu': cu, 'fix.h': fs.readFileSync(path.join(FIXTURES, 'fix.h'), 'utf8'), ...cudaHeaderFiles() };
}

function writeInput(dir: string): string {
  const f = path.join(dir, 'x.pb');
  fs.writeFileSync(f, encodeTensor({ dtype: 'float32', shape: [4, 64], data: X }, 'x'));
  return f;
}

/** Runs a TSan-built program; retries with ASLR off if TSan cannot map its shadow memory. */
function runTsan(exe: string, args: string[]) {
  fs.mkdirSync(path.join(path.dirname(exe), 'out'), { recursive: true });
  let r = spawnSync(exe, args, { encoding: 'utf8', timeout: 60_000 });
  if (/unexpected memory mapping|FATAL: ThreadSanitizer/.test(r.stderr))
    r = spawnSync('setarch', [process.arch === 'arm64' ? 'aarch64' : 'x86_64', '-R', exe, ...args], { encoding: 'utf8', timeout: 60_000 });
  return r;
}

describe.skipIf(!gxx)('CUDA host emulation', () => {
  it('runs the contract fixture model through onnxc_main on a .pb input', async () => {
    const dir = tmpDir('onnxc-cuda-');
    const exe = await cudaRunner.build({ files: fixFiles(), program: { name: 'fix' } } as never, dir);
    const [y, rowsum, rowmax, total] = await cudaRunner.run(exe, [writeInput(dir)], path.join(dir, 'out'), 4);
    expect(y.shape).toEqual([4, 64]);
    expect(Array.from(y.data)).toEqual(Array.from(Y));
    expect(Array.from(rowsum.data)).toEqual(rows.map((r) => r.reduce((a, b) => a + b)));
    expect(Array.from(rowmax.data)).toEqual(rows.map((r) => Math.max(...r)));
    expect(Array.from(total.data)).toEqual([Y.reduce((a, b) => a + b)]);
    console.log(`test/cuda/emulation: ran on ${cudaDevice().description}`);
  });

  it('reports a failing cudaMalloc as ONNXC_ERR_DEVICE and frees everything', async () => {
    if (cudaDevice().gpu) return; // failure injection exists only in the emulation
    const dir = tmpDir('onnxc-cuda-');
    const exe = await buildCuda(fixFiles(), dir, 'fix', { gpu: false });
    // fix allocates 7 blocks: weights (init), arena, 1 input, 4 outputs
    for (const k of [1, 2, 3, 7]) {
      const r = spawnSync(exe, ['--bench', '1', '--warmup', '0'], {
        encoding: 'utf8', env: { ...process.env, ONNXC_EMU_FAIL_MALLOC: String(k), ONNXC_EMU_REPORT_LEAKS: '1' },
      });
      expect(r.status, `cudaMalloc #${k}`).toBe(1);
      expect(r.stderr).toContain('model returned status 3');
      expect(r.stderr).toContain('onnxc_emu: 0 device allocation(s) live at exit');
    }
  });

  const program = (name: string) => {
    const dir = tmpDir('onnxc-cuda-'), exe = path.join(dir, name);
    const r = spawnSync(process.env.CXX || 'g++', [...EMU_FLAGS, '-I', RUNTIME_DIR, '-I', RUNTIME_CUDA_DIR,
      '-x', 'c++', path.join(FIXTURES, `${name}.cu`), '-o', exe], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return spawnSync(exe, [], { encoding: 'utf8', timeout: 60_000 });
  };

  it('runs grid-stride loops over 300 blocks, threads one by one and concurrently', () => {
    const r = program('grid_stride');
    expect(r.stdout).toBe('ok\n');
    expect(r.status).toBe(0);
  });

  it('refuses launch configurations a GPU refuses, through cudaGetLastError', () => {
    const r = program('launch_errors');
    expect(r.stdout).toContain('block of 2048 threads: invalid configuration argument (as expected)');
    expect(r.stdout).not.toContain('WRONG');
    expect(r.stdout.trim().split('\n').pop()).toBe('ok');
    expect(r.status).toBe(0);
  });

  it('runs clean under ThreadSanitizer, which reports the race once a __syncthreads is removed', async () => {
    const tsan = { gpu: false, extraFlags: ['-fsanitize=thread', '-g'] };
    const good = tmpDir('onnxc-cuda-tsan-'), input = writeInput(good);
    const exe = await buildCuda(fixFiles(), good, 'fix', tsan);
    const ok = runTsan(exe, ['-i', input, '-o', path.join(good, 'out')]);
    expect(ok.stderr).not.toContain('ThreadSanitizer');
    expect(ok.status).toBe(0);

    const cu = fixFiles()['fix.cu'], loop = '    if (t < s) part[t] += part[t + s];\n    __syncthreads();\n';
    expect(cu).toContain(loop);
    const bad = tmpDir('onnxc-cuda-tsan-');
    const racy = await buildCuda(fixFiles(cu.replace(loop, '    if (t < s) part[t] += part[t + s];\n')), bad, 'fix', tsan);
    const r = runTsan(racy, ['-i', input, '-o', path.join(bad, 'out')]);
    expect(r.stderr).toContain('WARNING: ThreadSanitizer: data race');
    expect(r.stderr).toContain('fix_k2_rowsum');
  });
});

describe('nvcc check', () => {
  it.skipIf(!nvcc)('compiles the fixture for sm_90 without warnings, within the limits', async () => {
    const dir = tmpDir('onnxc-nvcc-');
    fs.copyFileSync(path.join(FIXTURES, 'fix.h'), path.join(dir, 'fix.h'));
    const r = await checkNvcc(path.join(FIXTURES, 'fix.cu'), dir, 'sm_90');
    expect(r.warnings).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.kernels.map((k) => k.name).sort()).toEqual(['fix_k0_relu', 'fix_k1_add', 'fix_k2_rowsum', 'fix_k3_rowmax', 'fix_k4_total']);
    const rowsum = r.kernels.find((k) => k.name === 'fix_k2_rowsum')!;
    expect(rowsum.sharedBytes).toBe(256);
    expect(rowsum.registers).toBeGreaterThan(0);
  });

  it('flags spills, too many registers and too much shared memory from ptxas output', () => {
    const ks = parsePtxas([
      "ptxas info    : Compiling entry function '_Z5k_bigPf' for 'sm_80'",
      'ptxas info    : Function properties for _Z5k_bigPf',
      '    0 bytes stack frame, 24 bytes spill stores, 24 bytes spill loads',
      'ptxas info    : Used 255 registers, 50000 bytes smem, 360 bytes cmem[0]',
      "ptxas info    : Compiling entry function 'k_ok' for 'sm_80'",
      'ptxas info    : Used 8 registers, used 0 barriers',
    ].join('\n'));
    expect(ks).toEqual([
      { name: 'k_big', registers: 255, sharedBytes: 50000, spills: 24 },
      { name: 'k_ok', registers: 8, sharedBytes: 0, spills: 0 },
    ]);
    expect(checkLimits(ks)).toEqual([
      'k_big: 50000 bytes of static shared memory (limit 49152)',
      'k_big: 24 bytes of register spill stores',
    ]);
  });
});
