// `onnxc compile MODEL --target c|wasm -o DIR`: writes the generated sources.
import path from 'node:path';
import { CompileOptions, CpuRow, Target, compileFile, writeFiles } from '../api.js';
import { parseConsts, parseDims } from './common.js';
import { boardFor } from '../firmware/boards.js';
import { budgetLines, measureBudget } from '../firmware/budget.js';
import { fitRam } from '../firmware/fitRam.js';
import { UsageError } from './common.js';

export interface CompileArgs {
  model: string; target: string; output?: string; name?: string; dim?: string[]; const?: string[]; weights: string;
  'print-after-all': boolean; 'dump-ir'?: string; 'time-passes': boolean; simd?: boolean; profile?: boolean; cpu?: string; freestanding?: boolean; 'max-ram'?: number;
}

export function pipelineFlags(a: CompileArgs): Partial<CompileOptions> {
  return { printAfterAll: a['print-after-all'], dumpDir: a['dump-ir'], timePasses: a['time-passes'], simd: a.simd, profile: a.profile, freestanding: a.freestanding, cpu: a.cpu as CpuRow | undefined };
}

export async function compileCommand(a: CompileArgs): Promise<number> {
  const maxRam = a['max-ram'];
  if (maxRam !== undefined && !(Number.isInteger(maxRam) && maxRam > 0)) throw new UsageError(`--max-ram expects a positive number of bytes, got '${maxRam}'`);
  const dims = parseDims(a.dim), consts = parseConsts(a.const);
  const compile = (lowMemory: boolean) => compileFile(a.model, {
    target: a.target as Target, name: a.name, dims, consts, weights: a.weights as 'incbin' | 'c', lowMemory, ...pipelineFlags(a),
  });
  const fitted = maxRam === undefined ? undefined : await fitRam(compile, maxRam);
  const r = fitted?.r ?? compile(false);
  const dir = a.output ?? 'out';
  const files = writeFiles(dir, r.files);
  const m = r.memory;
  process.stdout.write(`compiled ${path.basename(a.model)} → ${files.map((f) => path.relative('.', f)).join(', ')}\n`);
  process.stdout.write(`arena: ${m.arenaBytes} bytes (liveness lower bound ${m.lowerBound}), ${r.program.steps.length} kernels\n`);
  const board = boardFor(r.cpu);
  if (board) process.stdout.write(budgetLines(fitted?.budget ?? await measureBudget(r, board), board).join('\n') + '\n');
  if (fitted) process.stdout.write(`--max-ram ${maxRam}: fits in ${fitted.ram} bytes${fitted.lowMemory ? ' (convolutions without im2col buffers: slower, less memory)' : ''}\n`);
  return 0;
}
