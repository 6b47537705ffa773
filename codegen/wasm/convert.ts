// Storage conversions for dtypes kept in another format than they compute in: float16,
// bfloat16 and float8 variants (<-> f32), packed 4-bit int4/uint4/float4e2m1 and 2-bit int2/uint2. Same rounding
// as the C helpers (codegen/c/helpers.ts): round to nearest even, saturating or not for float8.
// float8/float4 decode through a 2^bits-entry f32 table in memory.
import { DType } from '../../ir/dtype.js';
import { miniToFloat } from '../../ir/floatbits.js';
import { Ref } from './binaryen.js';
import { ops } from './fn.js';
import { Runtime, defineRuntime } from './runtime.js';

defineRuntime('h2f', {
  row: 'f16_to_f32',
  params: [['h', 'i32']], result: 'f32',
  build(f) {
    const w = f.w, I = ops(w, 'i32'), F = ops(w, 'f32');
    const e = f.local('i32'), m = f.local('i32'), v = f.local('f32');
    return {
      body: [
        f.set(e, I.and(I.shr_u(f.get('h'), I.k(10)), I.k(31))), f.set(m, I.and(f.get('h'), I.k(1023))),
        f.set(v, w.if(I.eqz(f.get(e)), F.mul(w.op('f32', 'convert_u.i32', f.get(m)), F.k(2 ** -24)),
          w.if(I.eq(f.get(e), I.k(31)), w.if(f.get(m), F.k(NaN), F.k(Infinity)),
            w.op('f32', 'reinterpret', I.or(I.shl(I.add(f.get(e), I.k(112)), I.k(23)), I.shl(f.get(m), I.k(13))))))),
      ],
      value: w.if(I.and(f.get('h'), I.k(0x8000)), F.neg(f.get(v)), f.get(v)),
    };
  },
});

defineRuntime('f2h', {
  row: 'f32_to_f16',
  params: [['x', 'f32']], result: 'i32',
  build(f) {
    const w = f.w, I = ops(w, 'i32');
    const b = f.local('i32'), sign = f.local('i32'), man = f.local('i32'), e = f.local('i32'), h = f.local('i32');
    const rem = f.local('i32'), half = f.local('i32'), shift = f.local('i32');
    const G = (i: number) => f.get(i), K = (v: number) => I.k(v);
    const roundUp = w.if(I.or(I.gt(G(rem), G(half)), I.and(I.eq(G(rem), G(half)), I.and(G(h), K(1)))), f.set(h, I.add(G(h), K(1))));
    return {
      body: [
        f.set(b, w.op('i32', 'reinterpret', f.get('x'))),
        f.set(sign, I.and(I.shr_u(G(b), K(16)), K(0x8000))), f.set(man, I.and(G(b), K(0x7fffff))),
        f.set(e, I.and(I.shr_u(G(b), K(23)), K(0xff))),
        w.if(I.eq(G(e), K(0xff)), w.ret(I.or(I.or(G(sign), K(0x7c00)), w.if(G(man), K(0x200), K(0))))),
        f.set(e, I.sub(G(e), K(112))),
        w.if(I.ge(G(e), K(31)), w.ret(I.or(G(sign), K(0x7c00)))),
        w.if(I.le(G(e), K(0)), w.block(null, [
          w.if(I.lt(G(e), K(-10)), w.ret(G(sign))),
          f.set(man, I.or(G(man), K(0x800000))), f.set(shift, I.sub(K(14), G(e))),
          f.set(h, I.shr_u(G(man), G(shift))), f.set(rem, I.and(G(man), I.sub(I.shl(K(1), G(shift)), K(1)))),
          f.set(half, I.shl(K(1), I.sub(G(shift), K(1)))),
        ]), w.block(null, [
          f.set(h, I.or(I.shl(G(e), K(10)), I.shr_u(G(man), K(13)))), f.set(rem, I.and(G(man), K(0x1fff))), f.set(half, K(0x1000)),
        ])),
        roundUp,
      ],
      value: I.or(G(sign), G(h)),
    };
  },
});

