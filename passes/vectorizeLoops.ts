// vectorizeLoops: rewrites loops hinted `vectorize` whose body is a float32 map that calls exp or
// erf (Sigmoid, Softmax's exponentials, Erf/Gelu…) or reads every other element (im2col of a
// stride-2 convolution) into vector IR plus a scalar tail. C compilers cannot vectorize libm
// calls without -ffast-math, and the WASM renderer's own SIMD takes unit strides only; with the
// vector IR every target uses its SIMD exp/erf (ir/mathfit.ts) and strided loads. Other loops
// are left to the backends (GCC/Clang vectorize them, the WASM renderer has SIMD for them).
// Runs when the target has vectors (ctx.target.lanes > 0).
import { BinOp, Expr, Program, Stmt, UnOp } from '../ir/kernel.js';
import { Store, independent, strideOf, unitStride } from '../ir/loops.js';
import { annotateLoops } from '../ir/loopKinds.js';
import { VBinOp, VExpr, VUnOp, vbin, vload, vsplat, vun } from '../ir/vector.js';

type For = Extract<Stmt, { k: 'for' }>;

const V_BIN: Partial<Record<BinOp, VBinOp>> = { add: 'add', sub: 'sub', mul: 'mul', div: 'div' };
const V_UN: Partial<Record<UnOp, VUnOp>> = { neg: 'neg', exp: 'exp', erf: 'erf' };
/** Ops worth rewriting a loop for: the ones a C compiler leaves scalar. */
const MATH = new Set<UnOp>(['exp', 'erf']);

/** The vector form of e for loop variable v, or null when e has no vector form. */
function vectorOf(e: Expr, v: string, lanes: number): VExpr | null {
  if (e.t !== 'f32') return null;
  switch (e.k) {
    case 'const': return vsplat(e, lanes);
    case 'var': return e.name === v ? null : vsplat(e, lanes);
    case 'load': {
      if (e.buf.dtype !== 'float32') return null;
      const stride = strideOf(e.idx, v);
      return stride === 0 ? vsplat(e, lanes) : stride === 1 || stride === 2 ? vload(e.buf, e.idx, lanes, stride) : null;
    }
    case 'un': {
      const op = V_UN[e.op], a = op && vectorOf(e.a, v, lanes);
      return a ? vun(op!, a) : null;
    }
    case 'bin': {
      const op = V_BIN[e.op], a = op && vectorOf(e.a, v, lanes), b = a && vectorOf(e.b, v, lanes);
      return b ? vbin(op!, a as VExpr, b) : null;
    }
    default: return null;
  }
}

/** Whether e calls exp/erf or loads every other element: what the backends leave scalar. */
const worthIt = (e: Expr, v: string): boolean =>
  (e.k === 'un' && (MATH.has(e.op) || worthIt(e.a, v))) || (e.k === 'bin' && (worthIt(e.a, v) || worthIt(e.b, v)))
  || (e.k === 'load' && strideOf(e.idx, v) === 2);

/** The loop as [vector end, vector loop, scalar tail], or null to keep it. */
function vectorize(s: For, lanes: number, fresh: () => string): Stmt[] | null {
  if (!s.hint?.vectorize || s.step !== 1 || !s.body.length) return null;
  if (s.lo.k === 'const' && s.hi.k === 'const' && Number(s.hi.v) - Number(s.lo.v) < lanes) return null;
  const stores = s.body.filter((st): st is Store => st.k === 'store');
  if (stores.length !== s.body.length || !stores.some((st) => worthIt(st.val, s.v)) || !independent(stores)) return null;
  const vstores: Stmt[] = [];
  for (const st of stores) {
    const val = st.buf.dtype === 'float32' && unitStride(st.idx, s.v) ? vectorOf(st.val, s.v, lanes) : null;
    if (!val) return null;
    vstores.push({ k: 'vstore', buf: st.buf, idx: st.idx, val });
  }
  // the vector loop ends at lo + lanes·floor((hi - lo) / lanes); the scalar loop does the rest
  let end: Expr, decl: Stmt[] = [];
  if (s.lo.k === 'const' && s.hi.k === 'const') {
    const lo = Number(s.lo.v), hi = Number(s.hi.v);
    end = { k: 'const', t: 'idx', v: lo + Math.floor((hi - lo) / lanes) * lanes };
  } else {
    const name = fresh();
    const span: Expr = { k: 'bin', t: 'idx', op: 'sub', a: s.hi, b: s.lo };
    decl = [{ k: 'decl', name, t: 'idx', init: { k: 'bin', t: 'idx', op: 'sub', a: s.hi, b: { k: 'bin', t: 'idx', op: 'mod', a: span, b: { k: 'const', t: 'idx', v: lanes } } } }];
    end = { k: 'var', t: 'idx', name };
  }
  const { hint: _hint, ...scalar } = s;
  const tail: Stmt[] = end.k === 'const' && s.hi.k === 'const' && Number(end.v) >= Number(s.hi.v) ? [] : [{ ...scalar, lo: end, bound: Math.min(s.bound, lanes - 1) }];
  return [...decl, { k: 'for', v: s.v, lo: s.lo, hi: end, step: lanes, body: vstores, kind: s.kind, bound: Math.floor(s.bound / lanes) }, ...tail];
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
