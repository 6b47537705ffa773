// Compiling an imported model to target files, without a file system: what a host supplies
// (the shipped runtime headers, this machine's CPU row, where --dump-ir files go) comes in a
// CompileEnv. src/nodeCompile.ts is the Node host (src/api.ts the package's entry over it);
// web/src/ the browser one.
import { emitC } from '../codegen/c/emitC.js';
import { cRowFor } from '../codegen/c/rows.js';
import { evaluateNode } from '../codegen/js/evaluate.js';
import type { emitWasm } from '../codegen/wasm/emitWasm.js';
import { emitCuda } from '../codegen/cuda/emitCuda.js';
import { emitHls } from '../codegen/hls/emitHls.js';
import { LayerEstimate, estimateLayers } from '../codegen/hls/estimate.js';
import { HlsMemory } from '../codegen/hls/memory.js';
import { CompileError, NeedsInputValues, inPass } from '../ir/errors.js';
import { isFloat } from '../ir/dtype.js';
import { Layout, Model, TensorType, Value, isStatic, isStructured, leafValues, newValue, nodeLabel } from '../ir/graph.js';
import { registerAllOps } from '../ir/ops/index.js';
import { TensorData, numel, tensorFrom } from '../ir/tensor.js';
import { Program } from '../ir/kernel.js';
import { boundShape, dimLabel, rtBound } from '../ir/rtdims.js';
import { constHint, inputsBehind } from '../ir/subgraph.js';
import { DimBinding, boundDim, dimRanges, parseDimBinding } from './dimBindings.js';
import { TargetDesc, targetRow } from '../ir/target.js';
import { MemoryReport } from '../passes/planMemory.js';
import { findShapeInputs } from '../passes/findShapeInputs.js';
import { checkFits } from '../passes/lowerToKernels.js';
import { PipelineHooks, PipelineOptions, runPipeline } from '../passes/pipeline.js';
import { scheduleFor } from '../schedules/index.js';

registerAllOps();

// The WASM emitter is registered, not imported: importing Binaryen costs about 1.5 s of CPU and
// 110 MB, which a compile for C, CUDA or HLS should not pay (nor a CLI under a tight ulimit).
// src/api.ts (the package's entry) and the browser build register it when loaded; the CLI and
// the test runner call loadWasmBackend() for --target wasm.
let wasmEmitter: typeof emitWasm | undefined;
export function useWasmEmitter(e: typeof emitWasm): void { wasmEmitter = e; }
export async function loadWasmBackend(): Promise<void> {
  if (wasmEmitter) return;
  // Binaryen reserves its memory when imported: a tight ulimit -v refuses it here, and its
  // Emscripten runtime prints the failure on the console too; the error line says it once
  const quiet = console.error, said: string[] = [];
  console.error = (...a: unknown[]) => { said.push(a.join(' ')); };
  try {
    useWasmEmitter((await import('../codegen/wasm/emitWasm.js')).emitWasm);
  } catch (e) {
    throw new CompileError(`cannot load Binaryen, which the WASM target needs: ${(e as Error).message ?? e}`);
  } finally {
    console.error = quiet;
  }
  for (const line of said) console.error(line);
}

export type Target = 'c' | 'wasm' | 'cuda' | 'hls';
export const TARGETS: Target[] = ['c', 'wasm', 'cuda', 'hls'];

export interface CompileOptions extends Omit<PipelineOptions, 'name' | 'guards' | 'schedule' | keyof PipelineHooks> {
  target: Target;
  /** C symbol prefix / module name (default: from the file name). */
  name?: string;
  /** Values for symbolic dimensions: a number specializes, a range (`{min, max}` or '1..128')
   * makes a run-time dim checked against it when the program runs (src/dimBindings.ts). */
  dims?: Record<string, DimBinding>;
  /** Graph inputs to specialize on (guarded at run time). */
  consts?: Record<string, ConstValue>;
  /** Element types of sequence inputs: each element becomes an input NAME_0, NAME_1… */
  sequences?: Record<string, TensorType[]>;
  /** What sequence and optional inputs hold (sequences: as above): a sequence's elements
   * become inputs NAME_0, NAME_1…, an optional's tensor the input NAME, an empty one none. */
  layouts?: Record<string, Layout>;
  /** C: large weights in NAME.weights.bin pulled in with .incbin (GNU assembler), or C arrays
   * (default: incbin; c when simd is false, so the portable output needs only a C99 compiler). */
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
  /** HLS: clock period in ns written into run_hls.tcl (default 5). */
  hlsClockNs?: number;
  /** HLS: bytes of intermediates kept in on-chip arrays; the largest others go to a DDR arena (default 2 MiB). */
  hlsOnchipBytes?: number;
  /** HLS: reuse factor, the II of pipelined loops (fewer DSPs, more cycles; default 1). */
  hlsReuse?: number;
  /** HLS: layers as DATAFLOW processes connected by hls::stream (codegen/hls/dataflow.ts). */
  hlsDataflow?: boolean;
}

