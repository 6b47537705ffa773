// Helpers shared by op definitions: broadcasting, elementwise loop emission, dim arithmetic.
import { DType } from '../dtype.js';
import { InferCtx, LowerCtx, TensorRef } from '../ctx.js';
import { Dim, TensorType } from '../graph.js';
import { ix, linearIndex } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { numel } from '../tensor.js';
import { dependsOnRt, derivedDim } from '../rtdims.js';

/** Multidirectional (numpy) broadcast of shapes; symbolic dims broadcast by name. */
export function broadcastShapes(ctx: InferCtx, shapes: Dim[][]): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let d = 0; d < rank; d++) {
    let r: Dim = 1;
    for (const s of shapes) {
      const x = s[d - rank + s.length];
      if (x === undefined || x === 1) continue;
      if (r === 1) r = x;
      else if (r !== x) {
        if (typeof r === 'number' && typeof x === 'number')
          throw ctx.error(`cannot broadcast shapes ${shapes.map((s) => `[${s.join(',')}]`).join(' and ')}`);
        if (typeof r !== 'number') r = x;
      }
    }
    out.push(r);
  }
  return out;
}

/** Strides to read `ref` at an index of `outShape` under broadcasting (0 on broadcast dims). */
export function broadcastStrides(ref: TensorRef, outShape: number[]): number[] {
  const off = outShape.length - ref.shape.length;
  return outShape.map((_, d) => (d < off || ref.shape[d - off] === 1 ? 0 : ref.strides[d - off]));
}

/**
 * Emits out[i] = fn(inputs[0][i'], inputs[1][i''], ...) with numpy broadcasting. Inputs that
 * match the output shape or are scalars give one flat loop; otherwise a loop nest.
 */
export function emitElementwise(ctx: LowerCtx, inputs: TensorRef[], out: TensorRef, fn: (vals: Expr[], flat: Expr) => Expr): void {
  const n = numel(out.shape);
  if (n === 0) return;
  if (out.rt || inputs.some((r) => r.rt)) return emitElementwiseRt(ctx, inputs, out, fn);
  const flat = inputs.every((r) => numel(r.shape) === 1 || r.shape.join() === out.shape.join());
  if (flat) {
    ctx.loop(n, (i) => ctx.store(out, i, fn(inputs.map((r) => ctx.load(r, numel(r.shape) === 1 ? ix(0) : i)), i)), { hint: { vectorize: 4 } });
    return;
  }
  const strides = inputs.map((r) => broadcastStrides(r, out.shape));
  ctx.nest(out.shape, (idx) => {
    const vals = inputs.map((r, k) => ctx.load(r, linearIndex(idx, strides[k])));
    ctx.store(out, idx, fn(vals, linearIndex(idx, out.strides)));
  });
}

/** The dims of a tensor as the graph names them (run-time dims by name). */
const dimNames = (r: TensorRef): Dim[] => r.rt?.names ?? r.shape;

/**
 * emitElementwise over tensors with run-time dims (ir/rtdims.ts): a flat loop up to the actual
 * count where every input has the output's dims (or is a static scalar), else a loop nest over
 * the actual extents. A run-time dim broadcasts only against itself or a static 1.
 */
function emitElementwiseRt(ctx: LowerCtx, inputs: TensorRef[], out: TensorRef, fn: (vals: Expr[], flat: Expr) => Expr): void {
  const on = dimNames(out);
  const scalar = (r: TensorRef) => !r.rt && numel(r.shape) === 1;
  if (inputs.every((r) => scalar(r) || String(dimNames(r)) === String(on))) {
    ctx.loop(ctx.count(out), (i) => ctx.store(out, i, fn(inputs.map((r) => ctx.load(r, scalar(r) ? ix(0) : i)), i)), { bound: numel(out.shape), hint: { vectorize: 4 } });
    return;
  }
  const index = inputs.map((r) => {
    const rn = dimNames(r), off = on.length - rn.length;
    return rn.map((d, k) => {
      if (d === on[k + off]) return 'same';
      if (d === 1) return 'zero';
      throw ctx.error(`cannot broadcast dimension '${d}' against '${on[k + off]}': a run-time dimension broadcasts only against itself or 1`);
    });
  });
  ctx.nest(ctx.extents(out), (idx) => {
    const vals = inputs.map((r, k) => {
      const off = idx.length - r.shape.length;
      return ctx.load(r, index[k].map((how, d) => (how === 'zero' ? ix(0) : idx[d + off])));
    });
    ctx.store(out, idx, fn(vals, ctx.offset(out, idx)));
  });
}

/** Output type helper: same shape as `shape`, element type dtype. */
export const tt = (dtype: DType, shape: Dim[]): TensorType => ({ dtype, shape });

/** Dim arithmetic that stays symbolic when an operand is. */
export function dimOp(a: Dim, b: Dim, f: (x: number, y: number) => number, sym: string): Dim {
  if (typeof a === 'number' && typeof b === 'number') return f(a, b);
  // arithmetic on a run-time dim is no run-time dim (ir/rtdims.ts): parenthesized, `4*n<=8` cannot read as one
  return dependsOnRt(a) || dependsOnRt(b) ? `(${sym})` : sym;
}

/** The product of dims; a factor 1 leaves a symbolic dim as it is ([1, seq] flattens to seq). */
export function productDims(ds: Dim[]): Dim {
  // numbers and run-time dims: one dim, a derived product where a factor is run-time (ir/rtdims.ts)
  const d = derivedDim('prod', ds);
  if (d !== undefined) return d;
  let p: Dim = 1;
  for (const d of ds) p = d === 1 ? p : p === 1 ? d : dimOp(p, d, (x, y) => x * y, `${p}*${d}`);
  return p;
}
