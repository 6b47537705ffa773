// Which C compiler builds programs (`onnxc build`): $CC, else gcc, else clang, else cc on PATH;
// and the flags a CPU row's kernels need.
import fs from 'node:fs';
import path from 'node:path';
import { CompileError } from '../../ir/errors.js';
import type { CpuRow } from '../nodeCompile.js';

const CANDIDATES = ['gcc', 'clang', 'cc'];

function onPath(cmd: string): boolean {
  if (cmd.includes('/')) return isExecutable(cmd);
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && isExecutable(path.join(d, cmd)));
}

function isExecutable(f: string): boolean {
  try {
    fs.accessSync(f, fs.constants.X_OK);
    return fs.statSync(f).isFile();
  } catch {
    return false;
  }
}

/** The compiler command and its leading arguments (CC may be e.g. "ccache gcc"). */
export function findCC(): string[] {
  const env = process.env.CC?.trim();
  if (env) {
    const words = env.split(/\s+/);
    if (!onPath(words[0])) throw new CompileError(`CC is '${env}', but '${words[0]}' is not an executable on PATH`);
    return words;
  }
  const cc = CANDIDATES.find(onPath);
  if (!cc) throw new CompileError(`no C compiler found: install gcc or clang, or set CC`);
  return [cc];
}

/** Flags beyond -O2 that code generated for a --cpu row needs (host: none, portable). */
export function archFlags(cpu: CpuRow | undefined): string[] {
  if (cpu === 'native') return ['-march=native'];
  if (cpu === 'host-avx512') return ['-march=x86-64-v4'];
  return [];
}