defineRuntime('f2bf', {
  row: 'f32_to_bf16',
  params: [['x', 'f32']], result: 'i32',
  build(f) {
    const w = f.w, I = ops(w, 'i32');
    const u = f.local('i32'), U = () => f.get(u);
    return {
      body: [f.set(u, w.op('i32', 'reinterpret', f.get('x')))],
      value: w.if(w.op('i32', 'gt_u', I.and(U(), I.k(0x7fffffff)), I.k(0x7f800000)), I.or(I.shr_u(U(), I.k(16)), I.k(0x40)),
        I.shr_u(I.add(I.add(U(), I.k(0x7fff)), I.and(I.shr_u(U(), I.k(16)), I.k(1))), I.k(16))),
    };
  },
});

/** Narrow float formats and their NaN/Inf convention (as the C helpers: 'none' has neither). */
const MINI: Record<string, { dtype: DType; e: number; m: number; bias: number; kind: 'fn' | 'fnuz' | 'ieee' | 'none' }> = {
  e4m3fn: { dtype: 'float8e4m3fn', e: 4, m: 3, bias: 7, kind: 'fn' },
  e4m3fnuz: { dtype: 'float8e4m3fnuz', e: 4, m: 3, bias: 8, kind: 'fnuz' },
  e5m2: { dtype: 'float8e5m2', e: 5, m: 2, bias: 15, kind: 'ieee' },
  e5m2fnuz: { dtype: 'float8e5m2fnuz', e: 5, m: 2, bias: 16, kind: 'fnuz' },
  e2m1: { dtype: 'float4e2m1', e: 2, m: 1, bias: 1, kind: 'none' },
  e8m0: { dtype: 'float8e8m0', e: 8, m: 0, bias: 127, kind: 'none' },
};

function miniTable(rt: Runtime, name: string): number {
  const { dtype, e, m } = MINI[name];
  return rt.table(name, () => {
    const n = 1 << (e + m + (m ? 1 : 0)), t = new Float32Array(n);
    for (let i = 0; i < n; i++) t[i] = name === 'e8m0' ? (i === 255 ? NaN : 2 ** (i - 127)) : miniToFloat(dtype, i);
    return new Uint8Array(t.buffer);
  });
}

