// `onnxc compile MODEL --target c|wasm -o DIR`: writes the generated sources.
import path from 'node:path';
import { CompileOptions, CpuRow, Target, compileFile, writeFiles } from '../api.js';
import { phaseReporter } from '../progress.js';
import { parseConsts, parseDims } from './common.js';

export interface CompileArgs {
  model: string; target: string; output?: string; name?: string; dim?: string[]; const?: string[]; weights: string;
  'print-after-all': boolean; 'dump-ir'?: string; 'time-passes': boolean; simd?: boolean; profile?: boolean; cpu?: string;
}

export function pipelineFlags(a: CompileArgs): Partial<CompileOptions> {
  return { printAfterAll: a['print-after-all'], dumpDir: a['dump-ir'], timePasses: a['time-passes'], simd: a.simd, profile: a.profile, cpu: a.cpu as CpuRow | undefined };
}

export function compileCommand(a: CompileArgs): number {
  const progress = phaseReporter(); // phases on a terminal's stderr only
  let r, files;
  try {
    progress.phase('importing');
    r = compileFile(a.model, {
      target: a.target as Target, name: a.name, dims: parseDims(a.dim), consts: parseConsts(a.const),
      weights: a.weights as 'incbin' | 'c', ...pipelineFlags(a), onPhase: progress.phase,
    });
    progress.phase('writing');
    files = writeFiles(a.output ?? 'out', r.files);
  } finally {
    progress.done();
  }
  const m = r.memory;
  process.stdout.write(`compiled ${path.basename(a.model)} → ${files.map((f) => path.relative('.', f)).join(', ')}\n`);
  process.stdout.write(`arena: ${m.arenaBytes} bytes (liveness lower bound ${m.lowerBound}), ${r.program.steps.length} kernels\n`);
  return 0;
}
