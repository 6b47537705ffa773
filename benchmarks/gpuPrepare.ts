// Stages what `bash benchmarks/gpu.sh run` needs on a GPU machine that has no Node.js: the
// benchmark models compiled with --target cuda at batch 1 and 32 (one gzipped weight blob per
// model, shared by both batches), their reference outputs from onnxruntime-node on the inputs
// the bench driver generates (runtime-cuda/onnxc_cuda_bench.cu, xorshift32 from seed 1), and
// the ONNX node conformance cases as generated .cu files with their .pb data, in one tarball.
// Usage: node dist/benchmarks/gpuPrepare.js OUT_DIR [--models DIR] [--budget-mib M] [--every N]
//   --every N: stage only every Nth conformance case (default: as many as the budget allows).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import * as ortNode from 'onnxruntime-node';
import { TensorData, numel, tensorFrom } from '../ir/tensor.js';
import { compileModel, loadModel, shapeInputs } from '../src/api.js';
import { encodeTensor } from '../src/onnx/tensorProto.js';
import { readTensorFile } from '../src/runners/index.js';
import { conformanceCases, readExpected } from '../src/testing/conformance.js';
import type { TestCase } from '../src/testing/cases.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const MIB = 1024 * 1024;

function args() {
  const a = process.argv.slice(2);
  const opt = (k: string, d: string) => { const i = a.indexOf(k); return i >= 0 ? a.splice(i, 2)[1] : d; };
  const models = opt('--models', path.join(ROOT, 'benchmarks', 'models'));
  const budget = Number(opt('--budget-mib', '64')), every = Number(opt('--every', '0'));
  if (a.length !== 1) throw new Error('usage: gpuPrepare OUT_DIR [--models DIR] [--budget-mib M] [--every N]');
  return { out: path.resolve(a[0]), models, budget, every };
}

export const BENCH_MODELS = ['resnet18', 'mobilenet_v2', 'transformer'];
export const BATCHES = [1, 32];

/** The bench driver's inputs: xorshift32 from `seed`, one draw per element, inputs in order. */
export function driverInputs(descs: { dtype: string; shape: number[] }[], seed = 1): TensorData[] {
  let s = seed >>> 0 || 1;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  return descs.map(({ dtype, shape }) => {
    const n = numel(shape);
    if (dtype === 'float32' || dtype === 'float64') {
      const v = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = (next() >>> 8) / 8388608 - 1;
      return tensorFrom(dtype, shape, v);
    }
    if (dtype === 'int64') return tensorFrom(dtype, shape, Array.from({ length: n }, () => BigInt(next() & 3)));
    if (dtype === 'int32') return tensorFrom(dtype, shape, Array.from({ length: n }, () => next() & 3));
    throw new Error(`driverInputs: no generator for ${dtype}`);
  });
}

async function ortOutputs(file: string, inputs: TensorData[]): Promise<TensorData[]> {
  const s = await ortNode.InferenceSession.create(file, { logSeverityLevel: 3 });
  const feeds: Record<string, ortNode.Tensor> = {};
  s.inputNames.forEach((n, i) => { feeds[n] = new ortNode.Tensor(inputs[i].dtype as never, inputs[i].data as never, inputs[i].shape); });
  const r = await s.run(feeds);
  const outs = s.outputNames.map((n) => tensorFrom('float32', r[n].dims as number[], r[n].data as Float32Array));
  await s.release();
  return outs;
}

const dirBytes = (d: string): number => fs.readdirSync(d, { withFileTypes: true })
  .reduce((n, e) => n + (e.isDirectory() ? dirBytes(path.join(d, e.name)) : fs.statSync(path.join(d, e.name)).size), 0);

