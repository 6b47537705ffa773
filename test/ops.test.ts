// Per-family op tests on hand-made models: expected values computed here in plain JS, checked
// against the reference evaluator (the lowering run as JS) and the compiled C program.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../dist/src/api.js';
import { ModelBuilder } from '../dist/src/onnx/build.js';
import { importModel } from '../dist/src/onnx/importModel.js';
import { encodeTensor } from '../dist/src/onnx/tensorProto.js';
import { evaluateModel } from '../dist/codegen/js/evaluateModel.js';
import { getRunner } from '../dist/src/runners/index.js';
import { tensorFrom, toNumbers } from '../dist/ir/tensor.js';
import { tmpDir } from './helpers.js';

type B = InstanceType<typeof ModelBuilder>;
interface Case {
  name: string; build: (b: B) => void; inputs: [string, number[], number[]][]; expected: number[]; outShape: number[];
  /** Elements the Concat kernels may copy (the rest is written in place by the producers). */
  concatCopied?: number;
  /** Also compile C for the host-avx512 row (16 lanes, 14x32 tiles; plain GCC vectors without AVX-512). */
  avx512?: boolean;
  /** The host C program's arena stays below this many bytes. */
  maxArena?: number;
}

const range = (n: number, f = (i: number) => i) => Array.from({ length: n }, (_, i) => f(i));

const cases: Case[] = [
  { name: 'elementwise: Add broadcast + Sigmoid', outShape: [2, 3],
    build: (b) => { b.input('x', 'float32', [2, 3]); b.input('y', 'float32', [3]); const [s] = b.node('Add', ['x', 'y']); b.node('Sigmoid', [s], {}, { outputs: ['z'] }); b.output('z', 'float32', [2, 3]); },
    inputs: [['x', [2, 3], range(6, (i) => i - 3)], ['y', [3], [0.5, -0.5, 1]]],
    expected: range(6, (i) => 1 / (1 + Math.exp(-((i - 3) + [0.5, -0.5, 1][i % 3])))) },
  { name: 'shape: Transpose', outShape: [3, 2],
    build: (b) => { b.input('x', 'float32', [2, 3]); b.node('Transpose', ['x'], { perm: [1, 0] }, { outputs: ['z'] }); b.output('z', 'float32', [3, 2]); },
    inputs: [['x', [2, 3], range(6)]], expected: [0, 3, 1, 4, 2, 5] },
  { name: 'reduce: ReduceSum keepdims=0 over axis 1', outShape: [2],
    build: (b) => { b.input('x', 'float32', [2, 3]); b.initializer('axes', tensorFrom('int64', [1], [1n])); b.node('ReduceSum', ['x', 'axes'], { keepdims: 0 }, { outputs: ['z'] }); b.output('z', 'float32', [2]); },
    inputs: [['x', [2, 3], range(6)]], expected: [3, 12] },
  { name: 'reduce: Softmax', outShape: [1, 3],
    build: (b) => { b.input('x', 'float32', [1, 3]); b.node('Softmax', ['x'], { axis: 1 }, { outputs: ['z'] }); b.output('z', 'float32', [1, 3]); },
    inputs: [['x', [1, 3], [1, 2, 3]]], expected: [1, 2, 3].map((v) => Math.exp(v) / (Math.exp(1) + Math.exp(2) + Math.exp(3))) },
  { name: 'linalg: MatMul', outShape: [2, 2],
    build: (b) => { b.input('a', 'float32', [2, 3]); b.input('c', 'float32', [3, 2]); b.node('MatMul', ['a', 'c'], {}, { outputs: ['z'] }); b.output('z', 'float32', [2, 2]); },
    inputs: [['a', [2, 3], [1, 2, 3, 4, 5, 6]], ['c', [3, 2], [7, 8, 9, 10, 11, 12]]], expected: [58, 64, 139, 154] },
  { name: 'conv: 3x3 Conv with padding', outShape: [1, 1, 3, 3],
    build: (b) => { b.input('x', 'float32', [1, 1, 3, 3]); b.initializer('w', tensorFrom('float32', [1, 1, 3, 3], range(9, () => 1))); b.node('Conv', ['x', 'w'], { pads: [1, 1, 1, 1] }, { outputs: ['z'] }); b.output('z', 'float32', [1, 1, 3, 3]); },
    inputs: [['x', [1, 1, 3, 3], range(9)]], expected: [8, 15, 12, 21, 36, 27, 20, 33, 24] },
  { name: 'indexing: Gather negative index', outShape: [2, 2],
    build: (b) => { b.input('x', 'float32', [3, 2]); b.initializer('i', tensorFrom('int64', [2], [-1n, 0n])); b.node('Gather', ['x', 'i'], { axis: 0 }, { outputs: ['z'] }); b.output('z', 'float32', [2, 2]); },
    inputs: [['x', [3, 2], range(6)]], expected: [4, 5, 0, 1] },
  { name: 'cast: float → int32 truncates toward zero', outShape: [4],
    build: (b) => { b.input('x', 'float32', [4]); b.node('Cast', ['x'], { to: 6 }, { outputs: ['z'] }); b.output('z', 'int32', [4]); },
    inputs: [['x', [4], [1.7, -1.7, 2.5, -0.2]]], expected: [1, -1, 2, 0] },
];

