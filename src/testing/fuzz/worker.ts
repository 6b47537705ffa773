// Fuzzer worker (a child process): compiles mutants [from, to) of one seed in-process and prints
// one JSON line per case, preceded by a "start" line so that the parent can name a case that
// hangs or runs out of memory. Usage: node worker.js SEED FROM TO TARGET BUILD_EVERY
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileModel, shapeInputs } from '../../api.js';
import { Model } from '../../../ir/graph.js';
import { TensorData } from '../../../ir/tensor.js';
import { readTensorFile } from '../../runners/index.js';
import { CompileError } from '../../../ir/errors.js';
import { importModel } from '../../onnx/importModel.js';
import { CFLAGS } from '../../runners/c.js';
import { caseOf, fuzzModels } from './cases.js';
import { mutate } from './mutate.js';

/** Text from JavaScript itself, which must never reach a user inside an `error:` line. */
export const JS_TEXT = /Cannot read propert|is not a function|is not iterable|undefined|cannot be converted to a BigInt|Maximum call stack|Invalid array length|Invalid typed array length|out of memory|Unexpected token|ENOENT|EEXIST|EACCES|ENAMETOOLONG/;

export type Status = 'ok' | 'error' | 'js-text' | 'internal' | 'broken-code' | 'hang' | 'crash';
export interface CaseLine { i: number; status: Status; model: string; what: string; msg?: string }

function buildCheck(target: string, files: Record<string, string | Uint8Array>, name: string): string | undefined {
  if (target === 'wasm') {
    const bin = files[`${name}.wasm`] as Uint8Array;
    try { new WebAssembly.Module(bin as Uint8Array<ArrayBuffer>); } catch (e) { return `WebAssembly.Module: ${(e as Error).message}`; }
    return undefined;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxc-fuzz-'));
  try {
    for (const [f, d] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), d);
    const r = spawnSync(process.env.CC || 'gcc', [...CFLAGS.filter((f) => f !== '-O2'), '-O0', '-c', `${name}.c`, '-I', '.', '-o', `${name}.o`], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) return `cc: ${(r.stderr || r.error?.message || '').split('\n').find((l) => /error/.test(l)) ?? r.stderr.slice(0, 200)}`;
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Dims and shape-deciding inputs bound from the case's first data set, as `onnxc test` does
 * (inputs whose type the mutant changed keep their own: the compiler reports the mismatch). */
function bindings(m: Model, file: string): { dims: Record<string, number>; consts: Record<string, TensorData> } {
  const dims: Record<string, number> = {}, consts: Record<string, TensorData> = {};
  const dir = path.join(path.dirname(file), 'test_data_set_0');
  if (!fs.existsSync(dir)) return { dims, consts };
  const need = shapeInputs(m);
  m.graph.inputs.forEach((v, i) => {
    const f = path.join(dir, `input_${i}.pb`);
    if (!fs.existsSync(f)) return;
    let t: TensorData;
    try { t = readTensorFile(f); } catch { return; }
    v.type?.shape?.forEach((d, j) => { if (typeof d === 'string' && t.shape[j] !== undefined) dims[d] = t.shape[j]; });
    if (need.has(v.name)) consts[v.name] = t;
  });
  return { dims, consts };
}

/** Compiles one mutant and classifies the outcome. */
export function runCase(seed: number, i: number, target: 'c' | 'wasm', build: boolean): CaseLine {
  const models = fuzzModels();
  const c = caseOf(seed, i, models.length);
  const file = models[c.model];
  const { bytes, what } = mutate(fs.readFileSync(file), c.mutantSeed);
  const model = path.relative(path.dirname(path.dirname(path.dirname(file))), file);
  const line = (status: Status, msg?: string): CaseLine => ({ i, status, model, what, msg });
  try {
    const m = importModel(bytes, file);
    const r = compileModel(m, { target, name: 'fuzz', ...bindings(m, file) });
    if (build) {
      const broken = buildCheck(target, r.files, 'fuzz');
      if (broken) return line('broken-code', broken);
    }
    return line('ok');
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    const cause = (e as Error)?.cause as Error | undefined;
    if (!(e instanceof CompileError)) return line('internal', `${msg.split('\n')[0]}${cause ? ` (${cause.name}: ${String(cause.message).split('\n')[0]})` : ''}`);
    return line(JS_TEXT.test(msg) ? 'js-text' : 'error', msg.split('\n')[0]);
  }
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const [seed, from, to, target, buildEvery] = process.argv.slice(2);
  for (let i = Number(from); i < Number(to); i++) {
    process.stdout.write(`start ${i}\n`);
    const build = Number(buildEvery) > 0 && i % Number(buildEvery) === 0;
    process.stdout.write(`${JSON.stringify(runCase(Number(seed), i, target as 'c' | 'wasm', build))}\n`);
  }
}
