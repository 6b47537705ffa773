// Targets as data: what a target offers the schedules (vector lanes, registers, caches, threads,
// shared memory, native dtypes, FMA). Ops never read these; schedules (schedules/) and kernel
// passes do. A new target is a row here, a schedule table and a renderer row.
import type { DType } from './dtype.js';

/** GPU execution facts: how loops may be bound to threads. */
export interface ThreadFacts {
  /** Threads that execute in lockstep (shuffles work within one). */
  warp: number;
  /** Most threads a block may have. */
  maxBlock: number;
  /** Threads per block the schedules use by default. */
  block: number;
  /** Static shared memory per block, bytes. */
  sharedBytes: number;
  /** Most 32-bit registers a thread may use. */
  maxRegs: number;
  /** Streaming multiprocessors: blocks that run at once, for sizing grids. */
  units: number;
}

export interface TargetDesc {
  /** Name as given to --cpu / --target. */
  name: string;
  /** Which renderer and host program: the C family (C, CUDA, …) or WebAssembly. */
  family: 'c' | 'cuda' | 'wasm' | 'hls';
  /** float32 lanes of the SIMD vectors schedules may use (0: scalar code only). */
  lanes: number;
  /** Fused multiply-add in hardware (vector FMA when lanes > 0). */
  fma: boolean;
  /** Vector (or, without SIMD, scalar float) registers a micro-kernel may keep live. */
  registers: number;
  /** Data cache sizes in bytes, for blocking. */
  cache: { l1: number; l2: number };
  /** Present on targets that run a kernel on many threads. */
  threads?: ThreadFacts;
  /** Element types computed natively; others are converted on load and store. */
  native: DType[];
  /** The Arm DSP extension (ARMv7E-M, ARMv8-M Mainline): SMUAD/SMLAD do two 16-bit
   * multiply-adds in one instruction, which the C renderer uses for BinOp dot2 (ACLE). */
  dsp?: boolean;
  /** On x86-64, the -march level whose vectors the row's schedules are sized for (host:
   * x86-64-v3, AVX2 and FMA; host-avx512: x86-64-v4). Built for x86-64 without it, GCC splits
   * every 256-bit vector into halves through the stack and a 6×16 tile spills: a PyTorch
   * transformer encoder ran 25× slower. Runners, `onnxc build` and --emit-build pass it; the C
   * banner names it. */
  x86March?: string;
}

const FLOATS: DType[] = ['float32', 'float64'];
const INTS: DType[] = ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool'];

/** The rows. `host` is x86-64/AArch64 with 256-bit vectors (GCC/Clang vector extensions). */
export const TARGET_ROWS: Record<string, TargetDesc> = {
  host: { name: 'host', family: 'c', x86March: 'x86-64-v3', lanes: 8, fma: true, registers: 16, cache: { l1: 32 << 10, l2: 512 << 10 }, native: [...FLOATS, ...INTS] },
  // x86-64 with AVX-512F: 512-bit vectors and 32 vector registers (Ice Lake and later, Zen 4);
  // `--cpu native` picks it on such a machine (src/api.ts), `host` stays the default
  'host-avx512': { name: 'host-avx512', family: 'c', x86March: 'x86-64-v4', lanes: 16, fma: true, registers: 32, cache: { l1: 48 << 10, l2: 1 << 20 }, native: [...FLOATS, ...INTS] },
  generic: { name: 'generic', family: 'c', lanes: 0, fma: false, registers: 16, cache: { l1: 32 << 10, l2: 256 << 10 }, native: [...FLOATS, ...INTS] },
  // Cortex-M microcontrollers (src/firmware/boards.ts has their compiler flags, QEMU boards and
  // memories): scalar C, since GCC's vector extensions are emulated there; M4 and up have the DSP
  // extension (int8 kernels' dual multiply-adds); no data cache on M0+/M4/M33, so blocking sizes are the SRAM a tile may use
  'cortex-m0plus': { name: 'cortex-m0plus', family: 'c', lanes: 0, fma: false, registers: 8, cache: { l1: 8 << 10, l2: 64 << 10 }, native: [...INTS] },
  'cortex-m4': { name: 'cortex-m4', dsp: true, family: 'c', lanes: 0, fma: true, registers: 16, cache: { l1: 16 << 10, l2: 128 << 10 }, native: ['float32', ...INTS] },
  'cortex-m7': { name: 'cortex-m7', dsp: true, family: 'c', lanes: 0, fma: true, registers: 16, cache: { l1: 16 << 10, l2: 256 << 10 }, native: ['float32', ...INTS] },
  'cortex-m33': { name: 'cortex-m33', dsp: true, family: 'c', lanes: 0, fma: true, registers: 16, cache: { l1: 16 << 10, l2: 128 << 10 }, native: ['float32', ...INTS] },
  'cortex-m55': { name: 'cortex-m55', dsp: true, family: 'c', lanes: 0, fma: true, registers: 16, cache: { l1: 32 << 10, l2: 256 << 10 }, native: ['float32', ...INTS] },
  wasm: { name: 'wasm', family: 'wasm', lanes: 4, fma: false, registers: 15, cache: { l1: 32 << 10, l2: 512 << 10 }, native: [...FLOATS, ...INTS] },
  // FPGA high-level synthesis (Vitis HLS C++): scalar loops that synthesis pipelines; the
  // scalar CPU algorithms with no blocking (on-chip arrays have no cache to fit)
  hls: { name: 'hls', family: 'hls', lanes: 0, fma: false, registers: 16, cache: { l1: 32 << 10, l2: 256 << 10 }, native: [...FLOATS, ...INTS] },
  cuda: {
    name: 'cuda', family: 'cuda', lanes: 0, fma: true, registers: 64, cache: { l1: 128 << 10, l2: 40 << 20 },
    threads: { warp: 32, maxBlock: 1024, block: 256, sharedBytes: 48 << 10, maxRegs: 255, units: 108 },
    native: [...FLOATS, ...INTS, 'float16', 'bfloat16'],
  },
};

/** The row for a target name; throws on an unknown one. */
export function targetRow(name: string): TargetDesc {
  const t = TARGET_ROWS[name];
  if (!t) throw new Error(`unknown target row '${name}'`);
  return t;
}

/** The row scalar lowering uses (constant folding, the reference evaluator). */
export const SCALAR_TARGET: TargetDesc = TARGET_ROWS.generic;