export type CpuRow = 'host' | 'host-avx512' | 'native' | 'generic' | 'cortex-m0plus' | 'cortex-m4' | 'cortex-m7' | 'cortex-m33' | 'cortex-m55';

/** What the host running the compiler supplies. */
export interface CompileEnv {
  /** runtime-c/onnxc_runtime.h, which every C-family output includes. */
  runtimeHeader(): string;
  /** The headers a CUDA output folder carries, by file name. */
  cudaHeaderFiles(): Record<string, string>;
  /** The C row --cpu native stands for on this machine. */
  nativeCpu(): 'host' | 'host-avx512';
  /** runtime-c's main and tensor I/O (onnxc_main.c, onnxc_pb.c …): an HLS output folder's
   * C-simulation testbench (absent: the folder holds the design and its adapter only). */
  runtimeMainFiles?(): Record<string, string>;
  /** Writes one --dump-ir file (absent: --dump-ir is an error). */
  dump?: PipelineHooks['dump'];
}

/** The target row (ir/target.ts) each --target compiles for; --no-simd takes the vectors away. */
function targetFor(opts: CompileOptions, env: CompileEnv): TargetDesc {
  const cpu = opts.cpu === 'native' ? env.nativeCpu() : opts.cpu ?? 'host';
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
  /** HLS: where the buffers live and the per-layer estimate (codegen/hls/estimate.ts). */
  hls?: { memory: HlsMemory; layers: LayerEstimate[]; clockNs: number; reuse: number };
}

/** A C identifier derived from a file name. */
/** Longest symbol prefix: NAME.weights.bin and its temporary name must fit a 255-byte file name. */
const MAX_NAME = 200;

export function defaultName(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1).replace(/\.onnx$/i, '').replace(/[^A-Za-z0-9_]/g, '_').slice(0, MAX_NAME - 2);
  return /^[A-Za-z_]/.test(base) ? base : `m_${base}`;
}

/** A value to specialize an input on: a tensor, or plain numbers that take the input's dtype. */
export type ConstValue = TensorData | number[];

/** Plain numbers as a tensor of input v's dtype: its static shape if the count fits, else a
 * scalar (one number, rank 0) or a vector (rank 1). */
function constTensor(v: Value, values: number[]): TensorData {
  const t = v.type!;
  const shape = isStatic(t.shape) && numel(t.shape) === values.length ? t.shape
    : t.shape.length === 0 && values.length === 1 ? []
    : t.shape.length === 1 ? [values.length] : undefined;
  if (!shape) throw new CompileError(`--const: input '${v.name}' has shape [${t.shape}], which ${values.length} value(s) do not fill; give a .pb or .npy file`);
  if (!isFloat(t.dtype) && values.some((x) => !Number.isInteger(x))) throw new CompileError(`--const: input '${v.name}' is ${t.dtype}, the values ${values.join(',')} are not integers`);
  return tensorFrom(t.dtype, shape, t.dtype === 'int64' || t.dtype === 'uint64' ? values.map(BigInt) : values);
}

/** Binds symbolic dims and specialized inputs on the graph's inputs. */
export function bindInputs(m: Model, dims: Record<string, DimBinding> = {}, consts: Record<string, ConstValue> = {}): void {
  const names = new Set(m.graph.inputs.map((v) => v.name));
  const symbolic = new Set(m.graph.inputs.flatMap((v) => (v.type?.shape ?? []).filter((d): d is string => typeof d === 'string')));
  for (const k of Object.keys(dims)) if (!symbolic.has(k))
    throw new CompileError(`--dim: the model has no symbolic dimension '${k}' (${symbolic.size ? `its symbolic dimensions: ${[...symbolic].join(', ')}` : 'it has none'})`);
  for (const k of Object.keys(consts)) if (!names.has(k)) throw new CompileError(`--const: the model has no input '${k}'`);
  const bound = Object.fromEntries(Object.entries(dims).map(([k, b]) => [k, boundDim(k, parseDimBinding(k, b))]));
  for (const v of m.graph.inputs) {
    if (!v.type || !v.type.shape) throw new CompileError(`input '${v.name}' has no shape in the model`);
    v.type = { ...v.type, shape: v.type.shape.map((d) => (typeof d === 'string' && d in bound ? bound[d] : d)) };
    const given = consts[v.name];
    const c = Array.isArray(given) ? constTensor(v, given) : given;
    if (c) {
      if (c.dtype !== v.type.dtype) throw new CompileError(`input '${v.name}' is ${v.type.dtype}, the bound value is ${c.dtype}`);
      if (c.shape.length !== v.type.shape.length || c.shape.some((d, i) => typeof v.type!.shape[i] === 'number' && v.type!.shape[i] !== d))
        throw new CompileError(`input '${v.name}' has shape [${v.type.shape}], the bound value [${c.shape}]`);
      v.type = { ...v.type, shape: c.shape };
      v.const = c;
    }
  }
}