// larger shapes that exercise the SIMD micro-kernel's full tiles, row and column tails and K blocking
const rnd = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
function matmulCase(M: number, K: number, N: number): Case {
  const r = rnd(M * 1000 + K * 10 + N);
  const A = range(M * K, r), Bm = range(K * N, r);
  const expected = range(M * N, (p) => { const i = Math.floor(p / N), j = p % N; let s = 0; for (let k = 0; k < K; k++) s += A[i * K + k] * Bm[k * N + j]; return s; });
  return { name: `linalg: MatMul ${M}x${K} · ${K}x${N}`, outShape: [M, N], expected,
    build: (b) => { b.input('a', 'float32', [M, K]); b.input('c', 'float32', [K, N]); b.node('MatMul', ['a', 'c'], {}, { outputs: ['z'] }); b.output('z', 'float32', [M, N]); },
    inputs: [['a', [M, K], A], ['c', [K, N], Bm]] };
}
function convCase(C: number, H: number, M: number, s = 1): Case {
  const r = rnd(C * 100 + H * 10 + M);
  const X = range(C * H * H, r), W = range(M * C * 9, r), O = Math.floor((H - 1) / s) + 1;
  const expected = range(M * O * O, (p) => {
    const m = Math.floor(p / (O * O)), y = Math.floor(p / O) % O, x = p % O;
    let acc = 0;
    for (let c = 0; c < C; c++) for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) {
      const iy = y * s + ky - 1, ixx = x * s + kx - 1;
      if (iy >= 0 && iy < H && ixx >= 0 && ixx < H) acc += W[((m * C + c) * 3 + ky) * 3 + kx] * X[(c * H + iy) * H + ixx];
    }
    return acc;
  });
  return { name: `conv: 3x3 Conv ${C}→${M} channels on ${H}x${H}${s > 1 ? `, stride ${s}` : ''}`, outShape: [1, M, O, O], expected,
    build: (b) => { b.input('x', 'float32', [1, C, H, H]); b.initializer('w', tensorFrom('float32', [M, C, 3, 3], W)); b.node('Conv', ['x', 'w'], { pads: [1, 1, 1, 1], strides: [s, s] }, { outputs: ['z'] }); b.output('z', 'float32', [1, M, O, O]); },
    inputs: [['x', [1, C, H, H], X]] };
}
cases.push(matmulCase(37, 50, 45), matmulCase(7, 300, 19), convCase(40, 9, 13), convCase(3, 37, 5, 2));

