// `onnxc test`: compiles and runs ONNX backend test cases on a target, compares with the
// expected outputs, prints one line per failure and a summary. Cases run concurrently.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompileError, NeedsInputValues } from '../../ir/errors.js';
import { TensorData, numel, tensorFrom } from '../../ir/tensor.js';
import { CompileResult, CpuRow, Target, compileModel, loadWasmBackend, shapeInputs } from '../nodeCompile.js';
import { loadModel } from '../onnx/loadModel.js';
import { encodeTensor } from '../onnx/tensorProto.js';
import { layoutKind, parseValue } from '../onnx/valueProto.js';
import { Model, isStructured, layoutLeaves } from '../../ir/graph.js';
import { ProgramInputs, groupOutputs, readInputFiles } from '../runners/valueFiles.js';
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

interface DataSet extends ProgramInputs { outputs: string[] }
/** One compilation of a case: its data sets share the values it was specialized on. */
interface Unit { compiled: CompileResult; sets: DataSet[] }

/** Reads a case's data sets and compiles it once per distinct set of specialized values;
 * `nameOf(g)` names the g-th compilation (distinct names where several share a program). */
function prepareCase(c: TestCase, opts: TestOptions, work: string, nameOf: (g: number) => string): Unit[] | CaseResult {
  if (!c.dataSets.length) return { name: c.name, status: 'skip', reason: 'no test data sets' };
  // inputs of every data set (generated for the light layout); a sequence or optional input
  // becomes the tensors it holds (runners/valueFiles.ts)
  const probe = loadModel(c.model);
  const bad = c.dataSets.find((ds) => !c.generatedInputs && ds.inputs.length !== probe.graph.inputs.length);
  if (bad) return { name: c.name, status: 'fail', reason: `data set has ${bad.inputs.length} inputs, the model ${probe.graph.inputs.length}` };
  const sets: DataSet[] = c.dataSets.map((ds, k) => {
    if (!c.generatedInputs) return { ...readInputFiles(probe.graph.inputs, ds.inputs, work, `set${k}`), outputs: ds.outputs };
    const tensors = probe.graph.inputs.map((v) => generatedInput({ dtype: v.type!.dtype, shape: v.type!.shape as number[] }));
    const files = tensors.map((t, i) => {
      const f = path.join(work, `gen_${k}_input_${i}.pb`);
      fs.mkdirSync(work, { recursive: true });
      fs.writeFileSync(f, encodeTensor(t, probe.graph.inputs[i].name));
      return f;
    });
    return { files, tensors, names: probe.graph.inputs.map((v) => v.name), layouts: {}, outputs: ds.outputs };
  });
  const need = shapeInputs(probe, opts.target);
  // what compileGroups reads of the inputs, before compiling binds them; the first compilation takes the model already loaded
  const inputs = probe.graph.inputs.map((v) => ({ name: v.name, shape: v.type?.shape ?? [], structured: isStructured(v) }));
  let loaded: Model | undefined = probe;
  const load = () => { const m = loaded ?? loadModel(c.model); loaded = undefined; return m; };
  // an If or Loop that needs values of inputs at compile time says so: specialize on them too
  for (;;) {
    try {
      return compileGroups(c, opts, sets, need, inputs, load, nameOf);
    } catch (e) {
      if (!(e instanceof NeedsInputValues) || !e.inputs.length || e.inputs.some((n) => need.has(n) || !inputs.some((v) => v.name === n))) throw e;
      e.inputs.forEach((n) => need.add(n));
    }
  }
}

/** Compiles once per distinct set of values of the inputs in `need` (and of sequence and
 * optional layouts), each data set joining the compilation of its values. */
type InputInfo = { name: string; shape: (number | string)[]; structured: boolean };
function compileGroups(c: TestCase, opts: TestOptions, sets: DataSet[], need: Set<string>, inputs: InputInfo[], load: () => Model, nameOf: (g: number) => string): Unit[] | CaseResult {
  const declared = inputs.filter((v) => !v.structured).length;
  const groups = new Map<string, DataSet[]>();
  for (const s of sets) {
    if (s.files.length - leafCount(s) !== declared) return { name: c.name, status: 'fail', reason: `data set has ${s.files.length - leafCount(s)} tensor inputs, the model ${declared}` };
    const key = s.names.map((n, i) => (need.has(n) ? Buffer.from(encodeTensor(s.tensors[i], n)).toString('base64') : '')).join('|') + JSON.stringify(s.layouts);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()].map((group, g) => {
    const first = group[0];
    const consts: Record<string, TensorData> = {};
    first.names.forEach((n, i) => { if (need.has(n)) consts[n] = first.tensors[i]; });
    const dims: Record<string, number> = {};
    const byName = new Map(first.names.map((n, i) => [n, first.tensors[i]]));
    inputs.forEach((v) => v.shape.forEach((d, j) => { if (typeof d === 'string') dims[d] = byName.get(v.name)!.shape[j]; }));
    const compiled = compileModel(load(), { target: opts.target, name: nameOf(g), dims, consts, layouts: first.layouts, verify: true, simd: opts.simd, cpu: opts.cpu, freestanding: opts.freestanding, lowMemory: opts.lowMemory });
    return { compiled, sets: group };
  });
}

/** Program inputs of a data set that come from sequences and optionals. */
const leafCount = (s: DataSet) => Object.values(s.layouts).reduce((n, l) => n + layoutLeaves(l).length, 0);

/** Runs a built unit on its data sets and compares; the reason of the first mismatch, if any.
 * An expected SequenceProto or OptionalProto output is compared with the tensors it became. */
async function checkUnit(c: TestCase, u: Unit, runner: Runner, handle: unknown, outDir: string): Promise<string | undefined> {
  const layouts = u.compiled.model.outputLayouts;
  for (const [k, s] of u.sets.entries()) {
    const outs = await runner.run(handle, s.files, path.join(outDir, `out${k}`), u.compiled.program.outputs.length);
    if (outs.length < u.compiled.program.outputs.length) return `model produced ${outs.length} outputs, expected ${u.compiled.program.outputs.length}`;
    const got = groupOutputs(outs, layouts);
    let at = 0;
    for (let i = 0; i < s.outputs.length; i++) {
      if (i >= got.length) return `model has ${got.length} outputs, the test data ${s.outputs.length}`;
      const kind = layouts ? layoutKind(got[i].layout) : 'tensor';
      const expected = kind === 'tensor' ? [readTensorFile(s.outputs[i])] : parseValue(fs.readFileSync(s.outputs[i]), kind, path.basename(s.outputs[i])).tensors;
      if (expected.length !== got[i].tensors.length) return `output ${i} holds ${got[i].tensors.length} tensors, expected ${expected.length}`;
      for (const [j, e] of expected.entries()) {
        const why = compareTensors(got[i].tensors[j], e, toleranceFor(c));
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
  if (opts.target === 'wasm') await loadWasmBackend();
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