/** Binds what structured input v holds; returns the tensor inputs it becomes. */
function bindLayout(v: Value, l: Layout): Value[] {
  const kind = (x: Layout) => ('tensor' in x ? 'a tensor' : 'sequence' in x ? 'a sequence' : 'an optional');
  if (!!v.sequence !== 'sequence' in l || !!v.optional !== 'optional' in l)
    throw new CompileError(`input '${v.name}' is ${v.sequence ? 'a sequence' : 'an optional'}, the value given ${kind(l)}`);
  if ('sequence' in l) v.elems = l.sequence.map((t, i) => newValue(`${v.name}_${i}`, t));
  else if ('optional' in l) {
    const inner = l.optional;
    if (inner && 'optional' in inner) throw new CompileError(`input '${v.name}': an optional of an optional is not supported`);
    const held = inner && newValue(v.name, 'tensor' in inner ? inner.tensor : null);
    if (held && 'sequence' in inner!) { held.sequence = true; held.elems = inner.sequence.map((t, i) => newValue(`${v.name}_${i}`, t)); }
    v.elems = held ? [held] : [];
  }
  return leafValues(v);
}

/** Sequence and optional inputs become the tensor inputs they hold (see CompileOptions.layouts). */
export function bindStructured(m: Model, layouts: Record<string, Layout> = {}): void {
  for (const k of Object.keys(layouts)) if (!m.graph.inputs.some((v) => v.name === k && isStructured(v)))
    throw new CompileError(`the model has no sequence or optional input '${k}'`);
  m.graph.inputs = m.graph.inputs.flatMap((v) => {
    if (!isStructured(v)) return [v];
    const l = layouts[v.name];
    if (!l && v.sequence) throw new CompileError(`input '${v.name}' is a sequence: onnxc needs its length and element shapes at compile time (onnxc run and test take them from the SequenceProto given)`);
    if (!l) throw new CompileError(`input '${v.name}' is an optional: onnxc needs to know at compile time whether it holds a value, and its shapes (onnxc run and test take them from the OptionalProto given)`);
    return bindLayout(v, l);
  });
}

/** Inputs a program for `target` needs at compile time (see findShapeInputs). */
export function shapeInputs(m: Model, target: Target = 'c'): Set<string> {
  return findShapeInputs(m, takesRuntimeDims(target));
}

/** Whether a target takes run-time dims (ir/rtdims.ts); the others refuse them at compile time. */
export const takesRuntimeDims = (target: Target): boolean => target !== 'cuda' && target !== 'hls';

