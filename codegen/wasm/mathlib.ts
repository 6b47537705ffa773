// The libm functions C code gets from <math.h>, generated into the module in float64 (the
// float32 kernels call them through promote/demote). Own implementations: Cody–Waite range
// reduction plus Taylor/atanh series, exact shift-and-subtract fmod, series / continued
// fraction erf. Accuracy is a few ulp in float64 for ordinary arguments.
import { Ref } from './binaryen.js';
import { Fn, ops } from './fn.js';
import { Runtime, defineRuntime } from './runtime.js';

const PI = Math.PI;
// ln2 and pi/2 split so that k*HI is exact for the reduction multiples used here
const LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10;
const PIO2_1 = 1.57079632673412561417e+00, PIO2_2 = 6.07710050630396597660e-11, PIO2_3 = 2.02226624871116645580e-21;
const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

type Body = (f: Fn, rt: Runtime) => { body: Ref[]; value?: Ref };
const unary = (name: string, build: Body) => defineRuntime(name, { params: [['x', 'f64']], result: 'f64', build });
const binary = (name: string, build: Body) => defineRuntime(name, { params: [['x', 'f64'], ['y', 'f64']], result: 'f64', build });

/** Shared helpers for definitions: D = f64 ops, I = i32 ops, L = i64 ops, x() reads param x. */
function kit(f: Fn) {
  const w = f.w, D = ops(w, 'f64'), I = ops(w, 'i32'), L = ops(w, 'i64');
  const x = () => f.get('x'), y = () => f.get('y');
  const when = (c: Ref, ...then: Ref[]) => w.if(c, then.length === 1 ? then[0] : w.block(null, then));
  const ret = (v: Ref) => w.ret(v);
  const isnan = (v: Ref, v2: Ref) => D.ne(v, v2);
  const signbit = (v: Ref) => L.lt(w.op('i64', 'reinterpret', v), L.k(0));
  /** 2^k for an i32 k in [-1022, 1023]. */
  const pow2 = (k: Ref) => w.op('f64', 'reinterpret', L.shl(w.op('i64', 'extend_s', I.add(k, I.k(1023))), L.k(52)));
  const v = (name: string) => f.local('f64', name);
  return { w, D, I, L, x, y, when, ret, isnan, signbit, pow2, v };
}

unary('exp', (f) => {
  const { w, D, I, x, when, ret, isnan, pow2 } = kit(f);
  const k = f.local('f64'), r = f.local('f64'), ki = f.local('i32'), h = f.local('i32');
  const R = () => f.get(r);
  return {
    body: [
      when(isnan(x(), x()), ret(x())),
      when(D.gt(x(), D.k(709.782712893384)), ret(D.k(Infinity))),
      when(D.lt(x(), D.k(-745.1332191019412)), ret(D.k(0))),
      f.set(k, D.nearest(D.mul(x(), D.k(1 / Math.LN2)))),
      f.set(r, D.sub(D.sub(x(), D.mul(f.get(k), D.k(LN2_HI))), D.mul(f.get(k), D.k(LN2_LO)))),
      f.set(ki, w.op('i32', 'trunc_s_sat.f64', f.get(k))),
      f.set(h, I.shr_s(f.get(ki), I.k(1))),
    ],
    // e^r * 2^h * 2^(k-h): two factors keep subnormal and near-overflow results representable
    value: D.mul(D.mul(D.poly(R, range(0, 13).map((n) => 1 / fact(n))), pow2(f.get(h))), pow2(I.sub(f.get(ki), f.get(h)))),
  };
});

unary('expm1', (f, rt) => {
  const { w, D, x } = kit(f);
  return {
    body: [],
    value: w.if(D.lt(D.abs(x()), D.k(0.5)), D.mul(x(), D.poly(x, range(1, 18).map((n) => 1 / fact(n)))),
      D.sub(rt.call('exp', [x()]), D.k(1))),
  };
});

