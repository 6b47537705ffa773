// The int8 dot-product kernel of QConvInt8 and QMatMulInt8 (ir/ops/qint8.ts), in the layout of
// CMSIS-NN: weights packed at compile time as int32 words of two int16 values along K ([rows,
// ceil(K/2)], passes/fuseQuantized.ts), activations (minus their zero point) packed the same way
// per output position at run time, and each output a register accumulation of dot2 steps
// (BinOp dot2: one SMUAD on Cortex-M4/M7/M33 rows, codegen/c CStyleRow.dualMac; two multiplies
// elsewhere) over two contiguous word rows, requantized as it is stored.
import { LowerCtx, TensorRef } from '../ctx.js';
import { E, add, bin, ix, lit, mul } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { TensorData, tensorFrom } from '../tensor.js';

/** Words per packed row of K values. */
export const pairs = (K: number): number => Math.ceil(K / 2);

/** int8 rows [R, K] (row r, element k at r·K + k) as int32 words [R, ceil(K/2)]: low half k = 2j, high half 2j + 1 (0 past K). */
export function packPairs(w: TensorData, R: number, K: number): TensorData {
  const Kp = pairs(K), out = new Array<number>(R * Kp).fill(0);
  for (let r = 0; r < R; r++) for (let j = 0; j < Kp; j++) {
    const lo = Number(w.data[r * K + 2 * j]), hi = 2 * j + 1 < K ? Number(w.data[r * K + 2 * j + 1]) : 0;
    out[r * Kp + j] = ((lo & 0xffff) + hi * 65536) | 0;
  }
  return tensorFrom('int32', [R, Kp], out);
}

/** The word holding int16-range i32 values lo and hi (no shift of a negative value: hi · 65536 is exact). */
export const packWord = (lo: Expr, hi: E): Expr => add(bin('and', lo, lit(0xffff, 'i32')), mul(hi, lit(65536, 'i32')));

/** dst[r, j] = packWord(src(r, 2j), src(r, 2j + 1)) for r < R, the high half 0 past K. */
export function emitPackRows(ctx: LowerCtx, dst: TensorRef, R: number, K: number, src: (r: Expr, k: Expr) => Expr): void {
  const Kp = pairs(K), full = Math.floor(K / 2);
  ctx.loop(R, (r) => {
    if (full) ctx.loop(full, (j) => ctx.store(dst, add(mul(r, Kp), j), packWord(src(r, mul(j, 2)), src(r, add(mul(j, 2), 1)))), { name: 'j' });
    if (K % 2) ctx.store(dst, add(mul(r, Kp), full), packWord(src(r, ix(K - 1)), lit(0, 'i32')));
  }, { name: 'r' });
}

export interface DualDot {
  /** Packed weights [≥ mOff + M, Kp] and packed activations [P, Kp]. */
  wp: TensorRef;
  xp: TensorRef;
  M: number;
  P: number;
  Kp: number;
  /** First weight row (a group's first output channel). */
  mOff?: E;
  /** Per output row m, once: its initial accumulator (the bias) and how to store a finished sum at position p. */
  row(m: Expr): { init: Expr; store: (p: Expr, acc: Expr) => void };
}

/** For each m < M, p < P: acc = init(m) + Σ_j dot2(wp[mOff + m, j], xp[p, j]), then store(p, acc). */
export function emitDualDot(ctx: LowerCtx, d: DualDot): void {
  ctx.loop(d.M, (m) => {
    const { init, store } = d.row(m);
    const wBase = ctx.local(mul(add(d.mOff ?? ix(0), m), d.Kp), 'wrow');
    ctx.loop(d.P, (p) => {
      const acc = ctx.local(init, 'acc'), xBase = mul(p, d.Kp);
      const step = (j: Expr, v: Expr) => add(v, bin('dot2', ctx.load(d.wp, add(wBase, j)), ctx.load(d.xp, add(xBase, j))));
      // two dot2 steps per iteration (four MACs) where the schedule says so (ScheduleTable.pairDualMacs)
      const even = ctx.schedule.pairDualMacs ? d.Kp - (d.Kp % 2) : 0;
      if (!even) ctx.loop(d.Kp, (j) => ctx.assign(acc, step(j, acc)), { name: 'j' });
      if (even) ctx.loop(even, (j) => ctx.assign(acc, step(add(j, 1), step(j, acc))), { name: 'j', step: 2 });
      if (even && d.Kp % 2) ctx.assign(acc, step(ix(d.Kp - 1), acc));
      store(p, acc);
    }, { name: 'p' });
  }, { name: 'm' });
}
