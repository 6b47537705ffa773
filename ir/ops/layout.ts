// Data-moving layout ops: Concat, Split, Transpose, Tile, Trilu. Every kernel is a loop nest
// whose innermost loop runs contiguously over the output, with index arithmetic by strides
// (no per-element division or modulo).
import { Extent, InferCtx, LowerCtx, TensorRef } from '../ctx.js';
import { Dim } from '../graph.js';
import { E, add, ix, lit, min, mul, stridesOf, sub } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, int, ints } from '../opdef.js';
import { numel } from '../tensor.js';
import { derivedDim, dimLabel } from '../rtdims.js';
import { dimOp, productDims, tt } from './common.js';

const prod = (s: number[]) => numel(s);

/** e + c, written as a subtraction for negative c. */
export const addConst = (e: Expr, c: number): Expr => (c < 0 ? sub(e, -c) : add(e, c));

/** for (i < n) fn(i), or fn(0) alone when n is 1. */
function loopOrOnce(ctx: LowerCtx, n: number, fn: (i: Expr) => void): void {
  if (n === 1) fn(ix(0));
  else if (n > 1) ctx.loop(n, fn);
}

/**
 * Copies `rows` rows of `len` contiguous elements: dst[r*dstRow + dstOff + j] = src[r*srcRow + srcOff + j].
 * Concat and Split are this, once per input / output.
 */
function copyRows(ctx: LowerCtx, src: TensorRef, srcRow: number, srcOff: number, dst: TensorRef, dstRow: number, dstOff: number, rows: Extent, len: number): void {
  if (typeof rows !== 'number') {
    // run-time rows (ir/rtdims.ts)
    if (len) ctx.loop(rows.hi, (r) => ctx.loop(len, (j) =>
      ctx.store(dst, add(add(mul(r, dstRow), dstOff), j), ctx.load(src, add(add(mul(r, srcRow), srcOff), j)))), { bound: rows.bound });
    return;
  }
  if (rows * len === 0) return;
  if (srcRow === len && dstRow === len) {
    // both sides contiguous: one flat loop
    ctx.loop(rows * len, (i) => ctx.store(dst, add(i, dstOff), ctx.load(src, add(i, srcOff))));
    return;
  }
  loopOrOnce(ctx, rows, (r) => ctx.loop(len, (j) =>
    ctx.store(dst, add(add(mul(r, dstRow), dstOff), j), ctx.load(src, add(add(mul(r, srcRow), srcOff), j)))));
}

/** The rows before `axis` of tensors split or joined along it: a count, or run-time (ir/rtdims.ts)
 * where a dim before the axis is; a run-time dim at or after the axis is refused. */
function leadRows(ctx: LowerCtx, refs: TensorRef[], axis: number): Extent {
  const r = refs.find((x) => x.rt) ?? refs[0];
  const late = refs.flatMap((x) => (x.rt?.slots ?? []).map((s, d) => (s && d >= axis ? String(x.rt!.names[d]) : ''))).find(Boolean);
  if (late) throw ctx.error(`run-time dimension '${dimLabel(late)}' at or after axis ${axis}: ${ctx.node.op} takes run-time dims only before its axis`);
  const rows = prod(r.shape.slice(0, axis));
  return r.rt ? { hi: r.rt.dims.slice(0, axis).reduce((a: Expr, d) => mul(a, d), ix(1)), bound: rows } : rows;
}

/** Concat along a run-time axis: each input's rows go after the ones before it, at an offset
 * summed as the kernel runs (the output's dim there is their sum). Dims after the axis are static. */
function concatRuntime(ctx: LowerCtx, xs: TensorRef[], out: TensorRef, axis: number): void {
  const late = [out, ...xs].flatMap((x) => (x.rt?.slots ?? []).map((s, d) => (s && d > axis ? String(x.rt!.names[d]) : ''))).find(Boolean);
  if (late) throw ctx.error(`run-time dimension '${dimLabel(late)}' after axis ${axis}: Concat takes run-time dims only up to its axis`);
  const inner = prod(out.shape.slice(axis + 1)), rows = prod(out.shape.slice(0, axis));
  const rowsHi = out.rt!.dims.slice(0, axis).reduce((a: Expr, d) => mul(a, d), ix(1));
  const outRow = ctx.local(mul(ctx.dim(out, axis), inner), 'row');
  const off = ctx.local(ix(0), 'off');
  for (const x of xs) {
    const lenBound = x.shape[axis] * inner;
    if (!lenBound) continue;
    const len = ctx.local(mul(ctx.dim(x, axis), inner), 'len');
    ctx.loop(rowsHi, (r) => ctx.loop(len, (j) =>
      ctx.store(out, add(add(mul(r, outRow), off), j), ctx.load(x, add(mul(r, len), j))), { bound: lenBound }), { bound: rows });
    ctx.assign(off, add(off, len));
  }
}

