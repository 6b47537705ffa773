// The C-family renderer of the kernel IR, shared by host C, CUDA (and, by their issues, HLS and
// Cortex-M). A target is a row (CStyleRow): type names, qualifiers, the vector ISA, loop pragmas,
// how thread-bound loops and barriers are spelled. Rows: codegen/c/rows.ts, codegen/cuda/row.ts.
// The program around the kernels (run(), a launcher, a top function) is each family's own.
import { Scalar, dtypeInfo, scalarBits, storageScalar } from '../../ir/dtype.js';
import { BinOp, Expr, ForStmt, Kernel, LoopHint, Stmt, UnOp } from '../../ir/kernel.js';
import { VExpr, laneExpr } from '../../ir/vector.js';

export interface CStyleRow {
  name: string;
  types: Record<Scalar, string>;
  /** What precedes `void NAME(…)` in a kernel definition ("ONNXC_KERNEL", "static __global__"…). */
  kernelPrefix(k: Kernel): string;
  /** Qualifier on pointer parameters ("restrict ", "__restrict__ "). */
  restrict: string;
  /** What replaces the leading `static inline` of the shared helper sources (codegen/c/helpers.ts). */
  helperQualifier: string;
  /** Whether the row renders vector IR (GCC/Clang vector extensions through the onnxc_simd macros). */
  vectors: boolean;
  /** Pragma lines emitted before a loop carrying a hint (may be empty). */
  loopPragmas(hint: LoopHint): string[];
  /** Header of a loop bound to threads (ForStmt.bind); absent where one thread runs a kernel. */
  boundLoop?(s: ForStmt, lo: string, hi: string, idx: string): string;
  /** The barrier statement; absent where one thread runs a kernel (which then has none). */
  barrier?: string;
  /** Qualifier of a kernel's shared arrays ("__shared__"); absent: plain local arrays. */
  shared?: string;
  /** The function rendering the dual 16-bit multiply-add (BinOp dot2, row dot2_i32) on CPUs
   * with DSP instructions, e.g. ACLE's "__smuad" (arm_acle.h) on Cortex-M4/M7/M33; absent:
   * the portable helper onnxc_dot2_i32 (two multiplies). */
  dualMac?: string;
  /** The same with an accumulator, rendering add(acc, dot2(p, q)) as NAME(p, q, acc): "__smlad". */
  dualMacAcc?: string;
  /** Most pointer parameters of a kernel; past it the kernel takes one table of pointers
   * (`void *const *args`): C99 guarantees 127 parameters, and compilers slow down badly on
   * thousands of restrict pointers. Absent: no limit. */
  maxParams?: number;
  /** Pragma lines at the top of a loop's body (HLS: PIPELINE, LOOP_TRIPCOUNT); innermost: the
   * body holds no loop. A while loop renders as a for loop over its bound where this is set. */
  loopBody?(s: { bound?: number; constTrip: boolean }, innermost: boolean): string[];
  /** System headers the row's intrinsics need, included by the generated source. */
  includes?: string[];
}

/** Whether a block contains a loop (for or while), through conditionals. */
export const hasLoop = (b: Stmt[]): boolean => b.some((s) => s.k === 'for' || s.k === 'while' || (s.k === 'if' && (hasLoop(s.then) || hasLoop(s.else))));

/** Most iterations a while loop without a known bound renders with where a row bounds every loop. */
export const WHILE_CAP = 2147483647;

/** Whether a kernel takes its buffers through a pointer table on this row. */
export const tableParams = (row: CStyleRow, k: Kernel) => row.maxParams !== undefined && k.params.length > row.maxParams;

/** Whether a block contains a `fail` statement (the kernel then returns a status). */
export const failsIn = (b: Stmt[]): boolean => b.some((s) => s.k === 'fail' || ((s.k === 'for' || s.k === 'while') && failsIn(s.body))
  || (s.k === 'if' && (failsIn(s.then) || failsIn(s.else))));

/** Integer types C promotes to int: arithmetic on them is converted back explicitly. */
const SMALL = new Set<Scalar>(['i8', 'i16', 'u8', 'u16', 'bool']);

