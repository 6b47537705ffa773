// How many output rows a convolution gathers into its im2col matrix at a time on a CPU row.
// A whole-image im2col matrix larger than L2 (resnet18's first layers: 3.6–7.4 MB) is written
// to memory and read back by the GEMM's packing; a band of rows whose matrix fills at most half
// of L2 is read back from L2 instead (resnet18 layer1: the packing's loads were 17% of the
// convolution's time, the im2col stores 5%).
import type { TargetDesc } from '../../ir/target.js';

/** Rows per band: all of them when the matrix fits in half of L2, else as many as fit (≥ 1). */
export function im2colBand(t: TargetDesc, K: number, rows: number, rowLen: number): number {
  const budget = t.cache.l2 / 2, rowBytes = K * rowLen * 4;
  if (!t.lanes || rows * rowBytes <= budget) return rows;
  return Math.max(1, Math.min(rows, Math.floor(budget / rowBytes)));
}
