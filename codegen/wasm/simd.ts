// 128-bit SIMD for loops hinted `vectorize` whose body is an elementwise float32 map:
// stores to out[b + i] of expressions over loads at [c + i] (or at an index without i, splatted),
// constants and loop-invariant variables, between any bounds. Four lanes per iteration (f32x4),
// then the scalar loop finishes the tail. exp and erf have four-lane code (also called by scalar
// float32 code), other math functions without a SIMD instruction run lane by lane.
import { BinOp, Expr, Stmt, UnOp } from '../../ir/kernel.js';
import { independent, mentions, unitStride } from '../../ir/loops.js';
import { ERF_CLAMP, ERF_P, ERF_Q, EXP_HI, EXP_LN2_HI, EXP_LN2_LO, EXP_LO, EXP_LOG2E, EXP_POLY } from '../../ir/mathfit.js';
import { Ref } from './binaryen.js';
import { Fn, ops } from './fn.js';
import { defineRuntime } from './runtime.js';
import type { KernelRenderer } from './render.js';

type For = Extract<Stmt, { k: 'for' }>;
const LANES = 4;
const V_UN: Partial<Record<UnOp, string>> = { neg: 'neg', abs: 'abs', sqrt: 'sqrt', floor: 'floor', ceil: 'ceil', trunc: 'trunc', rint: 'nearest' };
const LANE_UN = new Set<UnOp>(['exp', 'log', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'erf']);
const V_BIN: Partial<Record<BinOp, string>> = { add: 'add', sub: 'sub', mul: 'mul', div: 'div', min: 'min', max: 'max' };
const LANE_BIN = new Set<BinOp>(['pow', 'mod', 'atan2']);

type VMath = (w: Fn['w'], f: Fn, a: Ref) => Ref;
const fconst = (w: Fn['w'], v: number) => w.op('f32x4', 'splat', w.c('f32', Math.fround(v)));

// exp on four lanes, the row exp_f32 (ir/mathfit.ts expF32; Cephes expf, ~1 ulp): n = round(x·log2 e) by adding 1.5·2^23 (whose low
// mantissa bits are then n), r = x - n·ln 2 in two parts, e^r by a degree-6 polynomial, times
// 2^n built in two halves (so n may reach -150 or 128). Clamps with pmin/pmax: one instruction
// each in V8, where min/max and float-to-int conversions are long NaN-fixing sequences.
const vexp: VMath = (w, f, a) => {
  const F = (v: number) => fconst(w, v);
  const X = f.local('v128'), N = f.local('v128'), R = f.local('v128'), P = f.local('v128'), H = f.local('v128');
  const g = (l: number) => f.get(l);
  const fop = (op: string, ...xs: Ref[]) => w.op('f32x4', op, ...xs);
  const iop = (op: string, ...xs: (Ref | number)[]) => w.op('i32x4', op, ...xs);
  const HI = EXP_HI, LO = EXP_LO, MAGIC = 12582912;
  const pow2 = (n: Ref) => iop('shl', iop('add', n, iop('splat', w.c('i32', 127))), w.c('i32', 23));
  let poly = F(EXP_POLY[0]);
  for (const c of EXP_POLY.slice(1)) poly = fop('add', fop('mul', poly, g(R)), F(c));
  return w.block(null, [
    f.set(X, a),
    f.set(R, fop('pmin', fop('pmax', g(X), F(LO)), F(HI))),
    f.set(N, fop('add', fop('mul', g(R), F(EXP_LOG2E)), F(MAGIC))),
    f.set(P, fop('sub', g(N), F(MAGIC))),
    f.set(N, iop('sub', g(N), iop('splat', w.c('i32', 0x4b400000)))),
    f.set(R, fop('sub', fop('sub', g(R), fop('mul', g(P), F(EXP_LN2_HI))), fop('mul', g(P), F(EXP_LN2_LO)))),
    f.set(H, iop('shr_s', g(N), w.c('i32', 1))),
    f.set(P, fop('add', fop('add', fop('mul', poly, fop('mul', g(R), g(R))), g(R)), F(1))),
    f.set(P, fop('mul', fop('mul', g(P), pow2(g(H))), pow2(iop('sub', g(N), g(H))))),
    // +inf above the range, 0 below it; NaN stays NaN (it passed through the arithmetic)
    w.op('v128', 'andnot', w.op('v128', 'bitselect', F(Infinity), g(P), fop('gt', g(X), F(HI))), fop('lt', g(X), F(LO))),
  ]);
};

// erf on four lanes, the row erf_f32 (ir/mathfit.ts erfF32): x·P(x²)/Q(x²), a rational minimax fit on [-4, 4] (outside, erf is ±1 in
// float32); at most 4.2e-7 from erf over the float32 range, relative error as small near 0.
// NaN propagates through min/max.
const verf: VMath = (w, f, a) => {
  const X = f.local('v128'), X2 = f.local('v128');
  const fop = (op: string, ...xs: Ref[]) => w.op('f32x4', op, ...xs);
  const poly = (cs: number[]) => cs.slice(0, -1).reduceRight((acc, c) => fop('add', fop('mul', acc, f.get(X2)), fconst(w, c)), fconst(w, cs[cs.length - 1]));
  return w.block(null, [
    f.set(X, fop('pmin', fop('pmax', a, fconst(w, -ERF_CLAMP)), fconst(w, ERF_CLAMP))),
    f.set(X2, fop('mul', f.get(X), f.get(X))),
    fop('div', fop('mul', f.get(X), poly(ERF_P)), poly(ERF_Q)),
  ]);
};

