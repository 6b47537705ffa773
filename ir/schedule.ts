// The seam between an op's algorithm and the target's schedule. Ops lower to plain loop nests
// (parallel output loops, reduce loops) and, where a target may run the algorithm better, ask
// the schedule first: `ctx.schedule.gemm(…)` emits a tiled, vectorized version and returns true,
// or emits nothing and returns false. The tables live in schedules/ (keyed by target row) and
// are handed to lowering through LowerCtx, since ir/ imports nothing outside itself.
import type { LowerCtx, TensorRef } from './ctx.js';
import type { Activation } from './ops/activation.js';
import type { GemmSpec, RtGemmSpec } from './ops/gemm.js';
import type { Expr } from './kernel.js';
import type { Geom } from './ops/spatial.js';

/** A depthwise convolution (one input channel per group): out = act(bias + Σ taps w · x). */
export interface DepthwiseSpec {
  g: Geom;
  /** [N, C, ...spatial], [M, 1, ...kernel], [M] or null, [N, M, ...out]. */
  x: TensorRef;
  w: TensorRef;
  bias: TensorRef | null;
  out: TensorRef;
  act?: Activation;
}

/** How a target runs the algorithms ops ask about. Each entry emits and returns true, or declines. */
export interface ScheduleTable {
  name: string;
  /** Y (+)= A·B (accumulate: add to Y), then the spec's epilogue, act applied as values are stored. */
  gemm(ctx: LowerCtx, spec: GemmSpec, accumulate: boolean, act?: Activation): boolean;
  /** Y = A·B for float32 with run-time extents and strides (ir/ops/matmulRt.ts); absent: declines. */
  rtGemm?(ctx: LowerCtx, spec: RtGemmSpec): boolean;
  /** The whole depthwise convolution, bias and activation included. */
  depthwise(ctx: LowerCtx, spec: DepthwiseSpec): boolean;
  /**
   * Rows of output (of the first spatial dim, `rows` in all, `rowLen` positions each) that a
   * convolution gathers into its im2col matrix (K rows) and multiplies at a time: the matrix of
   * a band is then read back from cache rather than memory, and the buffer is a band's size;
   * M: rows of the weight matrix each band multiplies. Absent: the whole output at once.
   */
  im2colRows?(K: number, rows: number, rowLen: number, M: number): number;
  /** The float32 sum of x[at .. at + n) (contiguous) into a local, in whatever order the target
   * adds fastest (GlobalAveragePool's planes). Absent: the op's scalar loop, in element order. */
  rowSum?(ctx: LowerCtx, x: TensorRef, at: Expr, n: number): Expr;
  /** Convolutions accumulate tap by tap with no im2col buffer: slower, less memory (--max-ram). */
  directConv?: boolean;
  /** int8 dual-MAC loops (ir/ops/qint8Dot.ts) take two dot2 steps per iteration: half the loop
   * overhead on in-order cores; vector rows keep the plain reduction their compilers vectorize. */
  pairDualMacs?: boolean;
}

/** Declines everything: every op emits its scalar algorithm (reference evaluator, scalar targets). */
export const SCALAR_SCHEDULE: ScheduleTable = {
  name: 'scalar',
  gemm: () => false,
  depthwise: () => false,
};
