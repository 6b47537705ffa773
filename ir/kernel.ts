// Kernel IR: buffers, loop nests, loads/stores and typed scalar expressions. Every backend
// (C, WASM, CUDA, HLS, and the JS reference evaluator) renders this IR; scheduling passes
// rewrite it (loop hints, tiling) without knowing which op produced it.
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
}

export type UnOp =
  | 'neg' | 'abs' | 'sqrt' | 'exp' | 'log' | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan'
  | 'sinh' | 'cosh' | 'tanh' | 'asinh' | 'acosh' | 'atanh' | 'erf' | 'floor' | 'ceil'
  | 'rint' /* round half to even */ | 'trunc' | 'not' /* logical */ | 'bitnot' | 'isnan' | 'isinf' | 'signbit';
export type BinOp = 'add' | 'sub' | 'mul' | 'div' | 'mod' /* C semantics: truncated / fmod */ | 'min' | 'max'
  | 'pow' | 'and' | 'or' | 'xor' | 'shl' | 'shr' | 'atan2';
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

/** Hints a schedule attaches to a loop; renderers map them to pragmas, SIMD or threads. */
export interface LoopHint {
  vectorize?: number;
  unroll?: number;
  parallel?: boolean;
}

export type Stmt =
  | { k: 'for'; v: string; lo: Expr; hi: Expr; step: number; body: Stmt[]; hint?: LoopHint }
  | { k: 'store'; buf: KBuf; idx: Expr; val: Expr; sat?: boolean }
  | { k: 'decl'; name: string; t: Scalar; init: Expr }
  | { k: 'assign'; name: string; val: Expr }
  | { k: 'if'; c: Expr; then: Stmt[]; else: Stmt[] }
  | { k: 'while'; c: Expr; body: Stmt[] }
  | { k: 'break' }
  | { k: 'fail'; status: number }
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
}

/** view: a slice of another buffer (a Concat's output that a producer writes into directly). */
export type BufRole = 'input' | 'output' | 'const' | 'temp' | 'view';

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
  inputs: { name: string; buf: ProgramBuf; shape: number[] }[];
  outputs: { name: string; buf: ProgramBuf; shape: number[] }[];
  /** Inputs the program was specialized on: compared at run time, status 2 on mismatch. */
  guards: { buf: ProgramBuf; data: TensorData }[];
  arenaSize: number;
}

/** Byte alignment of arena offsets and of the arena itself (ONNXC_ARENA_ALIGN in runtime-c). */
export const ARENA_ALIGN = 64;
