// The HLS row of the C-family renderer (codegen/c/cstyle.ts): Vitis HLS C++. Kernels are plain
// static functions over arrays (the top function calls them in order), scalar code only (an
// FPGA's parallelism is the pipeline synthesis builds), no restrict (arrays are separate ports
// or memories). Every loop carries its pragmas at the top of its body: PIPELINE II=1 (II=R
// with --hls-reuse R: each multiplier serves R operations, as hls4ml's ReuseFactor) on
// innermost loops, LOOP_TRIPCOUNT where the trip count is not a constant; while loops become
// for loops over their bound (cstyle.ts), so every loop is bounded.
import { C_TYPES, CStyleRow } from '../c/cstyle.js';

/** The row for a reuse factor (the initiation interval of pipelined loops). */
export const hlsRow = (reuse = 1): CStyleRow => ({
  name: 'hls',
  types: C_TYPES,
  kernelPrefix: () => 'static',
  restrict: '',
  helperQualifier: 'static inline',
  vectors: false,
  loopPragmas: () => [],
  loopBody: (s, innermost) => [
    ...(s.constTrip ? [] : [`#pragma HLS LOOP_TRIPCOUNT max=${Math.max(1, s.bound ?? 1)}`]),
    ...(innermost ? [`#pragma HLS PIPELINE II=${reuse}`] : []),
  ],
});
