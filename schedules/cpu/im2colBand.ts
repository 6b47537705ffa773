// How many output rows a convolution gathers into its im2col matrix at a time on a CPU row.
// A whole-image im2col matrix larger than L2 (resnet18's first layers: 3.6–7.4 MB) is written
// to memory and read back by the GEMM's packing; a band of rows whose matrix fills at most half
// of L2 is read back from L2 instead (resnet18 layer1: the packing's loads were 17% of the
// convolution's time, the im2col stores 5%). Two limits: the weights must fit in the other
// half of L2 too (each band's GEMM streams all of them again: when they do not fit, banding
// evicts them and re-reads them from memory per band), and a band must be whole vectors wide
// (rows · rowLen a multiple of the lanes), or every band's GEMM ends in a scalar edge.
import type { TargetDesc } from '../../ir/target.js';

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

/**
 * Rows per band for an M×K weight matrix: all of them when the matrix fits in half of L2 or
 * banding does not pay (weights past half of L2, no whole-vector band), else the most rows
 * that fit and make whole vectors.
 */
export function im2colBand(t: TargetDesc, K: number, rows: number, rowLen: number, M: number): number {
  const budget = t.cache.l2 / 2, rowBytes = K * rowLen * 4;
  if (!t.lanes || rows * rowBytes <= budget || M * K * 4 > budget) return rows;
  const unit = t.lanes / gcd(rowLen, t.lanes); // rows per whole number of vectors
  const fit = Math.floor(Math.floor(budget / rowBytes) / unit) * unit;
  return fit >= unit ? Math.min(rows, fit) : rows;
}
