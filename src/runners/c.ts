// Builds generated C into an executable with runtime-c's main (TensorProto .pb in and out)
// and runs it. The runtime objects are compiled once per symbol name and cached.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompileError } from '../../ir/errors.js';
import { RUNTIME_DIR, writeFiles } from '../api.js';
import { exec } from './exec.js';
import type { BenchResult } from './index.js';

/** Extra flags from the environment for every C build of the runners (CI's sanitizer sample:
 * ONNXC_CFLAGS='-fsanitize=address,undefined -fno-sanitize-recover=all'). */
const EXTRA = (process.env.ONNXC_CFLAGS ?? '').split(/\s+/).filter(Boolean);
export const CFLAGS = ['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', '-pedantic', ...EXTRA];
const CC = process.env.CC || 'gcc';

const objCache = new Map<string, Promise<string[]>>();

/** Object files of runtime-c's main + pb reader, built for a model symbol prefix. */
export function runtimeObjects(name: string): Promise<string[]> {
  let p = objCache.get(name);
  if (!p) {
    p = (async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxc-rt-'));
      const objs: string[] = [];
      for (const src of ['onnxc_main.c', 'onnxc_pb.c', 'onnxc_npy.c']) {
        const obj = path.join(dir, src.replace(/\.c$/, '.o'));
        const r = await exec(CC, [...CFLAGS, `-DONNXC_MODEL=${name}_model`, '-I', RUNTIME_DIR, '-c', path.join(RUNTIME_DIR, src), '-o', obj]);
        if (r.code !== 0) throw new Error(`building runtime-c/${src} failed:\n${r.stderr}`);
        objs.push(obj);
      }
      return objs;
    })();
    objCache.set(name, p);
  }
  return p;
}

/** Writes the generated files into dir and links an executable `dir/name`. */
export async function buildC(files: Record<string, string | Uint8Array>, dir: string, name: string, extraFlags: string[] = []): Promise<string> {
  writeFiles(dir, files);
  const objs = await runtimeObjects(name);
  const exe = path.join(dir, name);
  const r = await exec(CC, [...CFLAGS, ...extraFlags, '-I', '.', `${name}.c`, ...objs, '-lm', '-o', exe], { cwd: dir });
  if (r.code !== 0) throw new CompileError(`C compiler failed on ${name}.c: ${r.stderr.split('\n').filter((l) => /error/.test(l)).slice(0, 3).join(' | ') || r.stderr.slice(0, 300)}`);
  return exe;
}

/** Runs a built model on .pb inputs; returns the output .pb paths. */
export async function runC(exe: string, inputs: string[], outDir: string, numOutputs: number): Promise<string[]> {
  fs.mkdirSync(outDir, { recursive: true });
  const args = inputs.flatMap((f) => ['-i', f]).concat(['-o', outDir]);
  const r = await exec(exe, args, { timeoutMs: 300_000 });
  if (r.code !== 0) throw new CompileError(`compiled model failed: ${(r.stderr.trim().split('\n').pop() ?? '').replace(/^error: /, '')}`);
  return Array.from({ length: numOutputs }, (_, i) => path.join(outDir, `output_${i}.pb`));
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
