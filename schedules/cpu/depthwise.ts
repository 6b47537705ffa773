// SIMD depthwise convolution (one input channel per group, 2-D, float32): each output row is
// computed in vector registers along the width, every tap of the window accumulated before one
// store (bias first, the fused activation last). The window's vertical validity is resolved at
// compile time: interior rows share one loop, the few border rows are emitted one by one with
// only their valid taps; border columns are scalar, or in narrow rows vector code over a copy of
// the channel padded with zeros at the sides. Rows narrower than the target's vectors use
// narrower ones (down to 4 lanes). Width stride 1 or 2 (a tap's lanes are then
// contiguous, or every other element: a strided vector load); the rest keeps the generic code.
import { LowerCtx } from '../../ir/ctx.js';
import { add, ix, lit, mul } from '../../ir/kbuild.js';
import { Expr } from '../../ir/kernel.js';
import { interior } from '../../ir/ops/spatial.js';
import type { DepthwiseSpec } from '../../ir/schedule.js';
import { VExpr, vfma, vload, vsplat, vvar } from '../../ir/vector.js';

/** Vector chunks per step of the interior loop. */
const UNROLL = 2;
/** The narrowest vectors every renderer has (SSE, NEON, WASM SIMD128). */
const MIN_LANES = 4;
/** Output rows at most this many vectors wide have their border columns padded (see below). */
const PAD_LANES = 4;
/** More border rows than this (tiny images, huge pads) keep the generic code. */
const MAX_BORDER_ROWS = 8;

/** Taps t of a window starting at `start` (image coordinate of tap 0) that fall inside [0, n). */
const validTaps = (k: number, d: number, start: number, n: number) =>
  Array.from({ length: k }, (_, t) => t).filter((t) => start + t * d >= 0 && start + t * d < n);

/**
 * out[n, m] = act(bias[m] + Σ taps w[m, tap] · x[n, m / (M / C)] at the tap); returns false
 * (emitting nothing) when the shape is not one it handles.
 */
