// Public API: compile an ONNX model (file or bytes) to target code. The CLI is a thin layer
// over these functions.
import fs from 'node:fs';
import path from 'node:path';
import { emitC } from '../codegen/c/emitC.js';
import { evaluateNode } from '../codegen/js/evaluate.js';
import { emitWasm } from '../codegen/wasm/emitWasm.js';
import { emitCuda } from '../codegen/cuda/emitCuda.js';
import { RUNTIME_DIR, cudaHeaderFiles, runtimeHeader } from './runtimeFiles.js';
import { CompileError } from '../ir/errors.js';
import { Model, isStatic } from '../ir/graph.js';
import { registerAllOps } from '../ir/ops/index.js';
import { TensorData } from '../ir/tensor.js';
import { Program } from '../ir/kernel.js';
import { TargetDesc, targetRow } from '../ir/target.js';
import { MemoryReport } from '../passes/planMemory.js';
import { findShapeInputs } from '../passes/findShapeInputs.js';
import { checkFits } from '../passes/lowerToKernels.js';
import { PipelineHooks, PipelineOptions, runPipeline } from '../passes/pipeline.js';
import { scheduleFor } from '../schedules/index.js';
import { loadModel } from './onnx/importModel.js';

registerAllOps();

export type Target = 'c' | 'wasm' | 'cuda';
export const TARGETS: Target[] = ['c', 'wasm', 'cuda'];

export interface CompileOptions extends Omit<PipelineOptions, 'name' | 'guards' | 'schedule' | keyof PipelineHooks> {
  target: Target;
  /** C symbol prefix / module name (default: from the file name). */
  name?: string;
  /** Values for symbolic dimensions. */
  dims?: Record<string, number>;
  /** Graph inputs to specialize on (guarded at run time). */
  consts?: Record<string, TensorData>;
  weights?: 'incbin' | 'c';
  /** Emit SIMD vector code (default true): C with GCC/Clang vector extensions, WASM SIMD128. */
  simd?: boolean;
  /** C: the CPU row kernels are sized for (default host; native: host-avx512 where this
   * machine has AVX-512F, for code built with -march=native on it). */
  cpu?: CpuRow;
  /** C: no libc and no libm (math, memcpy and memset generated into the C). */
  freestanding?: boolean;
  /** Convolutions without im2col buffers (what --max-ram falls back to). */
  lowMemory?: boolean;
  /** Time every step: C calls onnxc_profile_step, WASM imports onnxc.step (not for shipping). */
  profile?: boolean;
}

export type CpuRow = 'host' | 'host-avx512' | 'native' | 'generic' | 'cortex-m0plus' | 'cortex-m4' | 'cortex-m7' | 'cortex-m33' | 'cortex-m55';

let native: 'host' | 'host-avx512' | undefined;
/** The C row for this machine: host-avx512 when /proc/cpuinfo lists avx512f, else host. */
export function nativeCpu(): 'host' | 'host-avx512' {
  if (!native) {
    let flags = '';
    try { flags = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? ''; } catch { /* not Linux */ }
    native = ` ${flags} `.includes(' avx512f ') ? 'host-avx512' : 'host';
  }
  return native;
}

/** The target row (ir/target.ts) each --target compiles for; --no-simd takes the vectors away. */
function targetFor(opts: CompileOptions): TargetDesc {
  const cpu = opts.cpu === 'native' ? nativeCpu() : opts.cpu ?? 'host';
  const row = targetRow(opts.target === 'c' ? cpu : opts.target);
  return opts.simd === false ? { ...row, lanes: 0 } : row;
}

export interface CompileResult {
  files: Record<string, string | Uint8Array>;
  program: Program;
  memory: MemoryReport;
  model: Model;
  /** The CPU row the code was compiled for (ir/target.ts), e.g. host or cortex-m4. */
  cpu: string;
}

/** A C identifier derived from a file name. */
export function defaultName(file: string): string {
  const base = path.basename(file).replace(/\.onnx$/i, '').replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(base) ? base : `m_${base}`;
}

