// `onnxc bench MODEL --target c|wasm [--iters N] [--json]`: compiles with release settings,
// runs on seeded inputs (symbolic dims bound with --dim, as for compile) and reports the median latency.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompileError } from '../../ir/errors.js';
import { CpuRow, Target, compileModel, loadModel, shapeInputs } from '../nodeCompile.js';
import { getRunner } from '../runners/index.js';
import { parseDims } from './common.js';

export async function benchCommand(a: { model: string; target: string; iters: number; dim?: string[]; json?: string; name?: string; profile?: boolean; cpu?: string }): Promise<number> {
  const model = loadModel(a.model);
  const dims = parseDims(a.dim);
  const need = shapeInputs(model, a.target as Target);
  if (need.size) throw new CompileError(`inputs ${[...need].join(', ')} decide shapes; benchmark a model where they are constants`);
  const compiled = compileModel(model, { target: a.target as Target, name: a.name ?? 'model', dims, profile: a.profile, cpu: (a.cpu ?? 'native') as CpuRow });
  const runner = getRunner(a.target as Target, compiled.cpu);
  if (!runner.bench) throw new CompileError(`target ${a.target} cannot be benchmarked yet`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxc-bench-'));
  try {
    const iters = Math.max(1, Math.floor(a.iters));
    const r = await runner.bench(compiled, work, iters, Math.min(10, Math.max(2, Math.ceil(iters / 10))));
    const report = { target: a.target, cpu: compiled.cpu, iters, ...(r.instructions !== undefined ? { instructions: r.instructions } : {}), median_ms: r.median_ms, arena_bytes: compiled.memory.arenaBytes, ...(r.profile ? { profile: r.profile } : {}) };
    if (a.json !== undefined) {
      const text = JSON.stringify(report) + '\n';
      if (a.json) fs.writeFileSync(a.json, text);
      else process.stdout.write(text);
    } else {
      if (r.profile) process.stdout.write(profileTable(r.profile));
      if (r.instructions !== undefined) process.stdout.write(`${path.basename(a.model)} on ${compiled.cpu} (QEMU -icount): ${r.instructions} instructions per inference (QEMU counts instructions, not cycles), arena ${compiled.memory.arenaBytes} bytes\n`);
      else process.stdout.write(`${path.basename(a.model)} on ${a.target}: median ${r.median_ms.toFixed(3)} ms over ${iters} runs (min ${r.min_ms.toFixed(3)} ms), arena ${compiled.memory.arenaBytes} bytes\n`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return 0;
}

/** Where the time goes: ops by total, then the most expensive steps. */
export function profileTable(steps: { label: string; ms: number }[], top = 20): string {
  const total = steps.reduce((a, s) => a + s.ms, 0) || 1;
  const pct = (ms: number) => `${(100 * ms / total).toFixed(1).padStart(5)}%`;
  const byOp = new Map<string, { ms: number; n: number }>();
  for (const s of steps) {
    const op = /\(([^()]*)\)$/.exec(s.label)?.[1] ?? s.label.split(' ')[0];
    const e = byOp.get(op) ?? { ms: 0, n: 0 };
    e.ms += s.ms; e.n++;
    byOp.set(op, e);
  }
  const lines = [`profile: ${total.toFixed(3)} ms per run in ${steps.length} steps`, '  by op:'];
  for (const [op, e] of [...byOp].sort((x, y) => y[1].ms - x[1].ms))
    lines.push(`  ${e.ms.toFixed(3).padStart(9)} ms ${pct(e.ms)}  ${op} ×${e.n}`);
  lines.push(`  top ${Math.min(top, steps.length)} steps:`);
  for (const s of [...steps].sort((x, y) => y.ms - x.ms).slice(0, top))
    lines.push(`  ${s.ms.toFixed(3).padStart(9)} ms ${pct(s.ms)}  ${s.label}`);
  return lines.join('\n') + '\n';
}
