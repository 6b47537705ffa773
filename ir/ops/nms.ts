// NonMaxSuppression: with every input known at compile time the selected rows are a constant
// (nms below); otherwise a kernel selects them at run time into a [m, 3] output whose row count
// m is a run-time dim (ir/rtdims.ts) bounded by batches × classes × min(boxes, max_output).
import { InferCtx, LowerCtx } from '../ctx.js';
import { Dim } from '../graph.js';
import { E, add, and, cast, cmp, div, ix, lit, max, min, mul, sub } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, int } from '../opdef.js';
import { dimBound, rtDim } from '../rtdims.js';
import { mergeSort } from './mergeSort.js';
import { tensorFrom, toNumbers } from '../tensor.js';
import { tt } from './common.js';

/** [B, N, C] of boxes [B, N, 4] and scores [B, C, N], checked; N (the boxes) may be a run-time
 * dim (ir/rtdims.ts), returned at its bound. */
function dims(ctx: InferCtx): [number, number, number] {
  if (ctx.rank(0) !== 3 || ctx.rank(1) !== 3) throw ctx.error('boxes must be [batches, boxes, 4] and scores [batches, classes, boxes]');
  const [B, N, four] = ctx.shape(0), [B2, C, N2] = ctx.shape(1);
  const n = dimBound(N);
  if (typeof B !== 'number' || typeof C !== 'number' || n === undefined)
    throw ctx.error(`boxes [${ctx.shape(0)}] and scores [${ctx.shape(1)}]: batches and classes must be known at compile time, boxes known or bounded (--dim)`);
  if (four !== 4 || B2 !== B || N2 !== N) throw ctx.error('boxes must be [batches, boxes, 4] and scores [batches, classes, boxes]');
  return [B, n, C];
}

const allConst = (ctx: InferCtx) => [0, 1, 2, 3, 4].every((i) => !ctx.has(i) || ctx.constOf(i));

/**
 * NonMaxSuppression's selected boxes as [batch, class, box] rows, from compile-time inputs.
 */
function nms(ctx: InferCtx): number[][] {
  const boxes = ctx.constNums(0, 'boxes'), scores = ctx.constNums(1, 'scores');
  const opt = (i: number, what: string) => (ctx.has(i) ? ctx.constNums(i, what) : [])[0];
  const maxOut = Math.max(opt(2, 'max_output_boxes_per_class') ?? 0, 0), iou = opt(3, 'iou_threshold') ?? 0;
  const scoreMin = opt(4, 'score_threshold'), center = ctx.int('center_point_box') !== 0;
  const [B, N, C] = dims(ctx);
  // a box as [x_min, x_max, y_min, y_max]
  const extent = (b: number, i: number): number[] => {
    const [a, c, d, e] = boxes.slice((b * N + i) * 4, (b * N + i) * 4 + 4);
    if (center) return [a - d / 2, a + d / 2, c - e / 2, c + e / 2];
    return [Math.min(c, e), Math.max(c, e), Math.min(a, d), Math.max(a, d)];
  };
  const overlaps = (p: number[], q: number[]) => {
    const w = Math.min(p[1], q[1]) - Math.max(p[0], q[0]), h = Math.min(p[3], q[3]) - Math.max(p[2], q[2]);
    if (w <= 0 || h <= 0) return false;
    const inter = w * h, a1 = (p[1] - p[0]) * (p[3] - p[2]), a2 = (q[1] - q[0]) * (q[3] - q[2]), union = a1 + a2 - inter;
    return a1 > 0 && a2 > 0 && union > 0 && inter / union > iou;
  };
  const out: number[][] = [];
  for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) {
    const score = (i: number) => scores[(b * C + c) * N + i];
    // candidates by descending score, ties by ascending index
    const order = [...Array(N).keys()].filter((i) => scoreMin === undefined || score(i) > scoreMin)
      .sort((i, j) => score(j) - score(i) || i - j);
    const kept: number[][] = [];
    for (const i of order) {
      if (kept.length >= maxOut) break;
      const e = extent(b, i);
      if (kept.some((k) => overlaps(e, k))) continue;
      kept.push(e);
      out.push([b, c, i]);
    }
  }
  return out;
}

/** The run-time selection: per batch and class, the candidates above the score threshold sorted
 * by descending score (ties: lowest index first), each kept unless it overlaps a kept one of its
 * class by more than the IoU threshold, until max_output_boxes_per_class are kept. */
