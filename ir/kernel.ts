// Kernel IR: buffers, loop nests, loads/stores and typed scalar expressions. Every backend
// (C, WASM, CUDA, HLS, and the JS reference evaluator) renders this IR; scheduling passes
// rewrite it (vectors, thread binding) without knowing which op produced it.
//
// What the IR says, so that no renderer has to infer it (ir/verifyKernel.ts checks it):
// - Every `for` loop has a kind and a compile-time bound on its trip count. `serial`: iterations
//   run in order. `parallel`: no iteration reads or writes what another one writes, and none
//   assigns a variable declared outside the loop; iterations may run in any order or at once.
//   `reduce`: as parallel, except that iterations combine values into accumulators declared
//   just outside the loop (`decl` with `reduce`: the associative operator they combine with).
//   Builders (LowerCtx.loop) classify loops with ir/loops.ts; a pass that builds a loop says it.
// - `bind` maps a parallel loop onto the threads of a launch (set by a target's schedule or its
//   thread-binding pass; a renderer without threads renders an ordinary loop): `grid.x` spreads
//   the iterations over every thread of dimension x (blocks.x × threads.x, grid-stride),
//   `block.D` over the blocks of dimension D (stride: the grid), `thread.D` over the threads of a
//   block (stride: the block). A thread-bound loop whose body waits at a barrier runs exactly
//   one iteration per thread: from 0, step 1, as many trips as the launch has threads there.
// - `barrier`: every thread of a block waits until all have reached it. Only kernels with a
//   launch hold barriers, never inside a condition or a while loop (threads would diverge).
// - `shared` buffers of a kernel: arrays with one copy per block, declared by the kernel.
// - Buffers live in a memory space: `global` (arena, inputs, outputs), `const` (weights,
//   read-only), `shared` (one copy per thread block), `local` (one copy per thread/registers).
// - Scalar semantics are the ones written beside each operator below; renderers follow them.
// - Run-time dims (ir/rtdims.ts): a tensor whose dim is known only at run time is planned at the
//   dim's upper bound and stays dense in its actual shape. The value lives in an int64 slot
//   (ProgramBuf.dimOf) that its producing kernel stores and that readers load: a loop over it
//   has that load as `hi` and the upper bound as `bound`. Slots live until the run ends.
import type { DType, Scalar } from './dtype.js';
import type { TensorData } from './tensor.js';
import type { VStmt } from './vector.js';

/** A tensor buffer as kernels see it: dense elements of one dtype. */
export interface KBuf {
  id: number;
  name: string;
  dtype: DType;
  /** Element count. */
  size: number;
  /** Where it lives (default: global, or const for weights). */
  space?: MemSpace;
  /** Row-major shape, where the buffer is a tensor (size = product of it). */
  shape?: number[];
}

export type MemSpace = 'global' | 'const' | 'shared' | 'local';

export type UnOp =
  | 'neg' | 'abs' | 'sqrt' | 'exp' | 'log' | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan'
  | 'sinh' | 'cosh' | 'tanh' | 'asinh' | 'acosh' | 'atanh' | 'erf' | 'floor' | 'ceil'
  | 'rint' /* round half to even */ | 'trunc' | 'not' /* logical */ | 'bitnot' | 'isnan' | 'isinf' | 'signbit';
/**
 * div on integers truncates toward zero; mod on integers is the truncated remainder (C's %), on
 * floats fmod. Integer div and mod by zero give 0; the one overflowing quotient wraps (MIN / -1
 * gives MIN, MIN % -1 gives 0). shl/shr by the type's width or more give 0 (ONNX's BitShift,
 * the only source of shifts on data, takes unsigned types). min/max on floats propagate NaN.
 * dot2 (i32 only): a dual 16-bit multiply-add of two packed pairs, the signed low halves times
 * each other plus the signed high halves times each other, the sum wrapping to 32 bits (row
 * dot2_i32; ACLE __smuad). The int8 kernels (ir/ops/qint8.ts) accumulate with it; C rows of
 * CPUs with DSP instructions render it as one (CStyleRow.dualMac), others as two multiplies.
 */
export type BinOp = 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'min' | 'max'
  | 'pow' | 'and' | 'or' | 'xor' | 'shl' | 'shr' | 'atan2' | 'dot2';
export type CmpOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

export type Expr =
  | { k: 'const'; t: Scalar; v: number | bigint }
  | { k: 'var'; t: Scalar; name: string }
  | { k: 'load'; t: Scalar; buf: KBuf; idx: Expr }
  | { k: 'un'; t: Scalar; op: UnOp; a: Expr }
  | { k: 'bin'; t: Scalar; op: BinOp; a: Expr; b: Expr }
  | { k: 'cmp'; t: 'bool'; op: CmpOp; a: Expr; b: Expr }
  | { k: 'select'; t: Scalar; c: Expr; a: Expr; b: Expr }
  /** bits: reinterpret the bit pattern (same width, one side float) instead of converting the value. */
  | { k: 'cast'; t: Scalar; a: Expr; sat?: boolean; bits?: boolean };

