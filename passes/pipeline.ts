// The compilation pipeline as a named list of passes, with --print-after-all, --dump-ir DIR
// (numbered files: 001_inferShapes.txt …), --time-passes and a verifier after every pass.
// What it needs from the layers above (the constant evaluator, the kernel printer) comes in
// through PipelineHooks, so that passes/ does not import codegen/.
import { CompileError, inPass } from '../ir/errors.js';
import { Model } from '../ir/graph.js';
import { Evaluator } from '../ir/infer.js';
import { Program } from '../ir/kernel.js';
import { printModel } from '../ir/print.js';
import { printKernelProgram } from '../ir/printKernel.js';
import { verifyGraph } from '../ir/verify.js';
import { verifyProgram } from '../ir/verifyKernel.js';
import { SCALAR_TARGET, TargetDesc } from '../ir/target.js';
import { bindThreads } from './bindThreads.js';
import { cooperateRows } from './cooperateRows.js';
import { eliminateDeadCode } from './eliminateDeadCode.js';
import { eliminateDeadLocals } from './eliminateDeadLocals.js';
import { foldBatchNorm } from './foldBatchNorm.js';
import { foldConstants } from './foldConstants.js';
import { fuseActivations } from './fuseActivations.js';
import { fuseQuantized } from './fuseQuantized.js';
import { inferShapes } from './inferShapes.js';
import { inlineKnownBranches } from './inlineKnownBranches.js';
import { guardBranches } from './guardBranches.js';
import { LowerOptions, lowerToKernels } from './lowerToKernels.js';
import { eliminateDeadSteps } from './eliminateDeadSteps.js';
import { MemoryReport, planMemory } from './planMemory.js';
import { prepackWeights } from './prepackWeights.js';
import { simplifyGraph } from './simplifyGraph.js';
import { splitWideNodes } from './splitWideNodes.js';
import { vectorizeLoops } from './vectorizeLoops.js';

/** Functions of later layers the pipeline runs; src/api.ts supplies them. */
export interface PipelineHooks {
  /** Computes a constant node at compile time (constant folding during inferShapes). */
  evaluate: Evaluator;
  /** Text of a lowered Program for --print-after-all and --dump-ir (default: the kernel IR's own text, ir/printKernel.ts). */
  printProgram?: (p: Program) => string;
  /** Writes one --dump-ir file into `dir` (src/api.ts: on disk). */
  dump?: (dir: string, file: string, text: string) => void;
}

export interface PipelineOptions extends LowerOptions, PipelineHooks {
  printAfterAll?: boolean;
  dumpDir?: string;
  timePasses?: boolean;
  verify?: boolean;
  log?: (s: string) => void;
  /** Told the phase about to start (progress display on a terminal). */
  onPhase?: (phase: string) => void;
}

/** Graph-level passes, in order. */
export const GRAPH_PASSES: [string, (m: Model, opts: PipelineOptions) => void][] = [
  ['inferShapes', (m, opts) => inferShapes(m, opts.evaluate)],
  ['inlineKnownBranches', inlineKnownBranches],
  ['simplifyGraph', simplifyGraph],
  ['fuseQuantized', fuseQuantized],
  ['foldConstants', foldConstants],
  ['foldBatchNorm', foldBatchNorm],
  ['fuseActivations', fuseActivations],
  ['splitWideNodes', splitWideNodes],
  ['eliminateDeadCode', eliminateDeadCode],
  ['prepackWeights', prepackWeights],
  ['guardBranches', guardBranches],
];

type KernelPass = [string, (p: Program, t: TargetDesc) => void];
const vectorize: KernelPass = ['vectorizeLoops', (p, t) => vectorizeLoops(p, t.lanes)];
const deadLocals: KernelPass = ['eliminateDeadLocals', (p) => eliminateDeadLocals(p)];
const deadSteps: KernelPass = ['eliminateDeadSteps', (p) => eliminateDeadSteps(p)];

/** Kernel-level passes per target family, in order (planMemory follows them). */
export const KERNEL_PASSES: Record<TargetDesc['family'], KernelPass[]> = {
  c: [deadSteps, vectorize, deadLocals],
  wasm: [deadSteps, vectorize, deadLocals],
  hls: [deadSteps, deadLocals],
  cuda: [deadSteps, deadLocals, ['cooperateRows', cooperateRows], ['bindThreads', bindThreads]],
};

export interface PipelineResult {
  program: Program;
  memory: MemoryReport;
}

export function runPipeline(m: Model, opts: PipelineOptions): PipelineResult {
  const log = opts.log ?? ((s: string) => process.stderr.write(s));
  const printing = opts.printAfterAll || opts.dumpDir;
  const printProgram = opts.printProgram ?? printKernelProgram;
  let n = 0;
  const after = (name: string, text: () => string, ms: number) => {
    n++;
    if (opts.timePasses) log(`pass ${name}: ${ms.toFixed(1)} ms\n`);
    if (!printing) return;
    const t = text();
    if (opts.printAfterAll) log(`// ----- after ${name} -----\n${t}`);
    if (opts.dumpDir) {
      if (!opts.dump) throw new CompileError('--dump-ir: no file system to write to here');
      opts.dump(opts.dumpDir, `${String(n).padStart(3, '0')}_${name}.txt`, t);
    }
  };
  if (printing) after('import', () => printModel(m), 0);
  const phase = opts.onPhase ?? (() => {});
  for (const [name, pass] of GRAPH_PASSES) {
    phase(`passes: ${name}`);
    const t0 = performance.now();
    inPass(name, () => pass(m, opts));
    if (opts.verify) verifyGraph(m.graph, true);
    after(name, () => printModel(m), performance.now() - t0);
  }
  phase('lowering');
  let t0 = performance.now();
  const program = inPass('lowerToKernels', () => lowerToKernels(m, opts));
  if (opts.verify) verifyProgram(program);
  after('lowerToKernels', () => printProgram(program), performance.now() - t0);
  const target = opts.lowerTarget ?? SCALAR_TARGET;
  for (const [name, pass] of KERNEL_PASSES[target.family]) {
    phase(`kernel passes: ${name}`);
    t0 = performance.now();
    inPass(name, () => pass(program, target));
    if (opts.verify) verifyProgram(program);
    after(name, () => printProgram(program), performance.now() - t0);
  }
  phase('planning memory');
  t0 = performance.now();
  const memory = inPass('planMemory', () => planMemory(program));
  after('planMemory', () => printProgram(program), performance.now() - t0);
  return { program, memory };
}
