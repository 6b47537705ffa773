// vectorizeLoops: the one vectorizer. Rewrites each loop hinted `vectorize` that it can prove
// safe into vector IR (ir/vector.ts) over the target's lanes, then narrower vectors down to 4
// lanes for what is left, plus a scalar tail under 4 elements: a loop of step
// 1 whose body only stores float32 elements at unit stride, each value a float32 expression
// over loads (strides 0, 1 and 2), constants and loop-invariant variables, with no lane reading
// what another lane stores (a `parallel` loop says so; others are checked, ir/loops.ts).
// Operators with a SIMD form become vector nodes; other float32 math runs lane by lane (vmap).
// Loops that fail any of this stay scalar. Runs when the target has vectors (lanes > 0).
//
// Which loops each target gets as vector IR: WASM (4 lanes) all of them — it has no other
// vectorizer. C (host, 8 lanes) all of them too: GCC/Clang leave exp/erf (libm calls), strided
// loads and the NaN-propagating max/min helper scalar, and even the plain maps ran no faster
// their way: with -O3 -march=native, tiny_cnn went from 13 to 4 µs (im2col copies with
// run-time bounds) and a Relu/Add/Clip/LeakyRelu/Max/Softmax chain on 1M floats from 4.6 to
// 4.1 ms when these loops became vector IR.
import { BinOp, CmpOp, Expr, Program, Stmt, UnOp } from '../ir/kernel.js';
import { Store, independent, mentions, strideOf, unitStride } from '../ir/loops.js';
import { annotateLoops } from '../ir/loopKinds.js';
import { VBinOp, VExpr, VUnOp, vbin, vload, vmap, vselect, vsplat, vun } from '../ir/vector.js';

type For = Extract<Stmt, { k: 'for' }>;

