// `onnxc build MODEL [-o EXE]`: compiles the model to C in a scratch folder and builds a
// command-line program from it and runtime-c's main (TensorProto files in and out, --bench).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompileError } from '../../ir/errors.js';
import { CpuRow, writeFiles } from '../nodeCompile.js';
import { runtimeMainFiles } from '../runtimeFiles.js';
import { archFlags, findCC } from '../runners/cc.js';
import { exec } from '../runners/exec.js';
import { CompileArgs, compileArgs } from './compile.js';
import { UsageError } from './common.js';

export async function buildCommand(a: CompileArgs): Promise<number> {
  if (a.target !== 'c') throw new UsageError(`onnxc build makes a program from C; --target ${a.target} is not supported (use onnxc compile)`);
  const cc = findCC();
  const r = compileArgs(a);
  const N = r.program.name;
  const exe = path.resolve(a.output ?? N);
  if (fs.existsSync(exe) && fs.statSync(exe).isDirectory()) throw new UsageError(`-o '${a.output ?? N}' is a folder; name the program to write`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxc-build-'));
  try {
    writeFiles(work, { ...r.files, ...runtimeMainFiles() });
    const args = [...cc.slice(1), '-std=c99', '-O2', ...archFlags(a.cpu as CpuRow | undefined), `-DONNXC_MODEL=${N}_model`, '-I', '.',
      `${N}.c`, 'onnxc_main.c', 'onnxc_pb.c', 'onnxc_npy.c', '-lm', '-o', N];
    const res = await exec(cc[0], args, { cwd: work, timeoutMs: 600_000 });
    if (res.code !== 0) {
      const why = res.stderr.split('\n').filter((l) => /error/i.test(l)).slice(0, 2).join(' | ') || res.stderr.trim().split('\n')[0];
      throw new CompileError(`${cc.join(' ')} failed building ${N}.c: ${why}`);
    }
    // into place only once it is built: never a half-written program
    fs.mkdirSync(path.dirname(exe), { recursive: true });
    const tmp = `${exe}.tmp-${process.pid}`;
    fs.copyFileSync(path.join(work, N), tmp);
    fs.chmodSync(tmp, 0o755);
    fs.renameSync(tmp, exe);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const shown = path.relative('.', exe);
  const run = shown.includes(path.sep) ? shown : `.${path.sep}${shown}`;
  const ins = r.program.inputs.map((_, k) => `-i input_${k}.pb`).join(' ');
  process.stdout.write(`built ${path.basename(a.model)} → ${shown} (${cc[0]}, arena ${r.memory.arenaBytes} bytes)\n`);
  process.stdout.write(`run: ${run} ${ins}${ins ? ' ' : ''}-o out/   (TensorProto inputs ${r.program.inputs.map((io) => `${io.name}[${io.shape.join('x')}]`).join(', ') || 'none'}; also --bench 100, --info)\n`);
  return 0;
}
