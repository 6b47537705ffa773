// The WASM target's math library (codegen/wasm/mathlib.ts) rendered as C, for --freestanding.
// Those definitions are written against a small instruction builder (Fn, ops, the Binaryen
// facade's c/op/get/set/if/block/loop/br/call/ret); CModule implements that builder's surface
// and prints C instead of Binaryen IR, so both targets run the same algorithms. Primitive
// instructions (f64.sqrt, floor, nearest, copysign, reinterpret...) become small static C
// functions of their own (PRIMS), written without libm.
import type { Ref, VT, WasmModule } from '../wasm/binaryen.js';
import { Runtime } from '../wasm/runtime.js';
import '../wasm/mathlib.js';

type Node = { kind: 'expr'; text: string } | { kind: 'stmt'; text: string } | { kind: 'block'; children: Ref[]; label: string | null; t?: VT };

const CT: Record<string, string> = { i32: 'int32_t', i64: 'int64_t', f32: 'float', f64: 'double' };

/** C for the primitive instructions the definitions use; each depends only on earlier ones. */
export const PRIMS: Record<string, string> = {
  bits: 'static int64_t onnxc_bits(double x) { union { double d; int64_t i; } u; u.d = x; return u.i; }',
  from_bits: 'static double onnxc_from_bits(int64_t i) { union { double d; int64_t i; } u; u.i = i; return u.d; }',
  fabs: 'static double onnxc_fabs(double x) { return onnxc_from_bits(onnxc_bits(x) & INT64_C(0x7fffffffffffffff)); }',
  copysign: 'static double onnxc_copysign(double x, double y) {\n  return onnxc_from_bits((onnxc_bits(x) & INT64_C(0x7fffffffffffffff)) | (onnxc_bits(y) & (-INT64_C(0x7fffffffffffffff) - 1)));\n}',
  // |x| < 2^52 has a fraction; beyond it (and NaN, inf) x is integral already
  trunc: 'static double onnxc_trunc(double x) { return onnxc_fabs(x) < 4503599627370496.0 ? onnxc_copysign((double)(int64_t)x, x) : x; }',
  floor: 'static double onnxc_floor(double x) { double t = onnxc_trunc(x); return t > x ? t - 1.0 : t; }',
  ceil: 'static double onnxc_ceil(double x) { double t = onnxc_trunc(x); return t < x ? t + 1.0 : t; }',
  // round half to even: adding and subtracting 2^52 rounds in the current (nearest) mode
  nearest: 'static double onnxc_nearest(double x) {\n  volatile double big = 4503599627370496.0;\n  double a = onnxc_fabs(x);\n  return a < 4503599627370496.0 ? onnxc_copysign((a + big) - big, x) : x;\n}',
  // Newton's iteration from a halved-exponent guess; the last step is done in the residual form
  sqrt: 'static double onnxc_sqrt(double x) {\n  double r;\n  int k;\n  if (!(x > 0.0) || x == __builtin_inf()) return x == 0.0 || x == __builtin_inf() ? x : __builtin_nan("");\n' +
    '  r = onnxc_from_bits((onnxc_bits(x) >> 1) + (INT64_C(1023) << 51));\n  for (k = 0; k < 6; k++) r = 0.5 * (r + x / r);\n  return r + (x - r * r) / (2.0 * r);\n}',
  fmin: 'static double onnxc_fmin(double x, double y) { return x != x || y != y ? x + y : x < y ? x : y < x ? y : (onnxc_bits(x) < 0 ? x : y); }',
  fmax: 'static double onnxc_fmax(double x, double y) { return x != x || y != y ? x + y : x > y ? x : y > x ? y : (onnxc_bits(x) < 0 ? y : x); }',
  trunc_sat: 'static int64_t onnxc_trunc_sat(double x, int64_t lo, int64_t hi) {\n  return x != x ? 0 : x <= (double)lo ? lo : x >= (double)hi ? hi : (int64_t)x;\n}',
};

/** What each primitive calls. */
const PRIM_DEPS: Record<string, string[]> = {
  fabs: ['bits', 'from_bits'], copysign: ['bits', 'from_bits'], trunc: ['fabs', 'copysign'], floor: ['trunc'], ceil: ['trunc'],
  nearest: ['fabs', 'copysign'], sqrt: ['bits', 'from_bits'], fmin: ['bits'], fmax: ['bits'],
};

