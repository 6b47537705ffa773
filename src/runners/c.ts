// Builds generated C into an executable with runtime-c's main (TensorProto .pb in and out)
// and runs it. The runtime objects are compiled once per symbol name and cached.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompileError } from '../../ir/errors.js';
import { RUNTIME_DIR, writeFiles } from '../nodeCompile.js';
import { BATCH_TIMEOUT_MS, GroupBuilder, modelTable } from './batch.js';
import { exec } from './exec.js';
import { parseTensor } from '../onnx/tensorProto.js';
import type { TensorData } from '../../ir/tensor.js';
import type { BenchResult } from './index.js';

/** Extra flags from the environment for every C build of the runners (CI's sanitizer sample:
 * ONNXC_CFLAGS='-fsanitize=address,undefined -fno-sanitize-recover=all'). */
const EXTRA = (process.env.ONNXC_CFLAGS ?? '').split(/\s+/).filter(Boolean);
export const CFLAGS = ['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', '-pedantic', ...EXTRA];
const CC = process.env.CC || 'gcc';

const objCache = new Map<string, Promise<string[]>>();

/** Object files of runtime-c's main + pb reader, built for a model symbol prefix. */
export function runtimeObjects(name: string): Promise<string[]> {
  return runtimeObjectsWith(`-DONNXC_MODEL=${name}_model`);
}

/** The name of the model table of a program holding several models (see runners/batch.ts). */
export const BATCH_TABLE = 'onnxc_batch_models';

/** Object files of runtime-c's main (taking --model NAME) for a program with a model table. */
export const batchRuntimeObjects = () => runtimeObjectsWith(`-DONNXC_MODEL_TABLE=${BATCH_TABLE}`);

function runtimeObjectsWith(define: string): Promise<string[]> {
  let p = objCache.get(define);
  if (!p) {
    p = (async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxc-rt-'));
      const objs: string[] = [];
      for (const src of ['onnxc_main.c', 'onnxc_pb.c', 'onnxc_npy.c']) {
        const obj = path.join(dir, src.replace(/\.c$/, '.o'));
        const r = await exec(CC, [...CFLAGS, define, '-I', RUNTIME_DIR, '-c', path.join(RUNTIME_DIR, src), '-o', obj]);
        if (r.code !== 0) throw new Error(`building runtime-c/${src} failed:\n${r.stderr}`);
        objs.push(obj);
      }
      return objs;
    })();
    objCache.set(define, p);
  }
  return p;
}

/** Writes the generated files into dir and links an executable `dir/name`. */
export async function buildC(files: Record<string, string | Uint8Array>, dir: string, name: string, extraFlags: string[] = []): Promise<string> {
  writeFiles(dir, files);
  const objs = await runtimeObjects(name);
  const exe = path.join(dir, name);
  const r = await exec(CC, [...CFLAGS, ...extraFlags, '-I', '.', `${name}.c`, ...objs, '-lm', '-o', exe], { cwd: dir });
  if (r.code !== 0) throw new CompileError(`C compiler failed on ${name}.c: ${compilerErrors(r.stderr)}`);
  return exe;
}

/** Builds generated C models (files in dir) into one program with a model table (runners/batch.ts),
 * with extraFlags (a --cpu row's architecture flags) beyond CFLAGS. */
export const cGroupBuilder = (extraFlags: string[] = []): GroupBuilder => async (names, dir, exe) => {
  const objs = await batchRuntimeObjects();
  const table = path.basename(exe) + '_table.c';
  fs.writeFileSync(path.join(dir, table), modelTable(BATCH_TABLE, names, 'c'));
  const r = await exec(CC, [...CFLAGS, ...extraFlags, '-I', '.', ...names.map((n) => `${n}.c`), table, ...objs, '-lm', '-o', exe], { cwd: dir, timeoutMs: BATCH_TIMEOUT_MS });
  if (r.code !== 0) throw new CompileError(`C compiler failed on ${names.length === 1 ? `${names[0]}.c` : `a batch of ${names.length} models`}: ${compilerErrors(r.stderr)}`);
};

/** The first error lines of a compiler's output (else its start). */
export const compilerErrors = (stderr: string) => stderr.split('\n').filter((l) => /error/.test(l)).slice(0, 3).join(' | ') || stderr.slice(0, 300);

/** A built program: its path, and the model to pick where it holds several (runners/batch.ts). */
export type Program = string | { exe: string; model: string };

/** A program's file and the arguments that pick its model (`--model NAME`, where it holds several). */
export const programArgs = (prog: Program): [string, string[]] => (typeof prog === 'string' ? [prog, []] : [prog.exe, ['--model', prog.model]]);

/** Runs a built model on .pb inputs; returns the output .pb paths. */
export async function runC(prog: Program, inputs: string[], outDir: string, numOutputs: number): Promise<string[]> {
  fs.mkdirSync(outDir, { recursive: true });
  const [exe, pick] = programArgs(prog);
  const args = [...pick, ...inputs.flatMap((f) => ['-i', f]), '-o', outDir];
  const r = await exec(exe, args, { timeoutMs: 300_000 });
  if (r.code !== 0) throw new CompileError(`compiled model failed: ${(r.stderr.trim().split('\n').pop() ?? '').replace(/^error: /, '')}`);
  return Array.from({ length: numOutputs }, (_, i) => path.join(outDir, `output_${i}.pb`));
}

/** Runs a program runtime-c's main drives (C, CUDA, HLS C-simulation); returns the outputs. */
export async function runProgram(prog: Program, inputs: string[], outDir: string, numOutputs: number): Promise<TensorData[]> {
  const files = await runC(prog, inputs, outDir, numOutputs);
  return files.map((f) => parseTensor(fs.readFileSync(f), path.basename(f)));
}

/** Flags `onnxc bench` builds with: what a user shipping for this machine would use. */
export const RELEASE_CFLAGS = ['-O3', '-march=native'];

/** Times a built model with runtime-c's --bench (seeded inputs, median of iters runs). */
export async function benchC(exe: string, iters: number, warmup: number): Promise<BenchResult> {
  const r = await exec(exe, ['--bench', String(iters), '--warmup', String(warmup)], { timeoutMs: 1_800_000 });
  if (r.code !== 0) throw new CompileError(`benchmark run failed: ${r.stderr.trim().split('\n').pop()}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
  // profile builds report each step as one JSON line on stderr
  const steps = r.stderr.split('\n').filter((l) => l.startsWith('{"profile_step"')).map((l) => JSON.parse(l) as { label: string; ms: number });
  return { median_ms: j.median_ms, min_ms: j.min_ms, ...(steps.length ? { profile: steps.map(({ label, ms }) => ({ label, ms })) } : {}) };
}