for (const [name, { e, m, bias, kind }] of Object.entries(MINI)) {
  defineRuntime(`${name}_to_f`, {
    row: `${name}_to_f32`,
    params: [['c', 'i32']], result: 'f32',
    build: (f, rt) => ({ body: [], value: f.w.load('f32', 'load', ops(f.w, 'i32').add(f.w.c('i32', miniTable(rt, name)), ops(f.w, 'i32').shl(f.get('c'), f.w.c('i32', 2)))) }),
  });
  if (name === 'e8m0') continue;
  const nb = 1 + e + m, maxE = (1 << e) - 1, mm = (1 << m) - 1, signBit = 1 << (nb - 1);
  const maxCode = kind === 'ieee' ? ((maxE - 1) << m) | mm : kind === 'fn' ? (maxE << m) | (mm - 1) : (maxE << m) | mm;
  const maxFloat = (1 + (maxCode & mm) / (1 << m)) * 2 ** ((maxCode >> m) - bias);
  for (const sat of [true, false]) defineRuntime(`f_to_${name}${sat ? '' : '_nosat'}`, {
    row: name === 'e2m1' && !sat ? undefined : `f32_to_${name}${sat ? '' : '_nosat'}`,
    params: [['x', 'f32']], result: 'i32',
    // round to nearest even on the format's grid: c = (ex+bias-1)<<m + rint(a * 2^(m-ex))
    build(f) {
      const w = f.w, I = ops(w, 'i32'), F = ops(w, 'f32');
      const s = f.local('i32'), a = f.local('f32'), ex = f.local('i32'), c = f.local('i32');
      const G = (i: number) => f.get(i), K = (v: number) => I.k(v);
      const withS = (v: number) => I.or(G(s), K(v));
      const nan = kind === 'fnuz' || kind === 'none' ? K(signBit) : withS(kind === 'fn' ? signBit - 1 : signBit - 2);
      const over = sat || kind === 'none' ? withS(maxCode) : kind === 'ieee' ? withS(maxE << m) : kind === 'fnuz' ? K(signBit) : withS(signBit - 1);
      const pow2 = (k: Ref) => w.op('f32', 'reinterpret', I.shl(I.add(k, K(127)), K(23)));
      return {
        body: [
          f.set(s, w.if(I.shr_u(w.op('i32', 'reinterpret', f.get('x')), K(31)), K(signBit), K(0))),
          f.set(a, F.abs(f.get('x'))),
          w.if(F.ne(f.get('x'), f.get('x')), w.ret(nan)),
          f.set(c, K(maxCode + 1)),
          w.if(F.le(G(a), F.k(2 * maxFloat)), w.block(null, [
            f.set(ex, w.if(F.lt(G(a), F.k(2 ** (1 - bias))), K(1 - bias),
              I.sub(I.and(I.shr_u(w.op('i32', 'reinterpret', G(a)), K(23)), K(0xff)), K(127)))),
            f.set(c, I.add(I.shl(I.add(G(ex), K(bias - 1)), K(m)),
              w.op('i32', 'trunc_s_sat.f32', F.nearest(F.mul(G(a), pow2(I.sub(K(m), G(ex)))))))),
          ])),
          w.if(I.gt(G(c), K(maxCode)), w.ret(over)),
        ],
        value: kind === 'fnuz' ? w.if(I.eqz(G(c)), K(0), I.or(G(s), G(c))) : I.or(G(s), G(c)),
      };
    },
  });
}

// float8e8m0: a biased power-of-two exponent, rounded up
for (const sat of [true, false]) defineRuntime(`f_to_e8m0${sat ? '' : '_nosat'}`, {
  row: `f32_to_e8m0${sat ? '' : '_nosat'}`,
  params: [['x', 'f32']], result: 'i32',
  build(f) {
    const w = f.w, I = ops(w, 'i32'), u = f.local('i32'), e = f.local('i32'), K = (v: number) => I.k(v);
    const man = () => I.and(f.get(u), K(0x7fffff));
    return {
      body: [
        f.set(u, w.op('i32', 'reinterpret', f.get('x'))), f.set(e, I.and(I.shr_u(f.get(u), K(23)), K(0xff))),
        w.if(I.eq(f.get(e), K(0xff)), w.ret(sat ? w.if(man(), K(0xff), K(0xfe)) : K(0xff))),
        w.if(sat ? I.and(I.ne(man(), K(0)), I.lt_u(f.get(e), K(0xfe))) : I.ne(man(), K(0)), f.set(e, I.add(f.get(e), K(1)))),
      ],
      value: f.get(e),
    };
  },
});