function presentInputs(ctx: InferCtx): number[] {
  return ctx.node.inputs.map((_, i) => i).filter((i) => ctx.has(i));
}

function concatType(ctx: InferCtx) {
  const ins = presentInputs(ctx);
  if (!ins.length) throw ctx.error('needs at least one input');
  const first = ctx.shape(ins[0]);
  const axis = ctx.axis(ctx.int('axis'), first.length);
  const out = [...first];
  for (const i of ins.slice(1)) {
    const s = ctx.shape(i);
    if (s.length !== first.length) throw ctx.error(`input ${i} has rank ${s.length}, input ${ins[0]} rank ${first.length}`);
    s.forEach((d, k) => {
      if (k !== axis && typeof d === 'number' && typeof out[k] === 'number' && d !== out[k])
        throw ctx.error(`input ${i} has size ${d} on axis ${k}, expected ${out[k]}`);
    });
  }
  // along the axis: the sum, a derived run-time dim where an input's is run-time (ir/rtdims.ts)
  const along = ins.map((i) => ctx.shape(i)[axis]);
  out[axis] = derivedDim('sum', along) ?? along.reduce((a, b) => dimOp(a, b, (x, y) => x + y, `${a}+${b}`));
  return { ins, axis, type: tt(ctx.dtype(ins[0]), out) };
}

/** Split sizes along `axis`: input 'split' (opset 13+), attribute 'split' (before), num_outputs or equal parts. */
function splitSizes(ctx: InferCtx, dim: Dim): number[] {
  const explicit = ctx.opset >= 13 ? (ctx.has(1) ? ctx.constNums(1, "input 'split'") : undefined)
    : (ctx.hasAttr('split') ? ctx.ints('split') : undefined);
  if (explicit) {
    if (explicit.length !== ctx.numOutputs) throw ctx.error(`split has ${explicit.length} entries for ${ctx.numOutputs} outputs`);
    if (typeof dim === 'number' && explicit.reduce((a, b) => a + b, 0) !== dim)
      throw ctx.error(`split sizes [${explicit.join(',')}] do not add up to ${dim}`);
    return explicit;
  }
  if (typeof dim !== 'number') throw ctx.error(`the split axis has symbolic size '${dim}'`);
  const n = ctx.opset >= 18 && ctx.hasAttr('num_outputs') ? ctx.int('num_outputs') : ctx.numOutputs;
  if (n !== ctx.numOutputs) throw ctx.error(`num_outputs is ${n} but the node has ${ctx.numOutputs} outputs`);
  if (ctx.opset < 18 && dim % n !== 0) throw ctx.error(`axis of size ${dim} does not split into ${n} equal parts`);
  const part = Math.ceil(dim / n);
  return Array.from({ length: n }, (_, i) => Math.max(0, Math.min(part, dim - i * part)));
}

function transposePerm(ctx: InferCtx): number[] {
  const r = ctx.rank(0);
  const perm = ctx.hasAttr('perm') ? ctx.ints('perm') : Array.from({ length: r }, (_, i) => r - 1 - i);
  if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i))
    throw ctx.error(`perm [${perm.join(',')}] is not a permutation of ${r} axes`);
  return perm;
}

/** Block edge of the cache tiles of a large transpose. */
const TILE = 32;

/**
 * out[idx] = x[idx permuted]. Output dims of extent 1 are dropped and runs of output dims that
 * are also adjacent (in order) in the input are merged, so e.g. NCHW→NHWC is a 3-deep nest.
 * The innermost loop is contiguous on the output; when the input's contiguous dim is another
 * one and both are large, those two dims are blocked in TILE×TILE tiles.
 */