export const C_TYPES: Record<Scalar, string> = {
  f32: 'float', f64: 'double', i8: 'int8_t', i16: 'int16_t', i32: 'int32_t', i64: 'int64_t',
  u8: 'uint8_t', u16: 'uint16_t', u32: 'uint32_t', u64: 'uint64_t', bool: 'uint8_t', idx: 'ptrdiff_t',
};

const FLOAT_FN: Partial<Record<UnOp, string>> = {
  sqrt: 'sqrt', exp: 'exp', log: 'log', sin: 'sin', cos: 'cos', tan: 'tan', asin: 'asin', acos: 'acos',
  atan: 'atan', sinh: 'sinh', cosh: 'cosh', tanh: 'tanh', asinh: 'asinh', acosh: 'acosh', atanh: 'atanh',
  erf: 'erf', floor: 'floor', ceil: 'ceil', rint: 'rint', trunc: 'trunc', abs: 'fabs',
};

/** Shortest decimal that round-trips through float32. */
function f32Literal(x: number): string {
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(parseFloat(s)) === x) return s;
  }
  return x.toPrecision(9);
}

function withPoint(s: string): string {
  if (/[.e]/.test(s)) return s.replace(/e\+?/, 'e');
  return `${s}.0`;
}

export function literal(t: Scalar, v: number | bigint): string {
  if (t === 'f32' || t === 'f64') {
    const x = Number(v);
    if (Number.isNaN(x)) return t === 'f32' ? 'NAN' : '((double)NAN)';
    if (!Number.isFinite(x)) return `${x < 0 ? '-' : ''}${t === 'f32' ? 'INFINITY' : '((double)INFINITY)'}`;
    if (Object.is(x, -0)) return t === 'f32' ? '-0.0f' : '-0.0';
    return t === 'f32' ? `${withPoint(f32Literal(Math.fround(x)))}f` : withPoint(String(x));
  }
  const b = BigInt(v);
  if (t === 'i64') return b === -(2n ** 63n) ? '(-INT64_C(9223372036854775807) - 1)' : b < 0 ? `(-INT64_C(${-b}))` : `INT64_C(${b})`;
  if (t === 'u64') return `UINT64_C(${BigInt.asUintN(64, b)})`;
  if (t === 'u32') return `${BigInt.asUintN(32, b)}u`;
  if (t === 'i32' && b === -(2n ** 31n)) return '(-2147483647 - 1)';
  return b < 0 ? `(${b})` : `${b}`;
}

export class CStyleRenderer {
  /** Helper functions the rendered code needs (names; the emitter defines them). */
  readonly helpers = new Set<string>();
  private vmaps = 0;
  private whiles = 0;
  /** bufAt: the element where a buffer starts in the array bufName names (rows whose buffers
   * are slices of shared arrays, e.g. HLS: indices grow by it instead of pointer arithmetic). */
  constructor(readonly target: CStyleRow, readonly bufName: (id: number) => string, readonly bufAt?: (id: number) => number) {}

  /** An index into buffer `id`: offset by where the buffer starts in its array (bufAt). */
  private at(id: number, idx: string): string {
    const off = this.bufAt?.(id) ?? 0;
    return off ? `${off} + ${idx}` : idx;
  }

  private fn(t: Scalar, base: string): string {
    return t === 'f32' ? `${base}f` : base;
  }

  expr(e: Expr): string {
    const T = this.target.types;
    switch (e.k) {
      case 'const': return literal(e.t, e.v);
      case 'var': return e.name;
      case 'load': return this.load(e.buf.dtype, this.bufName(e.buf.id), this.at(e.buf.id, this.index(e.idx)));
      case 'un': return this.un(e.op, e.t, e.a);
      case 'bin': return this.bin(e.op, e.t, e.a, e.b);
      case 'cmp': {
        const o = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' }[e.op];
        return `(${this.expr(e.a)} ${o} ${this.expr(e.b)})`;
      }
      case 'select': return `(${this.expr(e.c)} ? ${this.expr(e.a)} : ${this.expr(e.b)})`;
      case 'cast': {
        const a = this.expr(e.a);
        if (e.bits) {
          const h = `onnxc_bits_${e.a.t}_${e.t}`;
          this.helpers.add(h);
          return `${h}(${a})`;
        }
        if (e.t === 'bool') return `(${a} != 0)`;
        // float → integer saturates (rows f32_to_<t>, f64_to_<t>): a helper, never a bare cast (UB out of range)
        if ((e.a.t === 'f32' || e.a.t === 'f64') && e.t !== 'f32' && e.t !== 'f64') return this.call(`onnxc_${e.a.t}_to_${e.t}`, a);
        return `(${T[e.t]})${a}`;
      }
    }
  }

