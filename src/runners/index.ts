// Target runners: build a compiled model for a target and execute it on TensorProto files.
import path from 'node:path';
import { TensorData } from '../../ir/tensor.js';
import { CompileResult, Target } from '../nodeCompile.js';
import { isNpyPath, parseNpy } from '../onnx/npy.js';
import { MAX_MODEL_BYTES, readRegularFile } from '../onnx/readFile.js';
import { parseTensor } from '../onnx/tensorProto.js';
import { Program, RELEASE_CFLAGS, benchC, buildC, cGroupBuilder, runProgram } from './c.js';
import { archFlags } from './cc.js';
import type { CpuRow } from '../compile.js';
import { buildBatch } from './batch.js';
import { makeWasmRunner } from './wasm.js';
import { cudaRunner } from './cuda.js';
import { hlsRunner } from './hls.js';
import { firmwareRunner } from './firmware.js';
import { boardFor } from '../firmware/boards.js';

export interface Runner {
  /** Prepares an executable form of the compiled model in workDir. */
  build(r: CompileResult, workDir: string): Promise<unknown>;
  /** Runs it on .pb inputs (graph input order); returns the outputs. */
  run(handle: unknown, inputs: string[], outDir: string, numOutputs: number): Promise<TensorData[]>;
  /** Builds several compiled models (distinct names) into one program where the target can
   * (runners/batch.ts): per model, a handle for run() or the CompileError of its build. */
  buildBatch?(units: CompileResult[], workDir: string): Promise<unknown[]>;
  /** Builds with release flags and times `iters` runs on seeded inputs (after `warmup`). */
  bench?(r: CompileResult, workDir: string, iters: number, warmup: number): Promise<BenchResult>;
}

export interface BenchResult {
  median_ms: number;
  min_ms: number;
  /** Profile builds: mean milliseconds per run spent in each step. */
  profile?: { label: string; ms: number }[];
  /** Firmware rows: instructions per inference (QEMU -icount), where the runner counts them. */
  instructions?: number;
}

/** Reads a tensor file: NumPy .npy by extension, else TensorProto (.npy has no name: ''). */
export function readTensorFile(file: string): TensorData & { name: string } {
  const bytes = readRegularFile(file, MAX_MODEL_BYTES, 'tensor file');
  if (isNpyPath(file)) return { ...parseNpy(bytes, path.basename(file)), name: '' };
  return parseTensor(bytes, path.basename(file));
}

/** The C runner; arch: the --cpu row's flags (-march=x86-64-v4 for host-avx512, see archFlags). */
const cRunnerFor = (arch: string[]): Runner => ({
  build: (r, dir) => buildC(r.files, dir, r.program.name, arch),
  buildBatch: (units, dir) => buildBatch(units, dir, cGroupBuilder(arch)),
  async run(exe, inputs, outDir, n) {
    return runProgram(exe as Program, inputs, outDir, n);
  },
  async bench(r, dir, iters, warmup) {
    const exe = await buildC(r.files, dir, r.program.name, RELEASE_CFLAGS);
    return benchC(exe, iters, warmup);
  },
});
const cRunner = cRunnerFor([]);

const runners: Partial<Record<Target, Runner>> = { c: cRunner, wasm: makeWasmRunner(readTensorFile), cuda: cudaRunner, hls: hlsRunner };

export function registerRunner(t: Target, r: Runner): void {
  runners[t] = r;
}

/** The runner of a target; C compiled for a Cortex-M row (cpu) runs on its board under QEMU. */
export function getRunner(t: Target, cpu?: string): Runner {
  const board = t === 'c' ? boardFor(cpu) : undefined;
  if (board) return firmwareRunner(board, readTensorFile);
  const arch = t === 'c' ? archFlags(cpu as CpuRow | undefined) : [];
  if (arch.length && runners.c === cRunner) return cRunnerFor(arch);
  const r = runners[t];
  if (!r) throw new Error(`no runner for target ${t}`);
  return r;
}
