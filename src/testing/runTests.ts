// `onnxc test`: compiles and runs ONNX backend test cases on a target, compares with the
// expected outputs, prints one line per failure and a summary. Cases run concurrently.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompileError } from '../../ir/errors.js';
import { TensorData, numel, tensorFrom } from '../../ir/tensor.js';
import { CompileResult, CpuRow, Target, compileModel, shapeInputs } from '../api.js';
import { loadModel } from '../onnx/loadModel.js';
import { encodeTensor, parseSequence } from '../onnx/tensorProto.js';
import { Model } from '../../ir/graph.js';
import { Runner, getRunner, readTensorFile } from '../runners/index.js';
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

interface DataSet { files: string[]; tensors: TensorData[]; outputs: string[]; seqs: Record<string, TensorData[]> }
/** One compilation of a case: its data sets share the values it was specialized on. */
interface Unit { compiled: CompileResult; sets: DataSet[] }

/** A data set's inputs: a sequence input (SequenceProto) becomes one tensor file per element. */
function readInputs(probe: Model, files: string[], work: string, k: number): Pick<DataSet, 'files' | 'tensors' | 'seqs'> {
  const seqs: Record<string, TensorData[]> = {};
  const out: { file: string; t: TensorData }[] = [];
  files.forEach((f, i) => {
    const v = probe.graph.inputs[i];
    if (!v?.sequence) { out.push({ file: f, t: readTensorFile(f) }); return; }
    seqs[v.name] = parseSequence(fs.readFileSync(f), path.basename(f));
    fs.mkdirSync(work, { recursive: true });
    seqs[v.name].forEach((t, j) => {
      const file = path.join(work, `seq_${k}_input_${i}_${j}.pb`);
      fs.writeFileSync(file, encodeTensor(t, `${v.name}_${j}`));
      out.push({ file, t });
    });
  });
  return { files: out.map((o) => o.file), tensors: out.map((o) => o.t), seqs };
}

/** Reads a case's data sets and compiles it once per distinct set of specialized values;
 * `nameOf(g)` names the g-th compilation (distinct names where several share a program). */
function prepareCase(c: TestCase, opts: TestOptions, work: string, nameOf: (g: number) => string): Unit[] | CaseResult {
  if (!c.dataSets.length) return { name: c.name, status: 'skip', reason: 'no test data sets' };
  // inputs of every data set (generated for the light layout)
  const probe = loadModel(c.model);
  const sets: DataSet[] = c.dataSets.map((ds, k) => {
    if (!c.generatedInputs) return { ...readInputs(probe, ds.inputs, work, k), outputs: ds.outputs };
    const tensors = probe.graph.inputs.map((v) => generatedInput({ dtype: v.type!.dtype, shape: v.type!.shape as number[] }));
    const files = tensors.map((t, i) => {
      const f = path.join(work, `gen_${k}_input_${i}.pb`);
      fs.mkdirSync(work, { recursive: true });
      fs.writeFileSync(f, encodeTensor(t, probe.graph.inputs[i].name));
      return f;
    });
    return { files, tensors, outputs: ds.outputs, seqs: {} };
  });
  const need = shapeInputs(probe, opts.target);
  // the program's inputs: a sequence input's elements in its place
  const inputNames = (s: DataSet) => probe.graph.inputs.flatMap((v) => (v.sequence ? (s.seqs[v.name] ?? []).map((_, j) => `${v.name}_${j}`) : [v.name]));
  const seqKey = (s: DataSet) => Object.entries(s.seqs).map(([n, ts]) => `${n}:${ts.map((t) => `${t.dtype}[${t.shape}]`).join(';')}`).join('|');
  // one compilation per distinct set of specialized values (and sequence element types)
  const groups = new Map<string, DataSet[]>();
  for (const s of sets) {
    const names = inputNames(s);
    if (s.tensors.length !== names.length) return { name: c.name, status: 'fail', reason: `data set has ${s.tensors.length} inputs, the model ${names.length}` };
    const key = names.map((n, i) => (need.has(n) ? Buffer.from(encodeTensor(s.tensors[i], n)).toString('base64') : '')).join('|') + seqKey(s);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()].map((group, g) => {
    const first = group[0];
    const names = inputNames(first);
    const consts: Record<string, TensorData> = {};
    names.forEach((n, i) => { if (need.has(n)) consts[n] = first.tensors[i]; });
    const dims: Record<string, number> = {};
    const byName = new Map(names.map((n, i) => [n, first.tensors[i]]));
    probe.graph.inputs.forEach((v) => v.type?.shape?.forEach((d, j) => { if (typeof d === 'string') dims[d] = byName.get(v.name)!.shape[j]; }));
    const sequences = Object.fromEntries(Object.entries(first.seqs).map(([n, ts]) => [n, ts.map((t) => ({ dtype: t.dtype, shape: t.shape }))]));
    const model = g === 0 ? probe : loadModel(c.model);
    const compiled = compileModel(model, { target: opts.target, name: nameOf(g), dims, consts, sequences, verify: true, simd: opts.simd, cpu: opts.cpu, freestanding: opts.freestanding, lowMemory: opts.lowMemory });
    return { compiled, sets: group };
  });
}