unary('log', (f) => {
  const { w, D, I, L, x, when, ret, isnan } = kit(f);
  const e = f.local('i32'), bits = f.local('i64'), m = f.local('f64'), fr = f.local('f64'), s = f.local('f64'), z = f.local('f64'), hf = f.local('f64');
  const S = () => f.get(s), Z = () => f.get(z), F = () => f.get(fr), E = () => w.op('f64', 'convert_s.i32', f.get(e));
  const series = D.mul(Z(), D.poly(Z, range(1, 13).map((n) => 2 / (2 * n + 1)))); // 2atanh(s) = 2s + s*series
  return {
    body: [
      when(isnan(x(), x()), ret(x())),
      when(D.lt(x(), D.k(0)), ret(D.k(NaN))),
      when(D.eq(x(), D.k(0)), ret(D.k(-Infinity))),
      when(D.eq(x(), D.k(Infinity)), ret(x())),
      when(D.lt(x(), D.k(2.2250738585072014e-308)), f.set('x', D.mul(x(), D.k(2 ** 54))), f.set(e, I.k(-54))),
      f.set(bits, w.op('i64', 'reinterpret', x())),
      f.set(e, I.add(f.get(e), I.sub(w.op('i32', 'wrap', L.and(L.shr_u(f.get(bits), L.k(52)), L.k(0x7ff))), I.k(1023)))),
      f.set(m, w.op('f64', 'reinterpret', L.or(L.and(f.get(bits), L.k(0x000fffffffffffffn)), L.k(0x3ff0000000000000n)))),
      when(D.gt(f.get(m), D.k(Math.SQRT2)), f.set(m, D.mul(f.get(m), D.k(0.5))), f.set(e, I.add(f.get(e), I.k(1)))),
      f.set(fr, D.sub(f.get(m), D.k(1))),
      f.set(s, D.div(F(), D.add(D.k(2), F()))),
      f.set(z, D.mul(S(), S())),
      f.set(hf, D.mul(D.k(0.5), D.mul(F(), F()))),
    ],
    // log(1+f) = f - (hf - s*(hf + series)); plus e*ln2 in two parts
    value: D.add(D.mul(E(), D.k(LN2_HI)),
      D.sub(F(), D.sub(f.get(hf), D.add(D.mul(S(), D.add(f.get(hf), series)), D.mul(E(), D.k(LN2_LO)))))),
  };
});

unary('log1p', (f, rt) => {
  const { D, x, when, ret } = kit(f);
  const u = f.local('f64');
  return {
    body: [
      when(D.eq(x(), D.k(Infinity)), ret(x())),
      f.set(u, D.add(D.k(1), x())),
      when(D.eq(f.get(u), D.k(1)), ret(x())),
      when(D.le(f.get(u), D.k(0)), ret(rt.call('log', [f.get(u)]))),
    ],
    value: D.mul(rt.call('log', [f.get(u)]), D.div(x(), D.sub(f.get(u), D.k(1)))),
  };
});

// sin/cos/tan share the reduction x = k*pi/2 + r, |r| <= pi/4
const sinPoly = range(0, 9).map((n) => (n % 2 ? -1 : 1) / fact(2 * n + 1));
const cosPoly = range(0, 10).map((n) => (n % 2 ? -1 : 1) / fact(2 * n));
defineRuntime('trig', {
  // which: 0 sin, 1 cos, 2 tan
  params: [['x', 'f64'], ['which', 'i32']], result: 'f64',
  build(f) {
    const { w, D, I, x } = kit(f);
    const k = f.local('f64'), r = f.local('f64'), z = f.local('f64'), q = f.local('i32'), s = f.local('f64'), c = f.local('f64');
    const R = () => f.get(r), Z = () => f.get(z);
    const sel = (v: number, a: Ref, b: Ref) => w.if(I.eq(I.and(f.get(q), I.k(3)), I.k(v)), a, b);
    return {
      body: [
        f.set(k, D.nearest(D.mul(x(), D.k(2 / PI)))),
        f.set(r, D.sub(D.sub(D.sub(x(), D.mul(f.get(k), D.k(PIO2_1))), D.mul(f.get(k), D.k(PIO2_2))), D.mul(f.get(k), D.k(PIO2_3)))),
        f.set(z, D.mul(R(), R())),
        f.set(q, w.op('i32', 'wrap', w.op('i64', 'trunc_s_sat.f64', f.get(k)))),
        f.set(s, D.mul(R(), D.poly(Z, sinPoly))),
        f.set(c, D.poly(Z, cosPoly)),
        w.if(I.eq(f.get('which'), I.k(2)), w.ret(w.if(I.and(f.get(q), I.k(1)), D.neg(D.div(f.get(c), f.get(s))), D.div(f.get(s), f.get(c))))),
        f.set(q, I.add(f.get(q), f.get('which'))),
      ],
      value: sel(0, f.get(s), sel(1, f.get(c), sel(2, D.neg(f.get(s)), D.neg(f.get(c))))),
    };
  },
});
for (const [name, which] of [['sin', 0], ['cos', 1], ['tan', 2]] as const)
  unary(name, (f, rt) => ({ body: [], value: rt.call('trig', [f.get('x'), f.w.c('i32', which)]) }));

