// The CUDA schedule table: GEMMs (MatMul, Gemm, convolutions through im2col…) as the tiled
// shared-memory kernel, sized from the target row's threads and shared memory. Declines what it
// has no kernel for (the scalar algorithm then runs, its loops bound by passes/bindThreads.ts).
import type { ScheduleTable } from '../../ir/schedule.js';
import type { TargetDesc } from '../../ir/target.js';
import { cudaGemmTile, emitGemmTiled } from './tiledGemm.js';

/** The schedule of a CUDA target row. */
export function cudaSchedule(t: TargetDesc): ScheduleTable {
  const tile = cudaGemmTile(t);
  return {
    name: `cuda-${t.name}`,
    gemm: (ctx, spec, accumulate, act) => emitGemmTiled(ctx, spec, tile, accumulate, act),
    depthwise: () => false,
  };
}
