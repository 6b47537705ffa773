// Recurrent ops (RNN, GRU, LSTM). One lowering serves the three cells: per direction, the input
// projections X·Wᵀ (+ biases) of all time steps are one batched GEMM; each time step then runs
// the recurrent GEMM H·Rᵀ and an elementwise cell update over [batch, hidden].
import { LowerCtx, TensorRef } from '../ctx.js';
import { Dim } from '../graph.js';
import { add, cast, cmp, div, ix, lit, max, min, mul, select, sub, un } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { InferCtx } from '../ctx.js';
import { AttrSpec, OpDef, float, floats, int, str, strs } from '../opdef.js';
import { tt } from './common.js';
import { emitGemm, tempDtype } from './gemm.js';

type Cell = 'RNN' | 'GRU' | 'LSTM';
type Act = (x: Expr) => Expr;

/** Gates per cell and default activations per direction (f, g, h). */
const CELLS: Record<Cell, { gates: number; acts: string[] }> = {
  RNN: { gates: 1, acts: ['Tanh'] },
  GRU: { gates: 3, acts: ['Sigmoid', 'Tanh'] },
  LSTM: { gates: 4, acts: ['Sigmoid', 'Tanh', 'Tanh'] },
};

const exp = (x: Expr) => un('exp', x);
const sigmoid = (x: Expr) => div(1, add(1, exp(un('neg', x))));

/** Activation functions: expression of (x, alpha, beta), and default alpha / beta where used. */
const ACTIVATIONS: Record<string, [(x: Expr, a: number, b: number) => Expr, number?, number?]> = {
  relu: [(x) => max(x, 0)],
  tanh: [(x) => un('tanh', x)],
  sigmoid: [sigmoid],
  affine: [(x, a, b) => add(mul(x, a), b), 1, 0],
  leakyrelu: [(x, a) => select(cmp('lt', x, 0), mul(x, a), x), 0.01],
  thresholdedrelu: [(x, a) => select(cmp('gt', x, a), x, 0), 1],
  scaledtanh: [(x, a, b) => mul(a, un('tanh', mul(x, b))), 1, 1],
  hardsigmoid: [(x, a, b) => max(0, min(1, add(mul(x, a), b))), 0.2, 0.5],
  elu: [(x, a) => select(cmp('lt', x, 0), mul(a, sub(exp(x), 1)), x), 1],
  softsign: [(x) => div(x, add(1, un('abs', x)))],
  softplus: [(x) => un('log', add(1, exp(x)))],
};

/** Activations of each direction; alpha/beta lists are consumed in order by the functions using them. */
function activations(ctx: InferCtx, cell: Cell, D: number): Act[][] {
  const names = ctx.hasAttr('activations') ? ctx.attr<string[]>('activations') : [];
  const per = CELLS[cell].acts.length;
  const list = names.length ? names : Array.from({ length: D }, () => CELLS[cell].acts).flat();
  if (list.length !== per * D) throw ctx.error(`expects ${per * D} activations, got ${list.length}`);
  const alphas = [...ctx.floats('activation_alpha')], betas = [...ctx.floats('activation_beta')];
  const fns = list.map((name): Act => {
    const row = ACTIVATIONS[name.toLowerCase()];
    if (!row) throw ctx.error(`unsupported activation '${name}'`);
    const [fn, da, db] = row;
    const a = da === undefined ? 0 : alphas.length ? alphas.shift()! : da;
    const b = db === undefined ? 0 : betas.length ? betas.shift()! : db;
    return (x) => fn(x, a, b);
  });
  return Array.from({ length: D }, (_, d) => fns.slice(d * per, (d + 1) * per));
}

interface Dims { T: number; B: number; I: number; D: number; H: number; layout: number }

function dims(ctx: InferCtx): { T: Dim; B: Dim; D: Dim; H: Dim; layout: number } {
  const x = ctx.shape(0), layout = ctx.int('layout');
  if (layout !== 0 && layout !== 1) throw ctx.error(`layout must be 0 or 1, got ${layout}`);
  if (x.length !== 3) throw ctx.error(`X must have rank 3, got rank ${x.length}`);
  const D = ctx.str('direction') === 'bidirectional' ? 2 : 1;
  if (ctx.shape(2).length !== 3) throw ctx.error(`R must have rank 3, got rank ${ctx.shape(2).length}`);
  const H = ctx.hasAttr('hidden_size') ? ctx.int('hidden_size') : ctx.shape(2)[2];
  return { T: layout ? x[1] : x[0], B: layout ? x[0] : x[1], D, H, layout };
}

function inferRecurrent(ctx: InferCtx) {
  const { T, B, D, H, layout } = dims(ctx);
  const w = ctx.shape(1);
  if (typeof w[0] === 'number' && w[0] !== D) throw ctx.error(`W has ${w[0]} directions, direction '${ctx.str('direction')}' needs ${D}`);
  const dt = ctx.dtype(0);
  const state = layout ? [B, D, H] : [D, B, H];
  return [tt(dt, layout ? [B, T, D, H] : [T, D, B, H]), tt(dt, state), tt(dt, state)].slice(0, ctx.numOutputs);
}