unary('atan', (f) => {
  const { w, D, I, x } = kit(f);
  const a = f.local('f64'), off = f.local('f64'), inv = f.local('i32'), z = f.local('f64'), r = f.local('f64');
  const A = () => f.get(a), Z = () => f.get(z), S3 = Math.sqrt(3);
  return {
    body: [
      f.set(a, D.abs(x())),
      w.if(D.gt(A(), D.k(1)), w.block(null, [f.set(a, D.div(D.k(1), A())), f.set(inv, I.k(1))])),
      w.if(D.gt(A(), D.k(0.2679491924311227)), w.block(null, [
        f.set(a, D.div(D.sub(D.mul(A(), D.k(S3)), D.k(1)), D.add(D.k(S3), A()))), f.set(off, D.k(PI / 6))])),
      f.set(z, D.mul(A(), A())),
      f.set(r, D.add(f.get(off), D.add(A(), D.mul(A(), D.mul(Z(), D.poly(Z, range(1, 15).map((n) => (n % 2 ? -1 : 1) / (2 * n + 1)))))))),
      w.if(f.get(inv), f.set(r, D.sub(D.k(PI / 2), f.get(r)))),
    ],
    value: w.if(D.ne(x(), x()), x(), D.copysign(f.get(r), x())),
  };
});

unary('asin', (f, rt) => {
  const { D, x } = kit(f);
  return { body: [], value: rt.call('atan', [D.div(x(), D.sqrt(D.mul(D.sub(D.k(1), x()), D.add(D.k(1), x()))))]) };
});
unary('acos', (f, rt) => {
  const { D, x } = kit(f);
  return { body: [], value: D.mul(D.k(2), rt.call('atan', [D.sqrt(D.div(D.sub(D.k(1), x()), D.add(D.k(1), x())))])) };
});

binary('atan2', (f, rt) => {
  const { w, D, x, y, when, ret, isnan, signbit } = kit(f);
  // C's atan2(a, b): here param x is a (the ordinate) and param y is b (the abscissa)
  const ax = f.local('f64'), ay = f.local('f64'), r = f.local('f64');
  const AX = () => f.get(ax), AY = () => f.get(ay), neg = () => signbit(y());
  return {
    body: [
      when(w.op('i32', 'or', isnan(x(), x()), isnan(y(), y())), ret(D.add(x(), y()))),
      f.set(ay, D.abs(x())), f.set(ax, D.abs(y())),
      w.if(w.op('i32', 'and', D.eq(AY(), D.k(Infinity)), D.eq(AX(), D.k(Infinity))),
        f.set(r, w.if(neg(), D.k(3 * PI / 4), D.k(PI / 4))),
        w.if(w.op('i32', 'and', D.eq(AY(), D.k(0)), D.eq(AX(), D.k(0))),
          f.set(r, w.if(neg(), D.k(PI), D.k(0))),
          w.block(null, [f.set(r, rt.call('atan', [D.div(AY(), AX())])), w.if(neg(), f.set(r, D.sub(D.k(PI), f.get(r))))]))),
    ],
    value: D.copysign(f.get(r), x()),
  };
});

