// ai.onnx.preview.training optimizers as table rows: Momentum, Adagrad, Adam. Each takes the
// learning rate R and update count T, then n tensors X, their gradients G and per-tensor
// states; outputs the new X then the new states (grouped by kind, like the inputs).
import { LowerCtx } from '../ctx.js';
import { add, bin, cast, cmp, div, ix, lit, mul, select, sub, un } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { AttrSpec, OpDef, float, str } from '../opdef.js';
import { numel } from '../tensor.js';
import { tt } from './common.js';

const TRAINING = 'ai.onnx.preview.training';

/** Scalars shared by all tensors of one node: update count t and the step's learning rate (f64). */
interface Step { t: Expr; rate: Expr }

/** The learning rate of this step from R and T. */
type Rate = (ctx: LowerCtx, r: Expr, t: Expr) => Expr;

/** New [x, ...states] from x, its gradient g and its states (all of x's compute type). */
type Update = (ctx: LowerCtx, s: Step, x: Expr, g: Expr, states: Expr[]) => Expr[];

const lf = (ctx: LowerCtx, name: string, t: Expr) => lit(ctx.float(name), t.t);

/** Gradient plus the gradient of the L2 regularization term. */
const regularized = (ctx: LowerCtx, x: Expr, g: Expr) => ctx.local(add(mul(lf(ctx, 'norm_coefficient', x), x), g), 'greg');

const momentum: Update = (ctx, { t, rate }, x, g, [v]) => {
  const mode = ctx.str('mode');
  if (mode !== 'standard' && mode !== 'nesterov') throw ctx.error(`unsupported mode '${mode}' (standard or nesterov)`);
  const gr = regularized(ctx, x, g), alpha = lf(ctx, 'alpha', x);
  // the gradient's coefficient is 1 at the first update
  const beta = select(cmp('gt', t, 0), lf(ctx, 'beta', x), lit(1, x.t));
  const vNew = ctx.local(add(mul(alpha, v), mul(beta, gr)), 'v');
  const step = mode === 'standard' ? vNew : add(gr, mul(alpha, vNew));
  return [sub(x, mul(cast(rate, x.t), step)), vNew];
};

const adagrad: Update = (ctx, { rate }, x, g, [h]) => {
  const gr = regularized(ctx, x, g);
  const hNew = ctx.local(add(h, mul(gr, gr)), 'h');
  return [sub(x, div(mul(cast(rate, x.t), gr), add(un('sqrt', hNew), lf(ctx, 'epsilon', x)))), hNew];
};

/** Adam corrects the moments' bias once t > 0. */
const adamRate: Rate = (ctx, r, t) => {
  const pw = (c: number) => bin('pow', lit(c, 'f64'), t);
  return select(cmp('gt', t, 0), div(mul(r, un('sqrt', sub(1, pw(ctx.float('beta'))))), sub(1, pw(ctx.float('alpha')))), r);
};

const adam: Update = (ctx, { rate }, x, g, [v, h]) => {
  const a = ctx.float('alpha'), b = ctx.float('beta');
  const gr = regularized(ctx, x, g);
  const vNew = ctx.local(add(mul(lit(a, x.t), v), mul(lit(1 - a, x.t), gr)), 'v');
  const hNew = ctx.local(add(mul(lit(b, x.t), h), mul(lit(1 - b, x.t), mul(gr, gr))), 'h');
  const xNew = sub(x, mul(cast(rate, x.t), div(vNew, add(un('sqrt', hNew), lf(ctx, 'epsilon', x)))));
  const post = ctx.float('norm_coefficient_post');
  return [post ? mul(lit(1 - post, x.t), xNew) : xNew, vNew, hNew];
};

/** [op, attribute schema, number of state tensors per X, learning rate, update]. */
const rows: [string, Record<string, AttrSpec>, number, Rate, Update][] = [
  ['Momentum', { alpha: float(), beta: float(), mode: str(), norm_coefficient: float() }, 1, (_, r) => r, momentum],
  ['Adagrad', { decay_factor: float(0), epsilon: float(0), norm_coefficient: float(0) }, 1,
    (ctx, r, t) => div(r, add(1, mul(t, ctx.float('decay_factor')))), adagrad],
  ['Adam', { alpha: float(0.9), beta: float(0.999), epsilon: float(0), norm_coefficient: float(0), norm_coefficient_post: float(0) }, 2, adamRate, adam],
];

function optimizerDef([op, attrs, nStates, rate, update]: (typeof rows)[number]): OpDef {
  const count = (inputs: number) => (inputs - 2) / (2 + nStates);
  return {
    op, domain: TRAINING, attrs,
    infer: (ctx) => {
      const n = count(ctx.numInputs);
      if (!Number.isInteger(n) || n < 1) throw ctx.error(`expects R, T and ${2 + nStates} tensors per optimized tensor, got ${ctx.numInputs} inputs`);
      const out = [];
      for (let k = 0; k <= nStates; k++) for (let i = 0; i < n; i++) {
        const src = 2 + (k === 0 ? 0 : 1 + k) * n + i;
        if (ctx.shape(src).join() !== ctx.shape(2 + i).join()) throw ctx.error(`input ${src} must have the shape of X${i + 1}`);
        out.push(tt(ctx.dtype(src), ctx.shape(src)));
      }
      return out;
    },
    lower: (ctx) => {
      const n = count(ctx.numInputs);
      const r = cast(ctx.load(ctx.in(0), ix(0)), 'f64'), t = ctx.local(cast(ctx.load(ctx.in(1), ix(0)), 'f64'), 't');
      const s: Step = { t, rate: ctx.local(rate(ctx, r, t), 'rate') };
      for (let i = 0; i < n; i++) {
        const x = ctx.in(2 + i), g = ctx.in(2 + n + i), states = Array.from({ length: nStates }, (_, k) => ctx.in(2 + (2 + k) * n + i));
        ctx.loop(numel(x.shape), (e) => {
          const xv = ctx.local(ctx.load(x, e), 'x');
          const vals = update(ctx, s, xv, cast(ctx.load(g, e), xv.t), states.map((r) => cast(ctx.load(r, e), xv.t)));
          vals.forEach((v, k) => { if (ctx.hasOut(k * n + i)) ctx.store(ctx.out(k * n + i), e, v); });
        });
      }
    },
  };
}

export const trainingOps: OpDef[] = rows.map(optimizerDef);