export function emitTranspose(ctx: LowerCtx, x: TensorRef, out: TensorRef, perm: number[]): void {
  if (numel(out.shape) === 0) return;
  const dims: { n: number; s: number; o: number }[] = [];
  for (const p of perm) {
    const n = x.shape[p], s = x.strides[p], last = dims[dims.length - 1];
    if (n === 1) continue;
    if (last && last.s === s * n) { last.n *= n; last.s = s; } else dims.push({ n, s, o: 0 });
  }
  for (let d = dims.length - 1, o = 1; d >= 0; o *= dims[d--].n) dims[d].o = o;
  const L = dims.length, q = dims.findIndex((d) => d.s === 1);
  const tiled = q >= 0 && q < L - 1 && dims[q].n >= TILE && dims[L - 1].n >= TILE;
  const step = (k: number, i: Expr, src: Expr, dst: Expr): [Expr, Expr] => [add(src, mul(i, dims[k].s)), add(dst, mul(i, dims[k].o))];
  const tileLoop = (k: number, b: Expr, fn: (i: Expr) => void) =>
    ctx.loop(dims[k].n % TILE === 0 ? add(b, TILE) : min(add(b, TILE), dims[k].n), fn, { lo: b });
  const go = (k: number, src: Expr, dst: Expr, blocks: Expr[]): void => {
    if (k === L) {
      if (!tiled) return ctx.store(out, dst, ctx.load(x, src));
      return tileLoop(q, blocks[0], (i) => tileLoop(L - 1, blocks[1], (j) => {
        const [s1, d1] = step(q, i, src, dst), [s2, d2] = step(L - 1, j, s1, d1);
        ctx.store(out, d2, ctx.load(x, s2));
      }));
    }
    if (tiled && (k === q || k === L - 1)) return ctx.loop(dims[k].n, (b) => go(k + 1, src, dst, [...blocks, b]), { step: TILE, name: 'b' });
    ctx.loop(dims[k].n, (i) => go(k + 1, ...step(k, i, src, dst), blocks));
  };
  go(0, ix(0), ix(0), []);
}

/**
 * Tile: per dim, a loop over the repeats around a loop over the input extent. A dim repeated
 * once merges into the dim before it, so runs of such dims are copied as one contiguous row.
 */
function emitTile(ctx: LowerCtx, x: TensorRef, out: TensorRef, reps: number[]): void {
  if (numel(out.shape) === 0) return;
  const dims: { n: number; rep: number }[] = [];
  x.shape.forEach((n, d) => {
    const last = dims[dims.length - 1];
    if (last && reps[d] === 1) last.n *= n; else dims.push({ n, rep: reps[d] });
  });
  const inStrides = stridesOf(dims.map((d) => d.n)), outStrides = stridesOf(dims.map((d) => d.n * d.rep));
  const go = (k: number, src: Expr, dst: Expr) => {
    if (k === dims.length) return ctx.store(out, dst, ctx.load(x, src));
    const { n, rep } = dims[k];
    loopOrOnce(ctx, rep, (r) => loopOrOnce(ctx, n, (i) =>
      go(k + 1, add(src, mul(i, inStrides[k])), add(dst, mul(add(mul(r, n), i), outStrides[k])))));
  };
  go(0, ix(0), ix(0));
}

/**
 * Trilu: in row i the columns j >= i + c (c = k for the upper triangle, k + 1 for the lower)
 * form one interval. The rows split statically into three ranges where that edge is 0,
 * i + c, or cols, so the kernel is plain copy and zero-fill loops.
 */
function emitTrilu(ctx: LowerCtx, x: TensorRef, out: TensorRef, upper: boolean, k: number): void {
  const r = x.shape.length, [rows, cols] = x.shape.slice(r - 2);
  const batch = prod(x.shape.slice(0, r - 2));
  if (batch * rows * cols === 0) return;
  const c = upper ? k : k + 1;
  const clampRow = (v: number) => Math.min(rows, Math.max(0, v));
  const a = clampRow(-c), b = clampRow(cols - c);
  const span = (row: Expr, lo: E, hi: E, keep: boolean) => {
    if (lo === hi) return;
    ctx.loop(hi, (j) => {
      const at = add(row, j);
      ctx.store(out, at, keep ? ctx.load(x, at) : lit(0, out.t));
    }, { lo });
  };
  // rows [lo, hi) whose edge column is edge(i); before the edge is the lower part
  const rowRange = (bt: Expr, lo: number, hi: number, edge: (i: Expr) => E) => {
    const body = (i: Expr) => {
      const row = add(mul(bt, rows * cols), mul(i, cols)), e = edge(i);
      span(row, 0, e, !upper);
      span(row, e, cols, upper);
    };
    if (hi - lo === 1) body(ix(lo));
    else if (hi > lo) ctx.loop(hi, body, { lo });
  };
  loopOrOnce(ctx, batch, (bt) => {
    rowRange(bt, 0, a, () => 0);
    rowRange(bt, a, b, (i) => addConst(i, c));
    rowRange(bt, b, rows, () => cols);
  });
}

