// `onnxc compile MODEL --target c|wasm -o DIR`: writes the generated sources.
import path from 'node:path';
import { CompileOptions, CpuRow, Target, compileFile, writeFiles } from '../api.js';
import { parseConsts, parseDims } from './common.js';
import { boardFor } from '../firmware/boards.js';
import { budgetLines, measureBudget } from '../firmware/budget.js';

export interface CompileArgs {
  model: string; target: string; output?: string; name?: string; dim?: string[]; const?: string[]; weights: string;
  'print-after-all': boolean; 'dump-ir'?: string; 'time-passes': boolean; simd?: boolean; profile?: boolean; cpu?: string; freestanding?: boolean;
}

export function pipelineFlags(a: CompileArgs): Partial<CompileOptions> {
  return { printAfterAll: a['print-after-all'], dumpDir: a['dump-ir'], timePasses: a['time-passes'], simd: a.simd, profile: a.profile, freestanding: a.freestanding, cpu: a.cpu as CpuRow | undefined };
}

export async function compileCommand(a: CompileArgs): Promise<number> {
  const r = compileFile(a.model, {
    target: a.target as Target, name: a.name, dims: parseDims(a.dim), consts: parseConsts(a.const),
    weights: a.weights as 'incbin' | 'c', ...pipelineFlags(a),
  });
  const dir = a.output ?? 'out';
  const files = writeFiles(dir, r.files);
  const m = r.memory;
  process.stdout.write(`compiled ${path.basename(a.model)} → ${files.map((f) => path.relative('.', f)).join(', ')}\n`);
  process.stdout.write(`arena: ${m.arenaBytes} bytes (liveness lower bound ${m.lowerBound}), ${r.program.steps.length} kernels\n`);
  const board = boardFor(r.cpu);
  if (board) process.stdout.write(budgetLines(await measureBudget(r, board), board).join('\n') + '\n');
  return 0;
}