/** Runs a built unit on its data sets and compares; the reason of the first mismatch, if any.
 * An expected SequenceProto output is compared element by element with the outputs it became. */
async function checkUnit(c: TestCase, u: Unit, runner: Runner, handle: unknown, outDir: string): Promise<string | undefined> {
  const counts = u.compiled.model.outputCounts;
  for (const [k, s] of u.sets.entries()) {
    const outs = await runner.run(handle, s.files, path.join(outDir, `out${k}`), u.compiled.program.outputs.length);
    let at = 0;
    for (let i = 0; i < s.outputs.length; i++) {
      const count = counts?.[i] ?? null;
      const expected = count === null ? [readTensorFile(s.outputs[i])] : parseSequence(fs.readFileSync(s.outputs[i]), path.basename(s.outputs[i]));
      if (count !== null && expected.length !== count) return `output ${i} is a sequence of ${count}, expected ${expected.length}`;
      for (const e of expected) {
        if (at >= outs.length) return `model produced ${outs.length} outputs, expected more`;
        const why = compareTensors(outs[at], e, toleranceFor(c));
        if (why) return `output ${i} ('${u.compiled.program.outputs[at].name}'): ${why}`;
        at++;
      }
    }
  }
  return undefined;
}

const failure = (name: string, e: unknown): CaseResult => ({
  name, status: 'fail',
  reason: e instanceof CompileError ? e.message : `internal error: ${(e as Error).message?.split('\n')[0]}`,
});

/** Cases built into one program where the runner can (runners/batch.ts). */
const BATCH_CASES = 24;

/** Runs cases with `jobs` in flight; results in case order. Runners that build several models
 * into one program get the cases in batches (compiled, built together, then run one by one). */
export async function runTests(cases: TestCase[], opts: TestOptions): Promise<CaseResult[]> {
  const root = opts.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'onnxc-test-'));
  const results: CaseResult[] = new Array(cases.length);
  const jobs = Math.max(1, opts.jobs ?? os.cpus().length);
  const runner = getRunner(opts.target, opts.cpu);
  const batched = runner.buildBatch !== undefined && cases.length > 1;
  const size = batched ? Math.max(1, Math.min(BATCH_CASES, Math.ceil(cases.length / jobs))) : 1;
  // whole-network cases (light/: generated inputs, seconds to minutes each) first and one per
  // batch, so the workers share them instead of one running them all at the end
  const heavy = (i: number) => cases[i].generatedInputs === true;
  const order = [...cases.keys()].sort((a, b) => Number(heavy(b)) - Number(heavy(a)) || a - b);
  let next = 0;
  const worker = async () => {
    while (next < order.length) {
      const first = next;
      do next++; while (next < order.length && next - first < size && !heavy(order[first]) && !heavy(order[next]));
      const idx = order.slice(first, next);
      const work = (i: number) => path.join(root, cases[i].name);
      const prepared = new Map<number, Unit[]>();
      let n = 0;
      for (const i of idx) {
        try {
          const r = prepareCase(cases[i], opts, work(i), () => (batched ? `m${n++}` : 'model'));
          if (Array.isArray(r)) prepared.set(i, r); else results[i] = r;
        } catch (e) {
          results[i] = failure(cases[i].name, e);
        }
      }
      const units = [...prepared.values()].flat();
      const batchDir = path.join(root, `batch${idx[0]}`);
      const handles = batched && units.length > 1
        ? await runner.buildBatch!(units.map((u) => u.compiled), batchDir)
        : await Promise.all(units.map((u, k) => runner.build(u.compiled, path.join(batchDir, `build${k}`)).catch((e: unknown) => e instanceof Error ? e : new Error(String(e)))));
      let h = 0;
      for (const [i, us] of prepared) {
        const start = h;
        h += us.length;
        try {
          let why: string | undefined;
          for (let g = 0; g < us.length && !why; g++) {
            const handle = handles[start + g];
            if (handle instanceof Error) throw handle;
            why = await checkUnit(cases[i], us[g], runner, handle, path.join(work(i), `build${g}`));
          }
          results[i] = why ? { name: cases[i].name, status: 'fail', reason: why } : { name: cases[i].name, status: 'pass' };
        } catch (e) {
          results[i] = failure(cases[i].name, e);
        }
      }
      for (const i of idx) {
        if (!opts.keep) fs.rmSync(work(i), { recursive: true, force: true });
        opts.onResult?.(results[i]);
      }
      if (!opts.keep) fs.rmSync(batchDir, { recursive: true, force: true });
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  if (!opts.keep && !opts.workDir) fs.rmSync(root, { recursive: true, force: true });
  return results;
}
