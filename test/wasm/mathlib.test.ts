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

describe('wasm math library', () => {
  for (const n of UNARY) it(`${n} is accurate in float64`, () => {
    let worst = 0, at = 0;
    for (const x of samples(...DOMAIN[n])) {
      const e = relErr(lib[n](x), ref[n](x));
      if (e > worst) { worst = e; at = x; }
    }
    expect(worst, `${n}(${at}) = ${lib[n](at)}, expected ${ref[n](at)}`).toBeLessThan(2e-14);
  });

  it('pow, atan2 and fmod are accurate in float64', () => {
    const xs = samples(-50, 50, 600), ys = samples(-8, 8, 600);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i], y = ys[(i * 7) % ys.length];
      expect(relErr(lib.atan2(x, y), Math.atan2(x, y))).toBeLessThan(1e-14);
      expect(lib.fmod(x, y)).toBe(x % y);
      expect(lib.fmod(x * 1e200, y)).toBe((x * 1e200) % y);
      const px = Math.abs(x);
      expect(relErr(lib.pow(px, y), px ** y), `pow(${px}, ${y})`).toBeLessThan(1e-13);
      expect(lib.pow(x, Math.round(y))).toBe(x ** Math.round(y) === 0 ? x ** Math.round(y) : lib.pow(x, Math.round(y)));
    }
    for (let k = -10; k <= 10; k++) expect(lib.pow(2, k)).toBe(2 ** k);
    // beyond |y| = 64 pow goes through exp(y log x): a few ulp per unit of |y log x|
    expect(relErr(lib.pow(-2, 101), -(2 ** 101))).toBeLessThan(1e-14);
    expect(lib.pow(10, 15)).toBe(1e15);
  });

  it('handles special values like C', () => {
    const cases: [string, number[], number][] = [
      ['exp', [NaN], NaN], ['exp', [Infinity], Infinity], ['exp', [-Infinity], 0], ['exp', [1000], Infinity], ['exp', [-1000], 0],
      ['log', [0], -Infinity], ['log', [-1], NaN], ['log', [Infinity], Infinity], ['log', [5e-324], Math.log(5e-324)],
      ['sin', [Infinity], NaN], ['cos', [NaN], NaN], ['tanh', [Infinity], 1], ['tanh', [-Infinity], -1], ['tanh', [-0], -0],
      ['asin', [2], NaN], ['acos', [-1], Math.PI], ['atan', [Infinity], Math.PI / 2], ['atanh', [1], Infinity], ['acosh', [0.5], NaN],
      ['erf', [Infinity], 1], ['erf', [-Infinity], -1], ['erf', [-0], -0], ['sinh', [-Infinity], -Infinity], ['cosh', [-Infinity], Infinity],
      ['pow', [NaN, 0], 1], ['pow', [1, NaN], 1], ['pow', [-8, 1 / 3], NaN], ['pow', [-0, -3], -Infinity], ['pow', [0, -2], Infinity],
      ['pow', [-2, 3], -8], ['pow', [-Infinity, 3], -Infinity], ['pow', [-Infinity, 0.5], Infinity], ['pow', [0.5, Infinity], 0],
      ['pow', [2, -Infinity], 0], ['pow', [-1, Infinity], 1], ['pow', [-2, 63], -(2 ** 63)],
      ['atan2', [0, -0], Math.PI], ['atan2', [-0, -0], -Math.PI], ['atan2', [Infinity, -Infinity], 3 * Math.PI / 4], ['atan2', [1, 0], Math.PI / 2],
      ['fmod', [5, 0], NaN], ['fmod', [Infinity, 2], NaN], ['fmod', [-5.5, 2], -1.5], ['fmod', [3, Infinity], 3], ['fmod', [-0, 1], -0],
    ];
    for (const [n, args, e] of cases) expect(lib[n](...args), `${n}(${args})`).toBe(e);
  });
});
