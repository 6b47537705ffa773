// Contexts handed to op definitions: InferCtx (types, constants, attributes) for shape
// inference and evaluation, LowerCtx (buffers and a statement builder) for lowering.
import { DType, Scalar, computeScalar } from './dtype.js';
import { CompileError, nodeError } from './errors.js';
import { Attr, Dim, Graph, Node, TensorType, nodeLabel } from './graph.js';
import type { Evaluator } from './infer.js';
import { E, add, as, cast, ix, linearIndex, load, mul, stridesOf, v } from './kbuild.js';
import { Expr, ForStmt, KBuf, LoopBind, LoopHint, Stmt } from './kernel.js';
import type { OpDef } from './opdef.js';
import { shapeValueOf } from './shapeValues.js';
import { SCALAR_SCHEDULE, ScheduleTable } from './schedule.js';
import { SCALAR_TARGET, TargetDesc } from './target.js';
import { TensorData, numel, toNumbers } from './tensor.js';

export class InferCtx {
  constructor(
    readonly node: Node,
    readonly def: OpDef,
    /** Types of the inputs (null for omitted optional inputs). */
    readonly types: (TensorType | null)[],
    /** Compile-time values of inputs, where known. */
    readonly consts: (TensorData | undefined)[],
    /** Folds constants while inferring subgraphs (see inferSubgraph); absent: types only. */
    readonly evaluate?: Evaluator,
  ) {}

  get opset(): number { return this.node.opset; }
  get numInputs(): number { return this.node.inputs.length; }
  get numOutputs(): number { return this.node.outputs.length; }

  error(msg: string): CompileError { return nodeError(this.node, msg); }

  /** Whether optional input i is present. */
  has(i: number): boolean { return i < this.node.inputs.length && this.node.inputs[i] !== null; }

  /** Type of input i (throws if absent). */
  type(i: number): TensorType {
    const t = this.types[i];
    if (!t) throw this.error(`input ${i} is required`);
    return t;
  }
  shape(i: number): Dim[] { return this.type(i).shape; }
  dtype(i: number): DType { return this.type(i).dtype; }
  rank(i: number): number { return this.type(i).shape.length; }

  /** Concrete shape of input i (throws on symbolic dims). */
  cshape(i: number): number[] {
    const s = this.shape(i);
    for (const d of s) if (typeof d !== 'number') throw this.error(`input ${i} has symbolic dimension '${d}'; bind it with --dim ${d}=VALUE`);
    return s as number[];
  }

  /** Compile-time value of input i, or undefined. */
  constOf(i: number): TensorData | undefined { return this.consts[i]; }

  /** Input i's elements as dims (ir/shapeValues.ts): its compile-time value, or the dims a
   * shape computation gives (a name where the dim is symbolic); undefined when neither. */
  shapeValue(i: number): Dim[] | undefined { return shapeValueOf(this.node.inputs[i]); }

  /** Compile-time value of input i as numbers; throws if not constant. */
  constNums(i: number, what = `input ${i}`): number[] {
    const c = this.consts[i];
    if (!c) throw this.error(`${what} must be known at compile time (an initializer, a constant, or an input bound with --const)`);
    return toNumbers(c);
  }

  private raw(name: string): Attr | undefined { return this.node.attrs.get(name); }

  /** Attribute value, falling back to the schema default; throws when required and missing. */
  attr<T>(name: string): T {
    const a = this.raw(name);
    if (a) return a.value as T;
    const spec = this.def.attrs?.[name];
    if (!spec) throw new Error(`op ${this.def.op} reads undeclared attribute '${name}'`);
    if (spec.default === undefined) throw this.error(`attribute '${name}' is required`);
    return (typeof spec.default === 'function' ? spec.default(this.opset) : spec.default) as T;
  }
  hasAttr(name: string): boolean { return this.node.attrs.has(name); }
  int(name: string): number { return this.attr<number>(name); }
  float(name: string): number { return this.attr<number>(name); }
  str(name: string): string { return this.attr<string>(name); }
  ints(name: string): number[] { return this.attr<number[]>(name); }
  floats(name: string): number[] { return this.attr<number[]>(name); }
  tensorAttr(name: string): TensorData { return this.attr<TensorData>(name); }
  graphAttr(name: string): Graph { return this.attr<Graph>(name); }

