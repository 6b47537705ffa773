// Accuracy of the generated math library (codegen/wasm/mathlib.ts) against the JS Math
// functions, in float64: relative error bounds per function over sampled arguments,
// plus the special values C99 Annex F fixes (NaN, infinities, signed zeros).
import { describe, expect, it } from 'vitest';
import { WasmModule } from '../../dist/codegen/wasm/binaryen.js';
import { Fn } from '../../dist/codegen/wasm/fn.js';
import { Runtime } from '../../dist/codegen/wasm/runtime.js';
import '../../dist/codegen/wasm/render.js';
import { R } from '../../dist/codegen/js/runtime.js';

const UNARY = ['exp', 'log', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'erf'];
const BINARY = ['pow', 'atan2', 'fmod'];

function build(): Record<string, (...a: number[]) => number> {
  const w = new WasmModule();
  const rt = new Runtime(w, 64);
  for (const n of UNARY) {
    const f = new Fn(w, `t_${n}`, [['x', 'f64']], 'f64');
    f.finish([], rt.call(n, [f.get('x')]));
    w.exportFunction(`t_${n}`, n);
  }
  for (const n of BINARY) {
    const f = new Fn(w, `t_${n}`, [['x', 'f64'], ['y', 'f64']], 'f64');
    f.finish([], rt.call(n, [f.get('x'), f.get('y')]));
    w.exportFunction(`t_${n}`, n);
  }
  w.setMemory(1, []);
  const bytes = w.finish(2);
  w.dispose();
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as never;
}

const lib = build();
const ref: Record<string, (...a: number[]) => number> = {
  exp: Math.exp, log: Math.log, sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan,
  sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh, asinh: Math.asinh, acosh: Math.acosh, atanh: Math.atanh, erf: R.erf,
  pow: Math.pow, atan2: Math.atan2, fmod: (a, b) => a % b,
};
const DOMAIN: Record<string, [number, number]> = {
  exp: [-700, 700], log: [1e-300, 1e300], sin: [-100, 100], cos: [-100, 100], tan: [-10, 10], asin: [-1, 1], acos: [-1, 1],
  atan: [-1e6, 1e6], sinh: [-700, 700], cosh: [-700, 700], tanh: [-30, 30], asinh: [-1e10, 1e10], acosh: [1, 1e10],
  atanh: [-0.999999, 0.999999], erf: [-7, 7],
};

function samples(lo: number, hi: number, n = 4000): number[] {
  const out: number[] = [];
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < n; i++) {
    const u = rnd();
    // log-uniform for wide positive ranges, uniform otherwise; plus small magnitudes
    out.push(lo > 0 && hi / lo > 1e6 ? lo * (hi / lo) ** u : lo + (hi - lo) * u);
    if (i % 4 === 0) out.push((u - 0.5) * 1e-3 * (lo < 0 ? 1 : 0) + (lo < 0 ? 0 : lo));
  }
  return out;
}

const relErr = (a: number, e: number) => (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)) ? 0 : e === 0 ? Math.abs(a) : Math.abs(a - e) / Math.abs(e));

/** C99 Annex F pow from Math.pow: C defines pow(1, y) = 1 and pow(-1, ±inf) = 1, where JS gives NaN. */
const c99pow = (x: number, y: number) => (x === 1 || (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) ? 1 : Math.pow(x, y));

/**
 * Tolerance of pow(x, y): (2 + |y| + |y·ln|x||) ulp of the result — squaring for |y| <= 64 loses
 * up to one ulp per unit of |y|, exp(y log x) one per unit of the rounded exponent — and never
 * less than one subnormal step (2^-1074). Signs, zeros, infinities and NaN must match exactly.
 */
function powMismatch(x: number, y: number, got: number, want: number): string | null {
  if (Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want))) return null;
  const where = `pow(${x}, ${y}) = ${got}, expected ${want}`;
  if (!Number.isFinite(got) || !Number.isFinite(want) || got === 0 || want === 0 || Math.sign(got) !== Math.sign(want)) return where;
  const tol = Math.max((2 + Math.abs(y) + Math.abs(y * Math.log(Math.abs(x)))) * 2 ** -52 * Math.abs(want), 2 ** -1074);
  return Math.abs(got - want) <= tol ? null : `${where} (|diff| ${Math.abs(got - want)} > ${tol})`;
}

