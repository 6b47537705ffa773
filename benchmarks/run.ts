// Benchmarks onnxc against ONNX Runtime, side by side in one run, alternating rounds:
// onnxc C vs onnxruntime-node (1 intra-op thread) and onnxc WASM vs onnxruntime-web (wasm EP,
// 1 thread). onnxc C and onnxruntime-node are each timed in a process of their own
// (benchmarks/ortNode.ts); every contender gets the same warm-up runs each round. Checks the
// outputs agree, then writes benchmarks/RESULTS.md.
// Usage: npm run bench [-- --rounds R --iters N MODEL...]   (models from benchmarks/models/)
import { exec } from '../src/runners/exec.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { Model } from '../ir/graph.js';
import { TensorData, numel, tensorFrom } from '../ir/tensor.js';
import { TARGETS, Target, compileModel, loadModel } from '../src/api.js';
import { seededRandom } from '../src/onnx/build.js';
import { encodeTensor } from '../src/onnx/tensorProto.js';
import { evaluateNode } from '../codegen/js/evaluate.js';
import { inferShapes } from '../passes/inferShapes.js';
import { getRunner } from '../src/runners/index.js';
import { buildC, RELEASE_CFLAGS, benchC, runC } from '../src/runners/c.js';
import { readTensorFile } from '../src/runners/index.js';
import { machine } from './machine.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const MODELS = path.join(ROOT, 'benchmarks', 'models');

function args() {
  const a = process.argv.slice(2);
  const opt = (k: string, d: number) => { const i = a.indexOf(k); return i >= 0 ? Number(a.splice(i, 2)[1]) : d; };
  const rounds = opt('--rounds', 5), iters = opt('--iters', 10);
  return { rounds, iters, names: a };
}