// depthwise convolutions (group = C, M = mult·C) with bias: vector chunks, tails, border rows
// and columns, dilation, strides, batch
interface DwSpec { N: number; C: number; mult: number; H: number; W: number; k: number; s: number; d: number; p: number[]; clip?: [number, number]; silu?: boolean }
function depthwiseCase(q: DwSpec): Case {
  const { N, C, mult, H, W, k, s, d, p } = q, M = C * mult;
  const OH = Math.floor((H + p[0] + p[2] - (k - 1) * d - 1) / s) + 1, OW = Math.floor((W + p[1] + p[3] - (k - 1) * d - 1) / s) + 1;
  const r = rnd(N * 7 + C * 100 + H * 10 + W + k * 1000 + s * 31 + d * 17 + p[0] * 5 + p[1]);
  const X = range(N * C * H * W, r), Wt = range(M * k * k, r), Bs = range(M, r);
  const expected = range(N * M * OH * OW, (q2) => {
    const n = Math.floor(q2 / (M * OH * OW)), m = Math.floor(q2 / (OH * OW)) % M, y = Math.floor(q2 / OW) % OH, x = q2 % OW;
    let acc = Bs[m];
    for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) {
      const iy = y * s + ky * d - p[0], ixx = x * s + kx * d - p[1];
      if (iy >= 0 && iy < H && ixx >= 0 && ixx < W) acc += Wt[(m * k + ky) * k + kx] * X[((n * C + Math.floor(m / mult)) * H + iy) * W + ixx];
    }
    return q.clip ? Math.min(Math.max(acc, q.clip[0]), q.clip[1]) : q.silu ? acc / (1 + Math.exp(-acc)) : acc;
  });
  return { name: `conv: depthwise ${JSON.stringify(q)}`, outShape: [N, M, OH, OW], expected,
    build: (b) => {
      b.input('x', 'float32', [N, C, H, W]);
      b.initializer('w', tensorFrom('float32', [M, 1, k, k], Wt));
      b.initializer('b', tensorFrom('float32', [M], Bs));
      b.node('Conv', ['x', 'w', 'b'], { pads: p, strides: [s, s], dilations: [d, d], group: C }, { outputs: [q.clip || q.silu ? 'c' : 'z'] });
      if (q.clip) clipNode(b, 'c', 'z', q.clip);
      if (q.silu) logisticNode(b, 'c', 'z', 'silu');
      b.output('z', 'float32', [N, M, OH, OW]);
    },
    inputs: [['x', [N, C, H, W], X]] };
}
/** z = Clip(c, lo, hi), or Relu when the bounds are [0, inf]: fused into the Conv producing c. */
function clipNode(b: B, c: string, z: string, [lo, hi]: [number, number]): void {
  if (lo === 0 && hi === Infinity) { b.node('Relu', [c], {}, { outputs: [z] }); return; }
  b.initializer(`${z}_lo`, tensorFrom('float32', [], [lo]));
  b.initializer(`${z}_hi`, tensorFrom('float32', [], [hi]));
  b.node('Clip', [c, `${z}_lo`, `${z}_hi`], {}, { outputs: [z] });
}
/** Conv (im2col + micro-kernel; K blocks, column tails) followed by an activation it fuses:
 * `act` adds the nodes from c to z, `f` is the activation in plain JS. */
function convThenCase(C: number, H: number, M: number, what: string, act: (b: B) => void, f: (v: number) => number): Case {
  const base = convCase(C, H, M);
  return { ...base, name: `${base.name} + ${what}`, expected: base.expected.map(f),
    build: (b) => {
      b.input('x', 'float32', [1, C, H, H]);
      const r = rnd(C * 100 + H * 10 + M); range(C * H * H, r);
      b.initializer('w', tensorFrom('float32', [M, C, 3, 3], range(M * C * 9, r)));
      b.node('Conv', ['x', 'w'], { pads: [1, 1, 1, 1] }, { outputs: ['c'] });
      act(b);
      b.output('z', 'float32', [1, M, H, H]);
    } };
}
const convActCase = (C: number, H: number, M: number, clip: [number, number]) =>
  convThenCase(C, H, M, `clip ${clip}`, (b) => clipNode(b, 'c', 'z', clip), (v) => Math.min(Math.max(v, clip[0]), clip[1]));
// packed GEMM (packedGemm.ts) on host and host-avx512: K blocks, row remainders, an edge panel
// through the scratch tile, two NC blocks with the edge in the last, a fused Relu over K blocks;
// the last columns as dot products (dotColumns.ts: 83 and 196 leave 3 and 4 past whole vectors)
cases.push(...[matmulCase(37, 600, 83), matmulCase(13, 40, 300), matmulCase(30, 40, 1100), convActCase(64, 20, 30, [0, Infinity]), convActCase(64, 14, 30, [0, Infinity])]
  .map((c) => ({ ...c, avx512: true })));
