// Schedule tables keyed by target: how each target row runs the algorithms ops lower to.
// src/api.ts picks one with scheduleFor and hands it to lowering (LowerCtx.schedule); ir/
// defines the interface (ir/schedule.ts) and never imports this folder.
import type { ScheduleTable } from '../ir/schedule.js';
import type { TargetDesc } from '../ir/target.js';
import { cpuSchedule } from './cpu/index.js';
import { cudaSchedule } from './cuda/index.js';
import type { GemmTuning } from './cpu/microkernel.js';

/** Per-row measurements the CPU schedule cannot derive from the row. */
const CPU_TUNING: Record<string, GemmTuning> = {
  wasm: { maxRows: 4 },
};

/**
 * The schedule table for a target row: the CPU table for C and WASM rows (vector kernels where
 * the row has lanes), the CUDA table (shared-memory tiled GEMM) for CUDA rows; what a table
 * declines runs as the scalar algorithm.
 */
export function scheduleFor(t: TargetDesc): ScheduleTable {
  if (t.family === 'cuda') return cudaSchedule(t);
  return cpuSchedule(t, CPU_TUNING[t.name]);
}
