// The one module that talks to Binaryen: typed wrappers over the builder API, the memory and
// export setup, and the optimization levels as Binaryen pass lists. Everything else in
// codegen/wasm builds expressions through `WasmModule`.
import binaryen from 'binaryen';
import { CompileError } from '../../ir/errors.js';
import { Segment, spliceDataSection } from './dataSection.js';

/** What WebAssembly engines accept (the JS API's implementation limits, which V8 enforces). */
export const WASM_LIMITS = { params: 1000, locals: 50000, pages: 65536 };

/** Value types of the module (no reference types, no multi-value). */
export type VT = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';
/** An expression (Binaryen ExpressionRef); one parent per expression, never reuse it. */
export type Ref = number & { readonly __wasmRef?: never };
/** Instruction namespaces: scalar types and the SIMD lane interpretations used. */
export type NS = VT | 'f32x4' | 'i32x4' | 'f64x2' | 'i8x16';

/** Optimization levels → Binaryen passes (the only place that picks passes). */
export type OptLevel = 0 | 1 | 2 | 3;
export const OPT_PASSES: Record<OptLevel, string[]> = {
  0: [],
  1: ['remove-unused-brs', 'remove-unused-names', 'merge-blocks', 'simplify-locals', 'vacuum', 'reorder-locals',
    'remove-unused-module-elements'],
  2: ['dce', 'remove-unused-brs', 'remove-unused-names', 'optimize-instructions', 'precompute', 'simplify-locals',
    'licm', 'merge-blocks', 'remove-unused-brs', 'coalesce-locals', 'simplify-locals', 'vacuum', 'reorder-locals',
    'code-folding', 'merge-blocks', 'optimize-instructions', 'inlining-optimizing', 'duplicate-function-elimination',
    'remove-unused-module-elements', 'vacuum'],
  3: ['dce', 'remove-unused-brs', 'remove-unused-names', 'optimize-instructions', 'precompute-propagate',
    'simplify-locals', 'licm', 'merge-blocks', 'remove-unused-brs', 'coalesce-locals', 'simplify-locals', 'vacuum',
    'reorder-locals', 'code-folding', 'merge-blocks', 'optimize-instructions', 'inlining-optimizing',
    'duplicate-function-elimination', 'remove-unused-module-elements', 'precompute-propagate', 'vacuum'],
};

/** Features the generated code may use: what Node 20 and current browsers run by default. */
const FEATURES = binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.NontrappingFPToInt
  | binaryen.Features.SIMD128 | binaryen.Features.SignExt | binaryen.Features.BulkMemory;

const TYPES: Record<VT | 'none', number> = {
  i32: binaryen.i32, i64: binaryen.i64, f32: binaryen.f32, f64: binaryen.f64, v128: binaryen.v128, none: binaryen.none,
};

export const PAGE = 65536;
/** Internal name of the one memory (loads and stores name it: the memory is added last). */
const MEMORY = '0';

type Dict = Record<string, unknown>;

/** Largest function (in Binaryen's size measure) inlined into its only caller. */
const ONE_CALLER_INLINE_MAX = 64;

export class WasmModule {
  private readonly m = new binaryen.Module();
  private readonly funcs = new Set<string>();
  private segments: Segment[] = [];

  constructor() {
    this.m.setFeatures(FEATURES);
  }

  /** A constant; i64 takes a bigint (or a safe integer). */
  c(t: VT, v: number | bigint): Ref {
    switch (t) {
      case 'i32': return this.m.i32.const(Number(BigInt.asIntN(32, BigInt(v)))) as Ref;
      case 'i64': return this.m.i64.const(BigInt.asIntN(64, BigInt(v))) as Ref;
      case 'f32': return this.m.f32.const(Number(v)) as Ref;
      case 'f64': return this.m.f64.const(Number(v)) as Ref;
      case 'v128': throw new Error('v128 constant: use splat');
    }
  }

  /**
   * A numeric instruction by its text-format name within a namespace, e.g. op('f32', 'add', a, b),
   * op('i32', 'trunc_s_sat.f64', x), op('f32x4', 'splat', x), op('f32x4', 'extract_lane', v, 2).
   */
  op(ns: NS, name: string, ...args: (Ref | number | number[])[]): Ref {
    let f: unknown = this.m[ns as keyof binaryen.Module];
    let self: unknown = f;
    for (const part of name.split('.')) { self = f; f = (f as Dict)[part]; }
    if (typeof f !== 'function') throw new Error(`binaryen: no instruction ${ns}.${name}`);
    return (f as (...a: unknown[]) => Ref).apply(self, args);
  }