/** Binds symbolic dims and specialized inputs on the graph's inputs. */
export function bindInputs(m: Model, dims: Record<string, number> = {}, consts: Record<string, TensorData> = {}): void {
  const names = new Set(m.graph.inputs.map((v) => v.name));
  for (const k of Object.keys(consts)) if (!names.has(k)) throw new CompileError(`--const: the model has no input '${k}'`);
  for (const v of m.graph.inputs) {
    if (!v.type || !v.type.shape) throw new CompileError(`input '${v.name}' has no shape in the model`);
    v.type = { ...v.type, shape: v.type.shape.map((d) => (typeof d === 'string' && d in dims ? dims[d] : d)) };
    const c = consts[v.name];
    if (c) {
      if (c.dtype !== v.type.dtype) throw new CompileError(`input '${v.name}' is ${v.type.dtype}, the bound value is ${c.dtype}`);
      if (c.shape.length !== v.type.shape.length || c.shape.some((d, i) => typeof v.type!.shape[i] === 'number' && v.type!.shape[i] !== d))
        throw new CompileError(`input '${v.name}' has shape [${v.type.shape}], the bound value [${c.shape}]`);
      v.type = { ...v.type, shape: c.shape };
      v.const = c;
    }
  }
}

/** Inputs a program needs at compile time (see findShapeInputs). */
export function shapeInputs(m: Model): Set<string> {
  return findShapeInputs(m);
}

export { RUNTIME_DIR };

/** Compiles an imported model. */
export function compileModel(m: Model, opts: CompileOptions): CompileResult {
  const name = opts.name ?? defaultName(m.source);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new CompileError(`--name '${name}' is not a C identifier`);
  bindInputs(m, opts.dims, opts.consts);
  for (const v of m.graph.inputs) {
    if (!isStatic(v.type!.shape)) {
      const d = v.type!.shape.find((x) => typeof x !== 'number');
      throw new CompileError(`input '${v.name}' has symbolic dimension '${d}'; bind it with --dim ${d}=VALUE`);
    }
    checkFits(v.name, v.type!.dtype, v.type!.shape, 'input');
  }
  const lowerTarget = targetFor(opts);
  // the pipeline folds constants with the JS reference evaluator and prints kernels as C
  const hooks: PipelineHooks = { evaluate: evaluateNode };
  // the schedule table for the row (schedules/): SIMD kernels where it has vectors
  const schedule = opts.lowMemory ? { ...scheduleFor(lowerTarget), directConv: true } : scheduleFor(lowerTarget);
  const { program, memory } = runPipeline(m, { ...opts, ...hooks, name, lowerTarget, schedule, guards: new Set(Object.keys(opts.consts ?? {})) });
  let files: Record<string, string | Uint8Array>;
  if (opts.target === 'c') files = { ...emitC(program, { source: m.source, weights: opts.weights, profile: opts.profile, freestanding: opts.freestanding }), 'onnxc_runtime.h': runtimeHeader() };
  else if (opts.target === 'wasm') files = emitWasm(program, { source: m.source, profile: opts.profile }).files;
  else if (opts.target === 'cuda') files = { ...emitCuda(program, { source: m.source }), ...cudaHeaderFiles() };
  else throw new CompileError(`target '${opts.target}' is not available yet`);
  return { files, program, memory, model: m, cpu: lowerTarget.name };
}

export function compileFile(file: string, opts: CompileOptions): CompileResult {
  return compileModel(loadModel(file), opts);
}

/** Writes files into dir only after everything was generated (no half-written output). */
export function writeFiles(dir: string, files: Record<string, string | Uint8Array>): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const tmp = Object.entries(files).map(([f, data]) => {
    const p = path.join(dir, f), t = `${p}.tmp-${process.pid}`;
    fs.writeFileSync(t, data);
    return [t, p];
  });
  for (const [t, p] of tmp) { fs.renameSync(t, p); written.push(p); }
  return written;
}

export { loadModel };
