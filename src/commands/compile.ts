// `onnxc compile MODEL --target c|wasm|cuda -o DIR`: writes the generated sources (with
// --emit-build, also a Makefile or CMakeLists.txt and runtime-c's main; on Cortex-M rows, the
// flash and RAM budget; with --max-ram, a plan that fits or one error line).
import path from 'node:path';
import { BuildSystem, buildFiles, hasWeightsBin } from '../../codegen/c/buildFiles.js';
import { CompileOptions, CompileResult, CpuRow, Target, compileFile, writeFiles } from '../nodeCompile.js';
import { boardFor } from '../firmware/boards.js';
import { budgetLines, measureBudget } from '../firmware/budget.js';
import { fitRam } from '../firmware/fitRam.js';
import { phaseReporter } from '../progress.js';
import { runtimeMainFiles } from '../runtimeFiles.js';
import { archFlags } from '../runners/cc.js';
import { UsageError, parseConsts, parseDims } from './common.js';
import { estimateLines } from '../../codegen/hls/estimate.js';

export interface CompileArgs {
  model: string; target: string; output?: string; name?: string; dim?: string[]; const?: string[]; weights?: string;
  'print-after-all': boolean; 'dump-ir'?: string; 'time-passes': boolean; simd?: boolean; profile?: boolean; cpu?: string;
  freestanding?: boolean; 'max-ram'?: number; 'emit-build'?: string; 'hls-clock-ns'?: number; 'hls-onchip-bytes'?: number; 'hls-reuse'?: number; 'hls-dataflow'?: boolean;
}

export function pipelineFlags(a: CompileArgs): Partial<CompileOptions> {
  const clock = a['hls-clock-ns'], onchip = a['hls-onchip-bytes'], reuse = a['hls-reuse'];
  if (reuse !== undefined && !(Number.isInteger(reuse) && reuse >= 1 && reuse <= 1024)) throw new UsageError(`--hls-reuse expects an integer from 1 to 1024, got '${reuse}'`);
  if (clock !== undefined && !(clock > 0 && Number.isFinite(clock))) throw new UsageError(`--hls-clock-ns expects a positive number of nanoseconds, got '${clock}'`);
  if (onchip !== undefined && !(Number.isInteger(onchip) && onchip >= 0)) throw new UsageError(`--hls-onchip-bytes expects a non-negative number of bytes, got '${onchip}'`);
  return { printAfterAll: a['print-after-all'], dumpDir: a['dump-ir'], timePasses: a['time-passes'], simd: a.simd, profile: a.profile, freestanding: a.freestanding, cpu: a.cpu as CpuRow | undefined,
    hlsClockNs: clock, hlsOnchipBytes: onchip, hlsReuse: reuse, hlsDataflow: a['hls-dataflow'] };
}

/** Compiles the model as the compile-family commands' flags say. */
export function compileArgs(a: CompileArgs, onPhase?: (phase: string) => void, lowMemory = false): CompileResult {
  return compileFile(a.model, {
    target: a.target as Target, name: a.name, dims: parseDims(a.dim), consts: parseConsts(a.const),
    weights: a.weights as 'incbin' | 'c' | undefined, lowMemory, ...pipelineFlags(a), onPhase,
  });
}

export async function compileCommand(a: CompileArgs): Promise<number> {
  if (a.profile && (a.target === 'cuda' || a.target === 'hls')) throw new UsageError('--profile is for --target c and wasm');
  if (a['emit-build'] && a.target !== 'c') throw new UsageError(`--emit-build writes C build files; it needs --target c, not ${a.target}`);
  const maxRam = a['max-ram'];
  if (maxRam !== undefined && !(Number.isInteger(maxRam) && maxRam > 0)) throw new UsageError(`--max-ram expects a positive number of bytes, got '${maxRam}'`);
  const system = a['emit-build'] as BuildSystem | undefined;
  const dir = a.output ?? 'out';
  const progress = phaseReporter(); // phases on a terminal's stderr only
  let r: CompileResult, files: string[], fitted: Awaited<ReturnType<typeof fitRam>> | undefined;
  try {
    progress.phase('importing');
    const compile = (lowMemory: boolean) => compileArgs(a, progress.phase, lowMemory);
    fitted = maxRam === undefined ? undefined : await fitRam(compile, maxRam);
    r = fitted?.r ?? compile(false);
    const extra = system ? {
      ...runtimeMainFiles(),
      ...buildFiles(system, { name: r.program.name, weightsBin: hasWeightsBin(r.files, r.program.name), archFlags: archFlags(a.cpu as CpuRow | undefined) }),
    } : {};
    progress.phase('writing');
    files = writeFiles(dir, { ...r.files, ...extra });
  } finally {
    progress.done();
  }
  const m = r.memory;
  process.stdout.write(`compiled ${path.basename(a.model)} → ${files.map((f) => path.relative('.', f)).join(', ')}\n`);
  if (!r.hls) process.stdout.write(`arena: ${m.arenaBytes} bytes (liveness lower bound ${m.lowerBound}), ${r.program.steps.length} kernels\n`);
  if (r.hls) process.stdout.write(estimateLines(r.hls.layers, r.hls.clockNs, r.hls.memory, r.hls.reuse).join('\n') + `\nvitis: cd ${dir} && vitis_hls -f run_hls.tcl (C simulation, synthesis, co-simulation)\n`);
  const board = boardFor(r.cpu);
  if (board) process.stdout.write(budgetLines(fitted?.budget ?? await measureBudget(r, board), board).join('\n') + '\n');
  if (fitted) process.stdout.write(`--max-ram ${maxRam}: fits in ${fitted.ram} bytes${fitted.lowMemory ? ' (convolutions without im2col buffers: slower, less memory)' : ''}\n`);
  if (system) process.stdout.write(`build: ${system === 'make' ? `make -C ${dir}` : `cmake -S ${dir} -B ${path.join(dir, 'build')} && cmake --build ${path.join(dir, 'build')}`}\n`);
  return 0;
}