cases.push(convActCase(40, 9, 13, [0, Infinity]), convActCase(3, 5, 4, [-0.5, 0.5]), convActCase(2, 4, 3, [0, 6]));
// im2col in bands of output rows (schedules/cpu/im2colBand.ts) where the whole matrix would not
// fit in half of L2: host (256 KiB) takes 7-row bands of 64 (9 bands + a 1-row remainder band),
// host-avx512 (512 KiB) 14-row bands (4 + 8); stride 2: 13-row bands of 32 (2 + 6); padding in the
// first and last bands. The arena holds a band's matrix, not the whole 2.4 MB one.
cases.push({ ...convCase(16, 64, 16), avx512: true, maxArena: 144 * 64 * 64 * 4 }, { ...convCase(16, 64, 8, 2), maxArena: 144 * 32 * 32 * 4 },
  { ...convActCase(32, 40, 20, [0, Infinity]), avx512: true });
cases.push(
  depthwiseCase({ N: 1, C: 3, mult: 1, H: 9, W: 21, k: 3, s: 1, d: 1, p: [1, 1, 1, 1], clip: [0, 6] }),
  depthwiseCase({ N: 1, C: 2, mult: 1, H: 11, W: 23, k: 3, s: 2, d: 1, p: [1, 1, 1, 1], clip: [0, Infinity] }),
  depthwiseCase({ N: 1, C: 3, mult: 1, H: 9, W: 21, k: 3, s: 1, d: 1, p: [1, 1, 1, 1] }),
  depthwiseCase({ N: 2, C: 2, mult: 2, H: 7, W: 7, k: 5, s: 1, d: 1, p: [2, 2, 2, 2] }),
  depthwiseCase({ N: 1, C: 2, mult: 1, H: 12, W: 19, k: 3, s: 1, d: 2, p: [0, 3, 2, 1] }),
  depthwiseCase({ N: 1, C: 2, mult: 1, H: 11, W: 23, k: 3, s: 2, d: 1, p: [1, 1, 1, 1] }),
  depthwiseCase({ N: 1, C: 2, mult: 1, H: 12, W: 40, k: 5, s: 2, d: 1, p: [1, 2, 2, 1] }),
  depthwiseCase({ N: 1, C: 1, mult: 1, H: 4, W: 3, k: 3, s: 1, d: 1, p: [1, 1, 1, 1] }),
);
// rows narrower than the lanes take narrower vectors (schedules/cpu/depthwise.ts): 10 interior
// columns at 16 lanes go as 8, 5 (and 6 at stride 2) as 4
cases.push(...[
  depthwiseCase({ N: 1, C: 3, mult: 1, H: 14, W: 14, k: 5, s: 1, d: 1, p: [2, 2, 2, 2], clip: [0, 6] }),
  depthwiseCase({ N: 1, C: 2, mult: 1, H: 7, W: 7, k: 3, s: 1, d: 1, p: [1, 1, 1, 1] }),
  depthwiseCase({ N: 1, C: 2, mult: 1, H: 14, W: 14, k: 3, s: 2, d: 1, p: [1, 1, 1, 1] }),
].map((c) => ({ ...c, avx512: true })));

// Conv with a fused Sigmoid / SiLU (x · Sigmoid(x)): micro-kernel, depthwise and 1x1 paths, and
// values far outside exp's range (clamped to 0 / inf inside the vector exp)
function sigmoid(v: number): number { return 1 / (1 + Math.exp(-v)); }
function logisticNode(b: B, c: string, z: string, act: 'silu' | 'sigmoid'): void {
  if (act === 'sigmoid') { b.node('Sigmoid', [c], {}, { outputs: [z] }); return; }
  const [s] = b.node('Sigmoid', [c]);
  b.node('Mul', [s, c], {}, { outputs: [z] });
}
const convLogisticCase = (C: number, H: number, M: number, act: 'silu' | 'sigmoid') =>
  convThenCase(C, H, M, act, (b) => logisticNode(b, 'c', 'z', act), (v) => (act === 'silu' ? v * sigmoid(v) : sigmoid(v)));