/** Adds a primitive and what it calls to `used`. */
export function usePrim(used: Set<string>, name: string): void {
  if (!PRIMS[name]) throw new Error(`mathC: no primitive ${name}`);
  used.add(name);
  for (const d of PRIM_DEPS[name] ?? []) usePrim(used, d);
}

/** Prints the runtime definitions as C functions named rt_NAME. */
class CModule {
  private nodes: Node[] = [];
  private readonly funcs = new Map<string, string>();
  private readonly jumpedTo = new Set<string>();
  readonly prims = new Set<string>();

  private add(n: Node): Ref { this.nodes.push(n); return (this.nodes.length - 1) as Ref; }
  private expr(text: string): Ref { return this.add({ kind: 'expr', text }); }
  private stmt(text: string): Ref { return this.add({ kind: 'stmt', text }); }
  private prim(name: string, args: string): Ref {
    usePrim(this.prims, name);
    return this.expr(`onnxc_${name}(${args})`);
  }
  private e(r: Ref): string {
    const n = this.nodes[r];
    if (n.kind !== 'expr') throw new Error('mathC: a statement where a value is needed');
    return n.text;
  }
  /** A node as statements (an expression is evaluated for its effect). */
  private s(r: Ref, ind: string): string {
    const n = this.nodes[r];
    if (n.kind === 'stmt') return n.text.split('\n').map((l) => ind + l).join('\n');
    if (n.kind === 'expr') return `${ind}(void)${n.text};`;
    const body = n.children.map((c) => this.s(c, ind + '  ')).filter((l) => l.trim()).join('\n');
    const end = n.label && this.jumpedTo.has(n.label) ? `\n${ind}${n.label}:;` : '';
    return `${ind}{\n${body}\n${ind}}${end}`;
  }

  c(t: VT, v: number | bigint): Ref {
    if (t === 'i64') { const b = BigInt.asIntN(64, BigInt(v)); return this.expr(b < 0 ? `(-INT64_C(${-b}))` : `INT64_C(${b})`); }
    if (t === 'i32') { const n = Number(BigInt.asIntN(32, BigInt(v))); return this.expr(n < 0 ? `(${n})` : `${n}`); }
    const x = Number(v);
    if (Number.isNaN(x)) return this.expr('__builtin_nan("")');
    if (!Number.isFinite(x)) return this.expr(x < 0 ? '(-__builtin_inf())' : '__builtin_inf()');
    const s = Object.is(x, -0) ? '-0.0' : /[.e]/.test(String(x)) ? String(x) : `${x}.0`;
    return this.expr(t === 'f32' ? `${s}f` : s);
  }

  op(ns: string, name: string, ...args: Ref[]): Ref {
    const a = args.map((r) => this.e(r)), [x, y] = a;
    const infix: Record<string, string> = { add: '+', sub: '-', mul: '*', div: '/', eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=',
      lt_s: '<', le_s: '<=', gt_s: '>', ge_s: '>=', and: '&', or: '|', xor: '^' };
    if (ns === 'f64' || ns === 'f32') {
      if (infix[name]) return this.expr(`(${x} ${infix[name]} ${y})`);
      const prim: Record<string, string> = { abs: 'fabs', sqrt: 'sqrt', floor: 'floor', ceil: 'ceil', trunc: 'trunc', nearest: 'nearest', copysign: 'copysign', min: 'fmin', max: 'fmax' };
      if (prim[name]) return this.prim(prim[name], a.join(', '));
      if (name === 'neg') return this.expr(`(-${x})`);
      if (name === 'reinterpret') return this.prim('from_bits', x);
      if (name === 'convert_s.i32' || name === 'convert_s.i64') return this.expr(`(double)(${x})`);
    } else if (ns === 'i32' || ns === 'i64') {
      const u = ns === 'i32' ? 'uint32_t' : 'uint64_t', T = CT[ns];
      if (['add', 'sub', 'mul', 'shl'].includes(name)) return this.expr(`(${T})((${u})${x} ${({ add: '+', sub: '-', mul: '*', shl: '<<' } as Record<string, string>)[name]} (${u})${y})`);
      if (name === 'shr_u') return this.expr(`(${T})((${u})${x} >> ${y})`);
      if (name === 'shr_s') return this.expr(`(${x} >> ${y})`);
      if (name === 'lt_u') return this.expr(`((${u})${x} < (${u})${y})`);
      if (infix[name]) return this.expr(`(${x} ${infix[name]} ${y})`);
      if (name === 'eqz') return this.expr(`(${x} == 0)`);
      if (name === 'wrap') return this.expr(`(int32_t)(${x})`);
      if (name === 'extend_s') return this.expr(`(int64_t)(${x})`);
      if (name === 'reinterpret') return this.prim('bits', x);
      if (name === 'trunc_s_sat.f64') {
        usePrim(this.prims, 'trunc_sat');
        return this.expr(ns === 'i32' ? `(int32_t)onnxc_trunc_sat(${x}, -INT64_C(2147483648), INT64_C(2147483647))`
          : `onnxc_trunc_sat(${x}, -INT64_C(9223372036854775807) - 1, INT64_C(9223372036854775807))`);
      }
    }
    throw new Error(`mathC: no C for ${ns}.${name}`);
  }

