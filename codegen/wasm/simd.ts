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
  const vx = (e: Expr): Ref => {
    switch (e.k) {
      case 'const': case 'var': return splat(r.expr(e));
      case 'load': return e.idx.k === 'const' ? splat(r.expr(e)) : w.load('v128', 'load', r.addr(e.buf, I_()), 0, 4);
      case 'un': {
        const a = vx(e.a);
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