const median = (xs: number[]) => { const s = [...xs].sort((x, y) => x - y); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

function inputsFor(m: Model): TensorData[] {
  const rnd = seededRandom(1234);
  return m.graph.inputs.map((v) => {
    const shape = v.type!.shape.map((d) => (typeof d === 'number' ? d : 1));
    const n = numel(shape);
    if (v.type!.dtype === 'int64') return tensorFrom('int64', shape, Array.from({ length: n }, () => BigInt(Math.floor(rnd() * 1000))));
    return tensorFrom(v.type!.dtype, shape, Array.from({ length: n }, () => rnd()));
  });
}

/** 2·MACs of Conv, ConvTranspose, MatMul and Gemm nodes. */
function flops(file: string): number {
  const m = loadModel(file);
  for (const v of m.graph.inputs) v.type = { ...v.type!, shape: v.type!.shape.map((d) => (typeof d === 'number' ? d : 1)) };
  inferShapes(m, evaluateNode);
  let f = 0;
  for (const n of m.graph.nodes) {
    const out = n.outputs[0]?.type?.shape as number[] | undefined, w = n.inputs[1]?.type?.shape as number[] | undefined;
    if (!out || !w) continue;
    if (n.op === 'Conv') f += 2 * numel(out) * numel(w.slice(1));
    else if (n.op === 'ConvTranspose') f += 2 * numel(n.inputs[0]!.type!.shape as number[]) * numel(w.slice(1));
    else if (n.op === 'MatMul' || n.op === 'Gemm') {
      const a = n.inputs[0]!.type!.shape as number[];
      const k = n.op === 'Gemm' && n.attrs.get('transA')?.value ? a[0] : a[a.length - 1];
      f += 2 * numel(out) * k;
    }
  }
  return f;
}

const WARMUP = 2;

/** An in-process ORT session: `output` for the agreement check, `time` for onnxruntime-web. */
async function ortSession(kind: 'node' | 'web', file: string, inputs: TensorData[]) {
  const ort = (kind === 'node' ? ortNode : ortWeb) as typeof ortNode;
  if (kind === 'web') (ortWeb.env.wasm as { numThreads: number }).numThreads = 1;
  const s = await ort.InferenceSession.create(file, kind === 'node'
    ? { intraOpNumThreads: 1, logSeverityLevel: 3 }
    : { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const feeds: Record<string, ortNode.Tensor> = {};
  s.inputNames.forEach((n, i) => { feeds[n] = new ort.Tensor(inputs[i].dtype as never, inputs[i].data as never, inputs[i].shape); });
  return {
    output: async () => (await s.run(feeds))[s.outputNames[0]].data as Float32Array,
    time: async (iters: number) => {
      for (let i = 0; i < WARMUP; i++) await s.run(feeds);
      const ts: number[] = [];
      for (let i = 0; i < iters; i++) { const t0 = performance.now(); await s.run(feeds); ts.push(performance.now() - t0); }
      return median(ts);
    },
    release: () => s.release(),
  };
}

/** onnxruntime-node timed in a fresh process (benchmarks/ortNode.ts), like onnxc's C binary. */
async function ortNodeTime(file: string, inFiles: string[], iters: number): Promise<number> {
  const script = path.join(ROOT, 'dist', 'benchmarks', 'ortNode.js');
  const r = await exec(process.execPath, [script, file, String(iters), String(WARMUP), ...inFiles], { timeoutMs: 1_800_000 });
  if (r.code !== 0) throw new Error(`onnxruntime-node run failed: ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!).median_ms;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

interface Row { name: string; gflop: number; arena: number; lower: number; c?: number; ortNode?: number; wasm?: number; ortWeb?: number; diffC?: number; note?: string }

async function benchModel(file: string, rounds: number, iters: number): Promise<Row> {
  const name = path.basename(file, '.onnx');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `onnxc-bench-${name}-`));
  const inputs = inputsFor(loadModel(file));
  const compiled = compileModel(loadModel(file), { target: 'c', name: 'model', cpu: 'native' });
  const row: Row = { name, gflop: flops(file) / 1e9, arena: compiled.memory.arenaBytes, lower: compiled.memory.lowerBound };
  const exe = await buildC(compiled.files, path.join(work, 'c'), 'model', RELEASE_CFLAGS);
  const inFiles = inputs.map((t, i) => { const f = path.join(work, `input_${i}.pb`); fs.writeFileSync(f, encodeTensor(t, `in${i}`)); return f; });
  const [out] = await runC(exe, inFiles, path.join(work, 'out'), 1);
  const onode = await ortSession('node', file, inputs);
  row.diffC = maxDiff(readTensorFile(out).data as Float32Array, await onode.output());
  await onode.release();
  const oweb = await ortSession('web', file, inputs);
  const wasmRunner = TARGETS.includes('wasm' as Target) ? getRunner('wasm' as Target) : undefined;
  let wasmCompiled: ReturnType<typeof compileModel> | undefined;
  try { wasmCompiled = wasmRunner?.bench ? compileModel(loadModel(file), { target: 'wasm', name: 'model' }) : undefined; } catch (e) { row.note = `wasm: ${(e as Error).message}`; }
  const c: number[] = [], on: number[] = [], w: number[] = [], ow: number[] = [];
  for (let r = 0; r < rounds; r++) {
    c.push((await benchC(exe, iters, WARMUP)).median_ms);
    on.push(await ortNodeTime(file, inFiles, iters));
    if (wasmCompiled && wasmRunner?.bench) w.push((await wasmRunner.bench(wasmCompiled, path.join(work, 'wasm'), iters, WARMUP)).median_ms);
    ow.push(await oweb.time(iters));
  }
  Object.assign(row, { c: median(c), ortNode: median(on), ortWeb: median(ow), wasm: w.length ? median(w) : undefined });
  fs.rmSync(work, { recursive: true, force: true });
  return row;
}

function report(rows: Row[], rounds: number, iters: number): string {
  const f = (x?: number, d = 2) => (x === undefined ? 'n/a' : x.toFixed(d));
  const geo = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
  const lines = [
    '# Benchmarks', '',
    `Machine: ${machine()}.`, `Date: ${new Date().toISOString().slice(0, 10)}. Single-threaded everywhere; ` +
    `median of ${rounds} alternating rounds, each the median of ${iters} runs after warm-up. ` +
    'onnxc C built with `gcc -O3 -march=native`; onnxc C and onnxruntime-node each run in a process of their own; ' +
    'onnxc WASM and onnxruntime-web (wasm EP, 1 thread) both run in the harness\'s Node process.', '',
    '| model | GFLOP | onnxc C ms | ORT-node ms | C / ORT | C GFLOP/s | onnxc WASM ms | ORT-web ms | WASM / ORT-web | arena MB | liveness bound MB | max abs diff vs ORT |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.name} | ${f(r.gflop)} | ${f(r.c)} | ${f(r.ortNode)} | ${f(r.c! / r.ortNode!)}× | ${f(r.gflop / (r.c! / 1000), 1)} | ${f(r.wasm)} | ${f(r.ortWeb)} | ${r.wasm ? f(r.wasm / r.ortWeb!) + '×' : 'n/a'} | ${f(r.arena / 2 ** 20)} | ${f(r.lower / 2 ** 20)} | ${r.diffC?.toExponential(1)} |`);
  }
  const cr = rows.filter((r) => r.c && r.ortNode).map((r) => r.c! / r.ortNode!);
  const wr = rows.filter((r) => r.wasm && r.ortWeb).map((r) => r.wasm! / r.ortWeb!);
  lines.push('', `Geometric mean C / ORT-node: ${cr.length ? geo(cr).toFixed(2) : 'n/a'}×; WASM / ORT-web: ${wr.length ? geo(wr).toFixed(2) : 'n/a'}×.`);
  for (const r of rows) if (r.note) lines.push('', `${r.name}: ${r.note}`);
  return lines.join('\n') + '\n';
}

async function main() {
  const { rounds, iters, names } = args();
  if (!fs.existsSync(MODELS) || !fs.readdirSync(MODELS).length) {
    console.error(`error: no models in ${MODELS}; export them with /usr/bin/python3 benchmarks/export_models.py ${MODELS}`);
    return 1;
  }
  const files = fs.readdirSync(MODELS).filter((f) => f.endsWith('.onnx') && (!names.length || names.includes(f.replace(/\.onnx$/, '')))).sort();
  const rows: Row[] = [];
  for (const f of files) {
    process.stderr.write(`benchmarking ${f}...\n`);
    try {
      rows.push(await benchModel(path.join(MODELS, f), rounds, iters));
    } catch (e) {
      rows.push({ name: f, gflop: 0, arena: 0, lower: 0, note: `failed: ${(e as Error).message.split('\n')[0]}` });
    }
    process.stderr.write(JSON.stringify(rows[rows.length - 1]) + '\n');
  }
  const text = report(rows, rounds, iters);
  fs.writeFileSync(path.join(ROOT, 'benchmarks', 'RESULTS.md'), text);
  process.stdout.write(text);
  return 0;
}

main().then((c) => { process.exitCode = c; });