  get(index: number): Ref { return this.expr(`l${index}`); }
  set(index: number, v: Ref): Ref { return this.stmt(`l${index} = ${this.e(v)};`); }
  block(label: string | null, children: Ref[], t?: VT): Ref {
    // a valued block of assignments then a value is a comma expression
    const init = children.slice(0, -1).map((c) => this.nodes[c]), last = this.nodes[children[children.length - 1]];
    if (t && !label && last?.kind === 'expr' && init.every((n) => n.kind === 'stmt' && /^l\d+ = [^\n]*;$/.test(n.text)))
      return this.expr(`(${[...init.map((n) => (n as { text: string }).text.slice(0, -1)), last.text].join(', ')})`);
    return this.add({ kind: 'block', children, label, t });
  }
  loop(label: string, body: Ref): Ref {
    const inner = this.s(body, '');
    return this.stmt(this.jumpedTo.has(label) ? `${label}:;\n${inner}` : inner);
  }
  br(label: string, cond?: Ref): Ref {
    this.jumpedTo.add(label);
    return this.stmt(cond === undefined ? `goto ${label};` : `if (${this.e(cond)}) goto ${label};`);
  }
  if(c: Ref, then: Ref, els?: Ref): Ref {
    if (this.nodes[then].kind === 'expr' && els !== undefined && this.nodes[els].kind === 'expr')
      return this.expr(`(${this.e(c)} ? ${this.e(then)} : ${this.e(els)})`);
    const tail = els === undefined ? '' : ` else {\n${this.s(els, '  ')}\n}`;
    return this.stmt(`if (${this.e(c)}) {\n${this.s(then, '  ')}\n}${tail}`);
  }
  call(name: string, args: Ref[]): Ref { return this.expr(`${name}(${args.map((r) => this.e(r)).join(', ')})`); }
  ret(v?: Ref): Ref { return this.stmt(v === undefined ? 'return;' : `return ${this.e(v)};`); }
  nop(): Ref { return this.stmt(''); }
  hasFunction(name: string): boolean { return this.funcs.has(name); }

  addFunction(name: string, params: VT[], result: VT | 'none', vars: VT[], body: Ref): void {
    const n = this.nodes[body];
    const kids = n.kind === 'block' ? n.children : [body];
    const last = kids[kids.length - 1], valued = result !== 'none' && this.nodes[last].kind === 'expr';
    const stmts = (valued ? kids.slice(0, -1) : kids).map((c) => this.s(c, '  ')).filter((l) => l.trim());
    if (valued) stmts.push(`  return ${this.e(last)};`);
    const ps = params.map((t, i) => `${CT[t]} l${i}`).join(', ') || 'void';
    // WebAssembly locals start at zero, and the definitions rely on it
    const locals = vars.map((t, i) => `  ${CT[t]} l${params.length + i} = 0;`);
    this.funcs.set(name, `static ${result === 'none' ? 'void' : CT[result]} ${name}(${ps}) {\n${[...locals, ...stmts].join('\n')}\n}`);
  }

  /** The functions, callees before callers (Runtime adds a callee before finishing its caller). */
  functions(): string[] { return [...this.funcs.values()]; }
  declarations(): string[] { return [...this.funcs.values()].map((f) => f.slice(0, f.indexOf(' {')) + ';'); }
}

/**
 * C source for the named runtime math functions (exp, log, pow, erf... as rt_NAME, taking and
 * returning double) with the primitives they use; declarations first, so the order is free.
 */
export function mathSources(names: string[], prims: string[] = []): string[] {
  const m = new CModule();
  for (const p of prims) usePrim(m.prims, p);
  const rt = new Runtime(m as unknown as WasmModule, 0);
  for (const n of names) rt.call(n, []);
  const defs = Object.entries(PRIMS).filter(([k]) => m.prims.has(k)).map(([, v]) => v);
  return [...defs, ...m.declarations(), ...m.functions()];
}
