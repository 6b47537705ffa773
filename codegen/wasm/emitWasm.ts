// WebAssembly backend: renders a planned Program as a self-contained NAME.wasm (no imports;
// exports `memory` and `run`), an ES module loader NAME.js and its typings NAME.d.ts.
// Linear memory is laid out at compile time: runtime tables, constants (active data
// segments), guard values, inputs, outputs, the arena, then the address tables of kernels past
// MAX_DIRECT_PARAMS buffers; the loader knows the offsets.
import { byteSize } from '../../ir/dtype.js';
import { ARENA_ALIGN, Program, ProgramBuf, stepLabel, storageOf } from '../../ir/kernel.js';
import { isPacked, tensorBytes } from '../../ir/tensor.js';
import { CompileError } from '../../ir/errors.js';
import { OptLevel, PAGE, Ref, WasmModule } from './binaryen.js';
import { Fn, ops } from './fn.js';
import { loaderSource, typingsSource } from './loader.js';
import { KernelRenderer, tableParams } from './render.js';
import { Runtime, defineRuntime } from './runtime.js';

export interface EmitWasmOptions {
  source: string;
  /** Binaryen optimization level (default 2). */
  optLevel?: OptLevel;
  /** Profile build: imports onnxc.step(k), called at the start of run (-1) and after each
   * step; the loader then times the steps (model.profile()). */
  profile?: boolean;
}

/** Where each tensor lives in linear memory (what the loader needs). */
export interface WasmLayout {
  /** dims (inputs with bounded dims only): per dim, its value, or its range and where the
   * loader stores the actual value (an int64 slot outside the arena). */
  inputs: { name: string; dtype: string; shape: number[]; offset: number; bytes: number; dims?: (number | { at: number; name: string; min: number; max: number })[] }[];
  /** dims (outputs with run-time dims only): per dim, its value, or where its int64 slot lies. */
  outputs: { name: string; dtype: string; shape: number[]; offset: number; bytes: number; dims?: (number | { at: number })[] }[];
  guarded: string[];
  memoryBytes: number;
  /** Profile builds: the label of each step. */
  profile?: string[];
}

const align = (n: number, a = ARENA_ALIGN) => Math.ceil(n / a) * a;

// byte-wise equality of two memory ranges (guards on specialized inputs)
defineRuntime('memeq', {
  params: [['a', 'i32'], ['b', 'i32'], ['n', 'i32']], result: 'i32',
  build(f) {
    const w = f.w, I = ops(w, 'i32'), i = f.local('i32');
    const byte = (p: string) => w.load('i32', 'load8_u', I.add(f.get(p), f.get(i)));
    return {
      body: [f.whileLoop(() => I.lt(f.get(i), f.get('n')), [
        w.if(I.ne(byte('a'), byte('b')), w.ret(I.k(0))), f.set(i, I.add(f.get(i), I.k(1)))])],
      value: I.k(1),
    };
  },
});

