// `onnxc test`: compiles and runs ONNX backend test cases on a target, compares with the
// expected outputs, prints one line per failure and a summary. Cases run concurrently.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompileError } from '../../ir/errors.js';
import { TensorData, numel, tensorFrom } from '../../ir/tensor.js';
import { CpuRow, Target, compileModel, shapeInputs } from '../api.js';
import { loadModel } from '../onnx/loadModel.js';
import { encodeTensor } from '../onnx/tensorProto.js';
import { getRunner, readTensorFile } from '../runners/index.js';
import { TestCase } from './cases.js';
import { ONNX_TOLERANCE, compareTensors } from './compare.js';

export interface CaseResult { name: string; status: 'pass' | 'fail' | 'skip'; reason?: string }

export interface TestOptions {
  target: Target;
  jobs?: number;
  keep?: boolean;
  workDir?: string;
  /** false: compile the portable plain-C99 path (`--no-simd`); default: the target's SIMD lanes. */
  simd?: boolean;
  /** C: the CPU row (default host). */
  cpu?: CpuRow;
  /** C: compile with --freestanding (no libc, no libm in the model's code). */
  freestanding?: boolean;
  /** Compile with convolutions that use no im2col buffer (the plan --max-ram falls back to). */
  lowMemory?: boolean;
  onResult?: (r: CaseResult) => void;
}

/** Tolerances per case where ONNX's runner uses other ones. */
function toleranceFor(c: TestCase) {
  if (c.name === 'light_densenet121') return { rtol: 2e-3, atol: 1e-7 };
  return ONNX_TOLERANCE;
}

function generatedInput(t: { dtype: string; shape: number[] }): TensorData {
  const n = numel(t.shape);
  const vals = new Float32Array(n);
  for (let i = 0; i < n; i++) vals[i] = i / n;
  return tensorFrom('float32', t.shape, vals);
}

async function runCase(c: TestCase, opts: TestOptions, work: string): Promise<CaseResult> {
  if (!c.dataSets.length) return { name: c.name, status: 'skip', reason: 'no test data sets' };
  // inputs of every data set (generated for the light layout)
  const probe = loadModel(c.model);
  const sets = c.dataSets.map((ds, k) => {
    if (!c.generatedInputs) return { files: ds.inputs, tensors: ds.inputs.map(readTensorFile) as TensorData[], outputs: ds.outputs };
    const tensors = probe.graph.inputs.map((v) => generatedInput({ dtype: v.type!.dtype, shape: v.type!.shape as number[] }));
    const files = tensors.map((t, i) => {
      const f = path.join(work, `gen_${k}_input_${i}.pb`);
      fs.mkdirSync(work, { recursive: true });
      fs.writeFileSync(f, encodeTensor(t, probe.graph.inputs[i].name));
      return f;
    });
    return { files, tensors, outputs: ds.outputs };
  });
  const need = shapeInputs(probe);
  const inputNames = probe.graph.inputs.map((v) => v.name);
  // one compilation per distinct set of specialized values
  const groups = new Map<string, typeof sets>();
  for (const s of sets) {
    if (s.tensors.length !== inputNames.length) return { name: c.name, status: 'fail', reason: `data set has ${s.tensors.length} inputs, the model ${inputNames.length}` };
    const key = inputNames.map((n, i) => (need.has(n) ? Buffer.from(encodeTensor(s.tensors[i], n)).toString('base64') : '')).join('|');
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  let g = 0;
  for (const group of groups.values()) {
    const first = group[0];
    const consts: Record<string, TensorData> = {};
    inputNames.forEach((n, i) => { if (need.has(n)) consts[n] = first.tensors[i]; });
    const dims: Record<string, number> = {};
    probe.graph.inputs.forEach((v, i) => v.type?.shape?.forEach((d, j) => { if (typeof d === 'string') dims[d] = first.tensors[i].shape[j]; }));
    const model = g === 0 ? probe : loadModel(c.model);
    const compiled = compileModel(model, { target: opts.target, name: 'model', dims, consts, verify: true, simd: opts.simd, cpu: opts.cpu, freestanding: opts.freestanding, lowMemory: opts.lowMemory });
    const dir = path.join(work, `build${g++}`);
    const runner = getRunner(opts.target, compiled.cpu);
    const handle = await runner.build(compiled, dir);
    for (const [k, s] of group.entries()) {
      const outs = await runner.run(handle, s.files, path.join(dir, `out${k}`), compiled.program.outputs.length);
      if (s.outputs.length > outs.length) return { name: c.name, status: 'fail', reason: `model produced ${outs.length} outputs, expected ${s.outputs.length}` };
      for (let i = 0; i < s.outputs.length; i++) {
        const why = compareTensors(outs[i], readTensorFile(s.outputs[i]), toleranceFor(c));
        if (why) return { name: c.name, status: 'fail', reason: `output ${i} ('${compiled.program.outputs[i].name}'): ${why}` };
      }
    }
  }
  return { name: c.name, status: 'pass' };
}

/** Runs cases with `jobs` in flight; results in case order. */
export async function runTests(cases: TestCase[], opts: TestOptions): Promise<CaseResult[]> {
  const root = opts.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'onnxc-test-'));
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i];
      const work = path.join(root, c.name);
      let r: CaseResult;
      try {
        r = await runCase(c, opts, work);
      } catch (e) {
        const msg = e instanceof CompileError ? e.message : `internal error: ${(e as Error).message?.split('\n')[0]}`;
        r = { name: c.name, status: 'fail', reason: msg };
      }
      if (!opts.keep) fs.rmSync(work, { recursive: true, force: true });
      results[i] = r;
      opts.onResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.jobs ?? os.cpus().length) }, worker));
  if (!opts.keep && !opts.workDir) fs.rmSync(root, { recursive: true, force: true });
  return results;
}
