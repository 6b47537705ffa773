// C-simulation of generated HLS designs: NAME.cpp and its testbench adapter NAME_tb.cpp built
// with g++ -std=c++14 (unknown pragmas allowed, every other warning an error) and linked with
// runtime-c's main, which reads the inputs and writes the outputs. Every design is linted
// (codegen/hls/lint.ts) before it is built: a violation fails the build like a compiler error.
import fs from 'node:fs';
import path from 'node:path';
import { CompileError } from '../../ir/errors.js';
import { lintHls } from '../../codegen/hls/lint.js';
import { STREAM_HEADER } from '../../codegen/hls/streamHeader.js';
import { CompileResult, writeFiles } from '../nodeCompile.js';
import { RUNTIME_DIR } from '../runtimeFiles.js';
import { BATCH_TABLE, Program, batchRuntimeObjects, compilerErrors, runProgram, runtimeObjects } from './c.js';
import { BATCH_TIMEOUT_MS, GroupBuilder, buildBatch, writeSharedUnit } from './batch.js';
import { exec } from './exec.js';
import type { Runner } from './index.js';

/** Flags of a C-simulation build. */
export const CSIM_FLAGS = ['-std=c++14', '-O1', '-Wall', '-Wextra', '-Werror', '-Wno-unknown-pragmas'];
const CXX = process.env.CXX || 'g++';

/** Lints the design of a compiled model; throws a CompileError naming the first violations. */
export function checkDesign(r: CompileResult): void {
  const N = r.program.name, src = r.files[`${N}.cpp`];
  if (typeof src !== 'string') throw new CompileError(`hls: no ${N}.cpp in the output`);
  const f64 = r.program.bufs.some((b) => b.dtype === 'float64') || /\bf64\b/.test(JSON.stringify(r.program.steps.map((s) => s.kernel.body), (_, v) => (typeof v === 'bigint' ? String(v) : ArrayBuffer.isView(v) ? undefined : v)));
  const bad = lintHls(src, { top: `${N}_top`, allowDouble: f64 });
  if (bad.length) throw new CompileError(`hls lint: ${N}.cpp ${bad.slice(0, 3).join(' | ')}${bad.length > 3 ? ` (+${bad.length - 3} more)` : ''}`);
}

/** Writes the files into dir, lints the design and links the C-simulation program `dir/name`. */
export async function buildHls(r: CompileResult, dir: string): Promise<string> {
  checkDesign(r);
  const name = r.program.name;
  writeFiles(dir, r.files);
  const exe = path.join(dir, name);
  await compileCpp([`${name}.cpp`, `${name}_tb.cpp`], await runtimeObjects(name), dir, exe);
  return exe;
}

/** Builds designs already written to dir as one program: one translation unit, a namespace per model. */
const buildHlsGroup: GroupBuilder = async (names, dir, exe) => {
  const tu = `${path.basename(exe)}.cpp`;
  // a dataflow design's stream header holds templates: included once, before the namespaces
  const stream = fs.existsSync(path.join(dir, STREAM_HEADER)) ? [`"${STREAM_HEADER}"`] : [];
  writeSharedUnit(dir, tu, 'Designs', ['"onnxc_runtime.h"', '<math.h>', '<stddef.h>', '<stdint.h>', '<string.h>', ...stream], names, BATCH_TABLE, (n) => [`${n}.cpp`, `${n}_tb.cpp`]);
  await compileCpp([tu], await batchRuntimeObjects(), dir, exe);
};

async function compileCpp(srcs: string[], objs: string[], dir: string, exe: string): Promise<void> {
  const r = await exec(CXX, [...CSIM_FLAGS, '-I', '.', '-I', RUNTIME_DIR, ...srcs, ...objs, '-lm', '-o', exe], { cwd: dir, timeoutMs: BATCH_TIMEOUT_MS });
  if (r.code !== 0) throw new CompileError(`HLS C-simulation build failed on ${srcs.join(' ')}: ${compilerErrors(r.stderr)}`);
}

/** Runner for --target hls: C-simulation with g++. */
export const hlsRunner: Runner = {
  build: (r, dir) => buildHls(r, dir),
  async buildBatch(units, dir) {
    // a design that fails the lint is not built; the others go on in one batch
    const lint = units.map((u) => { try { checkDesign(u); return undefined; } catch (e) { return e as CompileError; } });
    const ok = units.filter((_, i) => !lint[i]);
    const built = ok.length ? await buildBatch(ok, dir, buildHlsGroup) : [];
    let k = 0;
    return lint.map((e) => e ?? built[k++]);
  },
  async run(exe, inputs, outDir, n) {
    return runProgram(exe as Program, inputs, outDir, n);
  },
};
