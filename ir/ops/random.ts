// Uniform random numbers in kernel IR: the Mersenne Twister MT19937 seeded and converted to
// doubles exactly as numpy's legacy RandomState(seed).uniform(0, 1) does, so seeded random
// ops (Dropout in training mode) reproduce the ONNX reference outputs. The generator is
// re-seeded on every call of the kernel: a given seed always gives the same stream.
import { LowerCtx, TensorRef } from '../ctx.js';
import { E, add, and, bin, cast, cmp, div, ix, lit, mul, or, select, sub } from '../kbuild.js';
import { Expr } from '../kernel.js';

const N = 624, M = 397;
const u32 = (v: number) => lit(v >>> 0, 'u32');
const xor = (a: Expr, b: Expr) => bin('xor', a, b);
const shr = (a: Expr, n: number) => bin('shr', a, u32(n));
const shl = (a: Expr, n: number) => bin('shl', a, u32(n));

/** Regenerates the 624 words of state (the MT19937 "twist"), without index modulo. */
function twist(ctx: LowerCtx, mt: TensorRef): void {
  const step = (k: E, next: E, far: E) => {
    const y = ctx.local(or(and(ctx.load(mt, as(k)), u32(0x80000000)), and(ctx.load(mt, as(next)), u32(0x7fffffff))), 'y');
    const odd = cmp('ne', and(y, u32(1)), u32(0));
    ctx.store(mt, as(k), xor(xor(ctx.load(mt, as(far)), shr(y, 1)), select(odd, u32(0x9908b0df), u32(0))));
  };
  ctx.loop(N - M, (k) => step(k, add(k, 1), add(k, M)));
  ctx.loop(N - 1, (k) => step(k, add(k, 1), sub(k, N - M)), { lo: N - M });
  step(N - 1, 0, M - 1);
}
const as = (e: E): Expr => (typeof e === 'number' ? ix(e) : e);

/** The MT19937 output transform of one state word. */
function temper(ctx: LowerCtx, word: Expr): Expr {
  const y = ctx.local(word, 'y');
  ctx.assign(y, xor(y, shr(y, 11)));
  ctx.assign(y, xor(y, and(shl(y, 7), u32(0x9d2c5680))));
  ctx.assign(y, xor(y, and(shl(y, 15), u32(0xefc60000))));
  ctx.assign(y, xor(y, shr(y, 18)));
  return y;
}

/**
 * Loops i over [0, count) calling fn(u, i) with u (f64) uniform in [0, 1): 53-bit doubles from
 * pairs of 32-bit draws. The state holds an even number of words, so a pair never straddles a
 * refill and the twist is emitted once.
 */
export function emitUniform(ctx: LowerCtx, seed: number, count: number, fn: (u: Expr, i: Expr) => void): void {
  const mt = ctx.temp('uint32', [N], 'mt');
  ctx.store(mt, ix(0), u32(seed));
  ctx.loop(N, (i) => {
    const p = ctx.load(mt, sub(i, 1));
    ctx.store(mt, i, add(mul(u32(1812433253), xor(p, shr(p, 30))), cast(i, 'u32')));
  }, { lo: 1 });
  const pos = ctx.local(ix(N), 'pos');
  ctx.loop(count, (i) => {
    ctx.if(cmp('ge', pos, N), () => { twist(ctx, mt); ctx.assign(pos, 0); });
    const a = temper(ctx, ctx.load(mt, pos)), b = temper(ctx, ctx.load(mt, add(pos, 1)));
    ctx.assign(pos, add(pos, 2));
    const hi = mul(cast(shr(a, 5), 'f64'), 67108864), lo = cast(shr(b, 6), 'f64');
    fn(div(add(hi, lo), 9007199254740992), i);
  });
}
