// Differential test of the scalar intrinsics (ir/intrinsics.ts): every row, on edge cases and
// exhaustive codes, through its TS reference, compiled C (the C renderer and helpers, gcc
// -std=c99 -Wall -Wextra -Werror -pedantic), WASM (the kernel renderer and runtime) and the JS
// evaluator, each reached through kernel IR. Outputs are compared bit for bit (any NaN matches
// any NaN); exp/erf also against their documented accuracy.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTRINSICS, INT_TYPES, IntT, MINI_FORMATS, PACKED, bitsOf, intRange, signedInt } from '../dist/ir/intrinsics.js';
import { storageScalar, computeScalar } from '../dist/ir/dtype.js';
import { numel, zeros } from '../dist/ir/tensor.js';
import { CStyleRenderer, C_TYPES } from '../dist/codegen/c/cstyle.js';
import { cHelperOf, helperSources, C_HELPERS } from '../dist/codegen/c/helpers.js';
import { CFLAGS } from '../dist/src/runners/c.js';
import { WasmModule } from '../dist/codegen/wasm/binaryen.js';
import { KernelRenderer } from '../dist/codegen/wasm/render.js';
import { Runtime, runtimeRows } from '../dist/codegen/wasm/runtime.js';
import { compileKernelJs } from '../dist/codegen/js/evaluate.js';
import { R } from '../dist/codegen/js/runtime.js';
import { tmpDir } from './helpers.js';
import type { DType, Scalar } from '../ir/dtype.js';
import type { Expr, KBuf, Kernel, Stmt } from '../ir/kernel.js';
import type { TensorData } from '../ir/tensor.js';

type Num = number | bigint;
interface Case { row: string; kernel: Kernel; inputs: TensorData[]; expected: TensorData; label: string }

let nextBuf = 0;
const buf = (dtype: DType, size: number): KBuf => ({ id: nextBuf++, name: `b${nextBuf}`, dtype, size });
const ix = (v: number): Expr => ({ k: 'const', t: 'idx', v });
const I = { k: 'var', t: 'idx', name: 'i' } as const;
const load = (b: KBuf): Expr => ({ k: 'load', t: computeScalar(b.dtype), buf: b, idx: I });
const loop = (n: number, body: Stmt[], step = 1): Stmt => ({ k: 'for', v: 'i', lo: ix(0), hi: ix(n), step, body, kind: 'parallel', bound: n });
const DT: Record<IntT, DType> = { i8: 'int8', i16: 'int16', i32: 'int32', i64: 'int64', u8: 'uint8', u16: 'uint16', u32: 'uint32', u64: 'uint64' };

function tensor(dtype: DType, values: Num[] | Uint8Array, raw = false): TensorData {
  const t = zeros(dtype, [raw ? values.length * (8 / (dtype.endsWith('4') || dtype === 'float4e2m1' ? 4 : 2)) : values.length]);
  if (raw) (t.data as Uint8Array).set(values as Uint8Array);
  else (values as Num[]).forEach((v, i) => { (t.data as unknown as Num[])[i] = v; });
  return t;
}

/** One kernel: out[i] = body(in…) over n elements (outputs of stores into `y`). */
function kernel(name: string, ins: KBuf[], y: KBuf, body: Stmt[], n: number, step = 1): Kernel {
  return { name, label: name, params: [...ins, y], writes: new Set([y]), body: [loop(n, body, step)] };
}

// ---- inputs
const intEdges = (t: IntT): bigint[] => {
  const [lo, hi] = intRange(t), w = BigInt(bitsOf(t));
  const vs = [0n, 1n, 2n, 3n, 7n, -1n, -2n, -3n, -7n, lo, lo + 1n, hi, hi - 1n, w - 1n, w, w + 5n, 100n, -100n, 12345n, -12345n, lo / 2n, hi / 3n];
  return [...new Set(vs.filter((v) => v >= lo && v <= hi))];
};
const F32_EDGES = [0, -0, 0.5, -0.5, 0.9999, -0.9999, 1, -1, 1.5, -1.5, 2.5, -2.5, 126.9, 127, 127.5, 128, -128, -128.5, -129, 255, 255.9, 256, -1e-45,
  1e-40, 32767.5, 32768, -32768.5, -32769, 65535.5, 65536, 2147483520, 2147483647, 2147483648, -2147483648, -2147483904, 4294967295, 4294967296,
  9.2e18, 9223372036854775807, 9223372036854775808, -9223372036854775808, -9.3e18, 18446744073709551615, 2e19, 3.4e38, -3.4e38, Infinity, -Infinity, NaN];