export function emitDepthwiseSimd(ctx: LowerCtx, spec: DepthwiseSpec, lanes: number): boolean {
  const { g, x, w, bias, out, act } = spec;
  if (!lanes || g.in.length !== 2 || (g.s[1] !== 1 && g.s[1] !== 2)) return false;
  if (![x, w, out, ...(bias ? [bias] : [])].every((r) => r.dtype === 'float32')) return false;
  const [N, C] = x.shape, M = w.shape[0], Mg = M / C;
  const [H, W] = g.in, [OH, OW] = g.out, [KH, KW] = g.k, [dh, dw] = g.d, [sh, sw] = g.s, [pt, pl] = g.pb;
  const [rA, rB] = interior(g, 0), [cA, cB] = interior(g, 1);
  if (OH - (rB - rA) > MAX_BORDER_ROWS) return false;
  const Pin = H * W, P = OH * OW;
  // border columns: each channel is first copied into rows padded with zeros at both sides
  // (Wp wide: the last output column's last tap is inside), so every column is interior. Only
  // at width stride 1 and up to PAD_LANES vectors wide: mobilenet_v2's 112-wide and stride-2
  // depthwise layers measured slower with the copy, its 56-, 28-, 14- and 7-wide ones up to 2x faster
  const pad = (cA > 0 || cB < OW) && sw === 1 && OW <= PAD_LANES * lanes, Wp = pad ? (OW - 1) * sw + (KW - 1) * dw + 1 : W;
  const copied = pad ? Math.max(0, Math.min(W, Wp - pl)) : W;
  const [c0, c1] = pad ? [0, OW] : [cA, cB], pw = pad ? 0 : pl;
  const xp = pad ? ctx.temp('float32', [H * Wp], 'xpad') : null;
  // vectors as wide as the interior columns allow: rows narrower than the lanes (14×14 and 7×7
  // images at 16 lanes) take 8 or 4 lanes instead of scalar code
  let L = lanes;
  while (L > MIN_LANES && L > c1 - c0) L /= 2;
  const actS = act ? act.scalar : (v: Expr) => v, actV = act ? act.vector : (v: VExpr) => v;

  ctx.loop(N * M, (nm) => {
    const n = N === 1 ? ix(0) : ctx.local({ k: 'bin', t: 'idx', op: 'div', a: nm, b: ix(M) }, 'n');
    const m = N === 1 ? nm : ctx.local({ k: 'bin', t: 'idx', op: 'mod', a: nm, b: ix(M) }, 'm');
    const xc0 = ctx.local(add(mul(n, C * Pin), mul(Mg === 1 ? m : { k: 'bin', t: 'idx', op: 'div', a: m, b: ix(Mg) }, Pin)), 'xc');
    if (xp) ctx.loop(H, (ih) => {
      const src = ctx.local(add(xc0, mul(ih, W)), 'xs'), dst = ctx.local(mul(ih, Wp), 'xd');
      if (pl) ctx.loop(Math.min(pl, Wp), (c) => ctx.store(xp, add(dst, c), lit(0, 'f32')), { name: 'c' });
      if (copied) ctx.loop(copied, (c) => ctx.store(xp, add(add(dst, pl), c), ctx.load(x, add(src, c))), { name: 'c', hint: { vectorize: 4 } });
      if (pl + copied < Wp) ctx.loop(Wp, (c) => ctx.store(xp, add(dst, c), lit(0, 'f32')), { lo: pl + copied, name: 'c' });
    }, { name: 'ih' });
    const xs = xp ?? x, xc = xp ? ix(0) : xc0;
    const yc = ctx.local(mul(nm, P), 'yc');
    const b0 = bias ? ctx.local(ctx.load(bias, m), 'b') : lit(0, 'f32');
    // the taps' weights as scalar and splatted locals, declared (before the rows) once used
    const used = new Map<string, () => void>();
    const lazy = <T>(key: string, make: () => [T, () => void]): T => {
      const [val, decl] = make();
      if (!used.has(key)) used.set(key, decl);
      return val;
    };
    const wName = Array.from({ length: KH * KW }, () => ctx.fresh('w')), wvName = wName.map(() => ctx.fresh('wv')), bv = ctx.fresh('bv');
    const ws = (t: number) => lazy(`w${t}`, () => [{ k: 'var', t: 'f32', name: wName[t] } as Expr,
      () => ctx.emit({ k: 'decl', name: wName[t], t: 'f32', init: ctx.load(w, add(mul(m, KH * KW), t)) })]);
    const wv = (t: number) => lazy(`v${t}`, () => [vvar(wvName[t], L), () => ctx.emit({ k: 'vdecl', name: wvName[t], init: vsplat(ws(t), L) })]);
    const bias0 = () => lazy('b', () => [vvar(bv, L), () => ctx.emit({ k: 'vdecl', name: bv, init: vsplat(b0, L) })]);

    // one output row: `ih0` is the image row of its first valid tap `khs[0]` (offsets from it
    // are then non-negative), `khs` the valid taps
    const row = (oh: Expr, ih0: Expr, khs: number[]) => {
      const xr = ctx.local(add(xc, mul(ih0, Wp)), 'xr'), yr = ctx.local(add(yc, mul(oh, OW)), 'yr');
      const kh0 = khs[0] ?? 0;
      const scalarAt = (ow: number) => {
        const iw0 = ow * sw - pw, kws = validTaps(KW, dw, iw0, Wp);
        let acc: Expr = b0;
        for (const kh of khs) for (const kw of kws) {
          acc = add(acc, mul(ws(kh * KW + kw), ctx.load(xs, add(xr, (kh - kh0) * dh * Wp + iw0 + kw * dw))));
        }
        ctx.store(out, add(yr, ow), actS(acc));
      };
      const chunk = (ow: Expr, vecs: number) => {
        const xo = ctx.local(add(xr, add(mul(ow, sw), -pw)), 'xo'), yo = ctx.local(add(yr, ow), 'yo');
        const accs = Array.from({ length: vecs }, () => ctx.fresh('acc'));
        accs.forEach((a) => ctx.emit({ k: 'vdecl', name: a, init: bias0() }));
        for (const kh of khs) for (let kw = 0; kw < KW; kw++) accs.forEach((a, u) => {
          const xv = vload(xs.buf, add(xo, (kh - kh0) * dh * Wp + kw * dw + u * L * sw), L, sw as 1 | 2);
          ctx.emit({ k: 'vassign', name: a, val: vfma(wv(kh * KW + kw), xv, vvar(a, L)) });
        });
        accs.forEach((a, u) => ctx.emit({ k: 'vstore', buf: out.buf, idx: add(yo, u * L), val: actV(vvar(a, L)) }));
      };
      for (let ow = 0; ow < c0; ow++) scalarAt(ow);
      const n = c1 - c0;
      if (n >= L) {
        const big = Math.floor(n / (UNROLL * L));
        if (big) ctx.loop(big, (c) => chunk(add(mul(c, UNROLL * L), c0), UNROLL), { name: 'c' });
        for (let o = c0 + big * UNROLL * L; o + L <= c1; o += L) chunk(ix(o), 1);
        // the last partial vector overlaps the previous one (the stores are idempotent)
        if (n % L) chunk(ix(c1 - L), 1);
      } else for (let ow = c0; ow < c1; ow++) scalarAt(ow);
      for (let ow = c1; ow < OW; ow++) scalarAt(ow);
    };
    const all = Array.from({ length: KH }, (_, t) => t);
    const border = (oh: number) => {
      const khs = validTaps(KH, dh, oh * sh - pt, H);
      row(ix(oh), ix(oh * sh - pt + (khs[0] ?? 0) * dh), khs);
    };
    const rows = ctx.block(() => {
      for (let oh = 0; oh < rA; oh++) border(oh);
      if (rB > rA) ctx.loop(rB, (oh) => row(oh, add(mul(oh, sh), -pt), all), { lo: rA, name: 'oh' });
      for (let oh = rB; oh < OH; oh++) border(oh);
    });
    // scalar weights first: the splats read them (register those only splats used)
    for (const key of [...used.keys()]) if (key[0] === 'v') ws(Number(key.slice(1)));
    const decls = [...used].sort(([a], [b]) => (a[0] === b[0] ? 0 : a[0] === 'w' ? -1 : 1));
    for (const [, decl] of decls) decl();
    for (const st of rows) ctx.emit(st);
  }, { name: 'nm' });
  return true;
}