// hyperbolic functions from exp/expm1/log1p
unary('sinh', (f, rt) => {
  const { w, D, x } = kit(f);
  const a = f.local('f64'), e = f.local('f64'), h = f.local('f64');
  return {
    body: [f.set(a, D.abs(x())),
      w.if(D.lt(f.get(a), D.k(22)),
        w.block(null, [f.set(e, rt.call('expm1', [f.get(a)])), f.set(h, D.mul(D.k(0.5), D.add(f.get(e), D.div(f.get(e), D.add(f.get(e), D.k(1))))))]),
        w.block(null, [f.set(e, rt.call('exp', [D.mul(D.k(0.5), f.get(a))])), f.set(h, D.mul(D.mul(D.k(0.5), f.get(e)), f.get(e)))]))],
    value: D.copysign(f.get(h), x()),
  };
});
unary('cosh', (f, rt) => {
  const { w, D, x } = kit(f);
  const a = f.local('f64'), e = f.local('f64');
  return {
    body: [f.set(a, D.abs(x()))],
    value: w.if(D.lt(f.get(a), D.k(22)),
      w.block(null, [f.set(e, rt.call('exp', [f.get(a)])), D.mul(D.k(0.5), D.add(f.get(e), D.div(D.k(1), f.get(e))))], 'f64'),
      w.block(null, [f.set(e, rt.call('exp', [D.mul(D.k(0.5), f.get(a))])), D.mul(D.mul(D.k(0.5), f.get(e)), f.get(e))], 'f64')),
  };
});
unary('tanh', (f, rt) => {
  const { w, D, x } = kit(f);
  const e = f.local('f64');
  return {
    body: [],
    value: D.copysign(w.if(D.gt(D.abs(x()), D.k(22)), D.k(1),
      w.block(null, [f.set(e, rt.call('expm1', [D.mul(D.k(2), D.abs(x()))])), D.div(f.get(e), D.add(f.get(e), D.k(2)))], 'f64')), x()),
  };
});
unary('asinh', (f, rt) => {
  const { w, D, x } = kit(f);
  const a = f.local('f64'), A = () => f.get(a);
  return {
    body: [f.set(a, D.abs(x()))],
    value: D.copysign(w.if(D.gt(A(), D.k(1e8)), D.add(rt.call('log', [A()]), D.k(Math.LN2)),
      rt.call('log1p', [D.add(A(), D.div(D.mul(A(), A()), D.add(D.k(1), D.sqrt(D.add(D.k(1), D.mul(A(), A()))))))])), x()),
  };
});
unary('acosh', (f, rt) => {
  const { w, D, x } = kit(f);
  const t = f.local('f64'), T = () => f.get(t);
  return {
    body: [f.set(t, D.sub(x(), D.k(1)))],
    value: w.if(D.gt(x(), D.k(1e8)), D.add(rt.call('log', [x()]), D.k(Math.LN2)),
      rt.call('log1p', [D.add(T(), D.sqrt(D.add(D.mul(D.k(2), T()), D.mul(T(), T()))))])),
  };
});
unary('atanh', (f, rt) => {
  const { D, x } = kit(f);
  const a = () => D.abs(x());
  return { body: [], value: D.copysign(D.mul(D.k(0.5), rt.call('log1p', [D.div(D.mul(D.k(2), a()), D.sub(D.k(1), a()))])), x()) };
});

unary('erf', (f, rt) => {
  const { w, D, x, when, ret, isnan } = kit(f);
  const a = f.local('f64'), t2 = f.local('f64'), term = f.local('f64'), sum = f.local('f64'), n = f.local('f64'), cf = f.local('f64');
  const A = () => f.get(a), ea2 = () => rt.call('exp', [D.neg(D.mul(A(), A()))]);
  const cont = f.label('series');
  // erf(a) = 2/sqrt(pi) e^(-a^2) sum_n (2a^2)^n a / (1*3*...*(2n+1)): positive terms, no cancellation
  const series = [
    f.set(t2, D.mul(D.k(2), D.mul(A(), A()))), f.set(term, A()), f.set(sum, A()), f.set(n, D.k(1)),
    w.loop(cont, w.block(null, [
      f.set(term, D.div(D.mul(f.get(term), f.get(t2)), D.add(D.mul(D.k(2), f.get(n)), D.k(1)))),
      f.set(sum, D.add(f.get(sum), f.get(term))), f.set(n, D.add(f.get(n), D.k(1))),
      w.br(cont, w.op('i32', 'and', D.gt(f.get(term), D.mul(f.get(sum), D.k(1e-17))), D.lt(f.get(n), D.k(500)))),
    ])),
    ret(D.copysign(D.mul(D.mul(D.k(2 / Math.sqrt(PI)), ea2()), f.get(sum)), x())),
  ];
  // erfc(a) = e^(-a^2)/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated backwards
  const frac: Ref[] = [f.set(cf, A())];
  for (let k = 60; k >= 1; k--) frac.push(f.set(cf, D.add(A(), D.div(D.k(k / 2), f.get(cf)))));
  return {
    body: [
      when(isnan(x(), x()), ret(x())),
      f.set(a, D.abs(x())),
      when(D.ge(A(), D.k(6)), ret(D.copysign(D.k(1), x()))),
      when(D.lt(A(), D.k(3)), ...series),
      ...frac,
    ],
    value: D.copysign(D.sub(D.k(1), D.div(ea2(), D.mul(D.k(Math.sqrt(PI)), f.get(cf)))), x()),
  };
});