const F64_EXTRA = [2147483647.5, 2147483647.9, -2147483648.9, 4294967295.9, 9223372036854774784, -9223372036854775808, 18446744073709549568];
function randomF32(n: number, seed: number, lo: number, hi: number): number[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * rnd()));
}
/** Float32 values around every boundary of a format: its values, the midpoints between
 * neighbours (ties), one float32 ulp either side of them, f32 edges. */
function aroundGrid(values: number[]): number[] {
  const f = new Float32Array(1), u = new Uint32Array(f.buffer);
  const step = (x: number, d: number) => { f[0] = x; u[0] += x < 0 ? -d : d; return f[0]; };
  const sorted = [...new Set(values.filter((v) => Number.isFinite(v) && v >= 0))].sort((a, b) => a - b);
  const out: number[] = [...F32_EDGES, 1.17549435e-38, 1.4e-45, 3.4028234663852886e38];
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i], mid = i + 1 < sorted.length ? Math.fround((v + sorted[i + 1]) / 2) : Math.fround(v * 1.0625);
    for (const x of [v, mid, step(mid, 1), step(mid, -1), v * 2]) out.push(x, -x);
  }
  return out.map(Math.fround);
}

// ---- cases, one or more per row
function intCases(t: IntT): Case[] {
  const cases: Case[] = [], vs = intEdges(t), big = bitsOf(t) === 64;
  const as: Num[] = [], bs: Num[] = [];
  for (const a of vs) for (const b of vs) { as.push(big ? a : Number(a)); bs.push(big ? b : Number(b)); }
  for (const op of ['div', 'mod', 'shl', 'shr'] as const) {
    const row = INTRINSICS.get(`${op}_${t}`)!;
    const A = buf(DT[t], as.length), B = buf(DT[t], as.length), Y = buf(DT[t], as.length);
    const e: Expr = { k: 'bin', t, op, a: load(A), b: load(B) };
    cases.push({ row: row.name, label: `${row.name}(a, b)`, kernel: kernel(`k_${op}_${t}`, [A, B], Y, [{ k: 'store', buf: Y, idx: I, val: e }], as.length),
      inputs: [tensor(DT[t], as), tensor(DT[t], bs)], expected: tensor(DT[t], as.map((a, i) => row.ref(a, bs[i]))) });
    // constant right operands: the renderer's bare-operator path
    const consts = [0n, 3n, BigInt(bitsOf(t)), BigInt(bitsOf(t) - 1), signedInt(t) ? -1n : intRange(t)[1]];
    consts.forEach((c, ci) => {
      const X = buf(DT[t], vs.length), Z = buf(DT[t], vs.length), cv = big ? c : Number(c);
      const ec: Expr = { k: 'bin', t, op, a: load(X), b: { k: 'const', t, v: cv } };
      cases.push({ row: row.name, label: `${row.name}(a, ${c})`, kernel: kernel(`k_${op}_${t}_c${ci}`, [X], Z, [{ k: 'store', buf: Z, idx: I, val: ec }], vs.length),
        inputs: [tensor(DT[t], vs.map((v) => (big ? v : Number(v))))], expected: tensor(DT[t], vs.map((v) => row.ref(big ? v : Number(v), cv))) });
    });
  }
  for (const f of ['f32', 'f64'] as const) {
    const row = INTRINSICS.get(`${f}_to_${t}`)!, xs = f === 'f32' ? F32_EDGES.map(Math.fround) : [...F32_EDGES, ...F64_EXTRA];
    const X = buf(f === 'f32' ? 'float32' : 'float64', xs.length), Y = buf(DT[t], xs.length);
    cases.push({ row: row.name, label: row.name, kernel: kernel(`k_${f}_to_${t}`, [X], Y, [{ k: 'store', buf: Y, idx: I, val: { k: 'cast', t, a: load(X) } }], xs.length),
      inputs: [tensor(X.dtype, xs)], expected: tensor(DT[t], xs.map((x) => row.ref(x))) });
  }
  return cases;
}