export const layoutOps: OpDef[] = [
  {
    op: 'Concat', attrs: { axis: int() }, runtimeDims: true,
    infer: (ctx) => [concatType(ctx).type],
    lower: (ctx) => {
      const { ins, axis } = concatType(ctx);
      const out = ctx.out(0);
      if (out.rt?.slots[axis]) return concatRuntime(ctx, ins.map((i) => ctx.in(i)), out, axis);
      const rows = leadRows(ctx, [out, ...ins.map((i) => ctx.in(i))], axis), outRow = prod(out.shape.slice(axis));
      let off = 0;
      for (const i of ins) {
        const x = ctx.in(i), len = prod(x.shape.slice(axis));
        copyRows(ctx, x, len, 0, out, outRow, off, rows, len);
        off += len;
      }
    },
  },
  {
    op: 'Split', attrs: { axis: int(0), split: ints(), num_outputs: int() }, constInputs: [1], runtimeDims: true,
    infer: (ctx) => {
      const s = ctx.shape(0), axis = ctx.axis(ctx.int('axis'), s.length);
      return splitSizes(ctx, s[axis]).map((n) => tt(ctx.dtype(0), s.map((d, k) => (k === axis ? n : d))));
    },
    lower: (ctx) => {
      const x = ctx.in(0), axis = ctx.axis(ctx.int('axis'), x.shape.length);
      const rows = leadRows(ctx, [x], axis), inner = prod(x.shape.slice(axis + 1)), row = x.shape[axis] * inner;
      let off = 0;
      splitSizes(ctx, x.shape[axis]).forEach((n, o) => {
        if (ctx.hasOut(o)) copyRows(ctx, x, row, off, ctx.out(o), n * inner, 0, rows, n * inner);
        off += n * inner;
      });
    },
  },
  {
    op: 'Transpose', attrs: { perm: ints() }, runtimeDims: true,
    infer: (ctx) => [tt(ctx.dtype(0), transposePerm(ctx).map((p) => ctx.shape(0)[p]))],
    lower: (ctx) => {
      const x = ctx.in(0), y = ctx.out(0), perm = transposePerm(ctx);
      if (!x.rt) return emitTranspose(ctx, x, y, perm);
      // run-time dims (ir/rtdims.ts): one loop per output dim, up to its actual extent
      ctx.nest(ctx.extents(y), (idx) => {
        const src: Expr[] = new Array(idx.length);
        perm.forEach((p, k) => { src[p] = idx[k]; });
        ctx.store(y, idx, ctx.load(x, src));
      });
    },
  },
  {
    op: 'Tile', constInputs: [1],
    infer: (ctx) => {
      const reps = ctx.constNums(1, "input 'repeats'"), s = ctx.shape(0);
      if (reps.length !== s.length) throw ctx.error(`repeats has ${reps.length} entries for rank ${s.length}`);
      if (reps.some((r) => r < 0)) throw ctx.error(`negative repeat in [${reps.join(',')}]`);
      return [tt(ctx.dtype(0), s.map((d, i) => productDims([d, reps[i]])))];
    },
    lower: (ctx) => emitTile(ctx, ctx.in(0), ctx.out(0), ctx.constNums(1)),
  },
  {
    op: 'Trilu', attrs: { upper: int(1) }, constInputs: [1],
    infer: (ctx) => {
      if (ctx.rank(0) < 2) throw ctx.error(`input must have rank >= 2, got ${ctx.rank(0)}`);
      return [tt(ctx.dtype(0), ctx.shape(0))];
    },
    lower: (ctx) => emitTrilu(ctx, ctx.in(0), ctx.out(0), ctx.int('upper') !== 0, ctx.has(1) ? ctx.constNums(1, "input 'k'")[0] : 0),
  },
];