export function emitWasm(p: Program, opts: EmitWasmOptions): { files: Record<string, string | Uint8Array>; layout: WasmLayout } {
  const w = new WasmModule();
  try {
    const rt = new Runtime(w, 64);
    const r = new KernelRenderer(rt);
    for (const s of p.steps) r.kernel(s.kernel);

    // memory layout, after the runtime tables the kernels asked for
    const addr = new Map<ProgramBuf, number>();
    const segments: { offset: number; data: Uint8Array }[] = [...rt.tables.values()].map((t) => ({ offset: t.offset, data: t.bytes }));
    let end = align(rt.end);
    const place = (b: ProgramBuf, data?: Uint8Array) => {
      addr.set(b, end);
      if (data?.length) segments.push({ offset: end, data });
      end = align(end + Math.max(1, byteSize(b.dtype, b.size)));
    };
    const used = (b: ProgramBuf) => p.steps.some((s) => s.args.includes(b));
    for (const b of p.bufs) if (b.role === 'const' && used(b)) place(b, tensorBytes(b.data!));
    const guardAt = p.guards.map((g) => {
      const at = end, data = tensorBytes(g.data);
      if (data.length) segments.push({ offset: at, data });
      end = align(end + Math.max(1, data.length));
      return { at, bytes: data.length };
    });
    for (const io of p.inputs) place(io.buf);
    // bounded input dims: the loader writes them beside the inputs, outside the arena
    for (const d of p.inputDims ?? []) place(d.slot);
    for (const io of p.outputs) if (!addr.has(io.buf)) place(io.buf);
    const arena = end;
    end = align(end + p.arenaSize);
    for (const b of p.bufs) if (b.role === 'temp' && !addr.has(b)) addr.set(b, arena + (b.offset ?? 0));
    for (const b of p.bufs) if (b.role === 'view') {
      const { root, at } = storageOf(b);
      addr.set(b, addr.get(root)! + byteSize(b.dtype, at));
    }
    // kernels past MAX_DIRECT_PARAMS buffers take the address of a table of their buffers' addresses
    const tables = new Map<number, number>();
    p.steps.forEach((s, k) => {
      if (!tableParams(s.kernel)) return;
      const data = new Uint8Array(4 * s.args.length), dv = new DataView(data.buffer);
      s.args.forEach((b, i) => dv.setUint32(4 * i, addr.get(b)!, true));
      tables.set(k, end);
      segments.push({ offset: end, data });
      end = align(end + data.length);
    });
    const pages = Math.max(1, Math.ceil(end / PAGE));

    // run(): guards, then every step; a nonzero status stops it
    const f = new Fn(w, 'run', [], 'i32');
    const I = ops(w, 'i32'), st = f.local('i32');
    if (opts.profile) w.importFunction('onnxc_step', 'onnxc', 'step', ['i32'], 'none');
    const mark = (k: number) => (opts.profile ? [w.call('onnxc_step', [I.k(k)], 'none')] : []);
    const body: Ref[] = p.guards.map((g, i) => w.if(I.eqz(rt.call('memeq', [I.k(addr.get(g.buf)!), I.k(guardAt[i].at), I.k(guardAt[i].bytes)])), w.ret(I.k(2))));
    body.push(...mark(-1));
    p.steps.forEach((s, k) => {
      const args = tables.has(k) ? [I.k(tables.get(k)!)] : s.args.map((b) => I.k(addr.get(b)!));
      body.push(f.set(st, w.call(s.kernel.name, args, 'i32')), w.if(f.get(st), w.ret(f.get(st))), ...mark(k));
    });
    f.finish(body, I.k(0));
    w.exportFunction('run');
    w.setMemory(pages, segments);

    const io = (l: Program['inputs']) => l.map((x) => ({ name: x.name, dtype: x.buf.dtype, shape: x.shape, offset: addr.get(x.buf)!, bytes: byteSize(x.buf.dtype, x.buf.size) }));
    const outs = p.outputs.map((x) => {
      const o: WasmLayout['outputs'][number] = io([x])[0];
      if (x.dims) {
        if (isPacked(x.buf.dtype)) throw new CompileError(`output '${x.name}': a ${x.buf.dtype} tensor with run-time dims is not supported on wasm`);
        o.dims = x.shape.map((d, k) => (x.dims![k] ? { at: addr.get(x.dims![k]!)! } : d));
      }
      return o;
    });
    const ins = p.inputs.map((x) => {
      const o: WasmLayout['inputs'][number] = io([x])[0];
      if (x.dims) o.dims = x.shape.map((d, k) => {
        const r = p.inputDims!.find((y) => y.slot === x.dims![k]);
        return r ? { at: addr.get(r.slot)!, name: r.name, min: r.min, max: r.max } : d;
      });
      return o;
    });
    const layout: WasmLayout = { inputs: ins, outputs: outs, guarded: p.guards.map((g) => p.inputs.find((x) => x.buf === g.buf)?.name ?? g.buf.name), memoryBytes: pages * PAGE };
    if (opts.profile) layout.profile = p.steps.map(stepLabel);
    const wasm = w.finish(opts.optLevel ?? 2);
    const N = p.name, src = opts.source.split(/[\\/]/).pop() ?? opts.source;
    return {
      files: { [`${N}.wasm`]: wasm, [`${N}.js`]: loaderSource(N, src, layout), [`${N}.d.ts`]: typingsSource(N, src, layout) },
      layout,
    };
  } finally {
    w.dispose();
  }
}