describe('wasm math library', () => {
  for (const n of UNARY) it(`${n} is accurate in float64`, () => {
    let worst = 0, at = 0;
    for (const x of samples(...DOMAIN[n])) {
      const e = relErr(lib[n](x), ref[n](x));
      if (e > worst) { worst = e; at = x; }
    }
    expect(worst, `${n}(${at}) = ${lib[n](at)}, expected ${ref[n](at)}`).toBeLessThan(2e-14);
  });

  it('atan2 and fmod are accurate in float64', () => {
    const xs = samples(-50, 50, 600), ys = samples(-8, 8, 600);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i], y = ys[(i * 7) % ys.length];
      expect(relErr(lib.atan2(x, y), Math.atan2(x, y))).toBeLessThan(1e-14);
      expect(lib.fmod(x, y)).toBe(x % y);
      expect(lib.fmod(x * 1e200, y)).toBe((x * 1e200) % y);
    }
  });

  it('pow agrees with Math.pow within (2 + |y| + |y ln|x||) ulp on sampled bases and exponents', () => {
    let s = 777;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    let n = 0;
    for (let i = 0; i < 20000; i++) {
      const neg = rnd() < 0.3;
      const x = 10 ** (rnd() * 40 - 20) * (neg ? -1 : 1);
      // negative bases only with integer exponents; both sides of the |y| <= 64 squaring path
      const y = neg || rnd() < 0.4 ? Math.round(rnd() * 260 - 130) : (rnd() * 60 - 30) * (rnd() < 0.1 ? 10 : 1);
      const e = Math.pow(x, y);
      if (Math.abs(e) > Number.MAX_VALUE / 2) continue; // at the overflow edge, see the special values
      const why = powMismatch(x, y, lib.pow(x, y), e);
      expect(why, why ?? '').toBeNull();
      n++;
    }
    expect(n).toBeGreaterThan(15000);
  });

  it('pow special values: C99 Annex F, negative bases, zeros, infinities, NaN, subnormals', () => {
    const exact: [number, number, number][] = [
      // negative bases, integer exponents: the sign follows the exponent's parity
      [-2, 3, -8], [-2, 4, 16], [-2, -3, -0.125], [-2, -4, 0.0625], [-2, 63, -(2 ** 63)], [-0.5, -5, -32],
      [-3, 0, 1], [-1, 1e300, 1], [-1, 1e300 + 2 ** 970, 1],
      // negative finite base, non-integer exponent: NaN
      [-8, 1 / 3, NaN], [-2, 0.5, NaN], [-1e-300, 100.5, NaN],
      // zero bases: 0^negative is a pole, signed for odd integers
      [0, -1, Infinity], [-0, -1, -Infinity], [-0, -3, -Infinity], [-0, -2, Infinity], [0, -0.5, Infinity], [-0, -0.5, Infinity],
      [-0, -101, -Infinity], [0, -1e300, Infinity], [-0, -Infinity, Infinity], [0, 3, 0], [-0, 3, -0], [-0, 2, 0], [-0, 101, -0], [0, 0.5, 0],
      // infinite base or exponent
      [Infinity, 2, Infinity], [Infinity, -2, 0], [-Infinity, 3, -Infinity], [-Infinity, -3, -0], [-Infinity, 2, Infinity],
      [-Infinity, 0.5, Infinity], [-Infinity, -0.5, 0], [-Infinity, 101, -Infinity], [0.5, Infinity, 0], [0.5, -Infinity, Infinity],
      [2, Infinity, Infinity], [2, -Infinity, 0], [-1, Infinity, 1], [-1, -Infinity, 1], [1, Infinity, 1], [-3, Infinity, Infinity],
      // NaN: pow(x, ±0) = 1 and pow(1, y) = 1 even for NaN (C, unlike Math.pow); otherwise NaN
      [NaN, 0, 1], [NaN, -0, 1], [1, NaN, 1], [NaN, 1, NaN], [2, NaN, NaN], [-1, NaN, NaN], [NaN, Infinity, NaN],
      // overflow and underflow
      [10, 309, Infinity], [-10, 309, -Infinity], [10, -400, 0], [-10, -401, -0], [2, 1025, Infinity], [0.5, 1075, 0],
    ];
    for (const [x, y, e] of exact) expect(lib.pow(x, y), `pow(${x}, ${y})`).toBe(e);
    expect(Math.pow(1, NaN)).toBeNaN(); // the reason for c99pow below
    // within tolerance: odd exponents beyond the squaring path, subnormal arguments and results
    const near: [number, number][] = [
      [-2, 101], [-2, 1023], [-3, -99], [-1.0000001, 1e9 + 1],
      [2, -1074], [2, -1070], [0.5, 1074], [1e5, -64], [1e-5, 64], [-1e5, -63], [1e-160, 2], [5e-324, 1], [5e-324, 0.5],
      [1e-310, 1], [-1e-310, 1], [1e-310, -1], [4e-320, -0.25], [2.2250738585072014e-308, 1.001], [3e-308, 1.0001], [1e-300, 1.05],
    ];
    for (const [x, y] of near) {
      const why = powMismatch(x, y, lib.pow(x, y), c99pow(x, y));
      expect(why, why ?? '').toBeNull();
    }
    // the exp(y log x) path rounds y·log x: results within its tolerance of DBL_MAX may land either side
    expect(lib.pow(2, 1024) === Infinity || lib.pow(2, 1024) >= Number.MAX_VALUE * (1 - 1100 * 2 ** -52)).toBe(true);
  });

  it('handles special values like C', () => {
    const cases: [string, number[], number][] = [
      ['exp', [NaN], NaN], ['exp', [Infinity], Infinity], ['exp', [-Infinity], 0], ['exp', [1000], Infinity], ['exp', [-1000], 0],
      ['log', [0], -Infinity], ['log', [-1], NaN], ['log', [Infinity], Infinity], ['log', [5e-324], Math.log(5e-324)],
      ['sin', [Infinity], NaN], ['cos', [NaN], NaN], ['tanh', [Infinity], 1], ['tanh', [-Infinity], -1], ['tanh', [-0], -0],
      ['asin', [2], NaN], ['acos', [-1], Math.PI], ['atan', [Infinity], Math.PI / 2], ['atanh', [1], Infinity], ['acosh', [0.5], NaN],
      ['erf', [Infinity], 1], ['erf', [-Infinity], -1], ['erf', [-0], -0], ['sinh', [-Infinity], -Infinity], ['cosh', [-Infinity], Infinity],
      ['atan2', [0, -0], Math.PI], ['atan2', [-0, -0], -Math.PI], ['atan2', [Infinity, -Infinity], 3 * Math.PI / 4], ['atan2', [1, 0], Math.PI / 2],
      ['fmod', [5, 0], NaN], ['fmod', [Infinity, 2], NaN], ['fmod', [-5.5, 2], -1.5], ['fmod', [3, Infinity], 3], ['fmod', [-0, 1], -0],
    ];
    for (const [n, args, e] of cases) expect(lib[n](...args), `${n}(${args})`).toBe(e);
  });
});