function bigToF32Case(t: 'i64' | 'u64'): Case {
  const row = INTRINSICS.get(`${t}_to_f32`)!;
  const vs = [0n, 1n, -1n, (1n << 53n) + 1n, (1n << 60n) + (1n << 36n), (1n << 60n) + (1n << 36n) + 1n, (1n << 60n) + 3n * (1n << 36n), (1n << 63n) - 1n,
    -(1n << 63n), -((1n << 60n) + (1n << 36n) + 1n), (1n << 64n) - 1n, (1n << 63n) + (1n << 39n), (1n << 63n) + (1n << 39n) + 1n, 123456789012345678n]
    .map((v) => (t === 'u64' ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v)));
  const X = buf(DT[t], vs.length), Y = buf('float32', vs.length);
  return { row: row.name, label: row.name, kernel: kernel(`k_${t}_to_f32`, [X], Y, [{ k: 'store', buf: Y, idx: I, val: { k: 'cast', t: 'f32', a: load(X) } }], vs.length),
    inputs: [tensor(DT[t], vs)], expected: tensor('float32', vs.map((v) => row.ref(v))) };
}

/** A conversion row through a load (decode) or a store (encode) of the format's buffer. */
function convCases(): Case[] {
  const cases: Case[] = [];
  const formats: [string, DType, number][] = [['f16', 'float16', 16], ['bf16', 'bfloat16', 16],
    ...Object.entries(MINI_FORMATS).map(([k, d]) => [k, d as DType, d === 'float4e2m1' ? 4 : 8] as [string, DType, number])];
  for (const [k, dtype, bits] of formats) {
    const dec = INTRINSICS.get(`${k}_to_f32`)!, codes = Array.from({ length: 2 ** bits }, (_, c) => c);
    const raw = bits === 4 ? new Uint8Array(codes.map((c) => c | (codes[(c + 5) % 16] << 4))) : null;
    const ncodes = raw ? 32 : codes.length, codeOf = (i: number) => (raw ? (raw[i >> 1] >> (4 * (i & 1))) & 15 : codes[i]);
    const X = buf(dtype, ncodes), Y = buf('float32', ncodes);
    cases.push({ row: dec.name, label: dec.name, kernel: kernel(`k_${k}_dec`, [X], Y, [{ k: 'store', buf: Y, idx: I, val: load(X) }], ncodes),
      inputs: [raw ? tensor(dtype, raw, true) : tensor(dtype, codes)], expected: tensor('float32', Array.from({ length: ncodes }, (_, i) => Math.fround(dec.ref(codeOf(i)) as number))) });
    const xs = aroundGrid(codes.map((c) => dec.ref(c) as number));
    for (const sat of [true, false]) {
      const enc = INTRINSICS.get(`f32_to_${k}${sat ? '' : '_nosat'}`);
      if (!enc) continue;
      const n = xs.length + (xs.length % 2), A = buf('float32', n), Z = buf(dtype, n);
      const codesOut = Array.from({ length: n }, (_, i) => (i < xs.length ? Number(enc.ref(xs[i])) : Number(enc.ref(0))));
      const st: Stmt = { k: 'store', buf: Z, idx: I, val: load(A), ...(sat ? {} : { sat: false }) };
      const expected = bits === 4 ? tensor(dtype, Uint8Array.from({ length: n / 2 }, (_, j) => codesOut[2 * j] | (codesOut[2 * j + 1] << 4)), true) : tensor(dtype, codesOut);
      cases.push({ row: enc.name, label: enc.name, kernel: kernel(`k_${k}_enc${sat ? '' : '_nosat'}`, [A], Z, [st], n),
        inputs: [tensor('float32', [...xs, ...(n > xs.length ? [0] : [])])], expected });
    }
  }
  // packed integers: every byte decoded (both or all four elements), every int8 encoded
  for (const [k, { bits }] of Object.entries(PACKED)) {
    const dtype = ({ i4: 'int4', u4: 'uint4', i2: 'int2', u2: 'uint2' } as Record<string, DType>)[k], per = 8 / bits;
    const dec = INTRINSICS.get(`${k}_decode`)!, enc = INTRINSICS.get(`${k}_encode`)!;
    const bytes = Uint8Array.from({ length: 256 }, (_, b) => b), n = 256 * per;
    const X = buf(dtype, n), Y = buf('int32', n);
    cases.push({ row: dec.name, label: dec.name, kernel: kernel(`k_${k}_dec`, [X], Y, [{ k: 'store', buf: Y, idx: I, val: { k: 'cast', t: 'i32', a: load(X) } }], n),
      inputs: [tensor(dtype, bytes, true)], expected: tensor('int32', Array.from({ length: n }, (_, i) => dec.ref((bytes[Math.floor(i / per)] >> ((i % per) * bits)) & ((1 << bits) - 1)))) });
    const vals = Array.from({ length: 256 }, (_, v) => v - 128), A = buf('int8', 256), Z = buf(dtype, 256);
    const packed = new Uint8Array(256 / per);
    vals.forEach((v, i) => { packed[Math.floor(i / per)] |= Number(enc.ref(v)) << ((i % per) * bits); });
    cases.push({ row: enc.name, label: enc.name, kernel: kernel(`k_${k}_enc`, [A], Z, [{ k: 'store', buf: Z, idx: I, val: { k: 'cast', t: computeScalar(dtype), a: load(A) } }], 256),
      inputs: [tensor('int8', vals)], expected: tensor(dtype, packed, true) });
  }
  return cases;
}

