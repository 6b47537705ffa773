// Which C compiler builds programs (`onnxc build`): $CC, else gcc, else clang, else cc on PATH;
// and the flags a CPU row's kernels need.
import fs from 'node:fs';
import path from 'node:path';
import { CompileError } from '../../ir/errors.js';
import { TARGET_ROWS } from '../../ir/target.js';
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

/** Flags beyond -O2 that code generated for a --cpu row needs on this machine: the row's x86-64
 * level (ir/target.ts x86March: host, the default, x86-64-v3) when building on x86-64, this
 * machine's own with native; none elsewhere (AArch64, the scalar rows). */
export function archFlags(cpu: CpuRow | undefined): string[] {
  if (cpu === 'native') return ['-march=native'];
  const march = TARGET_ROWS[cpu ?? 'host']?.x86March;
  return march && process.arch === 'x64' ? [`-march=${march}`] : [];
}
