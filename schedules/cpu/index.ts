// The CPU schedule table: SIMD vector kernels for the algorithms ops ask about, sized from the
// target row's lanes, registers and caches, and a row-streaming scalar GEMM for the products
// the vector kernel declines. Declines (scalar algorithm) what it has no kernel for.
import type { ScheduleTable } from '../../ir/schedule.js';
import type { TargetDesc } from '../../ir/target.js';
import { emitDepthwiseSimd } from './depthwise.js';
import { GemmTuning, emitGemmSimd, gemmTile } from './microkernel.js';
import { emitGemmPacked } from './packedGemm.js';
import { emitGemmRows } from './rowGemm.js';
import { emitRtGemm } from './rtGemm.js';
import { im2colBand } from './im2colBand.js';
import { emitRowSum } from './rowSum.js';

/** The schedule of a CPU target (vector kernels only where t.lanes > 0). */
export function cpuSchedule(t: TargetDesc, tuning: GemmTuning = {}): ScheduleTable {
  const tile = gemmTile(t, tuning);
  return {
    name: `cpu-${t.name}`,
    gemm: (ctx, spec, accumulate, act) => emitGemmPacked(ctx, spec, tile, accumulate, act) || emitGemmSimd(ctx, spec, tile, accumulate, act) || emitGemmRows(ctx, spec, accumulate, act),
    rtGemm: (ctx, spec) => emitRtGemm(ctx, spec, tile),
    depthwise: (ctx, spec) => emitDepthwiseSimd(ctx, spec, t.lanes),
    im2colRows: (K, rows, rowLen, M) => im2colBand(t, K, rows, rowLen, M),
    ...(t.lanes ? { rowSum: (ctx, x, at, n) => emitRowSum(ctx, x, at, n, t.lanes) } : {}),
    pairDualMacs: t.lanes === 0,
  };
}
