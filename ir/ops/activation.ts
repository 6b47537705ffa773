// Activations fused into a Conv by passes/fuseActivations (attributes onnxc_clip, onnxc_act):
// each is a map written once for scalars and once for vectors, so whichever loop nest stores the
// Conv's output (the scalar algorithm or a schedule's vector kernel) applies it as it stores.
import { LowerCtx } from '../ctx.js';
import { add, div, lit, max, min, un } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { VExpr, vbin, vsplatLike, vun } from '../vector.js';

/** An activation applied to each finished value (scalar or vector) before it is stored. */
export interface Activation {
  scalar(v: Expr): Expr;
  vector(v: VExpr): VExpr;
}

const one = (): Expr => lit(1, 'f32');

/** x / (1 + e^-x) (SiLU) and 1 / (1 + e^-x) (Sigmoid), scalar and on vectors. */
const logistic = (num: (v: Expr) => Expr, vnum: (v: VExpr) => VExpr): Activation => ({
  scalar: (v) => div(num(v), add(one(), un('exp', un('neg', v)))),
  vector: (v) => vbin('div', vnum(v), vbin('add', vsplatLike(one(), v), vun('exp', vun('neg', v)))),
});
const ACTIVATIONS: Record<string, Activation> = {
  silu: logistic((v) => v, (v) => v),
  sigmoid: logistic(one, (v) => vsplatLike(one(), v)),
};

/** Clip to [lo, hi] (either bound may be infinite: no test on that side). */
function clip(lo: number, hi: number): Activation {
  const bound = (v: number) => lit(v, 'f32');
  return {
    scalar: (v) => {
      const lower = lo === -Infinity ? v : max(v, bound(lo));
      return hi === Infinity ? lower : min(lower, bound(hi));
    },
    vector: (v) => {
      const lower = lo === -Infinity ? v : vbin('max', v, vsplatLike(bound(lo), v));
      return hi === Infinity ? lower : vbin('min', lower, vsplatLike(bound(hi), v));
    },
  };
}

/** The activation fused into this Conv: onnxc_clip = [lo, hi], or onnxc_act = silu | sigmoid. */
export function fusedActivation(ctx: LowerCtx): Activation | undefined {
  const name = ctx.str('onnxc_act');
  if (name) {
    if (!ACTIVATIONS[name]) throw ctx.error(`unknown fused activation '${name}'`);
    return ACTIVATIONS[name];
  }
  const b = ctx.floats('onnxc_clip');
  return b.length ? clip(b[0], b[1]) : undefined;
}
