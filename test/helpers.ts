// Shared helpers for tests: temp dirs, running the CLI, building small models.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = new URL('..', import.meta.url).pathname;
export const CLI = path.join(ROOT, 'bin', 'onnxc.js');

export function tmpDir(prefix = 'onnxc-t-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function cli(args: string[], cwd = ROOT): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