const extremes = [-1e30, -200, -100, -88, -20, -1, -1e-3, 0, 1e-3, 1, 20, 88, 89, 100, 1e30, 3, -3, 0.5, -0.5, 7, -7, 15, -15, 50];
cases.push(convLogisticCase(40, 9, 13, 'silu'), convLogisticCase(3, 5, 4, 'sigmoid'),
  { name: 'conv: 1x1 Conv + SiLU over exp\'s whole range', outShape: [1, 1, 1, extremes.length],
    build: (b) => {
      b.input('x', 'float32', [1, 1, 1, extremes.length]);
      b.initializer('w', tensorFrom('float32', [1, 1, 1, 1], [1]));
      b.node('Conv', ['x', 'w'], {}, { outputs: ['c'] });
      logisticNode(b, 'c', 'z', 'silu');
      b.output('z', 'float32', [1, 1, 1, extremes.length]);
    },
    inputs: [['x', [1, 1, 1, extremes.length], extremes]], expected: extremes.map((v) => v / (1 + Math.exp(-v))) },
  depthwiseCase({ N: 1, C: 2, mult: 1, H: 11, W: 23, k: 3, s: 2, d: 1, p: [1, 1, 1, 1], silu: true }),
);

// Sigmoid, Erf and Softmax rows long enough for vector bodies and scalar tails (vectorizeLoops
// turns them into vector exp/erf on every SIMD target)
const erfRef = (x: number) => { // Abramowitz & Stegun 7.1.26, |error| < 1.5e-7
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x < 0 ? -y : y;
};
const xs37 = range(37, (i) => -9 + i * 0.5);
cases.push({ name: 'elementwise: Sigmoid + Erf over 37 values', outShape: [37],
  build: (b) => { b.input('x', 'float32', [37]); const [s] = b.node('Sigmoid', ['x']); const [e] = b.node('Erf', ['x']); b.node('Add', [s, e], {}, { outputs: ['z'] }); b.output('z', 'float32', [37]); },
  inputs: [['x', [37], xs37]], expected: xs37.map((v) => sigmoid(v) + erfRef(v)) },
{ name: 'reduce: Softmax over rows of 21', outShape: [3, 21],
  build: (b) => { b.input('x', 'float32', [3, 21]); b.node('Softmax', ['x'], { axis: 1 }, { outputs: ['z'] }); b.output('z', 'float32', [3, 21]); },
  inputs: [['x', [3, 21], range(63, (i) => Math.sin(i) * 30)]],
  expected: range(63, (i) => { const r = Math.floor(i / 21), row = range(21, (k) => Math.sin(r * 21 + k) * 30), m = Math.max(...row); return Math.exp(row[i % 21] - m) / row.reduce((a, v) => a + Math.exp(v - m), 0); }) });

// GlobalAveragePool's plane sums in vector registers (schedules/cpu/rowSum.ts): 667 = 640 in
// groups of four vectors, one more vector, a scalar tail; 3 values: scalar only
for (const [H, W] of [[23, 29], [1, 3]]) {
  const P = H * W, xs = range(2 * P, (i) => Math.sin(i * 0.37) * 5);
  cases.push({ name: `reduce: GlobalAveragePool over ${H}x${W}`, outShape: [1, 2, 1, 1], avx512: true,
    build: (b) => { b.input('x', 'float32', [1, 2, H, W]); b.node('GlobalAveragePool', ['x'], {}, { outputs: ['z'] }); b.output('z', 'float32', [1, 2, 1, 1]); },
    inputs: [['x', [1, 2, H, W], xs]], expected: range(2, (c) => xs.slice(c * P, (c + 1) * P).reduce((a, v) => a + v, 0) / P) });
}