defineRuntime('powi', {
  params: [['x', 'f64'], ['n', 'i32']], result: 'f64',
  build(f) {
    const { w, D, I } = kit(f);
    const r = f.local('f64'), b = f.local('f64'), m = f.local('i32');
    return {
      body: [
        f.set(r, D.k(1)), f.set(b, f.get('x')), f.set(m, w.if(I.lt(f.get('n'), I.k(0)), I.sub(I.k(0), f.get('n')), f.get('n'))),
        f.whileLoop(() => f.get(m), [
          w.if(I.and(f.get(m), I.k(1)), f.set(r, D.mul(f.get(r), f.get(b)))),
          f.set(b, D.mul(f.get(b), f.get(b))), f.set(m, I.shr_u(f.get(m), I.k(1)))]),
      ],
      value: w.if(I.lt(f.get('n'), I.k(0)), D.div(D.k(1), f.get(r)), f.get(r)),
    };
  },
});

binary('pow', (f, rt) => {
  const { w, D, x, y, when, ret, isnan, signbit } = kit(f);
  const yi = f.local('i32'), r = f.local('f64'), ax = f.local('f64');
  const and = (a: Ref, b: Ref) => w.op('i32', 'and', a, b);
  return {
    body: [
      when(D.eq(y(), D.k(0)), ret(D.k(1))),
      when(D.eq(x(), D.k(1)), ret(D.k(1))),
      when(w.op('i32', 'or', isnan(x(), x()), isnan(y(), y())), ret(D.add(x(), y()))),
      f.set(ax, D.abs(x())),
      when(D.eq(D.abs(y()), D.k(Infinity)), ret(w.if(D.eq(f.get(ax), D.k(1)), D.k(1),
        w.if(w.op('i32', 'eq', D.lt(f.get(ax), D.k(1)), D.gt(y(), D.k(0))), D.k(0), D.k(Infinity))))),
      f.set(yi, D.eq(D.trunc(y()), y())),
      // small integer exponents by squaring; a result that over- or underflowed there (1e5^-64:
      // 1/inf = 0, the true value is subnormal) is redone by exp(y log x) below
      when(and(f.get(yi), D.le(D.abs(y()), D.k(64))),
        f.set(r, rt.call('powi', [x(), w.op('i32', 'trunc_s_sat.f64', y())])),
        when(and(D.ne(f.get(r), D.k(0)), D.ne(D.abs(f.get(r)), D.k(Infinity))), ret(f.get(r)))),
      when(and(w.op('i32', 'eqz', f.get(yi)), and(D.lt(x(), D.k(0)), D.gt(x(), D.k(-Infinity)))), ret(D.k(NaN))),
      f.set(r, rt.call('exp', [D.mul(y(), rt.call('log', [f.get(ax)]))])),
      // odd integer exponent of a negative base flips the sign
      when(and(and(signbit(x()), f.get(yi)), D.ne(D.trunc(D.mul(y(), D.k(0.5))), D.mul(y(), D.k(0.5)))), f.set(r, D.neg(f.get(r)))),
    ],
    value: f.get(r),
  };
});

binary('fmod', (f) => {
  const { w, D, x, y, when, ret, isnan } = kit(f);
  const r = f.local('f64'), t = f.local('f64'), ay = f.local('f64');
  const R = () => f.get(r), T = () => f.get(t);
  return {
    body: [
      when(w.op('i32', 'or', w.op('i32', 'or', isnan(x(), x()), isnan(y(), y())), w.op('i32', 'or', D.eq(y(), D.k(0)), D.eq(D.abs(x()), D.k(Infinity)))), ret(D.k(NaN))),
      f.set(r, D.abs(x())), f.set(ay, D.abs(y())),
      when(D.lt(R(), f.get(ay)), ret(x())),
      // exact: subtract ay*2^j for j from high to low (each difference is exact by Sterbenz)
      f.set(t, f.get(ay)),
      f.whileLoop(() => D.le(D.mul(T(), D.k(2)), R()), [f.set(t, D.mul(T(), D.k(2)))]),
      f.whileLoop(() => D.ge(T(), f.get(ay)), [w.if(D.ge(R(), T()), f.set(r, D.sub(R(), T()))), f.set(t, D.mul(T(), D.k(0.5)))]),
    ],
    value: D.copysign(R(), x()),
  };
});
