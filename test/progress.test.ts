// Progress output: the test bar and compile phases draw on a TTY's stderr only, rewrite one
// line in place and erase it; pipes get no control characters and --json stays parseable.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProgressBar, phaseReporter } from '../dist/src/progress.js';
import { CLI, ROOT, cli } from './helpers.js';

const NODE_TESTS = `${ROOT}/../shared/onnx-tests/node`;
const hasData = fs.existsSync(NODE_TESTS);
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f]/; // anything but '\n'

function fake(isTTY: boolean) {
  const out: string[] = [];
  let t = 0;
  return { stream: { isTTY, columns: 100, write: (s: string) => out.push(s) }, out, clock: () => t, advance: (ms: number) => { t += ms; } };
}

describe('ProgressBar', () => {
  it('draws counts and an ETA in place, steps aside for printed lines, erases itself', () => {
    const f = fake(true);
    const bar = new ProgressBar(4, f.stream, f.clock);
    f.advance(10_000);
    bar.update({ passed: 1, failed: 1, skipped: 0 });
    expect(f.out.at(-1)).toBe('\r\x1b[K[####################--------------------] 2/4  1 passed  1 failed  0:10 elapsed  ETA 0:10');
    bar.around(() => f.out.push('FAIL x\n'));
    expect(f.out.slice(-3)).toEqual(['\r\x1b[K', 'FAIL x\n', f.out[0]]);
    bar.clear();
    expect(f.out.at(-1)).toBe('\r\x1b[K');
  });
  it('writes nothing when stderr is not a terminal', () => {
    const f = fake(false);
    const bar = new ProgressBar(4, f.stream, f.clock);
    bar.update({ passed: 1, failed: 0, skipped: 0 });
    bar.around(() => {});
    bar.clear();
    const p = phaseReporter(f.stream, f.clock, 0);
    p.phase('lowering');
    p.done();
    expect(f.out).toEqual([]);
  });
  it('compile phases appear only once the compile is slow, then are erased', () => {
    const f = fake(true);
    const p = phaseReporter(f.stream, f.clock, 250);
    p.phase('importing');
    expect(f.out).toEqual([]);
    f.advance(1500);
    p.phase('passes: foldConstants');
    expect(f.out).toEqual(['\r\x1b[Konnxc: passes: foldConstants... (0:02)']);
    p.done();
    expect(f.out.at(-1)).toBe('\r\x1b[K');
  });
});

describe.skipIf(!hasData)('onnxc test output', () => {
  it('through pipes: no control characters, --json on stdout is one JSON document', () => {
    const r = cli(['test', NODE_TESTS, '--filter', '^test_relu$', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).results).toEqual([{ name: 'test_relu', status: 'pass' }]);
    expect(r.stderr).toBe('1 passed, 0 failed, 0 skipped\n');
    expect(CONTROL.test(r.stdout + r.stderr)).toBe(false);
  }, 60_000);
  const script = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!script)('on a terminal (script(1) gives it a pty): the bar is drawn and erased', () => {
    const r = spawnSync('script', ['-qec', `'${process.execPath}' '${CLI}' test '${NODE_TESTS}' --filter '^test_relu$'`, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).toContain('\r\x1b[K[########');
    expect(r.stdout).toContain('] 1/1  1 passed  0 failed');
    expect(r.stdout).toMatch(/\r\x1b\[K1 passed, 0 failed, 0 skipped\r?\n$/);
  }, 60_000);
});
