// The conformance scoreboard: runs the ONNX backend suites on a target and checks the committed
// expected-pass list (test/conformance/expected-TARGET.txt). The list only grows. A scoreboard is
// a target or a Cortex-M row (C for that --cpu, run under QEMU: expected-cortex-m4.txt).
import fs from 'node:fs';
import path from 'node:path';
import { CpuRow, Target } from '../nodeCompile.js';
import { BOARDS } from '../firmware/boards.js';
import { TestCase, findCases } from './cases.js';
import { CaseResult, runTests } from './runTests.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
export const SHARED_TESTS = process.env.ONNXC_TESTS ?? path.resolve(ROOT, '..', 'shared', 'onnx-tests');
/** Suites of the shared test data that the scoreboard covers. */
export const SUITES = ['node', 'simple', 'pytorch-converted', 'pytorch-operator', 'light'];

/** A --target, or a Cortex-M --cpu row of the C target. */
export type Scoreboard = Target | 'cortex-m0plus' | 'cortex-m4' | 'cortex-m7' | 'cortex-m33' | 'cortex-m55';
/** Firmware boards run the single-operator suite: whole networks do not fit a microcontroller. */
const FIRMWARE_SUITES = ['node'];

/** How a scoreboard compiles and which suites it runs. */
/** HLS C-simulation runs the single-operator suite: whole networks' weights as C++ array
 * initializers make builds of minutes (the real-model checks are test/hls/models.test.ts). */
const HLS_SUITES = ['node'];

export function scoreboardRun(t: Scoreboard): { target: Target; cpu?: CpuRow; suites: string[] } {
  if (t === 'hls') return { target: 'hls', suites: HLS_SUITES };
  return t in BOARDS ? { target: 'c', cpu: t as CpuRow, suites: FIRMWARE_SUITES } : { target: t as Target, suites: SUITES };
}

export const expectedFile = (t: Scoreboard) => path.join(ROOT, 'test', 'conformance', `expected-${t}.txt`);

export function readExpected(t: Scoreboard): string[] {
  const f = expectedFile(t);
  if (!fs.existsSync(f)) return [];
  return fs.readFileSync(f, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

export function writeExpected(t: Scoreboard, names: string[]): void {
  const how = t in BOARDS ? `--target c --cpu ${t} (under QEMU)` : t === 'hls' ? '--target hls (C-simulation with g++; every design passes the HLS lint)' : `--target ${t}`;
  const header = `# Cases of ../shared/onnx-tests expected to pass on ${how} (suite/case).\n# npm test fails when one of them fails. Refresh with: npm run conformance:update (the list only grows).\n`;
  fs.writeFileSync(expectedFile(t), header + [...new Set(names)].sort().join('\n') + '\n');
}

export function conformanceCases(suites = SUITES): (TestCase & { id: string })[] {
  return suites.filter((s) => fs.existsSync(path.join(SHARED_TESTS, s)))
    .flatMap((s) => findCases([path.join(SHARED_TESTS, s)]).map((c) => ({ ...c, id: `${s}/${c.name}` })));
}

export interface ConformanceReport {
  results: (CaseResult & { id: string })[];
  regressions: (CaseResult & { id: string })[];
  newPasses: string[];
  passed: number;
}

/** Runs every case (or only those in `only`) and compares with the expected list. */
export async function runConformance(t: Scoreboard, opts: { only?: Set<string>; jobs?: number } = {}): Promise<ConformanceReport> {
  const how = scoreboardRun(t);
  const cases = conformanceCases(how.suites).filter((c) => !opts.only || opts.only.has(c.id));
  const raw = await runTests(cases, { target: how.target, cpu: how.cpu, jobs: opts.jobs });
  const results = raw.map((r, i) => ({ ...r, id: cases[i].id }));
  const expected = new Set(readExpected(t));
  const regressions = results.filter((r) => expected.has(r.id) && r.status !== 'pass');
  const newPasses = results.filter((r) => r.status === 'pass' && !expected.has(r.id)).map((r) => r.id);
  // a sample (opts.only) answers for its own cases only
  const ran = new Set(results.map((r) => r.id));
  const missing = [...expected].filter((id) => (!opts.only || opts.only.has(id)) && !ran.has(id));
  for (const id of missing) regressions.push({ id, name: id, status: 'fail', reason: 'case not found in the shared test data' });
  return { results, regressions, newPasses, passed: results.filter((r) => r.status === 'pass').length };
}
