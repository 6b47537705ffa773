// Bounded dims against specialized programs (issue 12's bar: no slower by more than 5 %): a
// PyTorch transformer encoder exported with a dynamic sequence axis (export_encoder.py) compiled
// once with --dim seq=1..128, run at 37 and 128, side by side with programs compiled with
// --dim seq=37 and --dim seq=128, in one run. C: both built alike (-O3 -march=native, --cpu
// native), alternating rounds of runtime-c's --bench on the same input file; WASM: both loaded
// in this process, rounds of runs alternating. Reports the median of the per-round ratios and
// the spread, and writes benchmarks/RESULTS-bounded.md with the machine.
// Usage: npm run bench:bounded [-- --rounds R]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tensorFrom } from '../ir/tensor.js';
import { compileFile } from '../src/api.js';
import { encodeTensor } from '../src/onnx/tensorProto.js';
import { RELEASE_CFLAGS, buildC } from '../src/runners/c.js';
import { getRunner } from '../src/runners/index.js';
import { machine } from './machine.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const LENGTHS = [37, 128], D_IN = 32, RANGE = '1..128';
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 15;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const input = (seq: number) => new Float32Array(seq * D_IN).map((_, i) => Math.sin(i * 0.37));

interface Row { target: string; seq: number; bounded: number; fixed: number; ratio: number; lo: number; hi: number }

function summarize(target: string, seq: number, pairs: [number, number][]): Row {
  const ratios = pairs.map(([b, s]) => b / s);
  const row = { target, seq, bounded: median(pairs.map((p) => p[0])), fixed: median(pairs.map((p) => p[1])), ratio: median(ratios), lo: Math.min(...ratios), hi: Math.max(...ratios) };
  process.stderr.write(`${target} seq=${seq}: bounded/specialized ${row.ratio.toFixed(3)} (${row.lo.toFixed(3)}–${row.hi.toFixed(3)})\n`);
  return row;
}

async function benchC(model: string, work: string): Promise<Row[]> {
  const build = (dims: Record<string, string | number>, k: string) =>
    buildC(compileFile(model, { target: 'c', name: 'enc', dims, cpu: 'native' }).files, path.join(work, `c_${k}`), 'enc', RELEASE_CFLAGS);
  const bounded = await build({ seq: RANGE }, 'bounded');
  const rows: Row[] = [];
  for (const seq of LENGTHS) {
    const fixed = await build({ seq }, String(seq)), x = path.join(work, `x${seq}.pb`);
    fs.writeFileSync(x, encodeTensor(tensorFrom('float32', [1, seq, D_IN], input(seq)), 'x'));
    const time = (exe: string) => {
      const r = spawnSync(exe, ['-i', x, '--bench', '1500', '--warmup', '50'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${exe}: ${r.stderr}`);
      return JSON.parse(r.stdout.trim().split('\n').pop()!).median_ms as number;
    };
    const pairs: [number, number][] = [];
    for (let i = 0; i < rounds; i++) pairs.push([time(bounded), time(fixed)]);
    rows.push(summarize('C', seq, pairs));
  }
  return rows;
}

async function benchWasm(model: string, work: string): Promise<Row[]> {
  type Loaded = { run(i: unknown[]): unknown };
  const load = async (dims: Record<string, string | number>, k: string) => {
    const res = compileFile(model, { target: 'wasm', name: 'enc', dims });
    return ((await getRunner('wasm', res.cpu).build(res, path.join(work, `wasm_${k}`))) as unknown as { model: Loaded }).model;
  };
  const bounded = await load({ seq: RANGE }, 'bounded');
  const time = (f: () => void) => {
    const t: number[] = [];
    for (let i = 0; i < 300; i++) { const t0 = performance.now(); f(); t.push(performance.now() - t0); }
    return median(t);
  };
  const rows: Row[] = [];
  for (const seq of LENGTHS) {
    const fixed = await load({ seq }, String(seq)), x = input(seq);
    const runB = () => { bounded.run([{ data: x, shape: [1, seq, D_IN] }]); }, runF = () => { fixed.run([x]); };
    for (let i = 0; i < 50; i++) { runB(); runF(); }
    const pairs: [number, number][] = [];
    for (let i = 0; i < rounds; i++) pairs.push([time(runB), time(runF)]);
    rows.push(summarize('WASM', seq, pairs));
  }
  return rows;
}

async function main(): Promise<number> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxc-bench-bounded-'));
  const model = path.join(work, 'encoder.onnx');
  const exp = spawnSync('/usr/bin/python3', [path.join(ROOT, 'benchmarks', 'export_encoder.py'), model], { encoding: 'utf8' });
  if (exp.status !== 0) {
    console.error(`error: /usr/bin/python3 could not export the PyTorch encoder (python3-torchvision installs torch): ${(exp.stderr || '').trim().split('\n').pop()}`);
    return 1;
  }
  const rows = [...(await benchC(model, work)), ...(await benchWasm(model, work))];
  const fmt = (ms: number) => ms.toFixed(4);
  const text = [
    '# Bounded dims vs specialized programs', '',
    `Machine: ${machine()}.`,
    `Date: ${new Date().toISOString().slice(0, 10)}. Model: benchmarks/export_encoder.py (PyTorch nn.TransformerEncoder, 2 layers, d_model 64, 4 heads, dynamic seq), compiled once with \`--dim seq=${RANGE}\` and once per length with \`--dim seq=N\`. ` +
      `C: \`--cpu native\`, \`gcc ${RELEASE_CFLAGS.join(' ')}\`, ${rounds} alternating rounds of \`--bench 1500\` (median ms per round). WASM: Node, ${rounds} alternating rounds of 300 runs (median per round). Single-threaded.`,
    '', '| target | seq | bounded ms | specialized ms | bounded / specialized (median of rounds) | spread of rounds |', '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.target} | ${r.seq} | ${fmt(r.bounded)} | ${fmt(r.fixed)} | ${r.ratio.toFixed(3)} | ${r.lo.toFixed(3)}–${r.hi.toFixed(3)} |`),
    '', `Load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(', ')}. The bar: no ratio above 1.05.`, '',
  ].join('\n');
  fs.writeFileSync(path.join(ROOT, 'benchmarks', 'RESULTS-bounded.md'), text);
  process.stdout.write(text);
  fs.rmSync(work, { recursive: true, force: true });
  return 0;
}

main().then((c) => { process.exitCode = c; });