/** exp/erf as the vector code computes them: 4-lane loads, the vector op, 4-lane stores. */
function mathCases(): Case[] {
  const l2e = Math.fround(Math.LOG2E), ties: number[] = [];
  for (let k = -151; k <= 129; k++) {
    const x = Math.fround((k + 0.5) / l2e);
    const f = new Float32Array([x]), u = new Uint32Array(f.buffer);
    for (let d = -3; d <= 3; d++) { u[0] = new Uint32Array(new Float32Array([x]).buffer)[0] + d; ties.push(f[0]); }
  }
  const edges = [0, -0, 1e-45, -1e-45, 1e-38, 1e-7, -1e-7, 1, -1, 88.72283935546875, 88.7228317, 88.72284, -103.97207641601562, -103.972069, -103.97208, -87.33654, -87.3366,
    3.99999976, 4, 4.00000048, -4, 5, -5, 10, 100, -100, Infinity, -Infinity, NaN, 3.4e38, -3.4e38];
  const cases: Case[] = [];
  for (const [op, xs] of [['exp', [...edges, ...ties, ...randomF32(4000, 7, -110, 92)]], ['erf', [...edges, ...randomF32(4000, 9, -6, 6), ...randomF32(500, 11, -1e-3, 1e-3)]]] as const) {
    const row = INTRINSICS.get(`${op}_f32`)!, n = Math.ceil(xs.length / 4) * 4, vals = [...xs.map(Math.fround), ...new Array(n - xs.length).fill(0)];
    const X = buf('float32', n), Y = buf('float32', n);
    const val = { k: 'vun', lanes: 4, op, a: { k: 'vload', lanes: 4, buf: X, idx: I } } as never;
    cases.push({ row: row.name, label: `${row.name} (vector)`, kernel: kernel(`k_v${op}`, [X], Y, [{ k: 'vstore', buf: Y, idx: I, val }], n, 4),
      inputs: [tensor('float32', vals)], expected: tensor('float32', vals.map((x) => row.ref(x))) });
  }
  return cases;
}