  private load(d: string, buf: string, idx: string): string {
    const conv = convHelper(d as never);
    if (!conv) return `${buf}[${idx}]`;
    this.helpers.add(conv.load);
    return dtypeInfo(d as never).bits < 8 ? `${conv.load}(${buf}, ${idx})` : `${conv.load}(${buf}[${idx}])`;
  }

  private un(op: UnOp, t: Scalar, a: Expr): string {
    const s = this.expr(a), T = this.target.types;
    const isF = a.t === 'f32' || a.t === 'f64';
    switch (op) {
      case 'neg': return isF ? `(-${s})` : `(${T[t]})(-${s})`;
      case 'abs': return isF ? `${this.fn(a.t, 'fabs')}(${s})` : `(${T[t]})(${s} < 0 ? -${s} : ${s})`;
      case 'not': return `(!${s})`;
      case 'bitnot': return `(${T[t]})(~${s})`;
      case 'isnan': return `(isnan(${s}) != 0)`;
      case 'isinf': return `(isinf(${s}) != 0)`;
      case 'signbit': return `(signbit(${s}) != 0)`;
      default: return `${this.fn(a.t, FLOAT_FN[op]!)}(${s})`;
    }
  }

  private bin(op: BinOp, t: Scalar, a: Expr, b: Expr): string {
    // acc + dot2(p, q) as one accumulating instruction where the row has it (SMLAD)
    if (this.accumulatingMac(op, b))
      return `${this.target.dualMacAcc}(${this.expr(b.a)}, ${this.expr(b.b)}, ${this.expr(a)})`;
    const x = this.expr(a), y = this.expr(b), T = this.target.types;
    const isF = t === 'f32' || t === 'f64';
    const infix: Partial<Record<BinOp, string>> = { add: '+', sub: '-', mul: '*', div: '/', and: '&', or: '|', xor: '^', shl: '<<', shr: '>>' };
    if (op === 'mod' && isF) return `${this.fn(t, 'fmod')}(${x}, ${y})`;
    if (op === 'dot2') return this.target.dualMac ? `${this.target.dualMac}(${x}, ${y})` : this.call('onnxc_dot2_i32', x, y);
    // integer div/mod and shifts at their edges (rows div_<t>, mod_<t>, shl_<t>, shr_<t>): a
    // helper unless the divisor or count is a constant that cannot reach an edge
    if (!isF && (op === 'div' || op === 'mod' || op === 'shl' || op === 'shr') && !bareIntOp(op, t, b)) return this.call(`onnxc_${op}_${t}`, x, y);
    if (op === 'mod') return `(${T[t]})(${x} % ${y})`;
    if (op === 'pow') return `${this.fn(t, 'pow')}(${x}, ${y})`;
    if (op === 'atan2') return `${this.fn(t, 'atan2')}(${x}, ${y})`;
    if (op === 'min' || op === 'max') {
      if (isF) {
        const h = `onnxc_${op}${t === 'f32' ? 'f' : ''}`;
        this.helpers.add(h);
        return `${h}(${x}, ${y})`;
      }
      return `(${x} ${op === 'min' ? '<' : '>'} ${y} ? ${x} : ${y})`;
    }
    // clang's -Wbitwise-instead-of-logical rejects `bool & f(x)` under -Werror: an explicit int
    // operand says the bitwise operator (both sides always evaluated) is meant
    const rhs = this.child(b, op, true, y), sideEffects = t === 'bool' && (op === 'and' || op === 'or') && /[A-Za-z_]\w*\(/.test(rhs);
    const s = `(${this.child(a, op, false, x)} ${infix[op]} ${sideEffects ? `(int)${rhs.startsWith('(') ? rhs : `(${rhs})`}` : rhs})`;
    // small integer types promote to int in C: convert back so the result has the IR type
    return SMALL.has(t) && !(t === 'bool' && (op === 'and' || op === 'or' || op === 'xor')) ? `(${T[t]})${s}` : s;
  }

  private call(helper: string, ...args: string[]): string {
    this.helpers.add(helper);
    return `${helper}(${args.join(', ')})`;
  }

  /** Whether add(acc, b) renders as the row's accumulating dual multiply-add call (not infix). */
  private accumulatingMac(op: BinOp, b: Expr): b is Extract<Expr, { k: 'bin' }> {
    return op === 'add' && b.k === 'bin' && b.op === 'dot2' && this.target.dualMacAcc !== undefined;
  }

  /** Whether a binary expression renders as `(x OP y)`, parentheses that may be dropped. */
  private infix(e: Extract<Expr, { k: 'bin' }>): boolean {
    return infix(e) && !this.accumulatingMac(e.op, e.b);
  }

  /** Drops parentheses C precedence makes redundant (keeps evaluation order: left-assoc). */
  private child(e: Expr, parent: BinOp, right: boolean, text: string): string {
    const prec = (o: BinOp) => (o === 'mul' || o === 'div' ? 2 : o === 'add' || o === 'sub' ? 1 : 0);
    if (e.k !== 'bin' || !prec(e.op) || !prec(parent) || SMALL.has(e.t) || !this.infix(e)) return text;
    const pc = prec(e.op), pp = prec(parent);
    return pc > pp || (pc === pp && !right) ? text.slice(1, -1) : text;
  }

  /** An index expression without its outer parentheses. */
  private index(e: Expr): string {
    const s = this.expr(e);
    return e.k === 'bin' && ['add', 'sub', 'mul', 'div'].includes(e.op) && !SMALL.has(e.t) && this.infix(e) ? s.slice(1, -1) : s;
  }

  stmt(s: Stmt, ind: string, out: string[]): void {
    switch (s.k) {
      case 'for': {
        if (s.hint) for (const p of this.target.loopPragmas(s.hint)) out.push(`${ind}${p}`);
        const inc = s.step === 1 ? `++${s.v}` : `${s.v} += ${s.step}`, T = this.target.types.idx;
        if (s.bind && this.target.boundLoop) out.push(`${ind}${this.target.boundLoop(s, this.expr(s.lo), this.expr(s.hi), T)} {`);
        else out.push(`${ind}for (${T} ${s.v} = ${this.expr(s.lo)}; ${s.v} < ${this.expr(s.hi)}; ${inc}) {`);
        const constTrip = s.lo.k === 'const' && s.hi.k === 'const';
        for (const p of this.target.loopBody?.({ bound: s.bound, constTrip }, !hasLoop(s.body)) ?? []) out.push(`${ind}  ${p}`);
        this.block(s.body, ind + '  ', out);
        out.push(`${ind}}`);
        return;
      }
      case 'store': {
        const conv = convHelper(s.buf.dtype);
        const buf = this.bufName(s.buf.id), idx = this.at(s.buf.id, this.index(s.idx)), val = this.index(s.val);
        if (!conv) out.push(`${ind}${buf}[${idx}] = ${val};`);
        else if (dtypeInfo(s.buf.dtype).bits < 8) {
          this.helpers.add(conv.store);
          out.push(`${ind}${conv.store}(${buf}, ${idx}, ${val});`);
        } else {
          const st = s.sat === false ? conv.store + '_nosat' : conv.store;
          this.helpers.add(st);
          out.push(`${ind}${buf}[${idx}] = ${st}(${val});`);
        }
        return;
      }
      case 'decl': out.push(`${ind}${this.target.types[s.t]} ${s.name} = ${this.index(s.init)};`); return;
      case 'assign': out.push(`${ind}${s.name} = ${this.index(s.val)};`); return;
      case 'if':
        out.push(`${ind}if (${bare(this.expr(s.c))}) {`);
        this.block(s.then, ind + '  ', out);
        if (s.else.length) {
          out.push(`${ind}} else {`);
          this.block(s.else, ind + '  ', out);
        }
        out.push(`${ind}}`);
        return;
      case 'while':
        if (this.target.loopBody) {
          // a for loop over the bound, left when the condition fails: every loop bounded
          const w = `onnxc_while${this.whiles++}`, bound = s.bound ?? WHILE_CAP; // a name no IR local takes
          out.push(`${ind}for (${this.target.types.idx} ${w} = 0; ${w} < ${bound}; ++${w}) {`);
          for (const p of this.target.loopBody({ bound, constTrip: true }, !hasLoop(s.body))) out.push(`${ind}  ${p}`);
          out.push(`${ind}  if (!(${bare(this.expr(s.c))})) break;`);
          this.block(s.body, ind + '  ', out);
          out.push(`${ind}}`);
          return;
        }
        out.push(`${ind}while (${bare(this.expr(s.c))}) {`);
        this.block(s.body, ind + '  ', out);
        out.push(`${ind}}`);
        return;
      case 'break': out.push(`${ind}break;`); return;
      case 'fail': out.push(`${ind}return ${s.status};`); return;
      case 'barrier':
        if (!this.target.barrier) throw new Error(`${this.target.name}: a barrier needs a target with threads`);
        out.push(`${ind}${this.target.barrier}`);
        return;
      case 'vdecl': out.push(`${ind}onnxc_f32x${s.init.lanes} ${s.name} = ${this.vexpr(s.init)};`); return;
      case 'vassign': out.push(`${ind}${s.name} = ${this.vexpr(s.val)};`); return;
      case 'vstore':
        out.push(`${ind}ONNXC_VSTORE${s.val.lanes}(${this.bufName(s.buf.id)} + ${this.index(s.idx)}, ${this.vexpr(s.val)});`);
        return;
    }
  }

  /** Vector expressions: GCC/Clang vector extensions through the onnxc_simd macros. */
  vexpr(e: VExpr): string {
    if (!this.target.vectors) throw new Error(`${this.target.name}: vector IR reached a row without vectors`);
    this.helpers.add(`onnxc_simd${e.lanes}`);
    switch (e.k) {
      case 'vload': return `ONNXC_VLOAD${e.stride === 2 ? 'EVEN' : ''}${e.lanes}(${this.bufName(e.buf.id)} + ${this.index(e.idx)})`;
      case 'vsplat': return `ONNXC_SPLAT${e.lanes}(${this.expr(e.a)})`;
      case 'vvar': return e.name;
      case 'vbin': {
        const infix = ({ add: '+', sub: '-', mul: '*', div: '/' } as Record<string, string>)[e.op];
        if (!infix) return `ONNXC_V${e.op.toUpperCase()}${e.lanes}(${this.vexpr(e.a)}, ${this.vexpr(e.b)})`;
        return `(${this.vexpr(e.a)} ${infix} ${this.vexpr(e.b)})`;
      }
      case 'vun':
        if (e.op === 'neg') return `(-${this.vexpr(e.a)})`;
        if (e.op === 'exp' || e.op === 'erf') this.helpers.add(`onnxc_v${e.op}${e.lanes}`);
        return `ONNXC_V${e.op.toUpperCase()}${e.lanes}(${this.vexpr(e.a)})`;
      case 'vfma': return `ONNXC_FMA${e.lanes}(${this.vexpr(e.a)}, ${this.vexpr(e.b)}, ${this.vexpr(e.c)})`;
      case 'vselect': {
        const o = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' }[e.op];
        return `ONNXC_VSELECT${e.lanes}((${this.vexpr(e.a)} ${o} ${this.vexpr(e.b)}), ${this.vexpr(e.x)}, ${this.vexpr(e.y)})`;
      }
      case 'vmap': {
        // lane by lane in a statement expression; names numbered so that nested ones never clash
        const id = this.vmaps++, T = `onnxc_f32x${e.lanes}`, l = `l${id}_`;
        const args = e.args.map((a, i) => `${T} m${id}_${i} = ${this.vexpr(a)};`).join(' ');
        const lane = this.expr(laneExpr(e.op, e.args.map((_, i) => `m${id}_${i}[${l}]`)));
        return `__extension__ ({ ${args} ${T} r${id}_ = m${id}_0; int ${l}; for (${l} = 0; ${l} < ${e.lanes}; ${l}++) r${id}_[${l}] = ${lane}; r${id}_; })`;
      }
    }
  }

  block(b: Stmt[], ind: string, out: string[]): void {
    for (const s of b) this.stmt(s, ind, out);
  }

  /** Renders a kernel as a C function taking one pointer per param (returning a status if it can fail). */
  kernel(k: Kernel): string {
    const T = this.target.types;
    const used = new Set<number>();
    const scan = (x: unknown): void => {
      if (!x || typeof x !== 'object' || ArrayBuffer.isView(x)) return; // not into constant data
      if ('buf' in x && (x as { buf: { id: number } }).buf) used.add((x as { buf: { id: number } }).buf.id);
      for (const v of Object.values(x)) if (typeof v === 'object') scan(v);
    };
    scan(k.body);
    const table = tableParams(this.target, k);
    const params = k.params.map((b) => {
      const ty = T[storageScalar(b.dtype)];
      const c = k.writes.has(b) ? '' : 'const ';
      return `${c}${ty} *${table ? '' : this.target.restrict}${this.bufName(b.id)}`;
    });
    const fails = failsIn(k.body);
    const sig = table ? 'void *const *onnxc_args' : params.join(', ') || 'void';
    const lines = [`/* ${k.label} */`, `${this.target.kernelPrefix(k)} ${fails ? 'int' : 'void'} ${k.name}(${sig}) {`];
    if (table) k.params.forEach((b, i) => lines.push(`  ${params[i].replace(/ \*/, ' *const ')} = (${params[i].split('*')[0]}*)onnxc_args[${i}];`));
    for (const b of k.params) if (!used.has(b.id)) lines.push(`  (void)${this.bufName(b.id)};`);
    for (const b of k.shared ?? []) lines.push(`  ${this.target.shared ? `${this.target.shared} ` : ''}${T[storageScalar(b.dtype)]} ${this.bufName(b.id)}[${b.size}];`);
    this.block(k.body, '  ', lines);
    if (fails) lines.push('  return 0;');
    lines.push('}');
    return lines.join('\n');
  }
}

/** Whether a binary expression renders as a parenthesized infix operation (not a helper call). */
const infix = (e: Extract<Expr, { k: 'bin' }>): boolean => e.op !== 'div' || e.t === 'f32' || e.t === 'f64' || bareIntOp('div', e.t, e.b);

/** Whether integer op (div, mod, shl, shr) on t with right operand b renders as the bare C
 * operator: b a constant other than 0 (and -1 for signed), or a shift count below the width (a
 * left shift only on unsigned types: a signed one overflows). Index math keeps its bare `/`. */
function bareIntOp(op: BinOp, t: Scalar, b: Expr): boolean {
  if (b.k !== 'const') return false;
  const v = BigInt(b.v);
  if (op === 'div' || op === 'mod') return v !== 0n && !(v === -1n && (t[0] === 'i' || t === 'idx'));
  return v >= 0n && v < BigInt(scalarBits(t)) && (op === 'shr' || t[0] === 'u');
}

/** Conversion helpers for dtypes stored in another format than they compute in. */
export function convHelper(d: string): { load: string; store: string } | null {
  switch (d) {
    case 'float16': return { load: 'onnxc_h2f', store: 'onnxc_f2h' };
    case 'bfloat16': return { load: 'onnxc_bf2f', store: 'onnxc_f2bf' };
    case 'float8e4m3fn': case 'float8e4m3fnuz': case 'float8e5m2': case 'float8e5m2fnuz': case 'float8e8m0':
      return { load: `onnxc_${d.slice(6)}_to_f`, store: `onnxc_f_to_${d.slice(6)}` };
    case 'int4': return { load: 'onnxc_ld_i4', store: 'onnxc_st_i4' };
    case 'uint4': return { load: 'onnxc_ld_u4', store: 'onnxc_st_u4' };
    case 'float4e2m1': return { load: 'onnxc_ld_f4', store: 'onnxc_st_f4' };
    case 'int2': return { load: 'onnxc_ld_i2', store: 'onnxc_st_i2' };
    case 'uint2': return { load: 'onnxc_ld_u2', store: 'onnxc_st_u2' };
    default: return null;
  }
}

/** A condition without one pair of parentheses around all of it: clang's -Wparentheses-equality
 * rejects `if ((x == y))` under -Werror. */
export function bare(e: string): string {
  if (!e.startsWith('(') || !e.endsWith(')')) return e;
  let depth = 0;
  for (let i = 0; i < e.length - 1; i++) {
    if (e[i] === '(') depth++;
    else if (e[i] === ')') depth--;
    if (depth === 0) return e; // the first '(' closes before the end: not one pair around all
  }
  return e.slice(1, -1);
}