  /** Normalizes a possibly negative axis against a rank, with a range check. */
  axis(a: number, rank: number, what = 'axis'): number {
    if (a < -rank || a >= rank) throw this.error(`${what} ${a} is out of range for rank ${rank}`);
    return a < 0 ? a + rank : a;
  }

  label(): string { return nodeLabel(this.node); }
}

/** A tensor as a kernel sees it: a buffer with a concrete row-major shape. */
export interface TensorRef {
  buf: KBuf;
  /** The shape; a run-time dim (ir/rtdims.ts) at its upper bound. */
  shape: number[];
  /** Strides of `shape`; wrong for a tensor with run-time dims (use `rt.strides`). */
  strides: number[];
  dtype: DType;
  /** Scalar type of loaded values. */
  t: Scalar;
  /** Set when a dim is known only at run time: only ops declaring `runtimeDims` see such refs. */
  rt?: RtDims;
}

/** The actual extents of a tensor with run-time dims (ir/rtdims.ts). */
export interface RtDims {
  /** Each dim: a constant, or the load of its slot. */
  dims: Expr[];
  /** Row-major strides over the actual dims (the tensor is dense in its actual shape). */
  strides: Expr[];
  /** The slot of each run-time dim (undefined for static dims). */
  slots: (KBuf | undefined)[];
  /** The dims as the graph names them (equal names: equal values). */
  names: Dim[];
}

/** A loop extent: a constant, or a run-time value with a compile-time upper bound. */
export type Extent = number | { hi: Expr; bound: number };

export function tensorRef(buf: KBuf, shape: number[], rt?: RtDims): TensorRef {
  const r: TensorRef = { buf, shape, strides: stridesOf(shape), dtype: buf.dtype, t: computeScalar(buf.dtype) };
  if (rt) r.rt = rt;
  return r;
}

/** The value of a run-time dim held in `slot` (an int64 scalar buffer). */
export const slotValue = (slot: KBuf): Expr => cast(load(slot, ix(0), 'i64'), 'idx');

/** RtDims of a shape whose dims are constants or slots. */
export function rtDims(shape: number[], names: Dim[], slots: (KBuf | undefined)[]): RtDims {
  const dims = shape.map((d, k) => (slots[k] ? slotValue(slots[k]!) : ix(d)));
  const strides: Expr[] = new Array(dims.length);
  let s: Expr = ix(1);
  for (let k = dims.length - 1; k >= 0; k--) { strides[k] = s; s = mul(s, dims[k]); }
  return { dims, strides, slots, names };
}

/** Whether a block contains a `break` that leaves the loop around it (not one of an inner loop). */
function breaksOut(b: Stmt[]): boolean {
  return b.some((s) => s.k === 'break' || (s.k === 'if' && (breaksOut(s.then) || breaksOut(s.else))));
}

/** Target facts lowering may specialize on (ir/target.ts). */
export type LowerTarget = TargetDesc;
export { SCALAR_TARGET };

export class LowerCtx extends InferCtx {
  readonly body: Stmt[] = [];
  private blocks: Stmt[][] = [this.body];
  private names = new Map<string, number>();
  readonly scratch: KBuf[] = [];
  /** Arrays in shared memory the kernel declares (schedules for threaded targets make them). */
  readonly sharedBufs: KBuf[] = [];