function lowerRecurrent(ctx: LowerCtx, cell: Cell): void {
  const direction = ctx.str('direction');
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) throw ctx.error(`unsupported direction '${direction}'`);
  const d0 = dims(ctx);
  const X = ctx.in(0), W = ctx.in(1), R = ctx.in(2);
  const [T, B, I] = d0.layout ? [X.shape[1], X.shape[0], X.shape[2]] : X.shape;
  const { D, H } = d0 as Dims;
  const G = CELLS[cell].gates, GH = G * H;
  if (W.shape[1] !== GH || W.shape[2] !== I || R.shape[1] !== GH || R.shape[2] !== H)
    throw ctx.error(`W [${W.shape}] / R [${R.shape}] do not match ${G} gates of hidden size ${H} and input size ${I}`);
  const opt = (i: number): TensorRef | null => (ctx.has(i) ? ctx.in(i) : null);
  const bias = opt(3), lens = opt(4), h0 = opt(5);
  const c0 = cell === 'LSTM' ? opt(6) : null, P = cell === 'LSTM' ? opt(7) : null;
  const outs = [0, 1, 2].map((i) => (ctx.hasOut(i) ? ctx.out(i) : null));
  const [Y, Yh, Yc] = outs;
  const acts = activations(ctx, cell, D);
  const clip = ctx.hasAttr('clip') ? ctx.float('clip') : null;
  const lbr = cell === 'GRU' && ctx.int('linear_before_reset') !== 0;
  const inputForget = cell === 'LSTM' && ctx.int('input_forget') !== 0;

  const t = X.t, dt = tempDtype(t);
  const xw = ctx.temp(dt, [T, B, GH], 'xw'), gates = ctx.temp(dt, [B, GH], 'gates');
  const hs = ctx.temp(dt, [B, H], 'h'), cs = cell === 'LSTM' ? ctx.temp(dt, [B, H], 'c') : null;
  const hr = cell === 'GRU' ? ctx.temp(dt, [B, H], 'hr') : null;
  const rh = cell === 'GRU' && !lbr ? ctx.temp(dt, [B, H], 'rh') : null;
  const bsum = bias ? ctx.temp(dt, [GH], 'bias') : null;

  const ld = (r: TensorRef, i: Expr): Expr => cast(ctx.load(r, i), t);
  const clipped = (x: Expr) => (clip === null ? x : min(max(x, -clip), clip));
  // offsets: state tensors (initial_h/c, Y_h/c) and Y under the layout
  const stateAt = (d: number, b: Expr, h: Expr) => add(mul(d0.layout ? add(mul(b, D), d) : add(mul(d, B), b), H), h);
  const yAt = (tm: Expr, d: number, b: Expr, h: Expr) =>
    add(mul(d0.layout ? add(mul(add(mul(b, T), tm), D), d) : add(mul(add(mul(tm, D), d), B), b), H), h);
  const seqLen = (b: Expr): Expr => (lens ? min(cast(ctx.load(lens, b), 'idx'), T) : ix(T));

  // padded steps of Y stay zero
  if (lens && Y) ctx.loop(Y.shape.reduce((a, n) => a * n, 1), (i) => ctx.store(Y, i, lit(0, t)));

  for (let d = 0; d < D; d++) {
    const reverse = direction === 'reverse' || d === 1;
    const [f, g, h] = acts[d];
    // combined biases: Wb + Rb, except GRU's recurrent h-gate bias with linear_before_reset
    if (bias && bsum) {
      const both = lbr ? 2 * H : GH;
      ctx.loop(both, (j) => ctx.store(bsum, j, add(ld(bias, add(j, d * 2 * GH)), ld(bias, add(j, d * 2 * GH + GH)))), { name: 'j' });
      if (lbr) ctx.loop(GH, (j) => ctx.store(bsum, j, ld(bias, add(j, d * 2 * GH))), { name: 'j', lo: both });
    }
    // input projections of all time steps: xw[t, b, :] = X[t, b, :]·W[d]ᵀ + biases
    emitGemm(ctx, {
      M: B, N: GH, K: I, batch: [T],
      a: { ref: X, rs: d0.layout ? T * I : I, cs: 1, bs: [d0.layout ? I : B * I] },
      b: { ref: W, off: d * GH * I, rs: 1, cs: I },
      y: { ref: xw, rs: GH, cs: 1, bs: [B * GH] },
      epilogue: bsum ? (acc, _i, j) => add(acc, ctx.load(bsum, j)) : undefined,
    });
    ctx.loop(B, (b) => ctx.loop(H, (k) => {
      ctx.store(hs, add(mul(b, H), k), h0 ? ld(h0, stateAt(d, b, k)) : lit(0, t));
      if (cs) ctx.store(cs, add(mul(b, H), k), c0 ? ld(c0, stateAt(d, b, k)) : lit(0, t));
    }, { name: 'k' }), { name: 'b' });

    ctx.loop(T, (s) => {
      // time index of batch row b at step s (reverse runs from its last valid step down)
      const timeOf = (b: Expr): Expr => (!reverse ? s : lens ? max(sub(sub(seqLen(b), 1), s), 0) : sub(T - 1, s));
      const xwAt = (b: Expr, j: Expr | number) => add(mul(add(mul(timeOf(b), B), b), GH), j);
      const gate = (b: Expr, k: Expr, q: number) => ctx.load(gates, add(mul(b, GH), add(k, q * H)));
      // gates = H·R[d]ᵀ + xw (GRU: z and r only)
      emitGemm(ctx, {
        M: B, N: cell === 'GRU' ? 2 * H : GH, K: H,
        a: { ref: hs, rs: H, cs: 1 },
        b: { ref: R, off: d * GH * H, rs: 1, cs: H },
        y: { ref: gates, rs: GH, cs: 1 },
        epilogue: (acc, i, j) => add(acc, ctx.load(xw, xwAt(i, j))),
      });
      if (hr) {
        // GRU h-gate recurrent term: (r ⊙ H)·Rhᵀ, or H·Rhᵀ + Rbh with linear_before_reset
        if (rh) ctx.loop(B, (b) => ctx.loop(H, (k) =>
          ctx.store(rh, add(mul(b, H), k), mul(f(clipped(gate(b, k, 1))), ctx.load(hs, add(mul(b, H), k)))), { name: 'k' }), { name: 'b' });
        emitGemm(ctx, {
          M: B, N: H, K: H,
          a: { ref: rh ?? hs, rs: H, cs: 1 },
          b: { ref: R, off: d * GH * H + 2 * H * H, rs: 1, cs: H },
          y: { ref: hr, rs: H, cs: 1 },
          epilogue: lbr && bias ? (acc, _i, j) => add(acc, ld(bias, add(j, d * 2 * GH + GH + 2 * H))) : undefined,
        });
      }
      ctx.loop(B, (b) => {
        const update = () => ctx.loop(H, (k) => {
          const at = add(mul(b, H), k);
          const hPrev = ctx.load(hs, at);
          let hNew: Expr;
          if (cell === 'RNN') hNew = ctx.local(f(clipped(gate(b, k, 0))), 'hn');
          else if (cell === 'GRU') {
            const z = ctx.local(f(clipped(gate(b, k, 0))), 'z');
            const xh = ctx.load(xw, xwAt(b, add(k, 2 * H))), rec = ctx.load(hr!, at);
            const hh = ctx.local(g(clipped(add(xh, lbr ? mul(f(clipped(gate(b, k, 1))), rec) : rec))), 'hh');
            hNew = ctx.local(add(mul(sub(1, z), hh), mul(z, hPrev)), 'hn');
          } else {
            const cPrev = ctx.local(ctx.load(cs!, at), 'cp');
            const peep = (q: number, c: Expr, x: Expr) => (P ? add(x, mul(ld(P, add(k, d * 3 * H + q * H)), c)) : x);
            const ig = ctx.local(f(clipped(peep(0, cPrev, gate(b, k, 0)))), 'ig');
            const fg = inputForget ? sub(1, ig) : f(clipped(peep(2, cPrev, gate(b, k, 2))));
            const cNew = ctx.local(add(mul(fg, cPrev), mul(ig, g(clipped(gate(b, k, 3))))), 'cn');
            const og = f(clipped(peep(1, cNew, gate(b, k, 1))));
            ctx.store(cs!, at, cNew);
            hNew = ctx.local(mul(og, h(cNew)), 'hn');
          }
          ctx.store(hs, at, hNew);
          if (Y) ctx.store(Y, yAt(timeOf(b), d, b, k), hNew);
        }, { name: 'k' });
        if (lens) ctx.if(cmp('lt', s, seqLen(b)), update);
        else update();
      }, { name: 'b' });
    }, { name: 's' });

    for (const [out, st] of [[Yh, hs], [Yc, cs]] as const)
      if (out && st) ctx.loop(B, (b) => ctx.loop(H, (k) => ctx.store(out, stateAt(d, b, k), ctx.load(st, add(mul(b, H), k))), { name: 'k' }), { name: 'b' });
  }
}

const common: Record<string, AttrSpec> = {
  activation_alpha: floats([]), activation_beta: floats([]), activations: strs(), clip: float(),
  direction: str('forward'), hidden_size: int(), layout: int(0),
};

const recurrentDef = (cell: Cell, extra: Record<string, AttrSpec> = {}): OpDef => ({
  op: cell, attrs: { ...common, ...extra },
  infer: inferRecurrent,
  lower: (ctx) => lowerRecurrent(ctx, cell),
});

export const recurrentOps: OpDef[] = [
  recurrentDef('RNN'),
  recurrentDef('GRU', { linear_before_reset: int(0) }),
  recurrentDef('LSTM', { input_forget: int(0) }),
];
