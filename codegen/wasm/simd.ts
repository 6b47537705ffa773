// Four-lane (f32x4) code for the vector math functions of the kernel IR (ir/vector.ts: exp,
// erf), also called by scalar float32 code as the runtime's `expf`/`erff`. Which loops become
// vector code is decided once, by passes/vectorizeLoops.ts; codegen/wasm/render.ts renders it.
import { UnOp } from '../../ir/kernel.js';
import { ERF_CLAMP, ERF_P, ERF_Q, EXP_HI, EXP_LN2_HI, EXP_LN2_LO, EXP_LO, EXP_LOG2E, EXP_POLY } from '../../ir/mathfit.js';
import { Ref } from './binaryen.js';
import { Fn } from './fn.js';
import { defineRuntime } from './runtime.js';

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