/** dot2_i32 on packed pairs of 16-bit edges (both signs in each half, the one wrapping sum). */
function dot2Case(): Case {
  const halves = [0, 1, -1, 2, -2, 127, -128, 255, 32767, -32768, 12345, -23456];
  const words = halves.flatMap((h) => halves.map((l) => ((h << 16) | (l & 0xffff)) | 0));
  const as: number[] = [], bs: number[] = [];
  for (const a of words) for (const b of [words[0], words[13], words[77], words[words.length - 1], 0x80008000 | 0, 0x7fff7fff, ((127 << 16) | (0xff80)) | 0]) { as.push(a); bs.push(b); }
  const row = INTRINSICS.get('dot2_i32')!, A = buf('int32', as.length), B = buf('int32', as.length), Y = buf('int32', as.length);
  const e: Expr = { k: 'bin', t: 'i32', op: 'dot2', a: load(A), b: load(B) };
  return { row: row.name, label: 'dot2_i32(a, b)', kernel: kernel('k_dot2', [A, B], Y, [{ k: 'store', buf: Y, idx: I, val: e }], as.length),
    inputs: [tensor('int32', as), tensor('int32', bs)], expected: tensor('int32', as.map((a, i) => row.ref(a, bs[i]))) };
}

const CASES: Case[] = [...INT_TYPES.flatMap(intCases), dot2Case(), bigToF32Case('i64'), bigToF32Case('u64'), ...convCases(), ...mathCases()];
const outputOf = (c: Case) => c.kernel.params[c.kernel.params.length - 1];

// ---- backends: each returns, per case, the output buffer's bytes
const bytesOf = (t: TensorData) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);

function runJs(): Uint8Array[] {
  return CASES.map((c) => {
    const out = zeros(outputOf(c).dtype, c.expected.shape);
    compileKernelJs(c.kernel)(R, ...c.inputs.map((t) => t.data.slice()), out.data);
    return bytesOf(out);
  });
}

/** Memory layout shared by the C and WASM harnesses: every buffer at a 64-byte-aligned offset. */
function layout(base: number): { at: Map<KBuf, number>; end: number } {
  const at = new Map<KBuf, number>();
  let end = base;
  for (const c of CASES) for (const [i, b] of c.kernel.params.entries()) {
    at.set(b, end);
    const bytes = i < c.inputs.length ? c.inputs[i].data.byteLength : c.expected.data.byteLength;
    end = Math.ceil((end + bytes) / 64) * 64;
  }
  return { at, end };
}

function runC(dir: string): Uint8Array[] {
  const r = new CStyleRenderer({ name: 'test', types: C_TYPES, kernelPrefix: () => 'static', restrict: '', helperQualifier: 'static inline', vectors: true, loopPragmas: () => [] }, (id) => `b${id}`);
  const kernels = CASES.map((c) => r.kernel(c.kernel));
  const { at, end } = layout(0);
  const calls = CASES.map((c) => `  ${c.kernel.name}(${c.kernel.params.map((b) => `(${C_TYPES[storageScalar(b.dtype)]} *)(mem + ${at.get(b)})`).join(', ')});`);
  const src = ['#include <math.h>', '#include <stddef.h>', '#include <stdint.h>', '#include <stdio.h>', '#include <string.h>',
    ...helperSources(r.helpers), ...kernels, `static unsigned char mem[${end}] __attribute__((aligned(64)));`,
    'int main(int argc, char **argv) {', '  FILE *f = fopen(argv[1], "rb");', '  (void)argc;',
    `  if (!f || fread(mem, 1, ${end}, f) != ${end}) return 1;`, '  fclose(f);', ...calls,
    '  f = fopen(argv[2], "wb");', `  if (!f || fwrite(mem, 1, ${end}, f) != ${end}) return 1;`, '  return fclose(f);', '}'].join('\n');
  fs.writeFileSync(path.join(dir, 'intrinsics.c'), src);
  execFileSync(process.env.CC || 'gcc', [...CFLAGS, 'intrinsics.c', '-lm', '-o', 'intrinsics'], { cwd: dir, stdio: 'pipe' });
  const mem = new Uint8Array(end);
  CASES.forEach((c) => c.inputs.forEach((t, i) => mem.set(bytesOf(t), at.get(c.kernel.params[i])!)));
  fs.writeFileSync(path.join(dir, 'in.bin'), mem);
  execFileSync(path.join(dir, 'intrinsics'), ['in.bin', 'out.bin'], { cwd: dir });
  const res = new Uint8Array(fs.readFileSync(path.join(dir, 'out.bin')));
  return CASES.map((c) => res.slice(at.get(outputOf(c))!, at.get(outputOf(c))! + c.expected.data.byteLength));
}