  constructor(
    node: Node, def: OpDef, types: (TensorType | null)[], consts: (TensorData | undefined)[],
    readonly ins: (TensorRef | null)[],
    readonly outs: (TensorRef | null)[],
    /** Allocates a kernel-private scratch buffer. */
    private newBuf: (dtype: DType, size: number, name: string) => KBuf,
    /** What the target offers kernels (SIMD width…); schedules read it. */
    readonly target: LowerTarget = SCALAR_TARGET,
    /** How this target runs the algorithms ops ask about (ir/schedule.ts); default: scalar. */
    readonly schedule: ScheduleTable = SCALAR_SCHEDULE,
    /** A context this one lowers into: its statements, names and scratch are shared. */
    parent?: LowerCtx,
  ) {
    super(node, def, types, consts);
    if (parent) {
      this.blocks = parent.blocks;
      this.names = parent.names;
      this.scratch = parent.scratch;
      this.sharedBufs = parent.sharedBufs;
    }
  }

  /**
   * A context for another node (a subgraph's) emitting into this kernel at the current
   * statement: same statement blocks, variable names, scratch list and buffer allocator.
   */
  child(node: Node, def: OpDef, types: (TensorType | null)[], consts: (TensorData | undefined)[],
    ins: (TensorRef | null)[], outs: (TensorRef | null)[]): LowerCtx {
    return new LowerCtx(node, def, types, consts, ins, outs, this.newBuf, this.target, this.schedule, this);
  }

  in(i: number): TensorRef {
    const r = this.ins[i];
    if (!r) throw this.error(`input ${i} is required`);
    return r;
  }
  out(i: number): TensorRef {
    const r = this.outs[i];
    if (!r) throw this.error(`output ${i} is required`);
    return r;
  }
  hasOut(i: number): boolean { return !!this.outs[i]; }

  /** A fresh variable name with this prefix, unique within the kernel. */
  fresh(prefix: string): string {
    const n = this.names.get(prefix) ?? 0;
    this.names.set(prefix, n + 1);
    return `${prefix}${n}`;
  }

  emit(s: Stmt): void { this.blocks[this.blocks.length - 1].push(s); }

  /** Whether statements go inside a loop or branch (or a block being collected), not the kernel's top level. */
  get nested(): boolean { return this.blocks.length > 1; }

  /** Runs fn collecting the statements it emits. */
  block(fn: () => void): Stmt[] {
    const b: Stmt[] = [];
    this.blocks.push(b);
    try { fn(); } finally { this.blocks.pop(); }
    return b;
  }

  /**
   * for (i = lo; i < hi; i += step) body(i). The loop's kind (parallel, reduce or serial) and
   * the bound of its trip count are derived when the kernel is complete (annotateLoops in
   * ir/loopKinds.ts); `bound` is needed only when hi depends on a value known at run time
   * alone (a loaded value): the most iterations the loop can run. `bind` (schedules of threaded
   * targets) maps the loop onto launch indices: a parallel loop, kept even when it runs once,
   * whose independence its schedule answers for (ir/kernel.ts).
   */
  loop(hi: E, fn: (i: Expr) => void, opts: { lo?: E; step?: number; name?: string; hint?: LoopHint; bound?: number; bind?: LoopBind } = {}): void {
    const lo = as(opts.lo ?? 0, 'idx'), h = as(hi, 'idx'), step = opts.step ?? 1;
    // a single iteration needs no loop: run the body once with the constant index (inside a
    // one-trip loop only when the body breaks out of it)
    if (!opts.bind && lo.k === 'const' && h.k === 'const' && Number(h.v) - Number(lo.v) === 1) {
      const body = this.block(() => fn(lo));
      if (!breaksOut(body)) for (const st of body) this.emit(st);
      else this.emit({ k: 'for', v: this.fresh(opts.name ?? 'i'), lo, hi: h, step: 1, body, kind: 'serial', bound: 1 });
      return;
    }
    const name = this.fresh(opts.name ?? 'i');
    const body = this.block(() => fn(v(name)));
    const s: ForStmt = { k: 'for', v: name, lo, hi: h, step, body, kind: opts.bind ? 'parallel' : 'serial', bound: opts.bound ?? -1 };
    if (opts.hint) s.hint = opts.hint;
    if (opts.bind) s.bind = opts.bind;
    this.emit(s);
  }

