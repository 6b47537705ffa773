// Kernel IR → one wasm function per kernel: params are the buffers' byte addresses (i32), the
// result is a status (0 = ok). Scalars follow the C target: i8/i16/u8/u16/bool live in i32
// locals, always normalized (sign- or zero-extended, bool 0/1); idx is i32; i64/u64 are i64;
// float32 math functions run in float64 through the generated runtime.
import { DType, Scalar, byteSize, scalarBits, storageScalar } from '../../ir/dtype.js';
import { IntT, intRange } from '../../ir/intrinsics.js';
import { BinOp, Expr, KBuf, Kernel, Stmt, UnOp } from '../../ir/kernel.js';
import { VBinOp, VExpr, evenLanes, laneExpr } from '../../ir/vector.js';
import { Ref, VT } from './binaryen.js';
import { convertedLoad, convertedStore } from './convert.js';
import { Fn, NumT, ops } from './fn.js';
import './mathlib.js';
import { Runtime, defineRuntime } from './runtime.js';
import { V_MATH, hasF32Math } from './simd.js';

export const vt = (t: Scalar): NumT => (t === 'f32' || t === 'f64' ? t : t === 'i64' || t === 'u64' ? 'i64' : 'i32');
export const isF = (t: Scalar) => t === 'f32' || t === 'f64';
const signed = (t: Scalar) => t === 'i8' || t === 'i16' || t === 'i32' || t === 'i64' || t === 'idx';

/** Math functions computed by the runtime library (in f64). */
const LIBM = new Set<string>(['exp', 'log', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'erf', 'pow', 'atan2', 'fmod']);
/** SIMD128 instructions of the vector binary operators (ir/vector.ts gives their NaN rules). */
const V_BIN: Record<VBinOp, string> = { add: 'add', sub: 'sub', mul: 'mul', div: 'div', max: 'pmax', min: 'pmin', maxnan: 'max', minnan: 'min' };
const NATIVE_UN: Partial<Record<UnOp, string>> = { sqrt: 'sqrt', floor: 'floor', ceil: 'ceil', trunc: 'trunc', rint: 'nearest', abs: 'abs', neg: 'neg' };

/** Storage access per dtype: load instruction (zero/sign extension) and store instruction. */
function access(d: DType): { ns: VT; load: string; store: string } {
  switch (storageScalar(d)) {
    case 'f32': return { ns: 'f32', load: 'load', store: 'store' };
    case 'f64': return { ns: 'f64', load: 'load', store: 'store' };
    case 'i64': case 'u64': return { ns: 'i64', load: 'load', store: 'store' };
    case 'i8': return { ns: 'i32', load: 'load8_s', store: 'store8' };
    case 'u8': case 'bool': return { ns: 'i32', load: 'load8_u', store: 'store8' };
    case 'i16': return { ns: 'i32', load: 'load16_s', store: 'store16' };
    case 'u16': return { ns: 'i32', load: 'load16_u', store: 'store16' };
    default: return { ns: 'i32', load: 'load', store: 'store' };
  }
}

// integer division and remainder, rows div_<t>/mod_<t> (ir/intrinsics.ts): x / 0 = 0, MIN / -1
// wraps, MIN % -1 = 0 (rem_s already gives it); narrower types compute in i32 and normalize
for (const t of ['i32', 'i64'] as const) for (const op of ['div_s', 'div_u', 'rem_s', 'rem_u']) {
  defineRuntime(`${op}_${t}`, {
    row: `${op.startsWith('div') ? 'div' : 'mod'}_${op.endsWith('s') ? 'i' : 'u'}${t.slice(1)}`,
    params: [['a', t], ['b', t]], result: t,
    build(f) {
      const w = f.w, X = ops(w, t);
      const guard = op === 'div_s' ? w.if(X.eq(f.get('b'), X.k(-1)), w.ret(X.sub(X.k(0), f.get('a')))) : w.nop();
      return { body: [w.if(X.eqz(f.get('b')), w.ret(X.k(0))), guard], value: w.op(t, op, f.get('a'), f.get('b')) };
    },
  });
}

/** Whether an index expression is surely >= 0 (variables are loop counters and indices). */
function nonNeg(e: Expr): boolean {
  switch (e.k) {
    case 'var': return true;
    case 'const': return Number(e.v) >= 0;
    case 'bin': return (e.op === 'add' || e.op === 'mul') && nonNeg(e.a) && nonNeg(e.b);
    default: return false;
  }
}