// packed 2- and 4-bit elements: element i sits in byte i*bits/8, low bits first
defineRuntime('ld_u2', {
  params: [['p', 'i32'], ['i', 'i32']], result: 'i32',
  build(f) {
    const w = f.w, I = ops(w, 'i32');
    const byte = w.load('i32', 'load8_u', I.add(f.get('p'), I.shr_s(f.get('i'), I.k(2))));
    return { body: [], value: I.and(I.shr_u(byte, I.shl(I.and(f.get('i'), I.k(3)), I.k(1))), I.k(3)) };
  },
});
defineRuntime('st_u2', {
  params: [['p', 'i32'], ['i', 'i32'], ['v', 'i32']], result: 'none',
  build(f) {
    const w = f.w, I = ops(w, 'i32');
    const a = f.local('i32'), sh = f.local('i32');
    return {
      body: [
        f.set(a, I.add(f.get('p'), I.shr_s(f.get('i'), I.k(2)))), f.set(sh, I.shl(I.and(f.get('i'), I.k(3)), I.k(1))),
        w.store('i32', 'store8', f.get(a), I.or(I.and(w.load('i32', 'load8_u', f.get(a)), I.xor(I.shl(I.k(3), f.get(sh)), I.k(-1))),
          I.shl(I.and(f.get('v'), I.k(3)), f.get(sh)))),
      ],
    };
  },
});
defineRuntime('ld_u4', {
  params: [['p', 'i32'], ['i', 'i32']], result: 'i32',
  build(f) {
    const w = f.w, I = ops(w, 'i32');
    const byte = () => w.load('i32', 'load8_u', I.add(f.get('p'), I.shr_s(f.get('i'), I.k(1))));
    return { body: [], value: w.if(I.and(f.get('i'), I.k(1)), I.shr_u(byte(), I.k(4)), I.and(byte(), I.k(15))) };
  },
});
defineRuntime('st_u4', {
  params: [['p', 'i32'], ['i', 'i32'], ['v', 'i32']], result: 'none',
  build(f) {
    const w = f.w, I = ops(w, 'i32');
    const a = f.local('i32'), b = f.local('i32'), v = () => I.and(f.get('v'), I.k(15));
    return {
      body: [
        f.set(a, I.add(f.get('p'), I.shr_s(f.get('i'), I.k(1)))), f.set(b, w.load('i32', 'load8_u', f.get(a))),
        w.store('i32', 'store8', f.get(a), w.if(I.and(f.get('i'), I.k(1)),
          I.or(I.and(f.get(b), I.k(0x0f)), I.shl(v(), I.k(4))), I.or(I.and(f.get(b), I.k(0xf0)), v()))),
      ],
    };
  },
});

/** Load of element `idx` of a converted-storage buffer at byte address `base`; null if plain. */
export function convertedLoad(rt: Runtime, d: DType, base: () => Ref, idx: () => Ref, addr: () => Ref): Ref | null {
  const w = rt.w, I = ops(w, 'i32');
  switch (d) {
    case 'float16': return rt.call('h2f', [w.load('i32', 'load16_u', addr())]);
    case 'bfloat16': return w.op('f32', 'reinterpret', I.shl(w.load('i32', 'load16_u', addr()), I.k(16)));
    case 'uint4': return rt.call('ld_u4', [base(), idx()]);
    case 'int4': return I.shr_s(I.shl(rt.call('ld_u4', [base(), idx()]), I.k(28)), I.k(28));
    case 'float4e2m1': return rt.call('e2m1_to_f', [rt.call('ld_u4', [base(), idx()])]);
    case 'uint2': return rt.call('ld_u2', [base(), idx()]);
    case 'int2': return I.shr_s(I.shl(rt.call('ld_u2', [base(), idx()]), I.k(30)), I.k(30));
    default:
      if (d.startsWith('float8')) return rt.call(`${d.slice(6)}_to_f`, [w.load('i32', 'load8_u', addr())]);
      return null;
  }
}

/** Store of `val` (compute type) into a converted-storage buffer; null if plain. */
export function convertedStore(rt: Runtime, d: DType, base: () => Ref, idx: () => Ref, addr: () => Ref, val: Ref, sat: boolean): Ref | null {
  const w = rt.w;
  switch (d) {
    case 'float16': return w.store('i32', 'store16', addr(), rt.call('f2h', [val]));
    case 'bfloat16': return w.store('i32', 'store16', addr(), rt.call('f2bf', [val]));
    case 'uint4': case 'int4': return rt.call('st_u4', [base(), idx(), val]);
    case 'float4e2m1': return rt.call('st_u4', [base(), idx(), rt.call('f_to_e2m1', [val])]);
    case 'uint2': case 'int2': return rt.call('st_u2', [base(), idx(), val]);
    default:
      if (d.startsWith('float8')) return w.store('i32', 'store8', addr(), rt.call(`f_to_${d.slice(6)}${sat ? '' : '_nosat'}`, [val]));
      return null;
  }
}
