// Runs the C runtime's own checks (TensorProto round-trips, fuzzing, CLI) from test/runtime-c.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from './helpers.js';

it('runtime-c: pb reader/writer and main pass their checks', () => {
  const r = spawnSync('bash', [path.join(ROOT, 'test', 'runtime-c', 'run.sh')], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  const last = r.stdout.trim().split('\n').pop();
  expect(r.status, `${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`).toBe(0);
  expect(last).toMatch(/^\d+ passed, 0 failed/);
}, 600_000);