/** Hints a schedule attaches to a loop; renderers map them to pragmas or SIMD. */
export interface LoopHint {
  vectorize?: number;
  unroll?: number;
}

export type LoopKind = 'serial' | 'parallel' | 'reduce';
/** Associative operators a reduction combines with. */
export type ReduceOp = 'add' | 'mul' | 'min' | 'max' | 'and' | 'or';
/** Which launch index a bound loop runs over (see the header). */
export type LoopBind = 'grid.x' | 'block.x' | 'block.y' | 'block.z' | 'thread.x' | 'thread.y' | 'thread.z';

export interface ForStmt {
  k: 'for'; v: string; lo: Expr; hi: Expr; step: number; body: Stmt[];
  kind: LoopKind;
  /** Upper bound of the trip count, known at compile time (exact when lo and hi are constants). */
  bound: number;
  hint?: LoopHint;
  bind?: LoopBind;
}

export type Stmt =
  | ForStmt
  | { k: 'store'; buf: KBuf; idx: Expr; val: Expr; sat?: boolean }
  /** reduce: the variable accumulates the iterations of the reduce loop that follows it. */
  | { k: 'decl'; name: string; t: Scalar; init: Expr; reduce?: ReduceOp }
  | { k: 'assign'; name: string; val: Expr }
  | { k: 'if'; c: Expr; then: Stmt[]; else: Stmt[] }
  /** bound: the most iterations it can run, where known (a Loop node without a trip count has none). */
  | { k: 'while'; c: Expr; body: Stmt[]; bound?: number }
  | { k: 'break' }
  /** Ends the kernel, and the program, with this status (an onnxc_status). */
  | { k: 'fail'; status: number }
  | { k: 'barrier' }
  | VStmt;

/** One kernel: a function over buffers, produced by lowering one node. */
export interface Kernel {
  name: string;
  /** The node it came from, for comments and messages. */
  label: string;
  params: KBuf[];
  /** Params the kernel writes (others are read-only). */
  writes: Set<KBuf>;
  body: Stmt[];
  /** Set for threaded targets: the launch shape (blocks × threads per block, x/y/z), and
   * whether the threads of a block synchronize (barriers), so they must run concurrently. */
  launch?: Launch;
  /** Arrays in `shared` memory the kernel declares (one copy per block). */
  shared?: KBuf[];
}

export interface Launch { blocks: [number, number, number]; threads: [number, number, number]; barrier: boolean }

/** view: a slice of another buffer (a Concat's output that a producer writes into directly);
 * shared: a kernel's array in shared memory (Kernel.shared), not in the arena. */
export type BufRole = 'input' | 'output' | 'const' | 'temp' | 'view' | 'shared';

/** A buffer of the whole program and where its storage comes from. */
export interface ProgramBuf extends KBuf {
  role: BufRole;
  /** Graph input/output position for role input/output. */
  index?: number;
  /** Contents for role const. */
  data?: TensorData;
  /** Arena byte offset for role temp, set by planMemory. */
  offset?: number;
  /** For role view: the buffer it is part of, and the element where it starts. */
  view?: { of: ProgramBuf; at: number };
  /** Set on the int64 slot holding run-time dim `dimOf` (ir/rtdims.ts); it lives to the end of the run. */
  dimOf?: string;
}

/** The buffer holding a view's storage (the buffer itself when it is not a view). */
export function storageOf(b: ProgramBuf): { root: ProgramBuf; at: number } {
  let at = 0;
  while (b.view) { at += b.view.at; b = b.view.of; }
  return { root: b, at };
}

export interface Step {
  kernel: Kernel;
  args: ProgramBuf[];
}

/** How a step is named where it is reported (profiles): kernel name and the node it came from. */
export const stepLabel = (s: Step): string => `${s.kernel.name} ${s.kernel.label}`;

/** A lowered program: what codegen renders. */
export interface Program {
  name: string;
  bufs: ProgramBuf[];
  steps: Step[];
  /** shape: bounded dims at their bounds; dims (only where the input has bounded dims): per
   * dim, the slot the host stores its actual value in before the run (see inputDims). */
  inputs: { name: string; buf: ProgramBuf; shape: number[]; dims?: (ProgramBuf | undefined)[] }[];
  /** Bounded input dims (--dim NAME=LO..HI): the slot holding each, set by the host after
   * checking the value is in [min, max]; absent when the program has none. */
  inputDims?: { name: string; slot: ProgramBuf; min: number; max: number }[];
  /** shape: run-time dims at their bounds; dims (only where the output has run-time dims): per
   * dim, the slot holding its value after the run (undefined for a static dim). */
  outputs: { name: string; buf: ProgramBuf; shape: number[]; dims?: (ProgramBuf | undefined)[] }[];
  /** Inputs the program was specialized on: compared at run time, status 2 on mismatch. */
  guards: { buf: ProgramBuf; data: TensorData }[];
  arenaSize: number;
}

/** Byte alignment of arena offsets and of the arena itself (ONNXC_ARENA_ALIGN in runtime-c). */
export const ARENA_ALIGN = 64;
