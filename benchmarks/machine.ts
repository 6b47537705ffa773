// The machine a benchmark ran on, as the results files name it: CPU model, family and model
// numbers (Zen 1/3/5 differ: family 23/25/26), cores, the SIMD extensions, Node and gcc.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export function machine(): string {
  const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(info)?.[1] ?? 'unknown CPU';
  const family = /cpu family\s*:\s*(\d+)/.exec(info)?.[1], num = /^model\s*:\s*(\d+)/m.exec(info)?.[1];
  const flags = (/flags\s*:\s*(.*)/.exec(info)?.[1] ?? '').split(' ');
  const simd = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512vnni', 'amx_tile'].filter((f) => flags.includes(f));
  return `${model} (cpu family ${family ?? '?'}, model ${num ?? '?'}), ${os.cpus().length} cores, ${simd.join(' ')}; Node ${process.version}; ${execFileSync('gcc', ['--version']).toString().split('\n')[0]}`;
}