/** Most buffers a kernel takes as parameters; past it the kernel takes one parameter, the address
 * of a table of i32 buffer addresses that its prologue loads into locals. Engines accept at most
 * WASM_LIMITS.params parameters; the cut-off is C's (codegen/c/rows.ts), so the same kernels
 * take a table on both targets. */
export const MAX_DIRECT_PARAMS = 127;

/** Whether kernel k takes its buffers through a table of addresses. */
export const tableParams = (k: Kernel): boolean => k.params.length > MAX_DIRECT_PARAMS;

export class KernelRenderer {
  f!: Fn;
  private breaks: string[] = [];

  constructor(readonly rt: Runtime) {}
  get w() { return this.rt.w; }

  /** Adds the kernel's function (named `k.name`) to the module. */
  kernel(k: Kernel): void {
    const table = tableParams(k), I = ops(this.w, 'i32');
    this.f = new Fn(this.w, k.name, table ? [['$args', 'i32']] : k.params.map((b) => [`$buf${b.id}`, 'i32'] as [string, VT]), 'i32');
    const prologue = table ? k.params.map((b, i) => this.f.set(this.f.local('i32', `$buf${b.id}`), this.w.load('i32', 'load', this.f.get('$args'), 4 * i))) : [];
    const body = this.block(k.body);
    this.f.finish([...prologue, ...body], I.k(0));
  }

  base(b: KBuf): Ref { return this.f.get(`$buf${b.id}`); }

  /** Byte address of element idx of b (not for packed 4-bit types). */
  addr(b: KBuf, idx: Ref): Ref {
    const I = ops(this.w, 'i32'), size = byteSize(b.dtype, 1);
    return I.add(this.base(b), size === 1 ? idx : I.shl(idx, I.k(Math.log2(size))));
  }

  /**
   * Address of element idx of b split as pointer + constant byte offset: an index `e + c`
   * (c > 0, e built from variables, non-negative constants, + and *) puts c into the
   * instruction's offset immediate, so tiles addressed from one index share its address.
   */
  addrOff(b: KBuf, idx: Expr): [Ref, number] {
    const size = byteSize(b.dtype, 1);
    if (idx.k === 'const' && Number(idx.v) >= 0) return [this.base(b), Number(idx.v) * size];
    if (idx.k === 'bin' && idx.op === 'add' && idx.b.k === 'const' && Number(idx.b.v) > 0 && nonNeg(idx.a))
      return [this.addr(b, this.expr(idx.a)), Number(idx.b.v) * size];
    return [this.addr(b, this.expr(idx)), 0];
  }

  /** Evaluates e into a fresh local, then builds from it. */
  withTemp(t: NumT, e: Ref, use: (get: () => Ref) => Ref): Ref {
    const i = this.f.local(t);
    const r = use(() => this.f.get(i));
    return this.w.block(null, [this.w.set(i, e), r]);
  }

  norm(t: Scalar, a: Ref): Ref {
    const w = this.w, I = ops(w, 'i32');
    switch (t) {
      case 'i8': return w.op('i32', 'extend8_s', a);
      case 'i16': return w.op('i32', 'extend16_s', a);
      case 'u8': return I.and(a, I.k(255));
      case 'u16': return I.and(a, I.k(65535));
      case 'bool': return I.ne(a, I.k(0));
      default: return a;
    }
  }

  cast(from: Scalar, to: Scalar, a: Ref): Ref {
    const w = this.w, f = vt(from), t = vt(to);
    if (from === to) return a;
    if (to === 'bool') return w.op(f, 'ne', a, w.c(f, 0));
    if (isF(from) && isF(to)) return w.op(t, to === 'f64' ? 'promote' : 'demote', a);
    if (isF(to)) return w.op(t, `${signed(from) ? 'convert_s' : 'convert_u'}.${f}`, a);
    if (isF(from)) {
      // rows f32_to_<t>/f64_to_<t>: truncate, NaN 0, saturate to the type's range
      if (t === 'i64') return w.op('i64', `${to === 'u64' ? 'trunc_u_sat' : 'trunc_s_sat'}.${f}`, a);
      if (to === 'u32') return w.op('i32', `trunc_u_sat.${f}`, a);
      const v = w.op('i32', `trunc_s_sat.${f}`, a);
      if (to === 'i32' || to === 'idx') return v;
      const I = ops(w, 'i32'), [lo, hi] = intRange(to as IntT).map(Number);
      return this.withTemp('i32', v, (g) => w.if(I.lt(g(), I.k(lo)), I.k(lo), w.if(I.gt(g(), I.k(hi)), I.k(hi), g())));
    }
    if (f === t) return t === 'i64' ? a : this.norm(to, a);
    if (t === 'i64') return w.op('i64', signed(from) ? 'extend_s' : 'extend_u', a);
    return this.norm(to, w.op('i32', 'wrap', a));
  }