/** Compiles an imported model with what `env` supplies. */
export function compileWith(m: Model, opts: CompileOptions, env: CompileEnv): CompileResult {
  const name = opts.name ?? defaultName(m.source);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new CompileError(`--name '${name}' is not a C identifier`);
  if (name.length > MAX_NAME) throw new CompileError(`--name is ${name.length} characters long; at most ${MAX_NAME} (it names the output files)`);
  const seqs = Object.entries(opts.sequences ?? {}).map(([k, ts]): [string, Layout] => [k, { sequence: ts }]);
  bindStructured(m, { ...Object.fromEntries(seqs), ...opts.layouts });
  const ranges = dimRanges(opts.dims);
  refuseBoundedDims(ranges, opts.target === 'c' && opts.cpu?.startsWith('cortex-') ? opts.cpu : opts.target);
  bindInputs(m, opts.dims, opts.consts);
  for (const v of m.graph.inputs) {
    if (!boundShape(v.type!.shape)) {
      const d = v.type!.shape.find((x) => typeof x !== 'number');
      throw new CompileError(`input '${v.name}' has symbolic dimension '${d}'; bind it with --dim ${d}=VALUE (or a range: --dim ${d}=LO..HI)`);
    }
    checkFits(v.name, v.type!.dtype, boundShape(v.type!.shape)!, 'input');
  }
  const lowerTarget = targetFor(opts, env);
  // the pipeline folds constants with the JS reference evaluator and prints kernels as C
  const hooks: PipelineHooks = { evaluate: evaluateNode, dump: env.dump };
  // the schedule table for the row (schedules/): SIMD kernels where it has vectors
  const schedule = opts.lowMemory ? { ...scheduleFor(lowerTarget), directConv: true } : scheduleFor(lowerTarget);
  const { program, memory } = runPipeline(m, { ...opts, ...hooks, name, lowerTarget, schedule, dimRanges: ranges, guards: new Set(Object.keys(opts.consts ?? {})) });
  opts.onPhase?.('emitting');
  if (!takesRuntimeDims(opts.target)) refuseRuntimeDims(program, m, opts.target);
  if (opts.target === 'hls') {
    const clockNs = opts.hlsClockNs ?? 5, reuse = opts.hlsReuse ?? 1;
    const h = inPass('emitHls', () => emitHls(program, { source: m.source, clockNs, onchipBytes: opts.hlsOnchipBytes, reuse, dataflow: opts.hlsDataflow }));
    const files = { ...h.files, 'onnxc_runtime.h': env.runtimeHeader(), ...env.runtimeMainFiles?.() };
    return { files, program, memory, model: m, cpu: lowerTarget.name, hls: { memory: h.memory, layers: estimateLayers(program, h.memory, reuse), clockNs, reuse } };
  }
  const files = inPass(`emit${opts.target === 'c' ? 'C' : opts.target === 'wasm' ? 'Wasm' : 'Cuda'}`, () => emitFiles(program, m, opts, env, lowerTarget));
  return { files, program, memory, model: m, cpu: lowerTarget.name };
}

/** Targets that need every dim at compile time refuse a bounded --dim (C for a Cortex-M row:
 * its firmware driver passes no shapes). */
function refuseBoundedDims(ranges: ReturnType<typeof dimRanges>, target: string): void {
  const r = [...ranges.values()][0];
  if (r && (!takesRuntimeDims(target as Target) || target.startsWith('cortex-')))
    throw new CompileError(`--dim ${r.name}=${r.min}..${r.max}: the ${target} target needs every dim known at compile time`);
}

/** Targets without run-time dims (ir/rtdims.ts) refuse them, naming the node that makes one. An
 * If whose branches differ in shape (passes/guardBranches.ts) names the inputs behind its
 * condition, whose values at compile time (--const; `onnxc run`/`test` give them) pick a branch. */
function refuseRuntimeDims(p: Program, m: Model, target: string): void {
  const slots = p.bufs.filter((b) => b.dimOf);
  if (!slots.length) return;
  const why = (d: string) => `dimension '${dimLabel(d)}' is known only at run time (at most ${rtBound(d)}); the ${target} target needs every shape at compile time`;
  // a dim an If's branches differ in: its condition's inputs, given at compile time, pick a branch
  for (const n of m.graph.nodes) {
    if (n.op !== 'IfMerge' || n.domain !== 'onnxc') continue;
    const d = n.outputs.flatMap((v) => v?.type?.shape ?? []).find((x) => slots.some((b) => b.dimOf === x));
    const inputs = inputsBehind(n.inputs[0]!);
    if (d !== undefined && inputs.length)
      throw new NeedsInputValues(`${nodeLabel(n)}: the branches of its If differ in shape and the condition is not known at compile time: ${why(String(d))}; ${constHint(inputs)}`, inputs);
  }
  const maker = p.steps.find((s) => s.kernel.writes.has(slots[0]));
  throw new CompileError(`${maker ? `${maker.kernel.label}: ` : ''}${why(slots[0].dimOf!)}`);
}

function emitFiles(program: Program, m: Model, opts: CompileOptions, env: CompileEnv, lowerTarget: TargetDesc): Record<string, string | Uint8Array> {
  const weights = opts.weights ?? (opts.simd === false ? 'c' : 'incbin');
  if (opts.target === 'c') return { ...emitC(program, { source: m.source, weights, profile: opts.profile, freestanding: opts.freestanding, row: cRowFor(lowerTarget), x86March: lowerTarget.lanes ? lowerTarget.x86March : undefined }), 'onnxc_runtime.h': env.runtimeHeader() };
  if (opts.target === 'wasm') {
    if (!wasmEmitter) throw new Error('the WASM backend is not loaded: import onnxc\'s package entry (src/api.ts) or await loadWasmBackend() first');
    return wasmEmitter(program, { source: m.source, profile: opts.profile }).files;
  }
  if (opts.target === 'cuda') return { ...emitCuda(program, { source: m.source }), ...env.cudaHeaderFiles() };
  throw new CompileError(`target '${opts.target}' is not available yet`);
}
