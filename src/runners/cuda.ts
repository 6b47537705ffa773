// Builds a generated NAME.cu into an executable with runtime-c's main (TensorProto .pb in
// and out) and runs it: with nvcc on a machine with a GPU, else as C++ in the host
// emulation (runtime-cuda/onnxc_cuda_emu.h), whose header is precompiled once and cached.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompileError } from '../../ir/errors.js';
import { writeFiles } from '../nodeCompile.js';
import { RUNTIME_DIR, cudaHeaderFiles } from '../runtimeFiles.js';
import { BATCH_TABLE, Program, batchRuntimeObjects, benchC, compilerErrors, runProgram, runtimeObjects } from './c.js';
import { BATCH_TIMEOUT_MS, GroupBuilder, buildBatch, writeSharedUnit } from './batch.js';
import { exec } from './exec.js';
import type { Runner } from './index.js';
import { RUNTIME_CUDA_DIR } from './ptxas.js';

export { checkNvcc, RUNTIME_CUDA_DIR } from './ptxas.js';
export type { KernelUsage, NvccCheck } from './ptxas.js';

/** Flags of an emulation build (g++ compiling NAME.cu as C++). */
export const EMU_FLAGS = ['-std=c++17', '-O1', '-Wall', '-Wextra', '-Werror', '-Wno-unknown-pragmas', '-pthread'];
/** Flags of a GPU build (nvcc, whole program, for the GPU of this machine). */
export const NVCC_FLAGS = ['-O2', '-arch=native'];
const CXX = process.env.CXX || 'g++';
const NVCC = process.env.NVCC || 'nvcc';

export { cudaHeaderFiles };

let device: { gpu: boolean; description: string } | undefined;

/** Whether models run on a GPU (nvidia-smi lists one) or in the host emulation. */
export function cudaDevice(): { gpu: boolean; description: string } {
  if (!device) {
    const r = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 20_000 });
    const gpu = r.status === 0 ? /^GPU \d+: .*/m.exec(r.stdout) : null;
    device = gpu
      ? { gpu: true, description: `${gpu[0].trim()} (nvcc ${NVCC_FLAGS.join(' ')})` }
      : { gpu: false, description: `host emulation (${CXX}, no GPU found by nvidia-smi)` };
  }
  return device;
}

const pchCache = new Map<string, Promise<string[]>>();

/**
 * Flags that include a precompiled onnxc_cuda.h built with `flags`, cached in the temp
 * folder under a hash of the headers, compiler and flags ([] if it cannot be built).
 */
function pchFlags(flags: string[]): Promise<string[]> {
  const headers = cudaHeaderFiles();
  const key = crypto.createHash('sha256').update(JSON.stringify([headers, CXX, flags])).digest('hex').slice(0, 16);
  let p = pchCache.get(key);
  if (!p) {
    p = (async () => {
      const dir = path.join(os.tmpdir(), `onnxc-cuda-pch-${key}`), header = path.join(dir, 'onnxc_cuda.h');
      if (fs.existsSync(`${header}.gch`)) return ['-include', header];
      const tmp = fs.mkdtempSync(`${dir}.tmp-`);
      writeFiles(tmp, headers);
      const r = await exec(CXX, [...flags, '-x', 'c++-header', path.join(tmp, 'onnxc_cuda.h'), '-o', path.join(tmp, 'onnxc_cuda.h.gch')]);
      if (r.code !== 0) { fs.rmSync(tmp, { recursive: true, force: true }); return []; }
      try { fs.renameSync(tmp, dir); } catch { fs.rmSync(tmp, { recursive: true, force: true }); } // another process won
      return ['-include', header];
    })();
    pchCache.set(key, p);
  }
  return p;
}

export interface CudaBuildOptions {
  /** Build with nvcc for this machine's GPU; default: cudaDevice().gpu. */
  gpu?: boolean;
  /** Further compiler flags (e.g. -fsanitize=thread for an emulation build). */
  extraFlags?: string[];
}

/** Writes the generated files into dir and links an executable `dir/name`. */
export async function buildCuda(files: Record<string, string | Uint8Array>, dir: string, name: string, opts: CudaBuildOptions = {}): Promise<string> {
  writeFiles(dir, files);
  const exe = path.join(dir, name);
  await compileCu(`${name}.cu`, await runtimeObjects(name), dir, exe, opts);
  return exe;
}

/** Builds models already written to dir as one program: their .cu files share one translation
 * unit, each in its own namespace, with the model table at its end (runners/batch.ts). */
export const buildCudaGroup: GroupBuilder = async (names, dir, exe) => {
  const tu = `${path.basename(exe)}.cu`;
  writeSharedUnit(dir, tu, 'Models', ['"onnxc_cuda.h"', '<math.h>', '<string.h>'], names, BATCH_TABLE, (n) => [`${n}.cu`]);
  await compileCu(tu, await batchRuntimeObjects(), dir, exe, {});
};

/** Compiles `cu` (in dir) and links it with the runtime objects into exe. */
async function compileCu(cu: string, objs: string[], dir: string, exe: string, opts: CudaBuildOptions): Promise<void> {
  const extra = opts.extraFlags ?? [];
  const inc = ['-I', '.', '-I', RUNTIME_DIR, '-I', RUNTIME_CUDA_DIR]; // the folder's header copies first
  let r;
  if (opts.gpu ?? cudaDevice().gpu) {
    r = await exec(NVCC, [...NVCC_FLAGS, ...extra, ...inc, cu, ...objs, '-o', exe], { cwd: dir, timeoutMs: BATCH_TIMEOUT_MS });
  } else {
    const flags = [...EMU_FLAGS, ...extra];
    // the cached header stands in for the folder's copies only when they are the shipped ones
    const shipped = Object.entries(cudaHeaderFiles()).every(([f, h]) => {
      const p = path.join(dir, f);
      return !fs.existsSync(p) || fs.readFileSync(p, 'utf8') === h;
    });
    const pch = shipped ? await pchFlags(flags) : [];
    r = await exec(CXX, [...flags, ...pch, ...inc, '-x', 'c++', cu, '-x', 'none', ...objs, '-lm', '-o', exe], { cwd: dir, timeoutMs: BATCH_TIMEOUT_MS });
  }
  if (r.code !== 0) throw new CompileError(`CUDA build failed on ${cu}: ${compilerErrors(r.stderr)}`);
}

/** Runner for --target cuda: on the GPU when there is one, else in the host emulation. */
export const cudaRunner: Runner = {
  build: (r, dir) => buildCuda(r.files, dir, r.program.name),
  buildBatch: (units, dir) => buildBatch(units, dir, buildCudaGroup),
  async run(exe, inputs, outDir, n) {
    return runProgram(exe as Program, inputs, outDir, n);
  },
  async bench(r, dir, iters, warmup) {
    const exe = await buildCuda(r.files, dir, r.program.name);
    return benchC(exe, iters, warmup);
  },
};