// Concat whose inputs are written in place (views) mixed with copied ones: a graph input, a
// constant, a value also read elsewhere; a nested Concat; the result read by a later node
cases.push({ name: 'layout: Concat with inputs written in place', outShape: [1, 9, 2], concatCopied: 12,
  build: (b) => {
    b.input('x', 'float32', [1, 2, 2]);
    b.initializer('k', tensorFrom('float32', [1, 1, 2], [7, 8]));
    const [r] = b.node('Relu', ['x']);
    const [n] = b.node('Neg', ['x']);
    const [e] = b.node('Exp', ['x']);
    const [inner] = b.node('Concat', [n, 'k'], { axis: 1 });
    const [cat] = b.node('Concat', [r, 'x', inner, e], { axis: 1 });
    const [sq] = b.node('Mul', [e, e]);
    const [t] = b.node('Concat', [cat, 'k'], { axis: 1 });
    const i64 = (name: string, v: bigint[]) => { b.initializer(name, tensorFrom('int64', [v.length], v)); return name; };
    const [u] = b.node('Reshape', [t, i64('shape', [1n, 10n, 2n])]);
    const [v] = b.node('Slice', [u, i64('st', [0n]), i64('en', [9n]), i64('ax', [1n])]);
    const [w] = b.node('Slice', [sq, i64('z0', [0n]), i64('z1', [1n]), i64('z2', [1n])]);
    b.node('Add', [v, w], {}, { outputs: ['z'] });
    b.output('z', 'float32', [1, 9, 2]);
  },
  inputs: [['x', [1, 2, 2], [-1, 2, 3, -4]]],
  expected: (() => {
    const x = [-1, 2, 3, -4], e = x.map(Math.exp);
    const t = [...x.map((v) => Math.max(v, 0)), ...x, ...x.map((v) => -v), 7, 8, ...e, 7, 8];
    const sq = [e[0] * e[0], e[1] * e[1]];
    return t.slice(0, 18).map((v, i) => v + sq[i % 2]);
  })() });

describe.each(cases)('$name', (c) => {
  const make = () => {
    const b = new ModelBuilder(17);
    c.build(b);
    return importModel(b.encode(), 'case.onnx');
  };
  const inputs = c.inputs.map(([, shape, v]) => tensorFrom('float32', shape, v));
  const check = (got: number[]) => got.forEach((v, i) => expect(Math.abs(v - c.expected[i])).toBeLessThan(1e-4 * (1 + Math.abs(c.expected[i]))));

  it('reference evaluator', () => {
    const [out] = evaluateModel(make(), inputs);
    expect(out.shape).toEqual(c.outShape);
    check(toNumbers(out));
  });

  it('compiled C', async () => {
    const dir = tmpDir();
    const r = compileModel(make(), { target: 'c', name: 'm', verify: true });
    if (c.maxArena !== undefined) expect(r.program.arenaSize).toBeLessThan(c.maxArena);
    if (c.concatCopied !== undefined) {
      const copies = r.program.steps.filter((s) => s.kernel.label.endsWith('(Concat)'));
      expect(copies.reduce((n, s) => n + [...s.kernel.writes].reduce((m, b) => m + b.size, 0), 0)).toBe(c.concatCopied);
    }
    const runner = getRunner('c');
    const files = c.inputs.map(([name], i) => { const f = path.join(dir, `in${i}.pb`); fs.writeFileSync(f, encodeTensor(inputs[i], name)); return f; });
    const [out] = await runner.run(await runner.build(r, path.join(dir, 'build')), files, path.join(dir, 'out'), 1);
    expect(out.shape).toEqual(c.outShape);
    check(toNumbers(out));
  });

  it.runIf(c.avx512)('compiled C, host-avx512 row', async () => {
    const dir = tmpDir();
    const r = compileModel(make(), { target: 'c', name: 'm', verify: true, cpu: 'host-avx512' });
    const runner = getRunner('c');
    const files = c.inputs.map(([name], i) => { const f = path.join(dir, `in${i}.pb`); fs.writeFileSync(f, encodeTensor(inputs[i], name)); return f; });
    const [out] = await runner.run(await runner.build(r, path.join(dir, 'build')), files, path.join(dir, 'out'), 1);
    check(toNumbers(out));
  });

  it('compiled WASM', async () => {
    const dir = tmpDir();
    const r = compileModel(make(), { target: 'wasm', name: 'm', verify: true });
    const runner = getRunner('wasm');
    const files = c.inputs.map(([name], i) => { const f = path.join(dir, `in${i}.pb`); fs.writeFileSync(f, encodeTensor(inputs[i], name)); return f; });
    const [out] = await runner.run(await runner.build(r, path.join(dir, 'build')), files, path.join(dir, 'out'), 1);
    expect(out.shape).toEqual(c.outShape);
    check(toNumbers(out));
  });
});