/** models/NAME_bB/{NAME.cu,NAME.h,expected_K.pb,info.json} + models/NAME.weights.bin.gz */
async function stageModels(out: string, modelDir: string): Promise<string[]> {
  const notes: string[] = [];
  for (const name of BENCH_MODELS) {
    let shared: Buffer | undefined;
    for (const b of BATCHES) {
      const file = path.join(modelDir, b === 1 ? `${name}.onnx` : `${name}_b${b}.onnx`);
      if (!fs.existsSync(file)) throw new Error(`${file} is missing: run benchmarks/export_models.py first`);
      const t0 = Date.now();
      const r = compileModel(loadModel(file), { target: 'cuda', name });
      const dir = path.join(out, 'models', `${name}_b${b}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${name}.cu`), r.files[`${name}.cu`]);
      fs.writeFileSync(path.join(dir, `${name}.h`), r.files[`${name}.h`]);
      const w = r.files[`${name}.weights.bin`];
      if (w) {
        const wb = Buffer.from(w as Uint8Array);
        if (!shared) {
          shared = wb;
          fs.writeFileSync(path.join(out, 'models', `${name}.weights.bin.gz`), zlib.gzipSync(wb, { level: 6 }));
        } else if (!shared.equals(wb)) {
          // not expected (same weights, same passes); kept beside the build then, and said so
          fs.writeFileSync(path.join(dir, `${name}.weights.bin.gz`), zlib.gzipSync(wb, { level: 6 }));
          notes.push(`${name} batch ${b}: its weight blob differs from batch 1's, staged separately`);
        }
      }
      const ins = driverInputs(r.program.inputs.map((x) => ({ dtype: x.buf.dtype, shape: x.shape as number[] })));
      const outs = await ortOutputs(file, ins);
      outs.forEach((t, k) => fs.writeFileSync(path.join(dir, `expected_${k}.pb`), encodeTensor(t, r.program.outputs[k].name)));
      fs.writeFileSync(path.join(dir, 'info.json'), JSON.stringify({ model: name, batch: b, onnx: path.basename(file),
        weight_bytes: w ? (w as Uint8Array).length : 0, arena_bytes: r.memory.arenaBytes,
        kernels: r.program.steps.length, compile_s: (Date.now() - t0) / 1000 }) + '\n');
      console.log(`model ${name} batch ${b}: ${r.program.steps.length} kernels, arena ${(r.memory.arenaBytes / MIB).toFixed(1)} MiB, ` +
        `weights ${w ? ((w as Uint8Array).length / MIB).toFixed(1) : 0} MiB, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
  return notes;
}

/** The conformance list: expected-cuda.txt when there is one, else the node/ cases of expected-c.txt. */
function conformanceList(): { ids: string[]; source: string } {
  const cuda = readExpected('cuda').filter((id) => id.startsWith('node/'));
  if (cuda.length) return { ids: cuda, source: 'test/conformance/expected-cuda.txt (node/ cases)' };
  return { ids: readExpected('c').filter((id) => id.startsWith('node/')),
    source: 'test/conformance/expected-c.txt, node/ cases (there is no expected-cuda.txt yet)' };
}

/**
 * conf/CASE/gK/{model.cu,model.h,[model.weights.bin]} and conf/CASE/gK/dJ/{input_*,output_*}.pb:
 * one build per group of data sets that share specialized inputs, as src/testing/runTests.ts.
 */
let nodeCases: Map<string, TestCase> | undefined;
function stageCase(id: string, dir: string): string | null {
  nodeCases ??= new Map(conformanceCases(['node']).map((x) => [`node/${x.name}`, x]));
  const c = nodeCases.get(id);
  if (!c) return 'not in the test data';
  if (!c.dataSets.length) return 'no data sets';
  const probe = loadModel(c.model), need = shapeInputs(probe), names = probe.graph.inputs.map((v) => v.name);
  const sets = c.dataSets.map((ds) => ({ ...ds, tensors: ds.inputs.map(readTensorFile) as TensorData[] }));
  const groups = new Map<string, typeof sets>();
  for (const s of sets) {
    if (s.tensors.length !== names.length) return `a data set has ${s.tensors.length} inputs, the model ${names.length}`;
    const key = names.map((n, i) => (need.has(n) ? Buffer.from(encodeTensor(s.tensors[i], n)).toString('base64') : '')).join('|');
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  let g = 0;
  for (const group of groups.values()) {
    const first = group[0], consts: Record<string, TensorData> = {}, dims: Record<string, number> = {};
    names.forEach((n, i) => { if (need.has(n)) consts[n] = first.tensors[i]; });
    probe.graph.inputs.forEach((v, i) => v.type?.shape?.forEach((d, j) => { if (typeof d === 'string') dims[d] = first.tensors[i].shape[j]; }));
    const r = compileModel(g === 0 ? probe : loadModel(c.model), { target: 'cuda', name: 'model', dims, consts });
    const gdir = path.join(dir, `g${g++}`);
    fs.mkdirSync(gdir, { recursive: true });
    for (const f of ['model.cu', 'model.h', 'model.weights.bin']) if (r.files[f] !== undefined) fs.writeFileSync(path.join(gdir, f), r.files[f]);
    group.forEach((s, j) => {
      const ddir = path.join(gdir, `d${j}`);
      fs.mkdirSync(ddir);
      for (const f of [...s.inputs, ...s.outputs]) fs.copyFileSync(f, path.join(ddir, path.basename(f)));
    });
  }
  return null;
}

async function main() {
  const { out, models, budget, every } = args();
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const t0 = Date.now();
  const notes = await stageModels(out, models);
  const modelBytes = dirBytes(path.join(out, 'models'));
  console.log(`models staged: ${(modelBytes / MIB).toFixed(1)} MiB (${((Date.now() - t0) / 1000).toFixed(0)} s)`);

  // conformance: stage the list (or every Nth case), tar+gzip it, halve the sample until it fits
  const { ids, source } = conformanceList();
  const confDir = path.join(out, '.conf-staging');
  const staged: string[] = [], failed: string[] = [];
  const t1 = Date.now();
  const pick = every > 1 ? ids.filter((_, i) => i % every === 0) : ids;
  for (const id of pick) {
    const caseDir = path.join(confDir, id.slice('node/'.length));
    let why: string | null;
    try { why = stageCase(id, caseDir); } catch (e) { why = (e as Error).message.split('\n')[0]; }
    if (why) { failed.push(`${id}: ${why}`); fs.rmSync(caseDir, { recursive: true, force: true }); } else staged.push(id);
  }
  console.log(`conformance: ${staged.length} cases staged, ${failed.length} did not compile for cuda (${((Date.now() - t1) / 1000).toFixed(0)} s)`);
  let step = 1, tgz = path.join(out, 'conformance.tar.gz'), chosen = staged;
  const room = budget * MIB - modelBytes - 256 * 1024; // a margin for the lists
  for (;;) {
    chosen = staged.filter((_, i) => i % step === 0);
    fs.writeFileSync(path.join(confDir, 'CASES'), chosen.map((id) => id.slice('node/'.length)).join('\n') + '\n');
    const r = spawnSync('tar', ['-czf', tgz, '-C', confDir, 'CASES', ...chosen.map((id) => id.slice('node/'.length))], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
    if (fs.statSync(tgz).size <= room || step >= staged.length) break;
    step *= 2;
  }
  fs.rmSync(confDir, { recursive: true, force: true });
  const sample = step > 1 ? `every ${step}th staged case (${chosen.length} of ${staged.length}) to fit ${budget} MiB` : `all ${staged.length} staged cases`;
  fs.writeFileSync(path.join(out, 'MANIFEST.md'), [
    `# .gpu: staged by benchmarks/gpu.sh prepare on ${new Date().toISOString().slice(0, 10)}`, '',
    `- models: ${BENCH_MODELS.join(', ')} at batch ${BATCHES.join(' and ')} (${(modelBytes / MIB).toFixed(1)} MiB; one gzipped weight blob per model)`,
    `- conformance: ${source}; ${ids.length} listed${every > 1 ? `, every ${every}th taken (${pick.length})` : ''}; ${staged.length} compiled for cuda; carried: ${sample} (${(fs.statSync(tgz).size / MIB).toFixed(1)} MiB gzipped)`,
    ...notes.map((n) => `- ${n}`),
    failed.length ? `- did not compile for --target cuda (${failed.length}):` : '', ...failed.map((f) => `  - ${f}`), ''].join('\n'));
  console.log(`conformance: carried ${sample}; .gpu total ${(dirBytes(out) / MIB).toFixed(1)} MiB (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((e) => { console.error(`error: ${(e as Error).message}`); process.exitCode = 1; });
}