function runWasm(): Uint8Array[] {
  const w = new WasmModule();
  const rt = new Runtime(w, 64), r = new KernelRenderer(rt);
  for (const c of CASES) { r.kernel(c.kernel); w.exportFunction(c.kernel.name); }
  const { at, end } = layout(Math.ceil(rt.end / 64) * 64);
  w.setMemory(Math.ceil(end / 65536), [...rt.tables.values()].map((t) => ({ offset: t.offset, data: t.bytes })));
  const bytes = w.finish(2);
  w.dispose();
  const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as Record<string, unknown>;
  const mem = new Uint8Array((ex.memory as WebAssembly.Memory).buffer);
  return CASES.map((c) => {
    c.inputs.forEach((t, i) => mem.set(bytesOf(t), at.get(c.kernel.params[i])!));
    expect((ex[c.kernel.name] as (...a: number[]) => number)(...c.kernel.params.map((b) => at.get(b)!))).toBe(0);
    const o = at.get(outputOf(c))!;
    return mem.slice(o, o + c.expected.data.byteLength);
  });
}

/** First element where got differs from the expected tensor (NaN matches NaN), or null. */
function firstDiff(c: Case, got: Uint8Array): string | null {
  const exp = bytesOf(c.expected), s = storageScalar(c.expected.dtype);
  const size = exp.length / c.expected.data.length;
  for (let i = 0; i < c.expected.data.length; i++) {
    const a = exp.subarray(i * size, (i + 1) * size), b = got.subarray(i * size, (i + 1) * size);
    if (a.every((x, j) => x === b[j])) continue;
    if (s === 'f32' && Number.isNaN(c.expected.data[i] as number) && Number.isNaN(new Float32Array(b.slice().buffer)[0])) continue;
    const inputs = c.inputs.map((t) => (numel(t.shape) === c.expected.data.length ? String(t.data[i]) : `byte ${Math.floor(i / (c.expected.data.length / t.data.length))}`));
    const view = (x: Uint8Array) => (s === 'f32' ? new Float32Array(x.slice().buffer)[0] : Array.from(x).map((v) => v.toString(16).padStart(2, '0')).join(''));
    return `${c.label} at [${i}] (input ${inputs.join(', ')}): expected ${view(a)}, got ${view(b)}`;
  }
  return null;
}

describe('intrinsics', () => {
  it('every row has a case, a C implementation and a written meaning', () => {
    const covered = new Set(CASES.map((c) => c.row));
    for (const row of INTRINSICS.values()) {
      expect(covered.has(row.name), `no case for ${row.name}`).toBe(true);
      expect(row.meaning.length).toBeGreaterThan(10);
      const h = cHelperOf(row.name);
      if (h !== null) expect(C_HELPERS[h], `C helper ${h} for ${row.name}`).toBeDefined();
    }
    for (const [row, fn] of runtimeRows()) expect(INTRINSICS.has(row), `wasm ${fn} names unknown row ${row}`).toBe(true);
  });

  for (const [name, run] of [['JS evaluator', runJs], ['C', () => runC(tmpDir('intrinsics'))], ['WASM', runWasm]] as const) {
    it(`${name} matches the reference bit for bit`, () => {
      const got = run();
      const diffs = CASES.map((c, i) => firstDiff(c, got[i])).filter((d) => d !== null);
      expect(diffs.slice(0, 12)).toEqual([]);
    });
  }

  it('exp_f32 and erf_f32 stay within their documented accuracy', () => {
    let expUlp = 0, erfAbs = 0;
    for (const x of randomF32(20000, 3, -87, 88)) {
      const got = INTRINSICS.get('exp_f32')!.ref(x) as number, want = Math.exp(x);
      const ulp = 2 ** (Math.floor(Math.log2(Math.abs(want))) - 23);
      expUlp = Math.max(expUlp, Math.abs(got - want) / ulp);
    }
    for (const x of randomF32(20000, 5, -6, 6)) erfAbs = Math.max(erfAbs, Math.abs((INTRINSICS.get('erf_f32')!.ref(x) as number) - (R.erf(x) as number)));
    expect(expUlp).toBeLessThanOrEqual(2);
    expect(erfAbs).toBeLessThan(4.2e-7);
  });
});
