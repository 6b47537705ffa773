// 128-bit SIMD for loops hinted `vectorize` whose body is an elementwise float32 map:
// stores to out[i] of expressions over loads at [i] (or at a constant index, splatted),
// constants and loop-invariant variables. Four lanes per iteration (f32x4), then the scalar
// loop finishes the tail. Math functions without a SIMD instruction run lane by lane.
import { BinOp, Expr, Stmt, UnOp } from '../../ir/kernel.js';
import { Ref } from './binaryen.js';
import { ops } from './fn.js';
import type { KernelRenderer } from './render.js';

type For = Extract<Stmt, { k: 'for' }>;
const LANES = 4;
const V_UN: Partial<Record<UnOp, string>> = { neg: 'neg', abs: 'abs', sqrt: 'sqrt', floor: 'floor', ceil: 'ceil', trunc: 'trunc', rint: 'nearest' };
const LANE_UN = new Set<UnOp>(['exp', 'log', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'erf']);
const V_BIN: Partial<Record<BinOp, string>> = { add: 'add', sub: 'sub', mul: 'mul', div: 'div', min: 'min', max: 'max' };
const LANE_BIN = new Set<BinOp>(['pow', 'mod', 'atan2']);

function vectorizable(e: Expr, v: string): boolean {
  if (e.t !== 'f32') return false;
  switch (e.k) {
    case 'const': return true;
    case 'var': return e.name !== v;
    case 'load': return e.buf.dtype === 'float32' && ((e.idx.k === 'var' && e.idx.name === v) || e.idx.k === 'const');
    case 'un': return (!!V_UN[e.op] || LANE_UN.has(e.op)) && vectorizable(e.a, v);
    case 'bin': return (!!V_BIN[e.op] || LANE_BIN.has(e.op)) && vectorizable(e.a, v) && vectorizable(e.b, v);
    case 'select': return e.c.k === 'cmp' && vectorizable(e.c.a, v) && vectorizable(e.c.b, v) && vectorizable(e.a, v) && vectorizable(e.b, v);
    default: return false;
  }
}

/** The loop as SIMD + scalar tail, or null when it is not a simple float32 map. */
export function emitVectorLoop(r: KernelRenderer, s: For): Ref | null {
  if (s.step !== 1 || s.lo.k !== 'const' || s.hi.k !== 'const' || Number(s.hi.v) - Number(s.lo.v) < LANES) return null;
  const ok = s.body.length > 0 && s.body.every((st) => st.k === 'store' && st.buf.dtype === 'float32'
    && st.idx.k === 'var' && st.idx.name === s.v && vectorizable(st.val, s.v));
  if (!ok) return null;
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
  // exp on four lanes (Cephes expf, ~1 ulp): n = round(x·log2 e), r = x - n·ln 2 in two parts,
  // e^r by a degree-6 polynomial, times 2^n built in two halves (so n may reach -150 or 128)
  const vexp = (a: Ref): Ref => {
    const F = (v: number) => splat(w.c('f32', Math.fround(v)));
    const X = f.local('v128'), N = f.local('v128'), R = f.local('v128'), P = f.local('v128'), H = f.local('v128');
    const g = (l: number) => f.get(l);
    const fop = (op: string, ...xs: Ref[]) => w.op('f32x4', op, ...xs);
    const iop = (op: string, ...xs: (Ref | number)[]) => w.op('i32x4', op, ...xs);
    const HI = 88.72283935546875, LO = -103.97207641601562;
    const pow2 = (n: Ref) => iop('shl', iop('add', n, iop('splat', w.c('i32', 127))), w.c('i32', 23));
    let poly = F(1.9875691500e-4);
    for (const c of [1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]) poly = fop('add', fop('mul', poly, g(R)), F(c));
    return w.block(null, [
      f.set(X, a),
      f.set(R, fop('min', fop('max', g(X), F(LO)), F(HI))),
      f.set(P, fop('nearest', fop('mul', g(R), F(Math.LOG2E)))),
      f.set(R, fop('sub', fop('sub', g(R), fop('mul', g(P), F(0.693359375))), fop('mul', g(P), F(-2.12194440e-4)))),
      f.set(N, iop('trunc_sat_f32x4_s', g(P))),
      f.set(H, iop('shr_s', g(N), w.c('i32', 1))),
      f.set(P, fop('add', fop('add', fop('mul', poly, fop('mul', g(R), g(R))), g(R)), F(1))),
      f.set(P, fop('mul', fop('mul', g(P), pow2(g(H))), pow2(iop('sub', g(N), g(H))))),
      // +inf above the range, 0 below it; NaN stays NaN (it passed through the arithmetic)
      w.op('v128', 'andnot', w.op('v128', 'bitselect', F(Infinity), g(P), fop('gt', g(X), F(HI))), fop('lt', g(X), F(LO))),
    ]);
  };
  const vx = (e: Expr): Ref => {
    switch (e.k) {
      case 'const': case 'var': return splat(r.expr(e));
      case 'load': return e.idx.k === 'const' ? splat(r.expr(e)) : w.load('v128', 'load', r.addr(e.buf, I_()), 0, 4);
      case 'un': {
        const a = vx(e.a);
        if (e.op === 'exp') return vexp(a);
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
    return w.store('v128', 'store', r.addr(store.buf, I_()), vx(store.val), 0, 4);
  });
  const hi = Number(s.hi.v);
  const vb = f.label('vbrk'), vc = f.label('vcont'), sb = f.label('brk'), sc = f.label('cont');
  const scalar = r.block(s.body);
  f.pop();
  return w.block(null, [
    w.set(i, I.k(Number(s.lo.v))),
    w.block(vb, [w.loop(vc, w.block(null, [w.br(vb, I.gt(I.add(I_(), I.k(LANES)), I.k(hi))), ...vbody, w.set(i, I.add(I_(), I.k(LANES))), w.br(vc)]))]),
    w.block(sb, [w.loop(sc, w.block(null, [w.br(sb, I.ge(I_(), I.k(hi))), ...scalar, w.set(i, I.add(I_(), I.k(1))), w.br(sc)]))]),
  ]);
}
