// Shared helpers for tests: temp dirs, running the CLI, building small models.
import { spawn, spawnSync } from 'node:child_process';
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

/** cli() without blocking, so that tests can run several compilations at once. */
export function cliAsync(args: string[], cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd, timeout: 120_000 });
    let stdout = '', stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs fn on every item, at most `jobs` at a time (default: one per CPU). */
export async function pool<T>(items: T[], fn: (x: T) => Promise<void>, jobs = os.availableParallelism()): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}