/** Float32 math functions with a four-lane implementation. */
export const V_MATH: Partial<Record<UnOp, VMath>> = { exp: vexp, erf: verf };

// the same functions for scalar float32 code (runtime `expf`, `erff`): lane 0 of the vector code,
// instead of a round trip through the float64 library
for (const [op, fn] of Object.entries(V_MATH) as [UnOp, VMath][]) {
  defineRuntime(`${op}f`, {
    row: `${op}_f32`,
    params: [['x', 'f32']], result: 'f32',
    build: (f) => ({ body: [], value: f.w.op('f32x4', 'extract_lane', fn(f.w, f, f.w.op('f32x4', 'splat', f.get('x'))), 0) }),
  });
}
/** Whether float32 `op` has a runtime `${op}f` (see V_MATH). */
export const hasF32Math = (op: string): boolean => op in V_MATH;

function vectorizable(e: Expr, v: string): boolean {
  if (e.t !== 'f32') return false;
  switch (e.k) {
    case 'const': return true;
    case 'var': return e.name !== v;
    case 'load': return e.buf.dtype === 'float32' && (unitStride(e.idx, v) || !mentions(e.idx, v));
    case 'un': return (!!V_UN[e.op] || LANE_UN.has(e.op)) && vectorizable(e.a, v);
    case 'bin': return (!!V_BIN[e.op] || LANE_BIN.has(e.op)) && vectorizable(e.a, v) && vectorizable(e.b, v);
    case 'select': return e.c.k === 'cmp' && vectorizable(e.c.a, v) && vectorizable(e.c.b, v) && vectorizable(e.a, v) && vectorizable(e.b, v);
    default: return false;
  }
}

/** The loop as SIMD + scalar tail, or null when it is not a simple float32 map. */
export function emitVectorLoop(r: KernelRenderer, s: For): Ref | null {
  if (s.step !== 1 || (s.lo.k === 'const' && s.hi.k === 'const' && Number(s.hi.v) - Number(s.lo.v) < LANES)) return null;
  const ok = s.body.length > 0 && s.body.every((st) => st.k === 'store' && st.buf.dtype === 'float32'
    && unitStride(st.idx, s.v) && vectorizable(st.val, s.v));
  if (!ok || !independent(s.body as Extract<Stmt, { k: 'store' }>[])) return null;
  const w = r.w, f = r.f, I = ops(w, 'i32');
  f.push();
  const i = f.local('i32', s.v);
  const I_ = () => f.get(i);
  const splat = (x: Ref) => w.op('f32x4', 'splat', x);
  const lanes = (args: Ref[], fn: (xs: Ref[]) => Ref): Ref => {
    const tmps = args.map(() => f.local('v128'));
    let acc: Ref | null = null;
    for (let l = 0; l < LANES; l++) {
      const val = fn(tmps.map((t) => w.op('f32x4', 'extract_lane', f.get(t), l)));
      acc = acc === null ? splat(val) : w.op('f32x4', 'replace_lane', acc, l, val);
    }
    return w.block(null, [...args.map((a, k) => f.set(tmps[k], a)), acc!]);
  };
  const vx = (e: Expr): Ref => {
    switch (e.k) {
      case 'const': case 'var': return splat(r.expr(e));
      case 'load': return mentions(e.idx, s.v) ? w.load('v128', 'load', ...r.addrOff(e.buf, e.idx), 4) : splat(r.expr(e));
      case 'un': {
        const a = vx(e.a);
        if (V_MATH[e.op]) return V_MATH[e.op]!(w, f, a);
        return V_UN[e.op] ? w.op('f32x4', V_UN[e.op]!, a) : lanes([a], ([x]) => r.libm(e.op, 'f32', [x]));
      }
      case 'bin': {
        const a = vx(e.a), b = vx(e.b);
        if (V_BIN[e.op]) return w.op('f32x4', V_BIN[e.op]!, a, b);
        return lanes([a, b], ([x, y]) => r.bin(e.op, 'f32', x, y));
      }
      case 'select': {
        const c = e.c as Extract<Expr, { k: 'cmp' }>;
        return w.op('v128', 'bitselect', vx(e.a), vx(e.b), w.op('f32x4', c.op, vx(c.a), vx(c.b)));
      }
      default: throw new Error('wasm simd: unexpected expression');
    }
  };
  const vbody = s.body.map((st) => {
    const store = st as Extract<Stmt, { k: 'store' }>;
    const [ptr, off] = r.addrOff(store.buf, store.idx);
    return w.store('v128', 'store', ptr, vx(store.val), off, 4);
  });
  // the bound is read once: the body only stores, and not into anything the bound reads
  const hiConst = s.hi.k === 'const' ? Number(s.hi.v) : null, hiLocal = hiConst === null ? f.local('i32') : -1;
  const HI = () => (hiConst === null ? f.get(hiLocal) : I.k(hiConst));
  const vb = f.label('vbrk'), vc = f.label('vcont'), sb = f.label('brk'), sc = f.label('cont');
  const scalar = r.block(s.body);
  f.pop();
  return w.block(null, [
    ...(hiConst === null ? [w.set(hiLocal, r.expr(s.hi))] : []),
    w.set(i, r.expr(s.lo)),
    w.block(vb, [w.loop(vc, w.block(null, [w.br(vb, I.gt(I.add(I_(), I.k(LANES)), HI())), ...vbody, w.set(i, I.add(I_(), I.k(LANES))), w.br(vc)]))]),
    w.block(sb, [w.loop(sc, w.block(null, [w.br(sb, I.ge(I_(), HI())), ...scalar, w.set(i, I.add(I_(), I.k(1))), w.br(sc)]))]),
  ]);
}