  /** Memory access: kind is the text-format suffix ('load', 'load8_u', 'store16'…); align in bytes. */
  load(ns: VT, kind: string, ptr: Ref, offset = 0, align = 0): Ref {
    return (this.op as (...a: unknown[]) => Ref)(ns, kind, offset, align || naturalAlign(ns, kind), ptr, MEMORY);
  }
  store(ns: VT, kind: string, ptr: Ref, value: Ref, offset = 0, align = 0): Ref {
    return (this.op as (...a: unknown[]) => Ref)(ns, kind, offset, align || naturalAlign(ns, kind), ptr, value, MEMORY);
  }

  get(index: number, t: VT): Ref { return this.m.local.get(index, TYPES[t]) as Ref; }
  set(index: number, v: Ref): Ref { return this.m.local.set(index, v) as Ref; }
  tee(index: number, v: Ref, t: VT): Ref { return this.m.local.tee(index, v, TYPES[t]) as Ref; }

  /** A block; its type is inferred from the last child unless given. */
  block(label: string | null, children: Ref[], t?: VT): Ref {
    return this.m.block(label, children, t ? TYPES[t] : binaryen.auto) as Ref;
  }
  loop(label: string, body: Ref): Ref { return this.m.loop(label, body) as Ref; }
  br(label: string, cond?: Ref): Ref { return this.m.br(label, cond) as Ref; }
  if(c: Ref, then: Ref, els?: Ref): Ref { return this.m.if(c, then, els) as Ref; }
  select(c: Ref, a: Ref, b: Ref): Ref { return this.m.select(c, a, b) as Ref; }
  call(name: string, args: Ref[], result: VT | 'none'): Ref { return this.m.call(name, args, TYPES[result]) as Ref; }
  ret(v?: Ref): Ref { return this.m.return(v) as Ref; }
  drop(v: Ref): Ref { return this.m.drop(v) as Ref; }
  nop(): Ref { return this.m.nop() as Ref; }
  unreachable(): Ref { return this.m.unreachable() as Ref; }

  hasFunction(name: string): boolean { return this.funcs.has(name); }

  /** Adds a function; locals are numbered params first, then vars. */
  addFunction(name: string, params: VT[], result: VT | 'none', vars: VT[], body: Ref): void {
    if (params.length > WASM_LIMITS.params)
      throw new CompileError(`kernel '${name}' takes ${params.length} buffers; WebAssembly engines accept at most ${WASM_LIMITS.params} function parameters (compile to C, or split the op)`);
    if (params.length + vars.length > WASM_LIMITS.locals)
      throw new CompileError(`kernel '${name}' needs ${params.length + vars.length} locals; WebAssembly engines accept at most ${WASM_LIMITS.locals}`);
    this.m.addFunction(name, binaryen.createType(params.map((t) => TYPES[t])), TYPES[result], vars.map((t) => TYPES[t]), body);
    this.funcs.add(name);
  }
  /** Declares an imported function (only profile builds import anything). */
  importFunction(name: string, module: string, base: string, params: VT[], result: VT | 'none'): void {
    this.m.addFunctionImport(name, module, base, binaryen.createType(params.map((t) => TYPES[t])), TYPES[result]);
    this.funcs.add(name);
  }
  exportFunction(name: string, as = name): void { this.m.addFunctionExport(name, as); }

  /** One exported memory of `pages` pages (fixed size) with active data segments. The segments
   * stay out of Binaryen (its passes never read them): finish() writes them (dataSection.ts). */
  setMemory(pages: number, segments: Segment[], exportName = 'memory'): void {
    if (pages > WASM_LIMITS.pages) throw new CompileError(`the model needs ${pages * 65536} bytes of memory; 32-bit WebAssembly addresses at most 4 GiB`);
    this.m.setMemory(pages, pages, exportName, [], false, false, MEMORY);
    this.segments = segments;
  }

  /** Validates, runs the passes of `level`, returns the binary. */
  finish(level: OptLevel): Uint8Array {
    if (!this.m.validate()) throw new Error('binaryen: the generated module does not validate');
    const passes = OPT_PASSES[level];
    if (passes.length) {
      binaryen.setOptimizeLevel(Math.min(level, 2));
      binaryen.setShrinkLevel(0);
      // kernels stay functions of their own: V8 compiles (and tiers up) each one separately and
      // allocates registers per kernel; one giant inlined `run` compiles to slower code
      binaryen.setOneCallerInlineMaxSize(ONE_CALLER_INLINE_MAX);
      this.m.runPasses(passes);
    }
    return spliceDataSection(this.m.emitBinary(), this.segments);
  }

  dispose(): void { this.m.dispose(); }
}

function naturalAlign(ns: VT, kind: string): number {
  const m = /(\d+)/.exec(kind.replace(/x\d+/, ''));
  if (m && kind !== 'load' && kind !== 'store') return Number(m[1]) / 8;
  return ns === 'i32' || ns === 'f32' ? 4 : ns === 'v128' ? 16 : 8;
}
