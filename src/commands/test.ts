// `onnxc test DIR... --target T [--json F] [--filter RE] [--no-simd]`: runs ONNX backend cases.
import fs from 'node:fs';
import { CpuRow, Target } from '../nodeCompile.js';
import { findCases } from '../testing/cases.js';
import { runTests } from '../testing/runTests.js';
import { UsageError } from './common.js';
import { cudaDevice } from '../runners/cuda.js';
import { ProgressBar } from '../progress.js';

export async function testCommand(a: { dirs: string[]; target: string; json?: string; filter?: string; jobs?: number; keep: boolean; simd?: boolean; cpu?: string; freestanding?: boolean }): Promise<number> {
  let re: RegExp | undefined;
  try {
    re = a.filter ? new RegExp(a.filter) : undefined;
  } catch {
    throw new UsageError(`--filter '${a.filter}' is not a valid regular expression`);
  }
  for (const d of a.dirs) if (!fs.existsSync(d)) throw new UsageError(`no such folder: ${d}`);
  const cases = findCases(a.dirs).filter((c) => !re || re.test(c.name));
  if (a.target === 'cuda') process.stdout.write(`cuda: running on ${cudaDevice().description}\n`);
  const bar = new ProgressBar(cases.length); // stderr, on a terminal only
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const results = await runTests(cases, {
    target: a.target as Target, jobs: a.jobs, keep: a.keep, simd: a.simd, cpu: a.cpu as CpuRow | undefined, freestanding: a.freestanding,
    onResult: (r) => {
      counts[r.status === 'pass' ? 'passed' : r.status === 'fail' ? 'failed' : 'skipped']++;
      if (r.status === 'fail') bar.around(() => process.stdout.write(`FAIL ${r.name}: ${r.reason}\n`));
      bar.update(counts);
    },
  });
  bar.clear();
  const count = (s: string) => results.filter((r) => r.status === s).length;
  if (a.json !== undefined) {
    const text = JSON.stringify({ target: a.target, results }, null, 1) + '\n';
    if (a.json) fs.writeFileSync(a.json, text);
    else process.stdout.write(text);
  }
  // JSON on stdout stays one parseable document: the summary goes to stderr then
  (a.json === '' ? process.stderr : process.stdout).write(`${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped\n`);
  return count('fail') ? 1 : 0;
}