const V_BIN: Partial<Record<BinOp, VBinOp>> = { add: 'add', sub: 'sub', mul: 'mul', div: 'div' };
const V_UN: Partial<Record<UnOp, VUnOp>> = {
  neg: 'neg', abs: 'abs', sqrt: 'sqrt', floor: 'floor', ceil: 'ceil', trunc: 'trunc', rint: 'rint', exp: 'exp', erf: 'erf',
};
/** Float32 math without a SIMD form: computed lane by lane inside the vector loop. */
const LANE_UN = new Set<UnOp>(['log', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh']);
const LANE_BIN = new Set<BinOp>(['pow', 'mod', 'atan2']);

const notNaN = (e: Expr) => e.k === 'const' && !Number.isNaN(Number(e.v));

/** The vector form of e for loop variable v, or null when e has no vector form. */
function vectorOf(e: Expr, v: string, lanes: number): VExpr | null {
  if (e.t !== 'f32') return null;
  if (!mentions(e, v)) return vsplat(e, lanes);
  const vec = (x: Expr) => vectorOf(x, v, lanes);
  switch (e.k) {
    case 'load': {
      const stride = e.buf.dtype === 'float32' ? strideOf(e.idx, v) : null;
      return stride === 1 || stride === 2 ? vload(e.buf, e.idx, lanes, stride) : null;
    }
    case 'un': {
      const a = vec(e.a);
      if (!a) return null;
      return V_UN[e.op] ? vun(V_UN[e.op]!, a) : LANE_UN.has(e.op) ? vmap(e.op, [a]) : null;
    }
    case 'bin': {
      const a = vec(e.a), b = a && vec(e.b);
      if (!a || !b) return null;
      // scalar max/min propagate a NaN from either side; the cheap vector ones only from the
      // first operand, which is the same when the other one is a constant other than NaN
      if (e.op === 'max' || e.op === 'min') {
        if (notNaN(e.b)) return vbin(e.op, a, b);
        if (notNaN(e.a)) return vbin(e.op, b, a);
        return vbin(`${e.op}nan`, a, b);
      }
      return V_BIN[e.op] ? vbin(V_BIN[e.op]!, a, b) : LANE_BIN.has(e.op) ? vmap(e.op, [a, b]) : null;
    }
    case 'select': {
      if (e.c.k !== 'cmp') return null;
      const ca = vec(e.c.a), cb = ca && vec(e.c.b), x = cb && vec(e.a), y = x && vec(e.b);
      return y ? vselect(e.c.op as CmpOp, ca!, cb!, x!, y) : null;
    }
    default: return null;
  }
}

const idx = (v: number): Expr => ({ k: 'const', t: 'idx', v });
const ibin = (op: 'sub' | 'mod' | 'max', a: Expr, b: Expr): Expr => ({ k: 'bin', t: 'idx', op, a, b });

/** The narrowest vectors every renderer has (SSE, NEON, WASM SIMD128): 4 float32 lanes. */
const MIN_LANES = 4;

/**
 * The loop as vector loops of lanes, lanes/2, … 4 lanes (each takes what the wider one left,
 * at most one step after the first) and a scalar tail under 4 elements, or null to keep it.
 * A loop under `lanes` elements (resnet18's 7- and 14-element im2col rows at 16 lanes) starts
 * at the widest vector it holds; the tail is at most 3 scalar iterations instead of lanes - 1.
 */
function vectorize(s: For, lanes: number, fresh: () => string): Stmt[] | null {
  if (!s.hint?.vectorize || s.step !== 1 || !s.body.length) return null;
  const widths: number[] = [];
  for (let w = lanes; w >= Math.min(lanes, MIN_LANES); w /= 2) if (s.bound >= w) widths.push(w);
  if (!widths.length) return null; // not one whole vector
  const stores = s.body.filter((st): st is Store => st.k === 'store');
  if (stores.length !== s.body.length || (s.kind !== 'parallel' && !independent(stores))) return null;
  const bodies: Stmt[][] = [];
  for (const w of widths) {
    const vstores: Stmt[] = [];
    for (const st of stores) {
      const val = st.buf.dtype === 'float32' && unitStride(st.idx, s.v) ? vectorOf(st.val, s.v, w) : null;
      if (!val) return null;
      vstores.push({ k: 'vstore', buf: st.buf, idx: st.idx, val });
    }
    bodies.push(vstores);
  }
  // each vector loop runs while a whole vector fits (v < hi - (w - 1): a bound the verifier can
  // check the last lane against), so it ends at lo + w·floor((hi - lo) / w) (w divides the wider
  // widths, so that is also where the next narrower loop starts), where the scalar loop takes over
  const out: Stmt[] = [];
  const konst = s.lo.k === 'const' && s.hi.k === 'const', hiN = konst ? Number((s.hi as { v: number }).v) : 0;
  let from: Expr = s.lo, at = konst ? Number((s.lo as { v: number }).v) : 0, left = s.bound;
  widths.forEach((w, n) => {
    const trips = konst ? Math.floor((hiN - at) / w) : Math.floor(left / w);
    if (trips <= 0) return;
    let end: Expr, vhi: Expr;
    if (konst) {
      at += trips * w;
      vhi = end = idx(at);
    } else {
      const name = fresh();
      // max(lo, …): the same value, written so that the next loop's range is seen to start at lo
      out.push({ k: 'decl', name, t: 'idx', init: ibin('max', s.lo, ibin('sub', s.hi, ibin('mod', ibin('sub', s.hi, s.lo), idx(w)))) });
      end = { k: 'var', t: 'idx', name };
      vhi = ibin('sub', s.hi, idx(w - 1));
    }
    out.push({ k: 'for', v: s.v, lo: from, hi: vhi, step: w, body: bodies[n], kind: s.kind, bound: trips });
    left = Math.min(left, w - 1);
    from = end;
  });
  if (from === s.lo) return null;
  const { hint: _hint, ...scalar } = s;
  return konst && at >= hiN ? out : [...out, { ...scalar, lo: from, bound: left }];
}

function rewrite(body: Stmt[], lanes: number, fresh: () => string, hit: () => void): Stmt[] {
  return body.flatMap((s): Stmt[] => {
    if (s.k === 'for') {
      const v = vectorize(s, lanes, fresh);
      if (v) { hit(); return v; }
      return [{ ...s, body: rewrite(s.body, lanes, fresh, hit) }];
    }
    if (s.k === 'while') return [{ ...s, body: rewrite(s.body, lanes, fresh, hit) }];
    if (s.k === 'if') return [{ ...s, then: rewrite(s.then, lanes, fresh, hit), else: rewrite(s.else, lanes, fresh, hit) }];
    return [s];
  });
}

/** Vectorizes the hinted loops of every kernel over `lanes` float32 lanes (none when 0). */
export function vectorizeLoops(p: Program, lanes: number): void {
  if (!lanes) return;
  for (const st of p.steps) {
    let n = 0;
    let hits = 0;
    const body = rewrite(st.kernel.body, lanes, () => `vend${n++}_`, () => hits++);
    if (!hits) continue;
    st.kernel.body = body;
    // the new loops' kinds, as far as they can be proven on the rewritten code
    annotateLoops(body, (msg) => { throw new Error(`vectorizeLoops: ${st.kernel.name}: ${msg}`); });
  }
}
