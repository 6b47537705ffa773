// Function builder over the Binaryen facade: named, scoped locals, fresh labels, and short
// typed operator helpers (`ops('f64').add(a, b)`) used by the kernel renderer and the runtime
// library. Every expression is built fresh: Binaryen expressions have a single parent.
import { Ref, VT, WasmModule } from './binaryen.js';

export type NumT = 'i32' | 'i64' | 'f32' | 'f64';

export class Fn {
  readonly types: VT[] = [];
  private readonly nParams: number;
  private readonly scopes: Map<string, number>[] = [new Map()];
  private labels = 0;

  constructor(readonly w: WasmModule, readonly name: string, params: [string, VT][], readonly result: VT | 'none') {
    params.forEach(([n, t], i) => { this.types.push(t); this.scopes[0].set(n, i); });
    this.nParams = params.length;
  }

  /** A new local (named locals shadow outer ones until the scope ends). */
  local(t: VT, name?: string): number {
    const i = this.types.length;
    this.types.push(t);
    if (name !== undefined) this.scopes[this.scopes.length - 1].set(name, i);
    return i;
  }

  index(name: string): number {
    for (let s = this.scopes.length - 1; s >= 0; s--) {
      const i = this.scopes[s].get(name);
      if (i !== undefined) return i;
    }
    throw new Error(`wasm: unknown variable '${name}' in ${this.name}`);
  }

  get(v: string | number): Ref {
    const i = typeof v === 'number' ? v : this.index(v);
    return this.w.get(i, this.types[i]);
  }
  set(v: string | number, e: Ref): Ref {
    return this.w.set(typeof v === 'number' ? v : this.index(v), e);
  }
  typeOf(v: string | number): VT {
    return this.types[typeof v === 'number' ? v : this.index(v)];
  }

  push(): void { this.scopes.push(new Map()); }
  pop(): void { this.scopes.pop(); }

  label(prefix: string): string { return `${prefix}${this.labels++}`; }

  /** `while (cond) body` as block/loop. */
  whileLoop(cond: () => Ref, body: Ref[], brk = this.label('brk')): Ref {
    const cont = this.label('cont'), w = this.w;
    return w.block(brk, [w.loop(cont, w.block(null, [w.br(brk, w.op('i32', 'eqz', cond())), ...body, w.br(cont)]))]);
  }

  /** Adds the function: `body` statements, then `value` as the result (if any). */
  finish(body: Ref[], value?: Ref): void {
    const w = this.w;
    const all = value === undefined ? body : [...body, value];
    const params = this.types.slice(0, this.nParams), vars = this.types.slice(this.nParams);
    w.addFunction(this.name, params, this.result, vars, w.block(null, all.length ? all : [w.nop()], this.result === 'none' ? undefined : this.result));
  }
}

/** Typed operator shortcuts over one value type (`k` makes a constant of that type). */
export function ops(w: WasmModule, t: NumT) {
  const float = t === 'f32' || t === 'f64';
  const b = (name: string) => (x: Ref, y: Ref) => w.op(t, name, x, y);
  const u = (name: string) => (x: Ref) => w.op(t, name, x);
  return {
    k: (x: number | bigint) => w.c(t, x),
    add: b('add'), sub: b('sub'), mul: b('mul'),
    div: b(float ? 'div' : 'div_s'), eq: b('eq'), ne: b('ne'),
    lt: b(float ? 'lt' : 'lt_s'), le: b(float ? 'le' : 'le_s'), gt: b(float ? 'gt' : 'gt_s'), ge: b(float ? 'ge' : 'ge_s'),
    and: b('and'), or: b('or'), xor: b('xor'), shl: b('shl'), shr_u: b('shr_u'), shr_s: b('shr_s'), lt_u: b('lt_u'),
    min: b('min'), max: b('max'), copysign: b('copysign'),
    neg: u('neg'), abs: u('abs'), sqrt: u('sqrt'), floor: u('floor'), ceil: u('ceil'), trunc: u('trunc'), nearest: u('nearest'),
    eqz: u('eqz'),
    /** c0 + x*(c1 + x*(c2 + ...)) with x re-read for each use. */
    poly: (x: () => Ref, cs: number[]): Ref => {
      let r = w.c(t, cs[cs.length - 1]);
      for (let i = cs.length - 2; i >= 0; i--) r = w.op(t, 'add', w.c(t, cs[i]), w.op(t, 'mul', x(), r));
      return r;
    },
  };
}
