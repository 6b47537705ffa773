// The fuzz driver: runs mutants in worker processes (many per process), with a time limit per
// case and a memory cap per worker; a worker that stops answering or dies names its current
// case as a hang or crash, and the run resumes after it. `npm run fuzz -- --count N --seed S`.
import { spawn } from 'node:child_process';
import { CaseLine } from './worker.js';

const WORKER = new URL('./worker.js', import.meta.url).pathname;

export interface FuzzOptions {
  seed: number; count: number; target: 'c' | 'wasm'; jobs?: number;
  /** Build every Nth compiled mutant with cc / WebAssembly.Module (0: never). */
  buildEvery?: number;
  caseTimeoutMs?: number;
  /** Worker heap cap in MB (a mutant past it is reported as a crash: out of memory). */
  heapMb?: number;
  onCase?: (c: CaseLine) => void;
}

/** Runs cases [from, to) in one worker; resolves with their lines (hangs and crashes included). */
function runRange(o: FuzzOptions, from: number, to: number): Promise<CaseLine[]> {
  return new Promise((resolve) => {
    const out: CaseLine[] = [];
    let current = from, buf = '', timer: NodeJS.Timeout | undefined, hung = false;
    const child = spawn(process.execPath, [`--max-old-space-size=${o.heapMb ?? 2048}`, WORKER, String(o.seed), String(from), String(to), o.target, String(o.buildEvery ?? 0)],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => { hung = true; child.kill('SIGKILL'); }, o.caseTimeoutMs ?? 60_000);
    };
    arm();
    let stderr = '';
    child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-2000); });
    child.stdout.on('data', (d) => {
      buf += d;
      let k;
      while ((k = buf.indexOf('\n')) >= 0) {
        const l = buf.slice(0, k);
        buf = buf.slice(k + 1);
        if (l.startsWith('start ')) { current = Number(l.slice(6)); arm(); continue; }
        const c = JSON.parse(l) as CaseLine;
        out.push(c);
        o.onCase?.(c);
      }
    });
    child.on('close', async (code, signal) => {
      clearTimeout(timer);
      if (out.length === to - from) return resolve(out);
      const c: CaseLine = { i: current, status: hung ? 'hang' : 'crash', model: '?', what: '?',
        msg: hung ? `no answer within ${o.caseTimeoutMs ?? 60_000} ms` : `worker exited (${signal ?? code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}` };
      out.push(c);
      o.onCase?.(c);
      resolve([...out, ...(current + 1 < to ? await runRange(o, current + 1, to) : [])]);
    });
  });
}

/** Runs `count` mutants split over `jobs` workers; returns every case's line, by index. */
export async function runFuzz(o: FuzzOptions): Promise<CaseLine[]> {
  const jobs = Math.max(1, Math.min(o.jobs ?? 2, o.count));
  const per = Math.ceil(o.count / jobs);
  const parts = await Promise.all(Array.from({ length: jobs }, (_, j) => runRange(o, j * per, Math.min(o.count, (j + 1) * per))));
  return parts.flat().sort((a, b) => a.i - b.i);
}

/** Cases that fail the run: anything but a compile or a clean one-line error. */
export const failures = (lines: CaseLine[]) => lines.filter((c) => c.status !== 'ok' && c.status !== 'error');

/** How to reproduce one case. */
export const reproduce = (o: FuzzOptions, c: CaseLine) =>
  `seed ${o.seed} case ${c.i} (${o.target}): ${c.status} on ${c.model} [${c.what}]: ${c.msg}\n  reproduce: node dist/src/testing/fuzz/worker.js ${o.seed} ${c.i} ${c.i + 1} ${o.target} 1`;