  /** A libm function on a float (or int, through f64) scalar type t. */
  libm(name: string, t: Scalar, args: Ref[]): Ref {
    if (t === 'f64') return this.rt.call(name, args);
    if (t === 'f32' && hasF32Math(name)) return this.rt.call(`${name}f`, args);
    return this.cast('f64', t, this.rt.call(name, args.map((a) => this.cast(t, 'f64', a))));
  }

  expr(e: Expr): Ref {
    const w = this.w;
    switch (e.k) {
      case 'const': return e.t === 'f32' ? w.c('f32', Math.fround(Number(e.v))) : w.c(vt(e.t), e.t === 'bool' ? (e.v ? 1 : 0) : e.v);
      case 'var': return this.f.get(e.name);
      case 'load': {
        const idx = () => this.expr(e.idx);
        const conv = convertedLoad(this.rt, e.buf.dtype, () => this.base(e.buf), idx, () => this.addr(e.buf, idx()));
        if (conv !== null) return conv;
        const a = access(e.buf.dtype);
        return w.load(a.ns, a.load, ...this.addrOff(e.buf, e.idx));
      }
      case 'un': return this.un(e.op, e.t, e.a);
      case 'bin': return this.bin(e.op, e.t, this.expr(e.a), this.expr(e.b));
      case 'cmp': {
        const t = e.a.t, ns = vt(t), x = this.expr(e.a), y = this.expr(e.b);
        const sfx = isF(t) || e.op === 'eq' || e.op === 'ne' ? '' : signed(t) ? '_s' : '_u';
        return w.op(ns, e.op + sfx, x, y);
      }
      case 'select': return w.if(this.truth(e.c), this.expr(e.a), this.expr(e.b));
      case 'cast': return e.bits ? w.op(vt(e.t), 'reinterpret', this.expr(e.a)) : this.cast(e.a.t, e.t, this.expr(e.a));
    }
  }

  /** i32 0/1 truth value of an expression of any type. */
  truth(e: Expr): Ref {
    const r = this.expr(e);
    return vt(e.t) === 'i32' ? r : this.w.op(vt(e.t), 'ne', r, this.w.c(vt(e.t), 0));
  }

  private un(op: UnOp, t: Scalar, a: Expr): Ref {
    const w = this.w, x = this.expr(a), at = a.t, ns = vt(at);
    switch (op) {
      case 'neg': return isF(at) ? w.op(ns, 'neg', x) : this.norm(t, w.op(ns, 'sub', w.c(ns, 0), x));
      case 'abs':
        if (isF(at)) return w.op(ns, 'abs', x);
        if (!signed(at)) return x;
        return this.norm(t, this.withTemp(ns, x, (g) => w.if(w.op(ns, 'lt_s', g(), w.c(ns, 0)), w.op(ns, 'sub', w.c(ns, 0), g()), g())));
      case 'not': return w.op(ns, 'eq', x, w.c(ns, 0));
      case 'bitnot': return this.norm(t, w.op(ns, 'xor', x, w.c(ns, -1)));
      case 'isnan': return isF(at) ? this.withTemp(ns, x, (g) => w.op(ns, 'ne', g(), g())) : w.c('i32', 0);
      case 'isinf': return isF(at) ? w.op(ns, 'eq', w.op(ns, 'abs', x), w.c(ns, Infinity)) : w.c('i32', 0);
      case 'signbit':
        if (at === 'f32') return w.op('i32', 'shr_u', w.op('i32', 'reinterpret', x), w.c('i32', 31));
        if (at === 'f64') return w.op('i32', 'wrap', w.op('i64', 'shr_u', w.op('i64', 'reinterpret', x), w.c('i64', 63)));
        return signed(at) ? w.op(ns, 'lt_s', x, w.c(ns, 0)) : w.c('i32', 0);
    }
    if (isF(at) && NATIVE_UN[op]) return w.op(ns, NATIVE_UN[op]!, x);
    if (!isF(at) && (op === 'floor' || op === 'ceil' || op === 'trunc' || op === 'rint')) return x;
    if (!isF(at) && NATIVE_UN[op]) return this.cast('f64', t, w.op('f64', NATIVE_UN[op]!, this.cast(at, 'f64', x)));
    if (LIBM.has(op)) return this.libm(op, at, [x]);
    throw new Error(`wasm: unary op ${op}`);
  }