function lowerNms(ctx: LowerCtx): void {
  const [B, Nb, C] = dims(ctx);
  const boxes = ctx.in(0), scores = ctx.in(1), y = ctx.out(0), N = ctx.local(ctx.dim(boxes, 1), 'N');
  const center = ctx.int('center_point_box') !== 0;
  const scalar = (i: number, t: 'f64', dflt: number): Expr =>
    (ctx.has(i) ? ctx.local(cast(ctx.load(ctx.in(i), ix(0)), t), 'p') : lit(dflt, t));
  // max_output_boxes_per_class clamped in 64 bits (often INT64_MAX) before it becomes an index
  const maxOut = ctx.has(2) ? ctx.local(cast(min(max(ctx.load(ctx.in(2), ix(0)), lit(0, 'i64')), lit(Nb, 'i64')), 'idx'), 'maxOut') : ix(0);
  const iou = scalar(3, 'f64', 0), scoreMin = ctx.has(4) ? scalar(4, 'f64', 0) : undefined;
  const order = ctx.temp('int64', [Nb], 'order'), tmp = ctx.temp('int64', [Nb], 'tmp');
  // the kept boxes of the current class as [x_min, x_max, y_min, y_max, area], contiguous: the
  // inner loop of the selection reads five numbers per kept box
  const kept = ctx.temp('float64', [Nb, 5], 'kept');
  const m = ctx.local(ix(0), 'm');
  const f = (e: Expr) => cast(e, 'f64');
  /** [x_min, x_max, y_min, y_max, area] of box i of batch b, as locals. */
  const extent = (b: Expr, i: Expr): Expr[] => {
    const at = (k: number) => f(ctx.load(boxes, add(mul(add(mul(b, N), i), 4), k)));
    const [a, c, d, e] = [0, 1, 2, 3].map((k) => ctx.local(at(k), 'bx'));
    const half = (v: Expr) => div(v, lit(2, 'f64'));
    const r = (center ? [sub(a, half(d)), add(a, half(d)), sub(c, half(e)), add(c, half(e))]
      : [min(c, e), max(c, e), min(a, d), max(a, d)]).map((v) => ctx.local(v, 'ex'));
    return [...r, ctx.local(mul(sub(r[1], r[0]), sub(r[3], r[2])), 'area')];
  };
  const gt0 = (v: E) => cmp('gt', v, lit(0, 'f64'));
  const upToN = (fn: (i: Expr) => void) => ctx.loop(N, fn, { bound: Nb });
  ctx.loop(B, (b) => ctx.loop(C, (c) => {
    const score = (i: E) => ctx.load(scores, add(mul(add(mul(b, C), c), N), i));
    const nc = ctx.local(ix(0), 'nc');
    upToN((i) => {
      const take = () => { ctx.store(order, nc, cast(i, 'i64')); ctx.assign(nc, add(nc, 1)); };
      if (scoreMin) ctx.if(cmp('gt', f(score(i)), scoreMin), take);
      else take();
    });
    mergeSort(ctx, order, tmp, nc, Nb, (p, q) => cmp('gt', score(cast(p, 'idx')), score(cast(q, 'idx'))));
    const nk = ctx.local(ix(0), 'nk');
    ctx.loop(nc, (t) => {
      ctx.if(cmp('ge', nk, maxOut), () => ctx.break());
      const best = ctx.local(cast(ctx.load(order, t), 'idx'), 'best');
      const p = extent(b, best), sup = ctx.local(lit(0, 'bool'), 'sup');
      // a box without area overlaps nothing (IoU needs both areas positive)
      ctx.if(gt0(p[4]), () => ctx.loop(nk, (k) => {
        const q = (j: number) => ctx.load(kept, add(mul(k, 5), j));
        const w = ctx.local(sub(min(p[1], q(1)), max(p[0], q(0))), 'w');
        ctx.if(gt0(w), () => {
          const h = ctx.local(sub(min(p[3], q(3)), max(p[2], q(2))), 'h');
          ctx.if(gt0(h), () => {
            const inter = ctx.local(mul(w, h), 'in'), qa = ctx.local(q(4), 'qa');
            const uni = ctx.local(sub(add(p[4], qa), inter), 'un');
            ctx.if(and(gt0(qa), and(gt0(uni), cmp('gt', div(inter, uni), iou))), () => {
              ctx.assign(sup, lit(1, 'bool'));
              ctx.break();
            });
          });
        });
      }, { bound: Nb }));
      ctx.if(cmp('eq', sup, lit(0, 'bool')), () => {
        p.forEach((v, j) => ctx.store(kept, add(mul(nk, 5), j), v));
        ctx.assign(nk, add(nk, 1));
        [b, c, best].forEach((v, j) => ctx.store(y, add(mul(m, 3), j), cast(v, 'i64')));
        ctx.assign(m, add(m, 1));
      });
    }, { bound: Nb });
  }));
  ctx.setDim(y, 0, m);
}

const nonMaxSuppressionDef: OpDef = {
  op: 'NonMaxSuppression', attrs: { center_point_box: int(0) }, runtimeDims: true,
  // max_output_boxes_per_class bounds the output: specialized on where it is a graph input
  constInputs: [2],
  foldInputs: [0, 1, 3, 4],
  infer: (ctx) => {
    if (allConst(ctx)) return [tt('int64', [nms(ctx).length, 3])];
    const [B, N, C] = dims(ctx);
    const c = ctx.has(2) ? ctx.constOf(2) : undefined;
    const per = !ctx.has(2) ? 0 : c ? Math.min(N, Math.max(0, toNumbers(c)[0])) : N;
    const m: Dim = rtDim(`${ctx.node.outputs[0]?.name ?? ctx.node.name}.n`, B * C * per);
    return [tt('int64', [m, 3])];
  },
  evaluate: (ctx) => {
    const rows = nms(ctx);
    return [tensorFrom('int64', [rows.length, 3], rows.flat())];
  },
  lower: lowerNms,
};

export const nmsOps: OpDef[] = [nonMaxSuppressionDef];
