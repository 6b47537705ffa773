// The runner for C compiled for a Cortex-M row (--cpu cortex-m*): cross-compiles with
// arm-none-eabi-gcc (src/firmware/build.ts) and runs under QEMU (./qemu.ts). bench reports
// instructions per inference from QEMU's -icount clock: QEMU counts instructions, not cycles.
import fs from 'node:fs';
import path from 'node:path';
import { CompileError } from '../../ir/errors.js';
import { Board } from '../firmware/boards.js';
import { buildFirmware, firmwareGroup } from '../firmware/build.js';
import { buildBatch } from './batch.js';
import { Program, programArgs } from './c.js';
import { runQemu } from './qemu.js';
import type { BenchResult, Runner } from './index.js';
import type { TensorData } from '../../ir/tensor.js';

/** A runner for one board; readTensor parses the .pb files the image writes. */
export function firmwareRunner(b: Board, readTensor: (f: string) => TensorData): Runner {
  return {
    build: (r, dir) => buildFirmware(r.files, dir, r.program.name, b),
    buildBatch: (units, dir) => buildBatch(units, dir, firmwareGroup(b)),
    async run(handle, inputs, outDir, n) {
      fs.mkdirSync(outDir, { recursive: true });
      const [elf, pick] = programArgs(handle as Program);
      await runQemu(b, elf, [...pick, ...inputs.flatMap((f) => ['-i', path.resolve(f)]), '-o', path.resolve(outDir)]);
      return Array.from({ length: n }, (_, i) => readTensor(path.join(outDir, `output_${i}.pb`)));
    },
    async bench(r, dir, iters, warmup): Promise<BenchResult> {
      const elf = await buildFirmware(r.files, dir, r.program.name, b, ['-O3']);
      const out = await runQemu(b, elf, ['--bench', String(iters), '--warmup', String(warmup)], { icount: true, timeoutMs: 1_800_000 });
      const line = out.stdout.trim().split('\n').pop() ?? '';
      let j: { median_ms: number; min_ms: number };
      try { j = JSON.parse(line); } catch { throw new CompileError(`benchmark run on ${b.machine} printed no result: ${line.slice(0, 200)}`); }
      // -icount shift=0: one instruction per virtual nanosecond
      return { median_ms: j.median_ms, min_ms: j.min_ms, instructions: Math.round(j.median_ms * 1e6) };
    },
  };
}