  /** Nested loops over a shape (dims of extent 1 get the constant index 0; a run-time extent
   * loops up to its value, at most its bound). */
  nest(shape: Extent[], fn: (idx: Expr[]) => void): void {
    const go = (d: number, acc: Expr[]) => {
      if (d === shape.length) return fn(acc);
      const e = shape[d];
      if (typeof e !== 'number') return this.loop(e.hi, (i) => go(d + 1, [...acc, i]), { bound: e.bound });
      if (e === 1) return go(d + 1, [...acc, ix(0)]);
      this.loop(e, (i) => go(d + 1, [...acc, i]));
    };
    go(0, []);
  }

  /** Dim d of a tensor: a constant, or the run-time value. */
  dim(r: TensorRef, d: number): Expr { return r.rt ? r.rt.dims[d] : ix(r.shape[d]); }

  /** The extents of a tensor's dims, for nest(). */
  extents(r: TensorRef): Extent[] {
    return r.shape.map((b, d) => (r.rt?.slots[d] ? { hi: r.rt.dims[d], bound: b } : b));
  }

  /** Elements of a tensor (its actual count when it has run-time dims). */
  count(r: TensorRef): Expr {
    return r.rt ? r.rt.dims.reduce((a: Expr, d) => mul(a, d), ix(1)) : ix(numel(r.shape));
  }

  /** Stores the value of run-time dim d of an output (nothing for a static dim). */
  setDim(r: TensorRef, d: number, val: E): void {
    const slot = r.rt?.slots[d];
    if (slot) this.emit({ k: 'store', buf: slot, idx: ix(0), val: cast(as(val, 'idx'), 'i64') });
  }

  /** Declares a mutable local initialized to init; returns a reference to it. */
  local(init: Expr, prefix = 'acc'): Expr {
    const name = this.fresh(prefix);
    this.emit({ k: 'decl', name, t: init.t, init });
    return v(name, init.t);
  }
  assign(local: Expr, val: E): void {
    if (local.k !== 'var') throw new Error('assign to a non-variable');
    this.emit({ k: 'assign', name: local.name, val: as(val, local.t) });
  }
  if(c: Expr, then: () => void, otherwise?: () => void): void {
    this.emit({ k: 'if', c, then: this.block(then), else: otherwise ? this.block(otherwise) : [] });
  }
  /** while (c) body; bound: the most iterations it can run (omit only when none is known). */
  while(c: Expr, body: () => void, bound?: number): void {
    const s: Stmt = { k: 'while', c, body: this.block(body) };
    if (bound !== undefined) s.bound = bound;
    this.emit(s);
  }
  break(): void { this.emit({ k: 'break' }); }

  /** Flat element index of a multi-index (or a flat index as is). */
  offset(r: TensorRef, idx: Expr | Expr[]): Expr {
    if (!Array.isArray(idx)) return idx;
    if (!r.rt) return linearIndex(idx, r.strides);
    const st = r.rt.strides;
    return idx.reduce((a: Expr, i, d) => add(a, mul(i, st[d])), ix(0));
  }
  load(r: TensorRef, idx: Expr | Expr[]): Expr { return load(r.buf, this.offset(r, idx), r.t); }
  store(r: TensorRef, idx: Expr | Expr[], val: E, sat?: boolean): void {
    const s: Stmt = { k: 'store', buf: r.buf, idx: this.offset(r, idx), val: as(val, r.t) };
    if (sat !== undefined) (s as { sat?: boolean }).sat = sat;
    this.emit(s);
  }

  /** An array in shared memory: one copy per thread block, declared by the kernel (no arena space). */
  shared(dtype: DType, shape: number[], name = 'sh'): TensorRef {
    const b = this.newBuf(dtype, Math.max(1, numel(shape)), name);
    b.space = 'shared';
    this.sharedBufs.push(b);
    return tensorRef(b, shape);
  }

  /** A kernel-private temporary tensor (lives in the arena during this kernel only). */
  temp(dtype: DType, shape: number[], name = 'tmp'): TensorRef {
    const b = this.newBuf(dtype, Math.max(1, numel(shape)), name);
    this.scratch.push(b);
    return tensorRef(b, shape);
  }
}