  bin(op: BinOp, t: Scalar, x: Ref, y: Ref): Ref {
    const w = this.w, ns = vt(t), F = isF(t), sg = signed(t) ? '_s' : '_u';
    switch (op) {
      case 'add': case 'sub': case 'mul': return this.norm(t, w.op(ns, op, x, y));
      case 'and': case 'or': case 'xor': return w.op(ns, op, x, y);
      case 'div': case 'mod': {
        if (F) return op === 'div' ? w.op(ns, 'div', x, y) : this.libm('fmod', t, [x, y]);
        const name = `${op === 'div' ? 'div' : 'rem'}${sg}`;
        return this.norm(t, this.rt.call(`${name}_${ns}`, [x, y]));
      }
      case 'min': case 'max':
        // V8 compiles scalar f32/f64 min/max to compares and branches, which mispredict on
        // data (pooling, clamps); the SIMD instruction on splatted operands has the same
        // NaN and signed-zero semantics and no branch
        if (F) {
          const v = ns === 'f32' ? 'f32x4' : 'f64x2';
          return w.op(v, 'extract_lane', w.op(v, op, w.op(v, 'splat', x), w.op(v, 'splat', y)), 0);
        }
        return this.withTemp(ns, x, (a) => this.withTemp(ns, y, (b) =>
          w.if(w.op(ns, (op === 'min' ? 'lt' : 'gt') + sg, a(), b()), a(), b())));
      case 'pow': case 'atan2': return this.libm(op, t, [x, y]);
      case 'dot2': // row dot2_i32: extend16_s of each low half, arithmetic shifts for the high ones
        return this.withTemp('i32', x, (a) => this.withTemp('i32', y, (b) => w.op('i32', 'add',
          w.op('i32', 'mul', w.op('i32', 'extend16_s', a()), w.op('i32', 'extend16_s', b())),
          w.op('i32', 'mul', w.op('i32', 'shr_s', a(), w.c('i32', 16)), w.op('i32', 'shr_s', b(), w.c('i32', 16))))));
      case 'shl': case 'shr': {
        // rows shl_<t>/shr_<t>: a count of the type's width or more (read unsigned) gives 0
        const bits = t === 'idx' ? 32 : scalarBits(t);
        // the count is read twice: through a local (a Binaryen expression has one parent)
        return this.norm(t, this.withTemp(ns, y, (b) => w.if(w.op(ns, 'ge_u', b(), w.c(ns, bits)), w.c(ns, 0), w.op(ns, op === 'shl' ? 'shl' : `shr${sg}`, x, b()))));
      }
    }
    throw new Error(`wasm: binary op ${op}`);
  }

  block(b: Stmt[]): Ref[] {
    this.f.push();
    const out = b.map((s) => this.stmt(s));
    this.f.pop();
    return out;
  }

  /** A counted loop `for (v = lo; v < hi; v += step)`; hi is re-evaluated each time, as in C. */
  countedLoop(v: string, lo: Ref, hi: () => Ref, step: number, body: () => Ref[]): Ref {
    const w = this.w, f = this.f, I = ops(w, 'i32');
    f.push();
    const i = f.local('i32', v);
    const brk = f.label('brk'), cont = f.label('cont');
    this.breaks.push(brk);
    const inner = body();
    this.breaks.pop();
    f.pop();
    return w.block(null, [w.set(i, lo), w.block(brk, [w.loop(cont, w.block(null, [
      w.br(brk, I.ge(w.get(i, 'i32'), hi())), ...inner, w.set(i, I.add(w.get(i, 'i32'), I.k(step))), w.br(cont)]))])]);
  }

