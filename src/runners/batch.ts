// Batched builds for `onnxc test`: several compiled models (each with its own --name prefix)
// linked into one program whose main takes `--model NAME` first (runtime-c/onnxc_main.c built
// with ONNXC_MODEL_TABLE). One compiler call and one link per batch instead of per case: on C
// that is most of a small case's cost, and on the CUDA host emulation the models share one
// translation unit (a C++ namespace each), so the emulation header is parsed once per batch.
// A batch that fails to build is rebuilt one model at a time, so each failure names its case.
import fs from 'node:fs';
import path from 'node:path';
import { CompileError } from '../../ir/errors.js';
import { CompileResult, writeFiles } from '../nodeCompile.js';
import type { Program } from './c.js';

/** Builds `names` (files already in dir) into the program `exe` in dir; throws CompileError. */
export type GroupBuilder = (names: string[], dir: string, exe: string) => Promise<void>;

/** The compiler's and the batch's time limit (a batch compiles tens of models in one call). */
export const BATCH_TIMEOUT_MS = 900_000;

/** C source of the null-terminated model table runtime-c's main picks from. */
export function modelTable(table: string, names: string[], lang: 'c' | 'c++'): string {
  if (lang === 'c++') {
    const refs = names.map((n) => `&${namespaceOf(n)}::${n}_model`);
    return `extern "C" const onnxc_model *const ${table}[] = {${[...refs, '0'].join(', ')}};\n`;
  }
  return ['/* The models of this program, picked by --model NAME (runtime-c/onnxc_main.c). */',
    '#include "onnxc_runtime.h"', ...names.map((n) => `extern const onnxc_model ${n}_model;`),
    `const onnxc_model *const ${table}[] = {${[...names.map((n) => `&${n}_model`), '0'].join(', ')}};`, ''].join('\n');
}

/** The C++ namespace a model's sources are included in when it shares a translation unit. */
export const namespaceOf = (name: string) => `onnxc_batch_${name}`;

/**
 * Writes `dir/tu`: one C++ translation unit holding several models (CUDA emulation, HLS
 * C-simulation), `headers` first (so their include guards keep them out of the namespaces),
 * then each model's `sources(name)` inside its own namespace, then the model table.
 */
export function writeSharedUnit(dir: string, tu: string, what: string, headers: string[], names: string[], table: string, sources: (name: string) => string[]): void {
  fs.writeFileSync(path.join(dir, tu), [
    `/* ${what} of one onnxc test batch in one translation unit, each in its own namespace. */`,
    ...headers.map((h) => `#include ${h}`),
    ...names.map((n) => `namespace ${namespaceOf(n)} {\n${sources(n).map((f) => `#include "${f}"`).join('\n')}\n}`),
    modelTable(table, names, 'c++')].join('\n'));
}

/**
 * Writes every unit's files into dir and builds them as one program; where that fails, builds
 * each alone. Returns, per unit, the program and model to run, or the CompileError of its build.
 */
export async function buildBatch(units: CompileResult[], dir: string, group: GroupBuilder): Promise<(Program | CompileError)[]> {
  for (const u of units) writeFiles(dir, u.files);
  const names = units.map((u) => u.program.name);
  try {
    const exe = path.join(dir, 'onnxc_batch');
    await group(names, dir, exe);
    return names.map((model) => ({ exe, model }));
  } catch (e) {
    if (!(e instanceof CompileError) || units.length === 1) return names.map(() => asCompileError(e));
  }
  const out: (Program | CompileError)[] = [];
  for (const model of names) {
    const exe = path.join(dir, `${model}_alone`);
    try {
      await group([model], dir, exe);
      out.push({ exe, model });
    } catch (e) {
      out.push(asCompileError(e));
    }
  }
  return out;
}

function asCompileError(e: unknown): CompileError {
  return e instanceof CompileError ? e : new CompileError(`internal error: ${(e as Error).message?.split('\n')[0]}`);
}