  stmt(s: Stmt): Ref {
    const w = this.w, f = this.f;
    switch (s.k) {
      case 'for': return this.countedLoop(s.v, this.expr(s.lo), () => this.expr(s.hi), s.step, () => this.block(s.body));
      case 'store': {
        const val = this.expr(s.val), idx = () => this.expr(s.idx);
        const conv = convertedStore(this.rt, s.buf.dtype, () => this.base(s.buf), idx, () => this.addr(s.buf, idx()), val, s.sat !== false);
        if (conv !== null) return conv;
        const a = access(s.buf.dtype);
        const [ptr, off] = this.addrOff(s.buf, s.idx);
        return w.store(a.ns, a.store, ptr, val, off);
      }
      case 'decl': {
        const init = this.expr(s.init);
        return f.set(f.local(vt(s.t), s.name), init);
      }
      case 'assign': return f.set(s.name, this.expr(s.val));
      case 'if': return w.if(this.truth(s.c), w.block(null, this.block(s.then)), s.else.length ? w.block(null, this.block(s.else)) : undefined);
      case 'while': {
        const brk = f.label('brk');
        this.breaks.push(brk);
        const body = this.block(s.body);
        this.breaks.pop();
        return f.whileLoop(() => this.truth(s.c), body, brk);
      }
      case 'break': return w.br(this.breaks[this.breaks.length - 1]);
      case 'fail': return w.ret(w.c('i32', s.status));
      case 'barrier': throw new Error('wasm: a barrier needs a target with threads');
      case 'vdecl': return f.set(f.local('v128', s.name), this.vexpr(s.init));
      case 'vassign': return f.set(s.name, this.vexpr(s.val));
      case 'vstore': {
        const [ptr, off] = this.addrOff(s.buf, s.idx);
        return w.store('v128', 'store', ptr, this.vexpr(s.val), off, 4);
      }
    }
  }

  /** SIMD128 rendering of kernel-IR vectors (float32, 4 lanes). */
  vexpr(e: VExpr): Ref {
    const w = this.w;
    if (e.lanes !== 4) throw new Error(`wasm: ${e.lanes}-lane vectors (SIMD128 has 4 float32 lanes)`);
    switch (e.k) {
      case 'vload': {
        const [ptr, off] = this.addrOff(e.buf, e.idx);
        if (e.stride !== 2) return w.load('v128', 'load', ptr, off, 4);
        // every other element: loads at p and p + 3 (never past p[6]), one shuffle
        return this.withTemp('i32', ptr, (p) => w.op('i8x16', 'shuffle', w.load('v128', 'load', p(), off, 4), w.load('v128', 'load', p(), off + 12, 4),
          evenLanes(4).flatMap((l) => [0, 1, 2, 3].map((b) => 4 * l + b))));
      }
      case 'vsplat': {
        const a = e.a;
        if (a.k === 'load' && a.buf.dtype === 'float32') return w.load('v128', 'load32_splat', ...this.addrOff(a.buf, a.idx));
        return w.op('f32x4', 'splat', this.expr(a));
      }
      case 'vvar': return this.f.get(e.name);
      // vector max/min propagate a NaN of their first operand: pmax/pmin (one instruction);
      // maxnan/minnan of either operand: max/min (a NaN-fixing sequence in V8)
      case 'vbin': return w.op('f32x4', V_BIN[e.op], this.vexpr(e.a), this.vexpr(e.b));
      case 'vun': {
        const a = this.vexpr(e.a), m = V_MATH[e.op as UnOp];
        return m ? m(w, this.f, a) : w.op('f32x4', e.op === 'rint' ? 'nearest' : e.op, a);
      }
      case 'vfma': return w.op('f32x4', 'add', w.op('f32x4', 'mul', this.vexpr(e.a), this.vexpr(e.b)), this.vexpr(e.c));
      case 'vselect': return w.op('v128', 'bitselect', this.vexpr(e.x), this.vexpr(e.y), w.op('f32x4', e.op, this.vexpr(e.a), this.vexpr(e.b)));
      case 'vmap': return this.vmap(e);
    }
  }

  /** A scalar operator on each lane: the arguments into v128 locals, each lane's values into
   * f32 locals that the scalar rendering of the operator reads. */
  private vmap(e: Extract<VExpr, { k: 'vmap' }>): Ref {
    const w = this.w, f = this.f;
    const args = e.args.map((a) => this.vexpr(a));
    f.push();
    const tmps = args.map(() => f.local('v128')), names = args.map((_, i) => `$l${i}`);
    const locals = names.map((n) => f.local('f32', n));
    const scalar = laneExpr(e.op, names);
    let acc: Ref | null = null;
    for (let l = 0; l < e.lanes; l++) {
      const val = w.block(null, [...locals.map((x, i) => f.set(x, w.op('f32x4', 'extract_lane', f.get(tmps[i]), l))), this.expr(scalar)]);
      acc = acc === null ? w.op('f32x4', 'splat', val) : w.op('f32x4', 'replace_lane', acc, l, val);
    }
    f.pop();
    return w.block(null, [...args.map((a, i) => f.set(tmps[i], a)), acc!]);
  }
}
